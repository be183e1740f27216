"""When a hazard raises the alarm and ignites, how much gas burns, and its blast and zones.

Glue between a :class:`~sim.hazard.config.Hazard` and the formula modules (:mod:`~sim.hazard.leak`,
:mod:`~sim.hazard.blast`, :mod:`~sim.hazard.harm`). Times are run times [s] (the run starts at 0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from sim.hazard.blast import BlastField, blast
from sim.hazard.config import Hazard
from sim.hazard.harm import damage_zones
from sim.hazard.leak import concentration, flammable_mass, time_to_concentration

__all__ = ["hazard_timeline", "leak_concentration", "ignition_mass", "hazard_blast", "hazard_zones"]


def _leak_args(hazard: Hazard) -> tuple[float, float, float]:
    assert hazard.leak is not None and hazard.room is not None and hazard.room.volume_m3 is not None
    return hazard.leak.rate_m3_s, hazard.room.ventilation_ach, hazard.room.volume_m3


def leak_concentration(hazard: Hazard, *, t_s: npt.ArrayLike) -> np.ndarray:
    """Fuel fraction in the hazard's room at run times (0 before the leak starts; 0 for a cloud hazard).

    C(t) = C_ss (1 − e^(−k (t − t_start))) of :func:`sim.hazard.leak.concentration`.

    Args:
        hazard: the hazard.
        t_s: run times [s].

    Returns:
        Fuel fraction [volume fraction].
    """
    t = np.asarray(t_s, dtype=float)
    if hazard.leak is None:
        return np.zeros_like(t)
    rate, ach, vol = _leak_args(hazard)
    return concentration(t_s=t - hazard.leak.start_s, leak_m3_s=rate, ach=ach, volume_m3=vol)


def hazard_timeline(hazard: Hazard) -> tuple[float | None, float | None]:
    """The alarm and ignition times of a hazard.

    - Leak: the alarm is raised when the room reaches the detector threshold (a fraction of the LFL) plus
      the detector delay; ignition when the room reaches the LFL plus the ignition delay (times to a
      concentration from :func:`sim.hazard.leak.time_to_concentration`). If at that moment the room is above
      the UFL (too rich to burn in a well-mixed room) or the LFL is never reached, there is no ignition.
    - Cloud: no alarm before the explosion; ignition at the given time.
    - An inactive hazard (switched off by a plan) has neither.

    The explosion itself is an alarm: callers take ``min(alarm, ignition)`` as the time people are warned.

    Args:
        hazard: the hazard.

    Returns:
        (alarm time [s] or ``None`` (no detector, or its threshold is never reached),
        ignition time [s] or ``None``).
    """
    if not hazard.active:
        return None, None
    if hazard.cloud is not None:
        return None, hazard.cloud.ignition_time_s
    assert hazard.leak is not None
    rate, ach, vol = _leak_args(hazard)
    start = hazard.leak.start_s
    alarm = None
    det = hazard.leak.detector
    if det is not None:
        t_det = float(
            time_to_concentration(fraction=det.threshold_lfl * hazard.fuel.lfl, leak_m3_s=rate, ach=ach, volume_m3=vol)
        )
        if math.isfinite(t_det):
            alarm = start + t_det + det.delay_s
    t_lfl = float(time_to_concentration(fraction=hazard.fuel.lfl, leak_m3_s=rate, ach=ach, volume_m3=vol))
    if not math.isfinite(t_lfl):
        return alarm, None
    ignition = start + t_lfl + hazard.leak.ignition_delay_s
    c = float(leak_concentration(hazard, t_s=ignition))
    if c > hazard.fuel.ufl:
        return alarm, None
    return alarm, ignition


def ignition_mass(hazard: Hazard) -> float:
    """Fuel mass that burns at ignition [kg].

    Leak: the flammable mass of the room at the ignition time, C · V · ρ_fuel with LFL ≤ C ≤ UFL
    (:func:`sim.hazard.leak.flammable_mass`). Cloud: its mass. No ignition: 0.

    Args:
        hazard: the hazard.

    Returns:
        Mass [kg].
    """
    _, ignition = hazard_timeline(hazard)
    if ignition is None:
        return 0.0
    if hazard.cloud is not None:
        return hazard.cloud.mass_kg
    _, _, vol = _leak_args(hazard)
    c = leak_concentration(hazard, t_s=ignition)
    return float(flammable_mass(fuel=hazard.fuel, concentration=c, volume_m3=vol))


def hazard_blast(hazard: Hazard, *, distance_m: npt.ArrayLike, mass_kg: float | None = None) -> BlastField:
    """The blast of a hazard at distances from its centre (:func:`sim.hazard.blast.blast` with the hazard's
    fuel, method, vented-room cap and mass).

    Args:
        hazard: the hazard.
        distance_m: distances [m].
        mass_kg: burning mass [kg]; ``None`` computes :func:`ignition_mass`.

    Returns:
        The blast field.
    """
    mass = ignition_mass(hazard) if mass_kg is None else mass_kg
    room = hazard.room.vented if hazard.room is not None else None
    return blast(distance_m=distance_m, fuel=hazard.fuel, mass_kg=mass, method=hazard.method, room=room)


def hazard_zones(
    hazard: Hazard,
    *,
    thresholds_kpa: tuple[float, ...] | None = None,
    outline: BaseGeometry | None = None,
    mass_kg: float | None = None,
) -> Mapping[float, BaseGeometry]:
    """The damage zones of a hazard (:func:`sim.hazard.harm.damage_zones` around its centre).

    Args:
        hazard: the hazard.
        thresholds_kpa: thresholds [kPa]; ``None``: the hazard's ``zones_kpa`` plus its ``close_above_kpa``.
        outline: clip the zones to this geometry (e.g. the level's walkable area).
        mass_kg: burning mass [kg]; ``None`` computes :func:`ignition_mass`.

    Returns:
        Threshold [kPa] → polygon.
    """
    if thresholds_kpa is None:
        thresholds_kpa = tuple(sorted({*hazard.zones_kpa, hazard.close_above_kpa}))
    mass = ignition_mass(hazard) if mass_kg is None else mass_kg
    room = hazard.room.vented if hazard.room is not None else None
    return damage_zones(
        center=(hazard.x, hazard.y),
        thresholds_kpa=thresholds_kpa,
        fuel=hazard.fuel,
        mass_kg=mass,
        method=hazard.method,
        room=room,
        outline=outline,
    )
