"""Coupling of an explosion to the crowd: who is hurt, which exits close, what the run reports.

The crowd engine calls :func:`assess_blast` once per hazard at its ignition time (from
:func:`~sim.hazard.timeline.hazard_timeline`) with the positions of its agents, and applies the outcome:
agents of severity 2 and 3 stop moving, the exits in :attr:`BlastOutcome.closed_exits` (and connectors and
passages inside :attr:`BlastOutcome.closure_zone`) close, and the agents re-plan. This module never imports
the crowd engine.

Severity codes (:data:`~sim.hazard.columns.SEVERITY_NAMES`):

- 0 unharmed;
- 1 injured: mobile (eardrum rupture, cuts from glass, bruises); keeps evacuating;
- 2 seriously injured: immobile (trapped under debris or a collapse, fractures); waits for rescue;
- 3 fatal: immobile.

Each agent's severity is drawn with one uniform number u from the hazard generator, compared with the nested
cumulative probabilities of :func:`~sim.hazard.harm.harm_probabilities` (see
:func:`~sim.hazard.harm.draw_severity`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from sim.hazard.blast import explosion_energy
from sim.hazard.columns import (
    AGENT,
    IMPULSE_PA_S,
    LEVEL,
    OVERPRESSURE_KPA,
    P_FATAL,
    P_INJURED,
    P_SERIOUS,
    SEVERITY,
    SEVERITY_NAMES,
    X_M,
    Y_M,
)
from sim.hazard.config import Hazard
from sim.hazard.fuels import WELL_MIXED_NOTE
from sim.hazard.harm import draw_severity, harm_probabilities
from sim.hazard.timeline import hazard_blast, hazard_timeline, hazard_zones, ignition_mass

__all__ = ["ExitPoint", "BlastOutcome", "assess_blast", "hazard_section"]

#: An exit as the hazard engine sees it: a point (e.g. the middle of the door) and its level id.
ExitPoint = tuple[float, float, str]


def _key(threshold: float) -> str:
    return f"{threshold:g}"


@dataclass(frozen=True, kw_only=True, eq=False)
class BlastOutcome:
    """What one explosion does to the agents and exits given to :func:`assess_blast`.

    Per-agent arrays have the length N of the positions given (row i is agent i).

    Attributes:
        hazard: the hazard (as the plan has it).
        alarm_time_s: detector alarm time [s] or ``None``.
        ignition_time_s: ignition time [s] or ``None`` (no explosion: everything below is zero or empty).
        mass_kg: fuel mass that burned [kg].
        energy_j: energy the blast method scales with [J].
        x, y: agent positions given [m]; level: their level ids.
        affected: agents on the hazard's level and exposed.
        overpressure_kpa: peak overpressure per agent [kPa] (0 when not affected).
        impulse_pa_s: impulse per agent [Pa·s].
        arrival_s: arrival time after ignition per agent [s] (NaN when not affected).
        probabilities: column name → per-agent probability (single effects and the combined classes).
        severity: drawn severity per agent (int8 0-3, see the module docstring).
        exit_overpressure_kpa: exit id → peak overpressure at the exit [kPa].
        closed_exits: exits where the overpressure reaches ``hazard.close_above_kpa``.
        zones: threshold [kPa] → zone polygon (the hazard's ``zones_kpa`` and ``close_above_kpa``).
    """

    hazard: Hazard
    alarm_time_s: float | None
    ignition_time_s: float | None
    mass_kg: float
    energy_j: float
    x: np.ndarray
    y: np.ndarray
    level: np.ndarray
    affected: np.ndarray
    overpressure_kpa: np.ndarray
    impulse_pa_s: np.ndarray
    arrival_s: np.ndarray
    probabilities: Mapping[str, np.ndarray]
    severity: np.ndarray
    exit_overpressure_kpa: Mapping[str, float]
    closed_exits: frozenset[str]
    zones: Mapping[float, BaseGeometry] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def immobile(self) -> np.ndarray:
        """Agents that stop moving: severity 2 (seriously injured) or 3 (fatal)."""
        return self.severity >= 2

    @property
    def closure_zone(self) -> BaseGeometry:
        """The zone above ``close_above_kpa``: connectors and passages inside it close too."""
        return self.zones.get(self.hazard.close_above_kpa, Polygon())

    def casualty_counts(self) -> dict[str, int]:
        """Agents by severity name (``unharmed`` counts every agent given that was not hurt)."""
        counts = np.bincount(self.severity.astype(np.int64), minlength=4)
        return {name: int(counts[k]) for k, name in enumerate(SEVERITY_NAMES)}

    def exposed_above(self) -> dict[str, int]:
        """Threshold [kPa, as text] → number of agents at or above it."""
        return {_key(t): int((self.overpressure_kpa >= t).sum()) for t in self.hazard.zones_kpa}

    def casualties(self) -> pd.DataFrame:
        """The hurt agents (severity >= 1) with position, loads, probabilities and severity."""
        hurt = np.flatnonzero(self.severity >= 1)
        return pd.DataFrame(
            {
                AGENT: hurt,
                SEVERITY: self.severity[hurt],
                LEVEL: self.level[hurt],
                X_M: self.x[hurt],
                Y_M: self.y[hurt],
                OVERPRESSURE_KPA: self.overpressure_kpa[hurt],
                IMPULSE_PA_S: self.impulse_pa_s[hurt],
                P_FATAL: self.probabilities[P_FATAL][hurt],
                P_SERIOUS: self.probabilities[P_SERIOUS][hurt],
                P_INJURED: self.probabilities[P_INJURED][hurt],
            }
        )

    def summary(self) -> dict[str, Any]:
        """The JSON-ready summary of this explosion for the run's ``hazard`` section.

        Keys: ``hazard``, ``fuel``, ``method``, ``level``, ``x``, ``y``, ``alarm_time_s``, ``ignition_time_s``,
        ``burning_mass_kg``, ``energy_mj``, ``close_above_kpa``, ``exit_peak_overpressure_kpa`` (exit → kPa),
        ``closed_exits``, ``agents_exposed`` (on the level, inside), ``casualties`` (severity name → count),
        ``exposed_above_kpa`` (threshold → agents), ``zone_area_m2`` (threshold → m²), ``immobile_casualties``
        (list of {agent, severity, level, x, y} for severity >= 2), ``note`` (model caveats).
        """
        h = self.hazard
        immobile = np.flatnonzero(self.immobile)
        note = "blast from a " + h.method.describe(h.fuel)
        if h.leak is not None:
            note += "; " + WELL_MIXED_NOTE
        return {
            "hazard": h.id,
            "fuel": h.fuel.id,
            "method": h.method.kind,
            "level": h.level,
            "x": h.x,
            "y": h.y,
            "alarm_time_s": None if self.alarm_time_s is None else round(self.alarm_time_s, 3),
            "ignition_time_s": None if self.ignition_time_s is None else round(self.ignition_time_s, 3),
            "burning_mass_kg": round(self.mass_kg, 3),
            "energy_mj": round(self.energy_j / 1e6, 3),
            "close_above_kpa": h.close_above_kpa,
            "exit_peak_overpressure_kpa": {e: round(p, 3) for e, p in self.exit_overpressure_kpa.items()},
            "closed_exits": sorted(self.closed_exits),
            "agents_exposed": int(self.affected.sum()),
            "casualties": self.casualty_counts(),
            "exposed_above_kpa": self.exposed_above(),
            "zone_area_m2": {_key(t): round(float(z.area), 1) for t, z in sorted(self.zones.items())},
            "immobile_casualties": [
                {
                    "agent": int(i),
                    "severity": int(self.severity[i]),
                    "level": str(self.level[i]),
                    "x": round(float(self.x[i]), 2),
                    "y": round(float(self.y[i]), 2),
                }
                for i in immobile
            ],
            "note": note,
        }


def _level_names(level: npt.ArrayLike, level_ids: Sequence[str] | None, n: int) -> np.ndarray:
    lv = np.asarray(level)
    if lv.ndim == 0:
        lv = np.full(n, lv.item())
    if lv.shape != (n,):
        raise ValueError(f"level must have one entry per agent ({n}), got shape {lv.shape}")
    if lv.dtype.kind in "iu":
        if level_ids is None:
            raise ValueError("integer levels need level_ids (the level id of each index)")
        return np.asarray(list(level_ids), dtype=object)[lv]
    return lv.astype(object)


def assess_blast(
    hazard: Hazard,
    *,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    level: npt.ArrayLike,
    exits: Mapping[str, ExitPoint],
    rng: np.random.Generator,
    level_ids: Sequence[str] | None = None,
    exposed: npt.ArrayLike | None = None,
    outline: BaseGeometry | None = None,
) -> BlastOutcome:
    """Blast loads, harm probabilities and drawn severities of agents, and the exits the blast closes.

    For agents on the hazard's level (and ``exposed``): distance R to the explosion centre, blast field of
    :func:`~sim.hazard.timeline.hazard_blast` (method, vented-room cap, mass burning at ignition), probabilities
    of :func:`~sim.hazard.harm.harm_probabilities` with the hazard's harm model, severity drawn by
    :func:`~sim.hazard.harm.draw_severity` (one uniform per agent given, affected or not, so the stream
    advances by N). Agents on other levels get 0 kPa: floors and ceilings are taken to contain the blast.
    An exit closes when the overpressure at its point reaches ``hazard.close_above_kpa``.

    Args:
        hazard: the hazard (as the plan has it).
        x, y: agent positions at ignition [m], in the level's own coordinates (those of the scenario file,
            not the crowd engine's side-by-side world layout).
        level: each agent's level: level ids (strings), or integer indices into ``level_ids``.
        exits: exit id → (x, y, level id) of a point of the exit (e.g. the middle of its door line).
        rng: the hazard generator (``sim.seeding.stream(seed, "hazard")``).
        level_ids: level id of each index, when ``level`` holds integers.
        exposed: boolean mask of agents that can be hurt (e.g. not yet safe outside); default all.
        outline: clip the zones to this geometry (e.g. the level's walkable area).

    Returns:
        The outcome (no ignition: zero loads, severity 0, no closed exits, empty zones).

    Raises:
        ValueError: arrays of different lengths, or integer levels without ``level_ids``.
    """
    xa = np.atleast_1d(np.asarray(x, dtype=float))
    ya = np.atleast_1d(np.asarray(y, dtype=float))
    if xa.shape != ya.shape or xa.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of the same length, got {xa.shape} and {ya.shape}")
    n = xa.shape[0]
    names = _level_names(level, level_ids, n)
    mask = np.asarray(names == hazard.level, dtype=bool)
    if exposed is not None:
        ex = np.asarray(exposed, dtype=bool)
        if ex.shape != (n,):
            raise ValueError(f"exposed must have one entry per agent ({n}), got shape {ex.shape}")
        mask &= ex
    alarm, ignition = hazard_timeline(hazard)
    mass = ignition_mass(hazard) if ignition is not None else 0.0
    ps = np.zeros(n)
    imp = np.zeros(n)
    arr = np.full(n, np.nan)
    if ignition is not None and mask.any():
        r = np.hypot(xa[mask] - hazard.x, ya[mask] - hazard.y)
        f = hazard_blast(hazard, distance_m=r, mass_kg=mass)
        ps[mask], imp[mask], arr[mask] = f.overpressure_kpa, f.impulse_pa_s, f.arrival_s
    probs = harm_probabilities(overpressure_kpa=ps, impulse_pa_s=imp, model=hazard.harm)
    severity = draw_severity(p_fatal=probs[P_FATAL], p_serious=probs[P_SERIOUS], p_injured=probs[P_INJURED], rng=rng)
    exit_ps: dict[str, float] = {}
    for eid, (ex_x, ex_y, ex_level) in exits.items():
        if ignition is None or ex_level != hazard.level:
            exit_ps[eid] = 0.0
            continue
        d = np.hypot(float(ex_x) - hazard.x, float(ex_y) - hazard.y)
        exit_ps[eid] = float(hazard_blast(hazard, distance_m=np.array([d]), mass_kg=mass).overpressure_kpa[0])
    closed = frozenset(e for e, p in exit_ps.items() if p >= hazard.close_above_kpa)
    zones: Mapping[float, BaseGeometry] = (
        hazard_zones(hazard, outline=outline, mass_kg=mass) if ignition is not None and mass > 0 else {}
    )
    energy = explosion_energy(mass_kg=mass, fuel=hazard.fuel, method=hazard.method) if mass > 0 else 0.0
    return BlastOutcome(
        hazard=hazard,
        alarm_time_s=alarm,
        ignition_time_s=ignition,
        mass_kg=mass,
        energy_j=energy,
        x=xa,
        y=ya,
        level=names,
        affected=mask,
        overpressure_kpa=ps,
        impulse_pa_s=imp,
        arrival_s=arr,
        probabilities=MappingProxyType(probs),
        severity=severity,
        exit_overpressure_kpa=MappingProxyType(exit_ps),
        closed_exits=closed,
        zones=MappingProxyType(dict(zones)),
    )


def hazard_section(outcomes: Sequence[BlastOutcome]) -> dict[str, Any]:
    """The ``hazard`` section of ``drillsim run --json`` from the explosions of a run.

    Keys: ``ignition_time_s`` (the first ignition, or ``None``), ``alarm_time_s`` (the first detector alarm,
    or ``None``), ``exit_peak_overpressure_kpa`` (exit → the highest overpressure any explosion put on it),
    ``closed_exits`` (union, sorted), ``casualties`` (severity name → agents, counting each agent once at its
    worst severity over the explosions; every outcome must cover the same agents), ``exposed_above_kpa``
    (threshold → agents at or above it in any explosion), ``events`` (the :meth:`BlastOutcome.summary` of each).

    Args:
        outcomes: one :class:`BlastOutcome` per hazard of the run (inactive or never-ignited ones included).

    Returns:
        A JSON-ready dictionary.
    """
    ignitions = [o.ignition_time_s for o in outcomes if o.ignition_time_s is not None]
    alarms = [o.alarm_time_s for o in outcomes if o.alarm_time_s is not None]
    exit_peak: dict[str, float] = {}
    for o in outcomes:
        for e, p in o.exit_overpressure_kpa.items():
            exit_peak[e] = max(exit_peak.get(e, 0.0), round(p, 3))
    casualties = {name: 0 for name in SEVERITY_NAMES}
    exposed: dict[str, int] = {}
    if outcomes:
        worst = np.max(np.stack([o.severity for o in outcomes]), axis=0)
        counts = np.bincount(worst.astype(np.int64), minlength=4)
        casualties = {name: int(counts[k]) for k, name in enumerate(SEVERITY_NAMES)}
        peak = np.max(np.stack([o.overpressure_kpa for o in outcomes]), axis=0)
        thresholds = sorted({t for o in outcomes for t in o.hazard.zones_kpa})
        exposed = {_key(t): int((peak >= t).sum()) for t in thresholds}
    return {
        "ignition_time_s": None if not ignitions else round(min(ignitions), 3),
        "alarm_time_s": None if not alarms else round(min(alarms), 3),
        "exit_peak_overpressure_kpa": exit_peak,
        "closed_exits": sorted(set().union(*(o.closed_exits for o in outcomes))) if outcomes else [],
        "casualties": casualties,
        "exposed_above_kpa": exposed,
        "events": [o.summary() for o in outcomes],
    }
