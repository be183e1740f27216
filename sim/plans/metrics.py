"""Metrics of a run, collected generically from its summary, and which way is better for each.

Every engine adds its own sections to a run summary (``hazard``, ``response``, ``shelter``, crowd-safety keys
such as ``time_above_4p_m2_s``). The plan layer does not know them in advance: it takes every numeric
top-level value of the summary and every numeric value of a nested section, flattened as ``section.key``
(``exit_counts.side_door``, ``response.first_unit_arrival_s``), and skips bookkeeping keys (seed, wall time,
throughput, ...) that say nothing about the plan.

Which direction is better is looked up in :data:`METRIC_DIRECTIONS`, a table of ``fnmatch`` patterns tried in
order against the full name and then against its last component; the first match wins. Metrics that match
no pattern are ``"neutral"``: they are described and differenced, but no plan "beats" another on them.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping
from typing import Any, Literal

__all__ = [
    "BOOKKEEPING_KEYS",
    "NESTED_BOOKKEEPING_KEYS",
    "METRIC_DIRECTIONS",
    "Direction",
    "collect_metrics",
    "timeline_metrics",
    "direction",
    "better",
]

Direction = Literal["lower", "higher", "neutral"]

#: Summary keys that describe the run, not the plan's performance; never collected as metrics.
BOOKKEEPING_KEYS = frozenset(
    {
        "seed",
        "agents",
        "wall_s",
        "agent_steps",
        "agent_steps_per_s",
        "sim_time_s",
        "dt_s",
        "scenario",
        "plan",
        "calibration",
        "model",
        "scenario_file",
        "scenario_sha256",
        "code_version",
        "trajectory_file",
    }
)

#: Keys skipped at any depth (engine sections repeat the seed, carry settings and text).
NESTED_BOOKKEEPING_KEYS = frozenset({"seed", "wall_s", "agent_steps", "agent_steps_per_s", "within_s", "dt_s"})

#: ``(pattern, direction)``, tried in order; the first pattern matching the metric name (or its last dotted
#: component) decides. Lower is better for times, densities and harm; higher for coverage, throughput and
#: people saved.
METRIC_DIRECTIONS: tuple[tuple[str, Direction], ...] = (
    ("timeline.t50_s", "lower"),
    ("timeline.*", "neutral"),  # milestones for drill scripts: when things happen, not how good it is
    ("exit_counts.*", "neutral"),  # how people split over exits is neither good nor bad by itself
    ("*casualties_at_hospital", "neutral"),  # a count of transports, good or bad only relative to casualties
    ("evacuated", "higher"),
    ("*coverage*", "higher"),
    ("*covered*", "higher"),
    ("*capacity*", "higher"),
    ("*share_within*", "higher"),
    ("*share_met*", "higher"),
    ("*_met", "higher"),
    ("*within_target*", "higher"),
    ("*survival*", "higher"),
    ("*saved*", "higher"),
    ("exit_flow_p_per_s.*", "higher"),
    ("*flow*", "higher"),
    ("*uncovered*", "lower"),
    ("*unserved*", "lower"),
    ("*unassigned*", "lower"),
    ("*time*", "lower"),  # evacuation_time_s, time_above_*, response_time_*, ...
    ("t95*", "lower"),
    ("*_s", "lower"),  # durations in seconds: first_unit_arrival_s, ...
    ("*_min", "lower"),
    ("*density*", "lower"),
    ("*casualt*", "lower"),
    ("*fatalit*", "lower"),
    ("*death*", "lower"),
    ("*injur*", "lower"),
    ("*harm*", "lower"),
    ("*distance*", "lower"),
    ("*_m", "lower"),
    ("*queue*", "lower"),
    ("*wait*", "lower"),
    ("*stranded*", "lower"),
    ("*remaining*", "lower"),
)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def collect_metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """The numeric metrics of one run summary.

    Args:
        summary: a run summary (``RunResult.summary``), possibly with engine sections.

    Returns:
        ``{name: value}``: every finite numeric top-level value and every finite numeric value of nested
        mappings (flattened with dots, at any depth), without :data:`BOOKKEEPING_KEYS`. ``None`` values (e.g.
        ``evacuation_time_s`` when not everyone got out) are left out: the metric is missing for that run.
    """
    out: dict[str, float] = {}

    def walk(prefix: str, mapping: Mapping[str, Any]) -> None:
        for key, value in mapping.items():
            name = f"{prefix}{key}"
            if (not prefix and key in BOOKKEEPING_KEYS) or (prefix and key in NESTED_BOOKKEEPING_KEYS):
                continue
            if isinstance(value, Mapping):
                walk(name + ".", value)
            elif _is_number(value):
                out[name] = float(value)

    walk("", summary)
    return out


def direction(metric: str, table: tuple[tuple[str, Direction], ...] = METRIC_DIRECTIONS) -> Direction:
    """Which way is better for ``metric``: ``"lower"``, ``"higher"`` or ``"neutral"`` (see the module doc)."""
    last = metric.rsplit(".", 1)[-1]
    for pattern, way in table:
        if fnmatch.fnmatchcase(metric, pattern) or fnmatch.fnmatchcase(last, pattern):
            return way
    return "neutral"


def better(metric: str, a: float, b: float) -> bool | None:
    """Whether value ``a`` is strictly better than ``b`` for ``metric`` (``None`` for neutral metrics)."""
    way = direction(metric)
    if way == "neutral":
        return None
    return a < b if way == "lower" else a > b


def timeline_metrics(result: Any) -> dict[str, float]:
    """Milestones of one run for drill scripts, from its per-agent table and time series (``timeline.*``).

    ``timeline.first_out_s`` (first person safe), ``timeline.t50_s`` (half of the people safe),
    ``timeline.peak_density_t_s`` (when the peak density of the time series occurred),
    ``timeline.premovement_p90_s`` (90th percentile of the pre-movement times) and
    ``timeline.exit_first_s.<exit>`` (first crossing per exit). Missing milestones are left out.

    Args:
        result: a :class:`sim.results.RunResult`.
    """
    import numpy as np

    out: dict[str, float] = {}
    agents = result.agents
    if len(agents):
        t = np.sort(agents["exit_time_s"].to_numpy(dtype=float))
        t = t[np.isfinite(t)]
        n = len(agents)
        if len(t):
            out["timeline.first_out_s"] = round(float(t[0]), 3)
        k50 = int(np.ceil(0.5 * n)) - 1
        if len(t) > k50 >= 0:
            out["timeline.t50_s"] = round(float(t[k50]), 3)
        pre = agents["premovement_s"].to_numpy(dtype=float)
        pre = pre[np.isfinite(pre)]
        if len(pre):
            out["timeline.premovement_p90_s"] = round(float(np.percentile(pre, 90)), 3)
        for exit_id, times in agents.groupby("exit")["exit_time_s"]:
            if exit_id and np.isfinite(times.to_numpy(dtype=float)).any():
                out[f"timeline.exit_first_s.{exit_id}"] = round(float(np.nanmin(times.to_numpy(dtype=float))), 3)
    ts = result.timeseries
    if len(ts) and "max_density_p_m2" in ts and "t_s" in ts:
        i = int(np.argmax(ts["max_density_p_m2"].to_numpy(dtype=float)))
        out["timeline.peak_density_t_s"] = round(float(ts["t_s"].iloc[i]), 3)
    return out
