"""Gas leak and build-up in a ventilated room (well-mixed mass balance).

Every function is keyword-only, vectorised (numpy broadcasting over all array arguments) and stateless.
Formulas from ``reference/explosion.md`` section 2. The well-mixed model is a simplification
(:data:`sim.hazard.fuels.WELL_MIXED_NOTE`): natural gas layers under the ceiling and LPG sinks, so local
concentrations reach the LFL sooner than the room average computed here.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.hazard.columns import CONCENTRATION, TIME_S
from sim.hazard.fuels import Fuel

__all__ = [
    "DISCHARGE_COEFFICIENT",
    "hole_area",
    "orifice_leak_rate",
    "ventilation_rate",
    "steady_concentration",
    "concentration",
    "time_to_concentration",
    "time_to_lfl",
    "flammable_mass",
    "concentration_table",
]

ArrayLike = npt.ArrayLike
#: Discharge coefficient of a sharp-edged hole (reference section 2).
DISCHARGE_COEFFICIENT = 0.61


def hole_area(*, diameter_m: ArrayLike) -> np.ndarray:
    """Area of a round hole, A = π d² / 4.

    Args:
        diameter_m: hole diameter [m].

    Returns:
        Hole area [m²].
    """
    d = np.asarray(diameter_m, dtype=float)
    return np.pi * d * d / 4.0


def orifice_leak_rate(
    *,
    area_m2: ArrayLike,
    pressure_pa: ArrayLike,
    density_kg_m3: ArrayLike,
    discharge_coefficient: ArrayLike = DISCHARGE_COEFFICIENT,
) -> np.ndarray:
    """Volumetric gas leak through a hole in a low-pressure line (incompressible orifice equation).

    Q = Cd · A · sqrt(2 ΔP / ρ)  (reference section 2; valid for gauge pressures of a few kPa, far below the
    choked-flow limit of about 0.9 bar).

    Args:
        area_m2: hole area [m²].
        pressure_pa: line gauge pressure ΔP [Pa].
        density_kg_m3: gas density ρ [kg/m³] (e.g. ``fuel.density_kg_m3``).
        discharge_coefficient: Cd [-], 0.61 for a sharp-edged hole.

    Returns:
        Leak rate Q [m³/s] of gas at ambient conditions.
    """
    a = np.asarray(area_m2, dtype=float)
    dp = np.asarray(pressure_pa, dtype=float)
    rho = np.asarray(density_kg_m3, dtype=float)
    return np.asarray(discharge_coefficient, dtype=float) * a * np.sqrt(2.0 * dp / rho)


def ventilation_rate(*, ach: ArrayLike, volume_m3: ArrayLike) -> np.ndarray:
    """Fresh-air supply of a room, Q_a = ACH · V / 3600 (reference section 2).

    Args:
        ach: air changes per hour [1/h].
        volume_m3: room volume V [m³].

    Returns:
        Ventilation rate Q_a [m³/s].
    """
    return np.asarray(ach, dtype=float) * np.asarray(volume_m3, dtype=float) / 3600.0


def steady_concentration(*, leak_m3_s: ArrayLike, ach: ArrayLike, volume_m3: ArrayLike) -> np.ndarray:
    """Steady-state fuel fraction of a ventilated room, C_ss = Q_g / (Q_a + Q_g) (reference section 2).

    Args:
        leak_m3_s: gas leak rate Q_g [m³/s].
        ach: air changes per hour [1/h].
        volume_m3: room volume V [m³].

    Returns:
        C_ss [volume fraction]; 1 for an unventilated room.
    """
    qg = np.asarray(leak_m3_s, dtype=float)
    qa = ventilation_rate(ach=ach, volume_m3=volume_m3)
    return qg / (qa + qg)


def _rate_constant(leak_m3_s: ArrayLike, ach: ArrayLike, volume_m3: ArrayLike) -> np.ndarray:
    """k = (Q_a + Q_g) / V [1/s]."""
    v = np.asarray(volume_m3, dtype=float)
    return (ventilation_rate(ach=ach, volume_m3=v) + np.asarray(leak_m3_s, dtype=float)) / v


def concentration(*, t_s: ArrayLike, leak_m3_s: ArrayLike, ach: ArrayLike, volume_m3: ArrayLike) -> np.ndarray:
    """Fuel fraction in a well-mixed ventilated room over time, starting from clean air.

    V dC/dt = Q_g − (Q_a + Q_g) C  ⇒  C(t) = C_ss (1 − e^(−k t)), k = (Q_a + Q_g) / V
    (reference section 2).

    Args:
        t_s: time since the leak started [s] (negative times give 0).
        leak_m3_s: gas leak rate Q_g [m³/s].
        ach: air changes per hour [1/h].
        volume_m3: room volume V [m³].

    Returns:
        C(t) [volume fraction].
    """
    t = np.maximum(np.asarray(t_s, dtype=float), 0.0)
    k = _rate_constant(leak_m3_s, ach, volume_m3)
    css = steady_concentration(leak_m3_s=leak_m3_s, ach=ach, volume_m3=volume_m3)
    return css * -np.expm1(-k * t)


def time_to_concentration(
    *, fraction: ArrayLike, leak_m3_s: ArrayLike, ach: ArrayLike, volume_m3: ArrayLike
) -> np.ndarray:
    """Time for the room to reach a fuel fraction: t = −ln(1 − C / C_ss) / k if C_ss > C, else never.

    Reference section 2 (the time to LFL with C = LFL).

    Args:
        fraction: target fuel fraction C [volume fraction].
        leak_m3_s: gas leak rate Q_g [m³/s].
        ach: air changes per hour [1/h].
        volume_m3: room volume V [m³].

    Returns:
        Time [s]; ``inf`` where the fraction is never reached.
    """
    c = np.asarray(fraction, dtype=float)
    css = steady_concentration(leak_m3_s=leak_m3_s, ach=ach, volume_m3=volume_m3)
    k = _rate_constant(leak_m3_s, ach, volume_m3)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = -np.log1p(-c / css) / k
    return np.where(css > c, t, np.inf)


def time_to_lfl(*, fuel: Fuel, leak_m3_s: float, ach: float, volume_m3: float) -> float | None:
    """Time for a room to reach the fuel's LFL (scalar convenience over :func:`time_to_concentration`).

    t = −ln(1 − LFL / C_ss) / k when C_ss > LFL (reference section 2). Check: 30 m³, 1 m³/h natural gas,
    0.5 ACH → 3.018 h; at 1.0 ACH never.

    Args:
        fuel: the gas.
        leak_m3_s: gas leak rate [m³/s].
        ach: air changes per hour [1/h].
        volume_m3: room volume [m³].

    Returns:
        Time [s], or ``None`` if the LFL is never reached.
    """
    t = float(time_to_concentration(fraction=fuel.lfl, leak_m3_s=leak_m3_s, ach=ach, volume_m3=volume_m3))
    return t if math.isfinite(t) else None


def flammable_mass(*, fuel: Fuel, concentration: ArrayLike, volume_m3: ArrayLike) -> np.ndarray:
    """Mass of fuel in a well-mixed room whose mixture is flammable (LFL ≤ C ≤ UFL), else 0.

    m = C · V · ρ_fuel where LFL ≤ C ≤ UFL (reference sections 1-2). Below the LFL the mixture cannot burn;
    above the UFL a well-mixed room is too rich (it burns only where fresh air dilutes it, which this model
    does not resolve).

    Args:
        fuel: the gas.
        concentration: fuel fraction C [volume fraction].
        volume_m3: room (or cloud) volume V [m³].

    Returns:
        Flammable fuel mass [kg].
    """
    c = np.asarray(concentration, dtype=float)
    m = c * np.asarray(volume_m3, dtype=float) * fuel.density_kg_m3
    return np.where((c >= fuel.lfl) & (c <= fuel.ufl), m, 0.0)


def concentration_table(*, t_s: ArrayLike, leak_m3_s: float, ach: float, volume_m3: float) -> pd.DataFrame:
    """Fuel fraction over time as a tidy table (columns :data:`~sim.hazard.columns.TIME_S`,
    :data:`~sim.hazard.columns.CONCENTRATION`); formula of :func:`concentration`.

    Args:
        t_s: times since the leak started [s].
        leak_m3_s: gas leak rate [m³/s].
        ach: air changes per hour [1/h].
        volume_m3: room volume [m³].

    Returns:
        One row per time.
    """
    t = np.atleast_1d(np.asarray(t_s, dtype=float))
    c = concentration(t_s=t, leak_m3_s=leak_m3_s, ach=ach, volume_m3=volume_m3)
    return pd.DataFrame({TIME_S: t, CONCENTRATION: c})
