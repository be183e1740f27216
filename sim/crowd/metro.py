"""The Chinese metro evacuation rule, by formula and by simulation, side by side.

GB 51298-2018 requires that one train's passengers plus the waiting passengers leave the platform within
4 min and reach the concourse (or another safe area) within 6 min. GB 50157-2013 checks it by the formula

    T = 1 + (Q1 + Q2) / (0.9 · [A1 · (N − 1) + A2 · B])   [min]   <= 6 min,

with Q1 + Q2 the persons on the platform, A1 one escalator's capacity [P/min], N the escalators leaving the
platform (one assumed out of service), A2 the stair capacity per metre of width [P/(min·m)] and B the total
stair width [m] (counted in multiples of 0.55 m), and 1 min of reaction time (../shared/reference/
pedestrian.md §3). Capacities from the GB 50157 table: 1 m stair going up 3700 P/h; 1 m escalator 6720 P/h at
0.5 m/s and 8190 P/h at 0.65 m/s (linear in belt speed between, proportional to width). An escalator that is
stopped counts as a stair.

The simulation gives the same two times directly: the last moment anyone is on the platform, and the last
moment anyone is neither on a safe level nor out (people on a stair leaving the platform are not yet safe).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.scenario.schema import Plan, Scenario

__all__ = ["metro_formula", "metro_simulated", "metro_check", "PLATFORM_LIMIT_S", "SAFE_AREA_LIMIT_S"]

#: GB 51298: the platform is cleared within 4 min, the safe area reached within 6 min [s].
PLATFORM_LIMIT_S = 240.0
SAFE_AREA_LIMIT_S = 360.0
#: GB 50157 capacities.
STAIR_UP_P_PER_H_M = 3700.0
STAIR_UNIT_WIDTH_M = 0.55
ESCALATOR_P_PER_H_M = ((0.5, 6720.0), (0.65, 8190.0))
REACTION_MIN = 1.0


def _escalator_p_per_min(belt_speed: float, width: float) -> float:
    (v1, c1), (v2, c2) = ESCALATOR_P_PER_H_M
    per_h_m = c1 + (c2 - c1) * (belt_speed - v1) / (v2 - v1)
    return per_h_m * width / 60.0


def metro_formula(scenario: Scenario, plan: Plan, *, platform: str, persons: int) -> dict[str, Any]:
    """GB 50157 evacuation time of the platform for the connectors as the plan sets them.

    Args:
        scenario: the station.
        plan: the plan (closed or turned connectors count as they start).
        platform: id of the platform level.
        persons: Q1 + Q2, the persons on the platform.

    Returns:
        The inputs and ``formula_time_min``, ``formula_ok`` (<= 6 min).
    """
    escalators = []
    stair_width = 0.0
    for c in scenario.connectors:
        if c.id in plan.close_connectors:
            continue
        direction = plan.connector_direction.get(c.id, c.direction)
        leaves_up = c.from_level == platform and direction in ("up", "both", "stopped")
        leaves_down = c.to_level == platform and direction in ("down", "both", "stopped")
        if not (leaves_up or leaves_down):
            continue
        if c.kind == "escalator" and direction in ("up", "down"):
            escalators.append(_escalator_p_per_min(c.belt_speed, c.width))
        else:
            stair_width += math.floor(c.width / STAIR_UNIT_WIDTH_M + 1e-9) * STAIR_UNIT_WIDTH_M
    n = len(escalators)
    a1 = max(escalators) if escalators else 0.0  # the largest is the one assumed out of service
    a2 = STAIR_UP_P_PER_H_M / 60.0
    capacity = 0.9 * (sum(escalators) - a1 + a2 * stair_width)
    t = REACTION_MIN + persons / capacity if capacity > 0 else math.inf
    return {
        "persons_on_platform": persons,
        "escalators": n,
        "escalator_capacity_p_per_min": round(a1, 1),
        "stair_width_m": round(stair_width, 2),
        "stair_capacity_p_per_min_m": round(a2, 1),
        "formula_time_min": round(t, 2) if math.isfinite(t) else None,
        "formula_ok": bool(t <= SAFE_AREA_LIMIT_S / 60.0),
    }


def metro_simulated(
    timeseries: pd.DataFrame, *, platform: str, unsafe: list[str]
) -> dict[str, Any]:
    """Platform-clearing time and time to the safe area from a run's occupancy time series.

    Args:
        timeseries: the run's time series, with ``t_s`` and ``on_<level or connector>`` columns.
        platform: id of the platform level.
        unsafe: levels and connectors that are not yet safe (the platform, the stairs leaving it, ...).

    Returns:
        ``platform_clear_s`` and ``safe_area_s`` (``None`` if never reached in the run) and whether each is
        within 4 and 6 minutes.
    """

    def cleared(columns: list[str]) -> float | None:
        occupied = timeseries[columns].sum(axis=1) > 0
        if occupied.iloc[-1]:
            return None
        last = occupied[occupied].index
        return 0.0 if not len(last) else float(timeseries["t_s"].iloc[last[-1] + 1])

    clear = cleared([f"on_{platform}"])
    safe = cleared([f"on_{x}" for x in unsafe])
    return {
        "platform_clear_s": clear,
        "platform_clear_ok": clear is not None and clear <= PLATFORM_LIMIT_S,
        "safe_area_s": safe,
        "safe_area_ok": safe is not None and safe <= SAFE_AREA_LIMIT_S,
    }


def metro_check(
    scenario: Scenario, plan: Plan, timeseries: pd.DataFrame, *, settings: Mapping[str, Any], persons: int
) -> dict[str, Any]:
    """The ``metro_check`` section of a run: formula and simulation side by side.

    Args:
        scenario: the station; ``settings`` is its ``metro_check`` section (``platform``, ``safe_levels``).
        plan: the plan that ran.
        timeseries: the run's time series.
        settings: ``{"platform": level id, "safe_levels": [level ids]}``.
        persons: persons on the platform at the start.
    """
    platform = settings["platform"]
    safe_levels = set(settings["safe_levels"])
    unsafe = [lv.id for lv in scenario.levels if lv.id not in safe_levels]
    unsafe += [
        c.id for c in scenario.connectors if c.from_level not in safe_levels or c.to_level not in safe_levels
    ]
    out = {"platform": platform, "safe_levels": sorted(safe_levels)}
    out.update(metro_formula(scenario, plan, platform=platform, persons=persons))
    out.update(metro_simulated(timeseries, platform=platform, unsafe=unsafe))
    out["limits_s"] = {"platform_clear": PLATFORM_LIMIT_S, "safe_area": SAFE_AREA_LIMIT_S}
    return out
