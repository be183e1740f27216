"""Readiness scorecard: rate a plan against a rubric of criteria with thresholds from the standards.

A rubric is data (YAML), so evaluators can load their own. Shipped: ``rubrics/default.yaml`` (international
practice: NFPA 1710, Fruin, RSET/ASET) and ``rubrics/china.yaml`` (GB 51298-2018 metro 4/6-minute rule,
建标152-2017 first fire unit within 5 min, 国卫医发〔2020〕19号 EMS, shelter planning practice, 国务院令708号 drill
frequency). Format::

    name: Default readiness rubric
    ratings: {P: 100, S: 75, M: 40, U: 0}          # points per rating
    bands:                                         # score bands on 100 points, highest first
      - {min: 90, label: excellent, label_zh: 优秀}
      - {min: 0, label: fail, label_zh: 不合格}
    criteria:
      - id: evacuation_time
        title: Everyone out within the target time
        title_zh: 全部人员疏散时间
        metric: evacuation_time_s                  # or a list of alternatives: the first one present is used
        ratio_to: hazard.aset_s                    # optional: rate metric / this (e.g. RSET / ASET)
        statistic: percentile                      # percentile (default) | mean | max | min
        percentile: 90                             # of the replications (default 90; use 10 for "higher")
        direction: lower                           # lower | higher (which way is better)
        thresholds: {P: 300, S: 360, M: 480}       # lower: P if value <= 300, S if <= 360, M if <= 480, else U
        missing_is_failure: true                   # a run without the metric (e.g. not everyone out) counts
                                                   # as the worst value; default false
        weight: 3
        unit: s
        source: GB 51298-2018 ...
        improvement: Widen the bottleneck ...     # shown when the rating is not P (also improvement_zh)

Ratings (HSEEP / AQ/T 9009 practice): **P** performed without challenges, **S** some challenges, **M** major
challenges, **U** unable to perform. The measured value of a criterion is a statistic of its metric over the
replications (default the 90th percentile for lower-is-better metrics, numpy linear interpolation); a value
given as a fact (``facts``, e.g. ``drill.interval_months`` from ``--fact``) is used as is. A criterion whose
metric the scenario does not produce (in no run, and not a fact) is *not assessed* and its weight is left out.
Score = sum(weight x points) / sum(weight) over the assessed criteria, 0-100; the band is the first whose
``min`` the score reaches.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.errors import ScenarioError
from sim.plans.catalogue import Catalogue

__all__ = [
    "Criterion",
    "Rubric",
    "Scorecard",
    "RATINGS",
    "load_rubric",
    "rubric_from_dict",
    "shipped_rubrics",
    "rate",
    "assess",
    "score",
]

#: The ratings, best first.
RATINGS = ("P", "S", "M", "U")
RATING_TEXT = {
    "P": ("performed without challenges", "无挑战完成"),
    "S": ("performed with some challenges", "存在一些挑战"),
    "M": ("performed with major challenges", "存在重大挑战"),
    "U": ("unable to be performed", "无法完成"),
}
_CRITERION_KEYS = (
    "id", "title", "title_zh", "metric", "ratio_to", "statistic", "percentile", "direction", "thresholds",
    "missing_is_failure", "weight", "unit", "source", "improvement", "improvement_zh",
)  # fmt: skip
_RUBRIC_KEYS = ("name", "name_zh", "description", "ratings", "bands", "criteria")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Criterion:
    """One criterion of a rubric (see the module doc for the meaning of each field)."""

    id: str
    title: str
    metric: tuple[str, ...]
    thresholds: Mapping[str, float]
    direction: str = "lower"
    statistic: str = "percentile"
    percentile: float = 90.0
    ratio_to: tuple[str, ...] = ()
    missing_is_failure: bool = False
    weight: float = 1.0
    unit: str = ""
    source: str = ""
    title_zh: str = ""
    improvement: str = ""
    improvement_zh: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rubric:
    """A rubric: criteria, points per rating and score bands."""

    name: str
    criteria: tuple[Criterion, ...]
    ratings: Mapping[str, float]
    bands: tuple[tuple[float, str, str], ...]
    name_zh: str = ""
    description: str = ""
    source: str = "<dict>"


def _fail(file: str, field: str, problem: str, value: Any = ..., fix: str | None = None) -> ScenarioError:
    return ScenarioError(problem, file=file, field=field, value=value, fix=fix)


def _num(file: str, field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(file, field, "must be a number", value, "write a finite number")
    return float(value)


def _names(file: str, field: str, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v for v in items):
        raise _fail(file, field, "must be a metric name or a list of them", value, "e.g. evacuation_time_s")
    return tuple(items)


def rubric_from_dict(data: Any, *, source: str = "<dict>") -> Rubric:
    """Validate a rubric mapping (as read from YAML).

    Raises:
        ScenarioError: naming the file, the field, the value and a fix.
    """
    if not isinstance(data, Mapping):
        raise _fail(source, "(top level)", "must be a mapping", data, "see sim/plans/rubrics/default.yaml")
    unknown = [k for k in data if k not in _RUBRIC_KEYS]
    if unknown:
        raise _fail(source, str(unknown[0]), "unknown key", fix=f"use one of: {', '.join(_RUBRIC_KEYS)}")
    if not isinstance(data.get("name"), str):
        raise _fail(source, "name", "missing or not text", data.get("name"), "give the rubric a name")
    ratings_raw = data.get("ratings", {"P": 100, "S": 75, "M": 40, "U": 0})
    if not isinstance(ratings_raw, Mapping) or sorted(ratings_raw) != sorted(RATINGS):
        raise _fail(
            source, "ratings", "must give points for P, S, M and U", ratings_raw, "e.g. {P: 100, S: 75, M: 40, U: 0}"
        )
    ratings = {r: _num(source, f"ratings.{r}", ratings_raw[r]) for r in RATINGS}
    monotone = ratings["P"] >= ratings["S"] >= ratings["M"] >= ratings["U"]
    if not all(0 <= ratings[r] <= 100 for r in RATINGS) or not monotone:
        raise _fail(source, "ratings", "points must lie in 0-100 and not increase from P to U", ratings_raw)
    bands_raw = data.get("bands", [{"min": 90, "label": "excellent"}, {"min": 75, "label": "good"},
                                   {"min": 60, "label": "pass"}, {"min": 0, "label": "fail"}])
    if not isinstance(bands_raw, list) or not bands_raw:
        raise _fail(source, "bands", "must be a list of {min, label}", bands_raw)
    bands = []
    for i, b in enumerate(bands_raw):
        if not isinstance(b, Mapping) or "min" not in b or not isinstance(b.get("label"), str):
            raise _fail(source, f"bands[{i}]", "must be {min: number, label: text, label_zh: text}", b)
        bands.append((_num(source, f"bands[{i}].min", b["min"]), b["label"], str(b.get("label_zh", ""))))
    bands.sort(key=lambda x: -x[0])
    if bands[-1][0] > 0:
        raise _fail(source, "bands", "the lowest band must start at 0", bands_raw, "add {min: 0, label: fail}")
    crit_raw = data.get("criteria")
    if not isinstance(crit_raw, list) or not crit_raw:
        raise _fail(source, "criteria", "must be a non-empty list", crit_raw)
    criteria = []
    seen: set[str] = set()
    for i, c in enumerate(crit_raw):
        f = f"criteria[{i}]"
        if not isinstance(c, Mapping):
            raise _fail(source, f, "must be a mapping", c)
        unknown = [k for k in c if k not in _CRITERION_KEYS]
        if unknown:
            raise _fail(source, f"{f}.{unknown[0]}", "unknown key", fix=f"use one of: {', '.join(_CRITERION_KEYS)}")
        for req in ("id", "metric", "thresholds"):
            if req not in c:
                raise _fail(source, f"{f}.{req}", "missing required key")
        cid = c["id"]
        if not isinstance(cid, str) or not cid or cid in seen:
            raise _fail(source, f"{f}.id", "must be a unique, non-empty name", cid)
        seen.add(cid)
        direction = c.get("direction", "lower")
        if direction not in ("lower", "higher"):
            raise _fail(source, f"{f}.direction", "must be lower or higher", direction)
        th_raw = c["thresholds"]
        if not isinstance(th_raw, Mapping) or sorted(th_raw) != ["M", "P", "S"]:
            raise _fail(source, f"{f}.thresholds", "must give P, S and M", th_raw, "e.g. {P: 240, S: 300, M: 360}")
        th = {r: _num(source, f"{f}.thresholds.{r}", th_raw[r]) for r in ("P", "S", "M")}
        ordered = th["P"] <= th["S"] <= th["M"] if direction == "lower" else th["P"] >= th["S"] >= th["M"]
        if not ordered:
            raise _fail(
                source, f"{f}.thresholds", f"must run from P to M in the '{direction}' direction", th_raw,
                "lower is better: P <= S <= M; higher is better: P >= S >= M",
            )
        statistic = c.get("statistic", "percentile")
        if statistic not in ("percentile", "mean", "max", "min"):
            raise _fail(source, f"{f}.statistic", "must be percentile, mean, max or min", statistic)
        pct = _num(source, f"{f}.percentile", c.get("percentile", 90 if direction == "lower" else 10))
        if not 0 <= pct <= 100:
            raise _fail(source, f"{f}.percentile", "must lie in 0-100", pct)
        weight = _num(source, f"{f}.weight", c.get("weight", 1))
        if weight <= 0:
            raise _fail(source, f"{f}.weight", "must be > 0", weight)
        criteria.append(
            Criterion(
                id=cid,
                title=str(c.get("title", cid)),
                title_zh=str(c.get("title_zh", "")),
                metric=_names(source, f"{f}.metric", c["metric"]),
                ratio_to=_names(source, f"{f}.ratio_to", c["ratio_to"]) if "ratio_to" in c else (),
                statistic=statistic,
                percentile=pct,
                direction=direction,
                thresholds=th,
                missing_is_failure=bool(c.get("missing_is_failure", False)),
                weight=weight,
                unit=str(c.get("unit", "")),
                source=str(c.get("source", "")),
                improvement=str(c.get("improvement", "")),
                improvement_zh=str(c.get("improvement_zh", "")),
            )
        )
    return Rubric(
        name=data["name"],
        name_zh=str(data.get("name_zh", "")),
        description=str(data.get("description", "")),
        criteria=tuple(criteria),
        ratings=ratings,
        bands=tuple(bands),
        source=source,
    )


def shipped_rubrics() -> dict[str, Path]:
    """The rubrics shipped with drillsim: name -> file."""
    folder = Path(str(resources.files("sim.plans").joinpath("rubrics")))
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def load_rubric(name_or_path: str | os.PathLike[str]) -> Rubric:
    """Load a rubric file, or a shipped rubric by name (``default``, ``china``).

    Raises:
        ScenarioError: missing file, bad YAML, or an invalid rubric.
    """
    shipped = shipped_rubrics()
    text_name = str(name_or_path)
    path = shipped[text_name] if text_name in shipped else Path(name_or_path)
    if not path.is_file():
        raise _fail(
            text_name, "--rubric", "no such rubric file", fix=f"give a YAML file or one of: {', '.join(shipped)}"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(str(path), "(file)", f"is not valid YAML ({' '.join(str(exc).split())[:120]})") from None
    return rubric_from_dict(data, source=str(path))


def rate(criterion: Criterion, value: float) -> str:
    """The rating (P/S/M/U) of a measured value against the criterion's thresholds."""
    th = criterion.thresholds
    for r in ("P", "S", "M"):
        if (value <= th[r]) if criterion.direction == "lower" else (value >= th[r]):
            return r
    return "U"


def _first_present(names: Sequence[str], runs: Sequence[Mapping[str, float]], facts: Mapping[str, float]) -> str | None:
    for name in names:
        if name in facts or any(name in r for r in runs):
            return name
    return None


def assess(
    criterion: Criterion, runs: Sequence[Mapping[str, float]], facts: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """Rate one criterion on the metrics of the replications (and facts).

    Returns:
        ``{"id", "title", "rating", "evidence", ...}``; ``rating`` is ``None`` (not assessed) when neither the
        runs nor the facts have the metric. The evidence names the metric used, the statistic and percentile,
        the measured value, the thresholds, the number of runs and the source.
    """
    facts = facts or {}
    head = {
        "id": criterion.id,
        "title": criterion.title,
        "title_zh": criterion.title_zh,
        "weight": criterion.weight,
        "source": criterion.source,
    }
    metric = _first_present(criterion.metric, runs, facts)
    denom = _first_present(criterion.ratio_to, runs, facts) if criterion.ratio_to else None
    if metric is None or (criterion.ratio_to and denom is None):
        wanted = criterion.metric if metric is None else criterion.ratio_to
        return {**head, "rating": None, "assessed": False,
                "reason": f"not produced by the scenario nor given as a fact: {', '.join(wanted)}"}
    worst = math.inf if criterion.direction == "lower" else -math.inf

    def values_of(name: str) -> list[float | None]:
        if name in facts:
            return [float(facts[name])]
        return [r.get(name) for r in runs]

    num = values_of(metric)
    if denom is not None:
        den = values_of(denom)
        if len(den) == 1 and len(num) > 1:
            den = den * len(num)
        if len(num) == 1 and len(den) > 1:
            num = num * len(den)
        per_run = [None if a is None or b is None or b == 0 else a / b for a, b in zip(num, den, strict=True)]
    else:
        per_run = num
    missing = sum(v is None for v in per_run)
    if criterion.missing_is_failure:
        vals = [worst if v is None else v for v in per_run]
    else:
        vals = [v for v in per_run if v is not None]
    if not vals:
        return {**head, "rating": None, "assessed": False, "reason": f"{metric} is missing in every run"}
    x = np.asarray(vals, dtype=float)
    if criterion.statistic == "mean":
        value, stat_text = float(x.mean()), "mean"
    elif criterion.statistic == "max":
        value, stat_text = float(x.max()), "max"
    elif criterion.statistic == "min":
        value, stat_text = float(x.min()), "min"
    else:
        finite = bool(np.isfinite(x).all())
        value = float(np.percentile(x, criterion.percentile)) if finite else _inf_percentile(x, criterion.percentile)
        stat_text = f"p{criterion.percentile:g}"
    rating = rate(criterion, value)
    evidence = {
        "metric": metric if denom is None else f"{metric} / {denom}",
        "statistic": stat_text,
        "percentile": criterion.percentile if criterion.statistic == "percentile" else None,
        "value": None if not math.isfinite(value) else round(value, 4),
        "unit": criterion.unit,
        "runs": len(per_run) if not (metric in facts and (denom is None or denom in facts)) else 0,
        "from_fact": metric in facts,
        "missing_runs": missing,
        "missing_is_failure": criterion.missing_is_failure,
        "direction": criterion.direction,
        "thresholds": dict(criterion.thresholds),
        "rule": _rule_text(criterion, rating),
        "source": criterion.source,
    }
    if not math.isfinite(value):
        evidence["value_note"] = f"{missing} of {len(per_run)} runs lack {metric} (counted as failures)"
    return {**head, "rating": rating, "assessed": True, "evidence": evidence}


def _inf_percentile(x: np.ndarray, q: float) -> float:
    """Percentile of values some of which are +-inf (numpy's interpolation would give nan)."""
    s = np.sort(x)
    pos = (len(s) - 1) * q / 100.0
    lo, hi = int(math.floor(pos)), int(math.ceil(pos))
    if s[lo] == s[hi]:
        return float(s[lo])
    if not (np.isfinite(s[lo]) and np.isfinite(s[hi])):
        return float(s[hi]) if pos > lo else float(s[lo])
    return float(s[lo] + (pos - lo) * (s[hi] - s[lo]))


def _rule_text(c: Criterion, rating: str) -> str:
    op = "<=" if c.direction == "lower" else ">="
    if rating == "U":
        return f"U: value {'>' if c.direction == 'lower' else '<'} M threshold {c.thresholds['M']:g}{c.unit}"
    return f"{rating}: value {op} {c.thresholds[rating]:g}{c.unit}"


@dataclasses.dataclass(frozen=True)
class Scorecard:
    """The scorecard; ``data`` is what ``drillsim score --json`` prints."""

    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def table(self) -> str:
        """A readable scorecard."""
        d = self.data
        lines = [f"{d['rubric']}  —  {d['scenario']} / plan {d['plan']}  ({d['reps']} replications)"]
        lines.append(f"{'criterion':<34}{'rating':<8}{'measured':>14}  {'P / S / M':<22}weight")
        for c in d["criteria"]:
            if not c["assessed"]:
                lines.append(f"{c['id']:<34}{'—':<8}{'not assessed':>14}  ({c['reason']})")
                continue
            e = c["evidence"]
            th = e["thresholds"]
            val = "∞" if e["value"] is None else f"{e['value']:.4g}{e['unit']}"
            lines.append(
                f"{c['id']:<34}{c['rating']:<8}{val:>14}  {th['P']:g} / {th['S']:g} / {th['M']:g}{e['unit']:<8}"
                f"{c['weight']:g}"
            )
            how = "given as a fact" if e["from_fact"] else f"{e['statistic']} over {e['runs']} runs"
            lines.append(f"    {e['metric']}: {how}; {e['rule']}; {e['source']}")
        score_text = "—" if d["score"] is None else f"{d['score']:.1f} / 100"
        lines.append("")
        lines.append(f"score {score_text}  band: {d['band']}" + (f" ({d['band_zh']})" if d.get("band_zh") else ""))
        lines.append(f"assessed {d['assessed']} of {len(d['criteria'])} criteria (weight {d['weight_assessed']:g})")
        if d["improvements"]:
            lines.append("")
            lines.append("improvement items (largest loss of points first):")
            for i, item in enumerate(d["improvements"], 1):
                lines.append(f"  {i}. [{item['rating']}] {item['id']}: {item['action']}")
        return "\n".join(lines)


def scorecard(
    rubric: Rubric,
    runs: Sequence[Mapping[str, float]],
    *,
    facts: Mapping[str, float] | None = None,
    context: Mapping[str, Any] | None = None,
) -> Scorecard:
    """Rate every criterion, compute the weighted score and band, and list improvement items.

    Args:
        rubric: the rubric.
        runs: the metrics of each replication.
        facts: metric values that do not come from a simulation (e.g. ``drill.interval_months``).
        context: extra keys for the JSON (scenario, plan, ...).
    """
    rated = [assess(c, runs, facts) for c in rubric.criteria]
    assessed = [r for r in rated if r["assessed"]]
    wsum = sum(r["weight"] for r in assessed)
    score_value = None
    if wsum > 0:
        score_value = round(sum(r["weight"] * rubric.ratings[r["rating"]] for r in assessed) / wsum, 2)
    band, band_zh = "not assessed", "未评估"
    if score_value is not None:
        band, band_zh = next((lab, zh) for lo, lab, zh in rubric.bands if score_value >= lo)
    by_id = {c.id: c for c in rubric.criteria}
    improvements = []
    for r in assessed:
        if r["rating"] == "P":
            continue
        c = by_id[r["id"]]
        lost = r["weight"] * (rubric.ratings["P"] - rubric.ratings[r["rating"]]) / wsum
        e = r["evidence"]
        gap = None if e["value"] is None else round(e["value"] - c.thresholds["P"], 4)
        improvements.append({
            "id": c.id,
            "rating": r["rating"],
            "points_lost": round(lost, 2),
            "gap_to_P": gap,
            "target": f"{'<=' if c.direction == 'lower' else '>='} {c.thresholds['P']:g}{c.unit}",
            "action": c.improvement or f"bring {e['metric']} to {'<=' if c.direction == 'lower' else '>='} "
            f"{c.thresholds['P']:g}{c.unit}",
            "action_zh": c.improvement_zh,
        })
    improvements.sort(key=lambda i: -i["points_lost"])
    data = {
        **(dict(context) if context else {}),
        "rubric": rubric.name,
        "rubric_zh": rubric.name_zh,
        "rubric_file": rubric.source,
        "ratings_points": dict(rubric.ratings),
        "score": score_value,
        "band": band,
        "band_zh": band_zh,
        "assessed": len(assessed),
        "weight_assessed": wsum,
        "criteria": rated,
        "improvements": improvements,
        "facts": dict(facts or {}),
    }
    return Scorecard(data)


def score(
    scenario_path: str | os.PathLike[str],
    *,
    plan: str | None = None,
    rubric: Rubric | str = "default",
    reps: int = 5,
    seed: int = 0,
    agents: int | None = None,
    executor: str | None = None,
    workers: int | None = None,
    catalogue: Catalogue | None = None,
    facts: Mapping[str, float] | None = None,
    progress: bool = False,
) -> Scorecard:
    """Replicate one plan (via :func:`sim.plans.compare.compare`, so runs are catalogued and reused) and score it.

    Raises:
        ScenarioError: invalid scenario, plan or rubric.
    """
    from sim.plans.compare import compare
    from sim.scenario import load_scenario

    rub = load_rubric(rubric) if isinstance(rubric, str) else rubric
    sc = load_scenario(scenario_path)
    plan_id = sc.plan(plan).id
    comp = compare(
        scenario_path, plans=[plan_id], reps=reps, seed=seed, agents=agents, executor=executor, workers=workers,
        catalogue=catalogue, progress=progress,
    )
    runs = [r["metrics"] for r in comp["runs"]]
    context = {
        "scenario": sc.name,
        "scenario_file": sc.source,
        "scenario_sha256": sc.sha256,
        "plan": plan_id,
        "reps": reps,
        "seeds": comp["seeds"],
        "agents": comp["agents"],
        "code_version": comp["code_version"],
    }
    return scorecard(rub, runs, facts=facts, context=context)
