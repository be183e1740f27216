"""Drill evaluation: observed times against the MSEL's targets, P/S/M/U per objective, score, after-action report.

Inputs: the MSEL CSV written by ``drillsim drill`` and a CSV of observations with columns ``inject_id``,
``observed_time_s`` (seconds of scenario time, or ``mm:ss``; empty or ``not performed`` when the expected
action did not happen) and optional ``notes``.

Rating of one inject with a target (HSEEP P/S/M/U; thresholds from the simulated distribution):
**P** observed <= p50, **S** <= p90, **M** <= 1.5 x p90, **U** later or not performed. Injects without a
target (triggers such as the alarm, contingency injects) are not rated; a contingency inject that appears in
the observations is reported as used. An inject with a target that has no observation row is *not
observed* (not rated). An objective is rated by the worst rating of its injects. Drill score = mean of the
objectives' points (P 100, S 75, M 40, U 0), with the bands 优秀 / 良好 / 合格 / 不合格 at 90 / 75 / 60.

The after-action report (Markdown, bilingual headings) follows AQ/T 9009-2015 and HSEEP: summary, objectives
with evidence, strengths, areas for improvement and an improvement plan with corrective actions to assign
(owner, due date, capability element: planning, organisation, equipment, training, exercises).
"""

from __future__ import annotations

import csv
import dataclasses
import os
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.plans.drill import read_msel

__all__ = ["evaluate_drill", "Evaluation", "rate_observation", "POINTS", "BANDS"]

POINTS = {"P": 100.0, "S": 75.0, "M": 40.0, "U": 0.0}
BANDS = ((90.0, "excellent", "优秀"), (75.0, "good", "良好"), (60.0, "pass", "合格"), (0.0, "fail", "不合格"))
_ORDER = {"P": 0, "S": 1, "M": 2, "U": 3}
#: An observation later than this factor x p90 is rated U.
M_FACTOR = 1.5


def rate_observation(observed_s: float | None, p50: float, p90: float) -> str:
    """P/S/M/U of an observed time against the target percentiles (``None`` = not performed -> U)."""
    if observed_s is None:
        return "U"
    if observed_s <= p50:
        return "P"
    if observed_s <= p90:
        return "S"
    if observed_s <= M_FACTOR * p90:
        return "M"
    return "U"


def _parse_time(text: str, where: str) -> float | None:
    t = (text or "").strip().lower()
    if t in ("", "-", "—", "not performed", "na", "n/a", "未完成"):
        return None
    try:
        if ":" in t:
            parts = [float(p) for p in t.split(":")]
            value = 0.0
            for p in parts:
                value = value * 60 + p
            return value
        return float(t)
    except ValueError:
        raise ScenarioError(
            "is not a time", field=where, value=text, fix="give seconds (e.g. 95) or mm:ss (e.g. 01:35), or leave empty"
        ) from None


def read_observed(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Observations by inject id: ``{"observed_s": float | None, "notes": str}``.

    Raises:
        ScenarioError: missing file or columns, bad time.
    """
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(
            "no such file", field="--observed", value=str(p), fix="give a CSV: inject_id,observed_time_s,notes"
        )
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        time_col = next((c for c in ("observed_time_s", "observed_time", "observed_s") if c in cols), None)
        if "inject_id" not in cols or time_col is None:
            raise ScenarioError(
                "needs the columns inject_id and observed_time_s", file=str(p), value=cols,
                fix="write a header line: inject_id,observed_time_s,notes",
            )
        out = {}
        for i, row in enumerate(reader, 2):
            iid = (row["inject_id"] or "").strip()
            if not iid:
                continue
            out[iid] = {"observed_s": _parse_time(row[time_col], f"{p.name} line {i}"), "notes": row.get("notes") or ""}
    return out


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """The drill evaluation; ``data`` is what ``drillsim evaluate --json`` prints."""

    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def table(self) -> str:
        d = self.data
        lines = [f"{'inject':<8}{'rating':<8}{'observed':>10}{'p50':>9}{'p90':>9}  objective"]
        for r in d["injects"]:
            if r["rating"] is None:
                continue
            obs = "—" if r["observed_s"] is None else f"{r['observed_s']:.0f}"
            lines.append(
                f"{r['inject_id']:<8}{r['rating']:<8}{obs:>10}{r['target_p50_s']:>9.0f}{r['target_p90_s']:>9.0f}"
                f"  {r['objective_en']}"
            )
        score_text = "—" if d["score"] is None else f"{d['score']:.1f} / 100"
        lines.append("")
        lines.append(f"drill score {score_text}  band: {d['band']} ({d['band_zh']}); objectives rated {d['rated']}")
        if d.get("report"):
            lines.append(f"after-action report: {d['report']}")
        return "\n".join(lines)

    def report_markdown(self) -> str:
        """The after-action report and improvement plan (Markdown)."""
        d = self.data
        score_text = "not rated / 未评分" if d["score"] is None else f"{d['score']:.1f} / 100"
        lines = [
            "# After-action report / 演练评估报告",
            "",
            f"- MSEL / 演练脚本: `{d['msel']}`",
            f"- Observations / 观察记录: `{d['observed']}`",
            f"- Drill score / 演练得分: **{score_text}** — {d['band']} / {d['band_zh']}",
            "",
            "## Objectives / 演练目标",
            "",
            "| Objective 目标 | Rating 等级 | Evidence 依据 |",
            "|---|---|---|",
        ]
        for o in d["objectives"]:
            ev = "; ".join(
                f"{e['inject_id']}: observed {_obs_text(e['observed_s'])}"
                f" vs p50 {e['target_p50_s']:.0f} s / p90 {e['target_p90_s']:.0f} s → {e['rating']}"
                for e in o["injects"]
            )
            if not ev:
                ev = "not observed / 未观察" if o["has_target"] else "no target time / 无目标时间"
            lines.append(f"| {o['objective_en']}<br>{o['objective_zh']} | {o['rating'] or '—'} | {ev} |")
        strengths = [o for o in d["objectives"] if o["rating"] == "P"]
        areas = [o for o in d["objectives"] if o["rating"] in ("S", "M", "U")]
        lines += ["", "## Strengths / 优点", ""]
        lines += [f"- {o['objective_en']} / {o['objective_zh']}" for o in strengths] or ["- (none rated P)"]
        lines += ["", "## Areas for improvement / 待改进事项", ""]
        lines += [
            f"- [{o['rating']}] {o['objective_en']} / {o['objective_zh']} — root cause / 原因分析: _to be filled by "
            "the evaluation team_"
            for o in areas
        ] or ["- (none)"]
        lines += [
            "",
            "## Improvement plan / 改进计划",
            "",
            "| Corrective action 纠正措施 | Capability element 要素 | Owner 责任人 | Due 完成时限 |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| Improve: {o['objective_en']} ({o['capability']}) | planning / organisation / equipment / training / "
            "exercises | | |"
            for o in areas
        ] or ["| — | | | |"]
        if d["contingencies_used"]:
            lines += ["", f"Contingency injects used / 使用的备用注入: {', '.join(d['contingencies_used'])}"]
        lines += [
            "",
            "Process (AQ/T 9009-2015): 现场点评 hot wash → 参演人员自评 self-assessment → 评估组评估 evaluation team → "
            "评估报告 report → 纠正行动 corrective actions.",
            "",
            "Rating rule / 评级规则: P observed <= p50; S <= p90; M <= 1.5 x p90; U later or not performed.",
        ]
        return "\n".join(lines) + "\n"


def _obs_text(seconds: float | None) -> str:
    return "not performed" if seconds is None else f"{seconds:.0f} s"


def evaluate_drill(
    msel: str | os.PathLike[str], observed: str | os.PathLike[str], *, report: str | os.PathLike[str] | None = None
) -> Evaluation:
    """Rate a drill's observed times against its MSEL; write the after-action report to ``report`` if given.

    Raises:
        ScenarioError: unreadable or malformed files; an observation for an inject the MSEL does not have.
    """
    injects = read_msel(msel)
    obs = read_observed(observed)
    known = {r["inject_id"] for r in injects}
    unknown = sorted(set(obs) - known)
    if unknown:
        raise ScenarioError(
            "names injects that are not in the MSEL", field="--observed", value=unknown,
            fix=f"use the inject ids of {Path(msel).name} ({', '.join(sorted(known))})",
        )
    rows = []
    for r in injects:
        o = obs.get(r["inject_id"])
        has_target = r["target_p50_s"] is not None and r["target_p90_s"] is not None
        rated = has_target and r.get("inject_type") != "contingency"
        rating = None
        if rated and o is not None:
            rating = rate_observation(o["observed_s"], r["target_p50_s"], r["target_p90_s"])
        rows.append(
            {
                "inject_id": r["inject_id"],
                "objective_en": r["objective_en"],
                "objective_zh": r.get("objective_zh", ""),
                "capability": r.get("capability", ""),
                "target_p50_s": r["target_p50_s"],
                "target_p90_s": r["target_p90_s"],
                "observed_s": None if o is None else o["observed_s"],
                "observed": o is not None,
                "notes": "" if o is None else o["notes"],
                "rating": rating,
                "status": "rated" if rating else ("not observed" if rated else "not rated (no target)"),
            }
        )
    objectives: dict[str, dict[str, Any]] = {}
    for row in rows:
        obj = objectives.setdefault(
            row["objective_en"],
            {"objective_en": row["objective_en"], "objective_zh": row["objective_zh"], "capability": row["capability"],
             "injects": [], "rating": None, "has_target": False},
        )
        if row["status"] != "not rated (no target)":
            obj["has_target"] = True
        if row["rating"] is not None:
            obj["injects"].append(row)
            if obj["rating"] is None or _ORDER[row["rating"]] > _ORDER[obj["rating"]]:
                obj["rating"] = row["rating"]
    rated = [o for o in objectives.values() if o["rating"] is not None]
    score_value = round(sum(POINTS[o["rating"]] for o in rated) / len(rated), 2) if rated else None
    band, band_zh = ("not rated", "未评分")
    if score_value is not None:
        band, band_zh = next((b, z) for lo, b, z in BANDS if score_value >= lo)
    data: dict[str, Any] = {
        "msel": str(msel),
        "observed": str(observed),
        "score": score_value,
        "band": band,
        "band_zh": band_zh,
        "rated": len(rated),
        "objectives": list(objectives.values()),
        "injects": rows,
        "contingencies_used": [
            r["inject_id"] for r in injects if r.get("inject_type") == "contingency" and r["inject_id"] in obs
        ],
        "rule": "P <= p50; S <= p90; M <= 1.5 x p90; U later or not performed",
        "report": None,
    }
    ev = Evaluation(data)
    if report is not None:
        out = Path(report)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(ev.report_markdown(), encoding="utf-8")
        data["report"] = str(out)
    return ev
