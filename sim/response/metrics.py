"""Response metrics: one function per quantity, tidy tables, and replications with confidence intervals.

Percentiles use numpy's default ``linear`` method (Hyndman and Fan type 7). Confidence intervals for a
mean over replications use Student's t with n - 1 degrees of freedom: mean ± t_{0.975, n-1} s / sqrt(n).
Milestones (gas isolated, last casualty at hospital, all clear) are reported in seconds after the alarm.
Unit utilisation = busy time / (units x observed window) (reference section 2), where a unit is busy from
its dispatch until it is back at its station or sent to another call, and the window runs from the first
call to the last unit available.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.response.config import ResponseConfig
from sim.response.engine import Casualty, simulate_response
from sim.response.results import ResponseResult
from sim.seeding import stream

__all__ = [
    "response_times",
    "first_unit_times",
    "utilisation",
    "gas_isolated_s",
    "last_casualty_at_hospital_s",
    "summary",
    "scalar_metrics",
    "mean_ci",
    "replicate_response",
    "Replications",
    "RESPONSE_TIME_COLUMNS",
    "UTILISATION_COLUMNS",
    "CI_COLUMNS",
    "PERCENTILE_METHOD",
]

PERCENTILE_METHOD = "linear"
#: Per incident and target: which unit arrived first, how long it took from the target's start, the limit.
RESPONSE_TIME_COLUMNS = ("incident", "target", "kind", "start", "unit", "response_s", "within_s", "met")
#: Utilisation by station kind (and ``all``).
UTILISATION_COLUMNS = ("kind", "units", "busy_s", "window_s", "utilisation")
#: Mean and confidence interval of each metric over replications.
CI_COLUMNS = ("metric", "n", "mean", "sd", "ci_low", "ci_high")


def _first_arrivals(timeline: pd.DataFrame) -> pd.DataFrame:
    """Per incident, the row of the first unit on scene (ties: the first record): ``incident, unit, on_scene_s``."""
    arrived = timeline[timeline["on_scene_s"].notna()]
    if arrived.empty:
        return pd.DataFrame(columns=["incident", "unit", "on_scene_s"])
    idx = arrived.groupby("incident", sort=False)["on_scene_s"].idxmin()
    return arrived.loc[idx, ["incident", "unit", "on_scene_s"]]


def first_unit_times(result: ResponseResult) -> pd.DataFrame:
    """Time from the call to the first unit on scene, per incident (columns ``incident``, ``unit``, ``response_s``)."""
    inc = result.incidents[["incident", "call_s"]]
    df = inc.merge(_first_arrivals(result.timeline), on="incident", how="left")
    return pd.DataFrame(
        {"incident": df["incident"], "unit": df["unit"], "response_s": (df["on_scene_s"] - df["call_s"]).astype(float)}
    )


def response_times(result: ResponseResult) -> pd.DataFrame:
    """Per incident and target: the first unit of the target's station kind on scene (:data:`RESPONSE_TIME_COLUMNS`).

    An incident to which no unit of that kind was sent has no row for the target; one whose unit has not
    arrived yet (an unfinished run) has a NaN time and ``met`` false.
    """
    tl = result.timeline
    sent = tl[~tl["stood_down"].astype(bool)]
    inc = result.incidents[["incident", "call_s", "dispatch_s"]]
    parts = []
    for t in result.config.targets:
        mine = sent[sent["kind"] == t.kind]
        if mine.empty:
            continue
        df = inc[inc["incident"].isin(set(mine["incident"]))].merge(_first_arrivals(mine), on="incident", how="left")
        origin = df["dispatch_s"] if t.start == "dispatch" else df["call_s"]
        r = (df["on_scene_s"] - origin).astype(float)
        parts.append(
            pd.DataFrame(
                {
                    "incident": df["incident"],
                    "target": t.id,
                    "kind": t.kind,
                    "start": t.start,
                    "unit": df["unit"],
                    "response_s": r,
                    "within_s": t.within_s,
                    "met": (r <= t.within_s).to_numpy(dtype=bool),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=list(RESPONSE_TIME_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(RESPONSE_TIME_COLUMNS)]


def utilisation(result: ResponseResult) -> pd.DataFrame:
    """Busy time / (units x window) by station kind and overall (:data:`UTILISATION_COLUMNS`)."""
    tl = result.timeline
    units = result.units
    inc = result.incidents
    start = float(inc["call_s"].min()) if len(inc) else math.nan
    end_col = tl["available_s"].fillna(tl["clear_s"])
    end = float(end_col.max()) if len(tl) else math.nan
    window = end - start if math.isfinite(start) and math.isfinite(end) and end > start else math.nan
    busy = (end_col - tl["dispatch_s"]).clip(lower=0.0)
    rows = []
    kinds = sorted(units["kind"].unique())
    for kind in ["all", *kinds]:
        n = len(units) if kind == "all" else int((units["kind"] == kind).sum())
        b = float(busy.sum() if kind == "all" else busy[tl["kind"] == kind].sum())
        u = b / (n * window) if n and math.isfinite(window) else math.nan
        rows.append((kind, n, b, window, u))
    return pd.DataFrame(rows, columns=list(UTILISATION_COLUMNS))


def gas_isolated_s(result: ResponseResult) -> float | None:
    """When the last task done by gas-utility teams finished [s after the alarm]; ``None`` if there is none."""
    tasks = result.tasks
    gas = tasks[tasks["kind"].str.contains("gas_utility", regex=False)]
    if gas.empty or gas["done_s"].isna().any():
        return None
    return float(gas["done_s"].max() - result.alarm_time_s)


def last_casualty_at_hospital_s(result: ResponseResult) -> float | None:
    """When the last casualty taken to hospital arrived there [s after the alarm]; ``None`` if none was."""
    at = result.casualties["at_hospital_s"].dropna()
    return None if at.empty else float(at.max() - result.alarm_time_s)


def _p90(values: Iterable[float]) -> float | None:
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=float)
    return None if v.size == 0 else float(np.percentile(v, 90, method="linear"))


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def summary(result: ResponseResult) -> dict[str, Any]:
    """The ``response`` section of ``drillsim run --json`` (times in seconds; milestones after the alarm)."""
    fu = first_unit_times(result)
    rt = response_times(result)
    ut = utilisation(result)
    cas = result.casualties
    tl = result.timeline
    targets = {}
    for t in result.config.targets:
        mine = rt[rt["target"] == t.id]
        targets[t.id] = {
            "kind": t.kind,
            "from": t.start,
            "within_s": t.within_s,
            "incidents": int(len(mine)),
            "share_met": _r(float(mine["met"].mean()), 4) if len(mine) else None,
            "p90_s": _r(_p90(mine["response_s"])),
        }
    end = tl["available_s"].max() if len(tl) else math.nan
    return {
        "incidents": int(len(result.incidents)),
        "units": int(len(result.units)),
        "units_sent": int((~tl["stood_down"]).sum()),
        "finished": bool(result.finished),
        "first_unit_s": {r.incident: _r(r.response_s) for r in fu.itertuples(index=False)},
        "first_unit_mean_s": _r(float(fu["response_s"].mean())) if fu["response_s"].notna().any() else None,
        "first_unit_p90_s": _r(_p90(fu["response_s"])),
        "targets": targets,
        "gas_isolated_s": _r(gas_isolated_s(result)),
        "casualties": int(len(cas)),
        "casualties_at_hospital": int(cas["at_hospital_s"].notna().sum()),
        "last_casualty_at_hospital_s": _r(last_casualty_at_hospital_s(result)),
        "all_clear_s": _r(float(end - result.alarm_time_s)) if math.isfinite(end) else None,
        "utilisation": {r.kind: _r(r.utilisation, 4) for r in ut.itertuples(index=False)},
        "percentile_method": f"numpy '{PERCENTILE_METHOD}' (Hyndman-Fan type 7)",
        "seed": result.seed,
    }


def scalar_metrics(result: ResponseResult) -> dict[str, float | None]:
    """The per-replication numbers that :func:`replicate_response` averages."""
    s = summary(result)
    out: dict[str, float | None] = {
        "first_unit_mean_s": s["first_unit_mean_s"],
        "first_unit_p90_s": s["first_unit_p90_s"],
    }
    for tid, t in s["targets"].items():
        out[f"{tid}_share_met"] = t["share_met"]
        out[f"{tid}_p90_s"] = t["p90_s"]
    out["gas_isolated_s"] = s["gas_isolated_s"]
    out["last_casualty_at_hospital_s"] = s["last_casualty_at_hospital_s"]
    out["all_clear_s"] = s["all_clear_s"]
    out["utilisation"] = s["utilisation"].get("all")
    return out


def mean_ci(values: Sequence[float | None], *, confidence: float = 0.95) -> tuple[int, float, float, float, float]:
    """Mean and t-distribution confidence interval of the finite values.

    Returns:
        ``(n, mean, sd, low, high)``; with one value the interval is that value; with none, NaNs.
    """
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=float)
    n = int(v.size)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    m = float(v.mean())
    if n == 1:
        return 1, m, math.nan, m, m
    sd = float(v.std(ddof=1))
    h = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * sd / math.sqrt(n)
    return n, m, sd, m - h, m + h


@dataclass(frozen=True, kw_only=True)
class Replications:
    """Metrics of independent replications of one configuration.

    Attributes:
        per_replication: one row per seed, a column per metric of :func:`scalar_metrics`.
        response_times: :func:`response_times` of every replication with a ``seed`` column first.
        summary: :data:`CI_COLUMNS`, one row per metric.
        confidence: the confidence level of the intervals.
    """

    per_replication: pd.DataFrame
    response_times: pd.DataFrame
    summary: pd.DataFrame
    confidence: float

    def to_dict(self) -> dict[str, dict[str, float | int | None]]:
        """``{metric: {n, mean, sd, ci_low, ci_high}}`` with NaN as ``None`` (JSON-ready)."""
        out = {}
        for row in self.summary.itertuples(index=False):
            out[row.metric] = {
                "n": int(row.n),
                "mean": _r(row.mean, 4),
                "sd": _r(row.sd, 4),
                "ci_low": _r(row.ci_low, 4),
                "ci_high": _r(row.ci_high, 4),
            }
        return out


def replicate_response(
    config: ResponseConfig,
    *,
    seeds: Sequence[int],
    alarm_time_s: float = 0.0,
    casualties: Sequence[Casualty] = (),
    confidence: float = 0.95,
) -> Replications:
    """Run the response once per seed (each with ``stream(seed, "response")``) and summarise.

    Args:
        config: the configuration (plan changes applied).
        seeds: root seeds, one replication each.
        alarm_time_s: alarm time [s].
        casualties: casualties reported by other engines, the same in every replication.
        confidence: confidence level of the intervals (default 95 %).

    Returns:
        Per-replication metrics, response times, and mean with t-distribution confidence intervals (those
        of shares and utilisation clipped to [0, 1]).
    """
    rows, times = [], []
    for seed in seeds:
        res = simulate_response(
            config, alarm_time_s=alarm_time_s, casualties=casualties, rng=stream(seed, "response"), seed=seed
        )
        rows.append({"seed": seed, **scalar_metrics(res)})
        rt = response_times(res)
        rt.insert(0, "seed", seed)
        times.append(rt)
    per_rep = pd.DataFrame(rows)
    ci_rows = []
    for metric in per_rep.columns:
        if metric == "seed":
            continue
        n, m, sd, lo, hi = mean_ci(per_rep[metric].tolist(), confidence=confidence)
        if metric.endswith("_share_met") or metric == "utilisation":  # fractions: keep the interval in [0, 1]
            lo, hi = max(lo, 0.0), min(hi, 1.0)
        ci_rows.append((metric, n, m, sd, lo, hi))
    all_times = pd.concat(times, ignore_index=True) if times else pd.DataFrame(columns=["seed", *RESPONSE_TIME_COLUMNS])
    return Replications(
        per_replication=per_rep,
        response_times=all_times,
        summary=pd.DataFrame(ci_rows, columns=list(CI_COLUMNS)),
        confidence=confidence,
    )
