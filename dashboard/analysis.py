"""Pure post-processing for the dashboard (no streamlit): trajectories to replay frames, agent states and the
crowd-safety tables, scenario files and their sections.

Everything here is a function of files and tables, tested without a browser (``tests/dashboard``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
import yaml

from sim.crowd import safety as sf

__all__ = [
    "ROOT",
    "SCENARIO_DIR",
    "shipped_scenarios",
    "files_with_section",
    "read_trajectories",
    "level_offsets",
    "agent_states",
    "replay_frames",
    "safety_tables",
    "STATES",
]

#: The repository (the dashboard runs from a checkout: ``drillsim dashboard`` starts it from here).
ROOT = Path(__file__).resolve().parent.parent
#: The shipped scenarios.
SCENARIO_DIR = ROOT / "scenarios"
#: Agent states of the replay, in legend order.
STATES = ("waiting", "moving", "casualty", "trapped")


def shipped_scenarios() -> dict[str, Path]:
    """File stem -> path of every shipped scenario (``scenarios/*.yaml``), sorted by name."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.yaml"))}


def files_with_section(section: str, extra: Sequence[Path] = ()) -> dict[str, Path]:
    """Shipped files (scenarios, then ``extra``) whose top level has ``section`` (e.g. ``response``).

    A file that cannot be parsed is left out (the Scenario page reports its errors).
    """
    out: dict[str, Path] = {}
    for path in [*shipped_scenarios().values(), *extra]:
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(raw, dict) and section in raw:
            out[str(Path(path).relative_to(ROOT)) if Path(path).is_relative_to(ROOT) else str(path)] = Path(path)
    return out


def read_trajectories(path: str | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows and metadata of a JuPedSim-format trajectory file written by ``sim.run(..., trajectories=)``.

    Returns:
        ``(frame, id, x, y)`` rows and the metadata table as a dict (``fps``, ``level_offsets``, ...).
    """
    with sqlite3.connect(path) as conn:
        rows = pd.read_sql_query("SELECT frame, id, pos_x AS x, pos_y AS y FROM trajectory_data", conn)
        meta = dict(conn.execute("SELECT key, value FROM metadata").fetchall())
    return rows, meta


def level_offsets(meta: dict[str, str], level_ids: Sequence[str]) -> np.ndarray:
    """(L, 2) offsets from level-local to world coordinates, from the ``level_offsets`` metadata entry."""
    found: dict[str, tuple[float, float]] = {}
    for part in meta.get("level_offsets", "").split(";"):
        if ":" not in part:
            continue
        lid, xy = part.rsplit(":", 1)
        x, y = (float(v) for v in xy.split(","))
        found[lid] = (x, y)
    return np.array([found.get(lid, (0.0, 0.0)) for lid in level_ids], dtype=float).reshape(len(level_ids), 2)


def agent_states(
    t_s: float, agents: pd.DataFrame, *, alarm_s: float = 0.0, ignition_s: float | None = None
) -> np.ndarray:
    """State of every agent (row of ``agents``) at time ``t_s`` among :data:`STATES` (safe agents: ``"safe"``).

    Waiting until the alarm plus its pre-movement time, moving afterwards; casualties and trapped people
    (``outcome`` of the agents table) take that state from the ignition on.
    """
    start = alarm_s + agents["premovement_s"].to_numpy(dtype=float)
    out = np.where(t_s < start, "waiting", "moving").astype(object)
    exit_t = agents["exit_time_s"].to_numpy(dtype=float)
    out[np.isfinite(exit_t) & (exit_t <= t_s)] = "safe"
    if ignition_s is not None and t_s >= ignition_s:
        outcome = agents["outcome"].to_numpy()
        out[outcome == "casualty"] = "casualty"
        out[outcome == "trapped"] = "trapped"
    return out


def replay_frames(
    rows: pd.DataFrame,
    *,
    fps: float,
    agents: pd.DataFrame,
    every_s: float = 2.0,
    max_frames: int = 150,
    alarm_s: float = 0.0,
    ignition_s: float | None = None,
) -> pd.DataFrame:
    """Positions sampled for the replay: ``t_s, agent_id, x_m, y_m, state`` every ``every_s`` seconds.

    The interval grows when more than ``max_frames`` frames would be needed.
    """
    if rows.empty:
        return pd.DataFrame({"t_s": [], "agent_id": [], "x_m": [], "y_m": [], "state": []})
    frames = np.unique(rows["frame"].to_numpy())
    step = max(1, int(round(every_s * fps)))
    step = max(step, int(np.ceil(len(frames) / max_frames)))
    chosen = frames[::step]
    if chosen[-1] != frames[-1]:
        chosen = np.append(chosen, frames[-1])
    sub = rows[rows["frame"].isin(chosen)].copy()
    sub["t_s"] = sub["frame"].to_numpy(dtype=float) / fps
    sub = sub.rename(columns={"id": "agent_id", "x": "x_m", "y": "y_m"})
    by_id = agents.set_index("agent_id")
    parts = []
    for t, grp in sub.groupby("t_s", sort=True):
        states = agent_states(
            float(t), by_id.loc[grp["agent_id"]].reset_index(), alarm_s=alarm_s, ignition_s=ignition_s
        )
        parts.append(grp.assign(state=states))
    out = pd.concat(parts, ignore_index=True)
    return out[["t_s", "agent_id", "x_m", "y_m", "state"]]


def safety_tables(
    rows: pd.DataFrame,
    *,
    fps: float,
    scenario: Any,
    offsets: np.ndarray,
    every_s: float = 1.0,
    frame_interval_s: float = 5.0,
) -> dict[str, pd.DataFrame]:
    """Density cells, density frames and warning timeline of a run, recomputed from its trajectories.

    The crowd model keeps its :class:`~sim.crowd.safety.SafetyRecorder` to itself, so the dashboard records
    the positions of the trajectory file again (every ``every_s`` seconds) with the same grid and settings.

    Returns:
        ``cells`` (:meth:`SafetyRecorder.cell_table`), ``frames`` (:meth:`density_frames`), ``warnings``
        (:meth:`warning_timeline`), ``areas`` (monitoring area ids).
    """
    rec = sf.SafetyRecorder(
        levels=[lv.free_space for lv in scenario.levels],
        level_ids=[lv.id for lv in scenario.levels],
        offsets=offsets,
        monitoring_areas=[
            sf.MonitoringArea(id=a.id, level=a.level, polygon=a.area) for a in scenario.monitoring_areas
        ],
        settings=sf.SafetySettings(frame_interval_s=frame_interval_s),
    )
    if not rows.empty:
        frames = np.unique(rows["frame"].to_numpy())
        step = max(1, int(round(every_s * fps)))
        for f in frames[::step]:
            part = rows[rows["frame"] == f]
            rec.record(t=float(f) / fps, x=part["x"].to_numpy(dtype=float), y=part["y"].to_numpy(dtype=float))
    return {
        "cells": rec.cell_table(),
        "frames": rec.density_frames(),
        "warnings": rec.warning_timeline(),
        "areas": pd.DataFrame({"area": [a.id for a in scenario.monitoring_areas]}),
    }


def level_outlines(scenario: Any, level_id: str) -> list[shapely.Geometry]:
    """Walls and obstacles of one level, level-local [m] (for the map figures)."""
    lv = scenario.level(level_id)
    return [lv.walkable, *lv.obstacles]
