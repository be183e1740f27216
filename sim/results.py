"""The result of one run: the summary of the ``drillsim run --json`` contract, tidy tables, and files.

Column names of the tables are defined here, once.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["RunResult", "steady_flow", "evacuation_curve", "AGENT_COLUMNS", "SUMMARY_KEYS", "OUTCOMES"]

#: Per-agent table columns.
AGENT_COLUMNS = (
    "agent_id", "population", "level", "outcome", "exit", "v0_m_s", "premovement_s", "exit_time_s", "x_m", "y_m",
    "group",
)
#: Values of the ``outcome`` column: safe (out), casualty (immobile after a blast), trapped, inside (run ended).
OUTCOMES = ("inside", "inside", "safe", "casualty", "trapped", "inside")
#: Keys always present in the JSON summary (DESIGN.md contract).
SUMMARY_KEYS = (
    "scenario",
    "plan",
    "seed",
    "agents",
    "evacuated",
    "evacuation_time_s",
    "exit_counts",
    "exit_flow_p_per_s",
    "max_density_p_m2",
    "sim_time_s",
    "wall_s",
    "agent_steps",
    "agent_steps_per_s",
    "immobile_casualties",
    "trapped",
    "time_above_2_p_m2_s",
    "time_above_4_p_m2_s",
    "time_above_5_5_p_m2_s",
    "alarm_time_s",
)


def steady_flow(times: np.ndarray) -> float | None:
    """Steady flow through an exit [P/s]: persons per second between the 10th and 90th percentile crossings.

    Args:
        times: crossing times of one exit [s].

    Returns:
        ``(k90 - k10) / (t[k90] - t[k10])`` on the sorted times, or ``None`` with fewer than 5 crossings.
    """
    t = np.sort(np.asarray(times, dtype=float))
    n = len(t)
    if n < 5:
        return None
    k10 = int(np.floor(0.1 * (n - 1)))
    k90 = int(np.ceil(0.9 * (n - 1)))
    span = t[k90] - t[k10]
    if span <= 0:
        return None
    return float((k90 - k10) / span)


def evacuation_curve(exit_times: np.ndarray) -> pd.DataFrame:
    """Cumulative number of persons safe over time, one row per crossing (columns ``t_s, evacuated``)."""
    t = np.sort(np.asarray(exit_times, dtype=float)[np.isfinite(exit_times)])
    return pd.DataFrame({"t_s": t, "evacuated": np.arange(1, len(t) + 1)})


@dataclass(frozen=True, kw_only=True)
class RunResult:
    """Everything one run produced.

    Attributes:
        summary: the JSON summary (:data:`SUMMARY_KEYS` plus provenance: scenario file and hash, calibration,
            model, dt, code version).
        agents: per-agent table (:data:`AGENT_COLUMNS`); ``exit`` is empty and ``exit_time_s`` NaN for
            agents still inside at the end.
        timeseries: sampled every ``record_interval``: ``t_s, inside, waiting, moving, evacuated,
            mean_speed_m_s, max_density_p_m2``.
        trajectory_file: the PedPy-readable SQLite file, when trajectories were written.
    """

    summary: dict[str, Any]
    agents: pd.DataFrame
    timeseries: pd.DataFrame
    trajectory_file: Path | None = None

    def __getitem__(self, key: str) -> Any:
        return self.summary[key]

    @property
    def evacuation_curve(self) -> pd.DataFrame:
        """Cumulative persons safe at each crossing time."""
        return evacuation_curve(self.agents["exit_time_s"].to_numpy())

    def to_json(self) -> str:
        """The summary as one line of JSON."""
        return json.dumps(self.summary, allow_nan=False)

    def write(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """Write ``summary.json``, ``agents.csv`` and ``timeseries.csv`` into ``out_dir``.

        Each file is written to a temporary name and renamed into place, so an interrupted write never
        leaves a truncated file nor destroys an earlier result.

        Returns:
            The paths written.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in (
            ("summary.json", json.dumps(self.summary, indent=2, allow_nan=False) + "\n"),
            ("agents.csv", self.agents.to_csv(index=False)),
            ("timeseries.csv", self.timeseries.to_csv(index=False)),
        ):
            written.append(_atomic_write_text(out / name, text))
        return written


def _atomic_write_text(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
