"""Blast from a gas explosion: TNT equivalence, Multi-Energy, Baker–Strehlow–Tang, and a vented-room cap.

Every public function is keyword-only, vectorised over distances (numpy) and stateless. Overpressures are
gauge, side-on (incident). Formulas, constants and checks from ``reference/explosion.md`` sections 3-5;
disputed constants are parameters with the stated default.

Methods (:class:`BlastMethod`):

- ``tnt``: W_TNT = α · m · ΔHc / E_TNT, Kingery–Bulmash hemispherical surface-burst fits (Swisdak 1994).
  Overstates the near field of a deflagration; kept as the classic screening method.
- ``multi-energy`` (TNO): E = V_stoich · 3.5 MJ/m³ of the congested cloud, a strength number 1-10.
- ``bst`` (Baker–Strehlow–Tang): E = 2 · m · ΔHc (ground reflection), a flame Mach number from fuel
  reactivity, confinement (``1d`` corridors and utility tunnels, ``2d``, ``2.5d``, ``3d``) and congestion.

A :class:`VentedRoom` caps the overpressure of an explosion inside a room at the NFPA 68 reduced pressure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import brentq

from sim.hazard.columns import ARRIVAL_S, DISTANCE_M, IMPULSE_PA_S, OVERPRESSURE_KPA
from sim.hazard.fuels import Fuel

__all__ = [
    "P0_PA",
    "C0_M_S",
    "E_TNT_J_KG",
    "TNT_YIELD",
    "ME_ENERGY_J_M3",
    "METHODS",
    "CONFINEMENTS",
    "CONGESTIONS",
    "REACTIVITIES",
    "ME_PLATEAU_BAR",
    "BST_FLAME_MACH",
    "BlastMethod",
    "VentedRoom",
    "BlastField",
    "tnt_equivalent_mass",
    "kingery_bulmash",
    "tnt_blast",
    "multi_energy_energy",
    "multi_energy_overpressure",
    "bst_energy",
    "bst_flame_mach",
    "bst_overpressure",
    "deflagration_blast",
    "reflected_overpressure",
    "dynamic_pressure",
    "vented_room_pressure",
    "explosion_energy",
    "blast",
    "blast_table",
    "distance_to_overpressure",
]

ArrayLike = npt.ArrayLike

#: Ambient pressure [Pa].
P0_PA = 101_325.0
#: Speed of sound in ambient air [m/s].
C0_M_S = 340.0
#: Blast energy of TNT [J/kg] (reference section 3).
E_TNT_J_KG = 4.68e6
#: Default TNT yield α of a vapour-cloud explosion (CCPS; historical range 0.01-0.10).
TNT_YIELD = 0.03
#: Multi-Energy combustion energy of 1 m³ of stoichiometric hydrocarbon-air mixture [J/m³].
ME_ENERGY_J_M3 = 3.5e6
#: Default dimensionless positive-phase duration t̄+ = t+ · c0 / (E/P0)^(1/3) of a deflagration blast (see
#: :func:`deflagration_blast`); an assumption, not a reference value.
SCALED_DURATION = 0.6

METHODS = ("tnt", "multi-energy", "bst")
CONFINEMENTS = ("1d", "2d", "2.5d", "3d")
CONGESTIONS = ("low", "medium", "high")
REACTIVITIES = ("low", "medium", "high")


# ---------------------------------------------------------------------------------------------------------
# Method parameters
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class BlastMethod:
    """How the blast of a cloud is computed.

    Attributes:
        kind: ``tnt``, ``multi-energy`` or ``bst``.
        yield_fraction: TNT yield α in (0, 1] (``tnt`` only) [-].
        strength: Multi-Energy strength number 1-10 (``multi-energy`` only); 7 is the usual conservative
            default for congested areas, 1-2 for open, unobstructed parts of a cloud.
        confinement: BST confinement ``1d`` (corridor, tunnel, sewer), ``2d``, ``2.5d`` or ``3d`` (open).
        congestion: BST congestion ``low`` (blockage < 10 %), ``medium`` (10-40 %), ``high`` (> 40 %).
        reactivity: BST fuel reactivity; ``None`` takes the fuel's (methane low, propane medium).
        flame_mach: BST flame Mach number; ``None`` looks it up in :data:`BST_FLAME_MACH`.
        scaled_duration: dimensionless positive-phase duration t̄+ of deflagration blasts (``multi-energy``
            and ``bst``), used for the impulse [-].
    """

    kind: str = "bst"
    yield_fraction: float = TNT_YIELD
    strength: int = 7
    confinement: str = "3d"
    congestion: str = "medium"
    reactivity: str | None = None
    flame_mach: float | None = None
    scaled_duration: float = SCALED_DURATION

    def __post_init__(self) -> None:
        if self.kind not in METHODS:
            raise ValueError(f"kind must be one of {METHODS}, got {self.kind!r}")
        if not 0.0 < self.yield_fraction <= 1.0:
            raise ValueError(f"yield_fraction must be in (0, 1], got {self.yield_fraction!r}")
        if self.strength not in ME_PLATEAU_BAR:
            raise ValueError(f"strength must be an integer 1-10, got {self.strength!r}")
        if self.confinement not in CONFINEMENTS or self.congestion not in CONGESTIONS:
            raise ValueError(f"confinement/congestion not known: {self.confinement!r}, {self.congestion!r}")
        if self.reactivity is not None and self.reactivity not in REACTIVITIES:
            raise ValueError(f"reactivity must be one of {REACTIVITIES}, got {self.reactivity!r}")
        if self.flame_mach is not None and not 0.0 < self.flame_mach <= 5.2:
            raise ValueError(f"flame_mach must be in (0, 5.2], got {self.flame_mach!r}")
        if not self.scaled_duration > 0.0:
            raise ValueError(f"scaled_duration must be > 0, got {self.scaled_duration!r}")

    def describe(self, fuel: Fuel) -> str:
        """A short label, e.g. ``bst (1d, medium congestion, Mach 2.265)``."""
        if self.kind == "tnt":
            return f"tnt (yield {self.yield_fraction:g})"
        if self.kind == "multi-energy":
            return f"multi-energy (strength {self.strength})"
        return f"bst ({self.confinement}, {self.congestion} congestion, Mach {self.mach(fuel):g})"

    def mach(self, fuel: Fuel) -> float:
        """BST flame Mach number for this fuel: ``flame_mach`` if given, else :func:`bst_flame_mach`."""
        if self.flame_mach is not None:
            return self.flame_mach
        return bst_flame_mach(
            reactivity=self.reactivity or fuel.reactivity, confinement=self.confinement, congestion=self.congestion
        )


@dataclass(frozen=True, kw_only=True)
class VentedRoom:
    """A room whose windows and doors vent the explosion (caps the overpressure, NFPA 68).

    Attributes:
        surface_m2: internal surface A_s of the room [m²].
        vent_area_m2: area A_v that fails early and vents (windows, glazed shop fronts, doors) [m²].
    """

    surface_m2: float
    vent_area_m2: float


@dataclass(frozen=True, kw_only=True)
class BlastField:
    """Blast parameters at a set of points (arrays of the shape of the distances).

    Attributes:
        overpressure_kpa: peak side-on overpressure [kPa].
        impulse_pa_s: positive-phase side-on impulse [Pa·s].
        arrival_s: arrival time after ignition [s].
    """

    overpressure_kpa: np.ndarray
    impulse_pa_s: np.ndarray
    arrival_s: np.ndarray


# ---------------------------------------------------------------------------------------------------------
# TNT equivalence with the Kingery–Bulmash fits
# ---------------------------------------------------------------------------------------------------------
def tnt_equivalent_mass(
    *,
    mass_kg: ArrayLike,
    heat_of_combustion_j_kg: ArrayLike,
    yield_fraction: ArrayLike = TNT_YIELD,
    e_tnt_j_kg: float = E_TNT_J_KG,
) -> np.ndarray:
    """TNT-equivalent mass of a fuel cloud, W_TNT = α · m · ΔHc / E_TNT (reference section 3, CCPS).

    Args:
        mass_kg: fuel mass m in the cloud [kg].
        heat_of_combustion_j_kg: ΔHc [J/kg].
        yield_fraction: yield α (default 0.03; historical vapour-cloud explosions 0.01-0.10) [-].
        e_tnt_j_kg: blast energy of TNT (4.68 MJ/kg) [J/kg].

    Returns:
        W_TNT [kg].
    """
    return (
        np.asarray(yield_fraction, dtype=float)
        * np.asarray(mass_kg, dtype=float)
        * np.asarray(heat_of_combustion_j_kg, dtype=float)
        / e_tnt_j_kg
    )


def _poly_exp(z: np.ndarray, coefs: tuple[float, ...]) -> np.ndarray:
    """exp(A + B·L + C·L² + ...), L = ln Z."""
    return np.exp(np.polynomial.polynomial.polyval(np.log(z), coefs))


def _piecewise(z: np.ndarray, bounds: tuple[float, ...], fits: tuple[tuple[float, ...], ...]) -> np.ndarray:
    """Evaluate fit k of ``fits`` where bounds[k-1] < z <= bounds[k] (each fit only on its own range)."""
    out = np.empty_like(z)
    segment = np.searchsorted(np.asarray(bounds), z, side="left")
    for k, coefs in enumerate(fits):
        sel = segment == k
        if np.any(sel):
            out[sel] = _poly_exp(z[sel], coefs)
    return out


_PS_1 = (7.2106, -2.1069, -0.3229, 0.1117, 0.0685)
_PS_2 = (7.5938, -3.0523, 0.40977, 0.0261, -0.01267)
_PS_3 = (6.0536, -1.4066)
_IS_1 = (5.522, 1.117, 0.6, -0.292, -0.087)
_IS_2 = (5.465, -0.308, -1.464, 1.362, -0.432)
_IS_3 = (5.2749, -0.4677, -0.2499, 0.0588, -0.00554)
_IS_4 = (5.9825, -1.062)
_TA_1 = (-0.7604, 1.8058, 0.1257, -0.0437, -0.0310, -0.00669)
_TA_2 = (-0.7137, 1.5732, 0.5561, -0.4213, 0.1054, -0.00929)
#: The published Ps fits step up by 0.7 % at Z = 23.8; we switch from the second to the third fit where
#: they cross (Z ≈ 25.2), which keeps Ps continuous and decreasing.
_PS_SWITCH = float(brentq(lambda z: float(_poly_exp(np.array(z), _PS_2) - _poly_exp(np.array(z), _PS_3)), 23.8, 30.0))
_Z_MIN = 0.2
_TA_Z_MIN, _TA_Z_MAX = 0.06, 40.0


def kingery_bulmash(*, z: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kingery–Bulmash hemispherical surface-burst blast parameters at scaled distances (Swisdak 1994 fits).

    y = exp(A + B·L + C·L² + D·L³ + E·L⁴ + F·L⁵), L = ln Z, piecewise in Z (reference section 3 table).
    Checks (±1 %): Z = 1 → Ps 1354 kPa, i_s 236.3; Z = 5 → 43.23, 59.31; Z = 10 → 14.89, 31.04;
    Z = 40 → Ps 2.375 kPa. Outside the fitted ranges: Z < 0.2 takes the values at 0.2 (t_a falls linearly
    to 0 below Z = 0.06); beyond the last range Ps and i_s continue their last power law and t_a grows at
    the speed of sound.

    Args:
        z: scaled distance Z = R / W^(1/3) [m/kg^(1/3)].

    Returns:
        (Ps [kPa], scaled impulse i_s [kPa·ms/kg^(1/3)], scaled arrival time t_a [ms/kg^(1/3)]).
    """
    z = np.asarray(z, dtype=float)
    zc = np.maximum(z, _Z_MIN)
    ps = _piecewise(zc, (2.9, _PS_SWITCH), (_PS_1, _PS_2, _PS_3))
    i_s = _piecewise(zc, (0.96, 2.38, 33.7), (_IS_1, _IS_2, _IS_3, _IS_4))
    zt = np.clip(z, _TA_Z_MIN, _TA_Z_MAX)
    ta = _piecewise(zt, (1.5,), (_TA_1, _TA_2))
    ta = np.where(z < _TA_Z_MIN, ta * np.maximum(z, 0.0) / _TA_Z_MIN, ta)
    ta = np.where(z > _TA_Z_MAX, ta + (z - _TA_Z_MAX) / C0_M_S * 1000.0, ta)
    return ps, i_s, ta


def tnt_blast(*, distance_m: ArrayLike, tnt_kg: float) -> BlastField:
    """Blast of a TNT surface burst at distances: Kingery–Bulmash at Z = R / W^(1/3).

    Ps from :func:`kingery_bulmash`; impulse and arrival time scale with W^(1/3):
    i [Pa·s] = i_s [kPa·ms/kg^(1/3)] · W^(1/3), t_a [s] = t_a [ms/kg^(1/3)] · W^(1/3) / 1000
    (reference section 3).

    Args:
        distance_m: distances R from the charge [m].
        tnt_kg: TNT-equivalent mass W [kg] (0 gives no blast).

    Returns:
        The blast field at the distances.
    """
    r = np.asarray(distance_m, dtype=float)
    if not tnt_kg > 0.0:
        zero = np.zeros_like(r)
        return BlastField(overpressure_kpa=zero, impulse_pa_s=zero.copy(), arrival_s=r / C0_M_S)
    w13 = float(tnt_kg) ** (1.0 / 3.0)
    ps, i_s, ta = kingery_bulmash(z=r / w13)
    return BlastField(overpressure_kpa=ps, impulse_pa_s=i_s * w13, arrival_s=ta * w13 / 1000.0)


def reflected_overpressure(*, overpressure_kpa: ArrayLike, p0_pa: float = P0_PA) -> np.ndarray:
    """Normally reflected overpressure (Rankine–Hugoniot, γ = 1.4): Pr = 2 Ps (4 Ps + 7 P0) / (Ps + 7 P0).

    Reference section 3.

    Args:
        overpressure_kpa: side-on overpressure Ps [kPa].
        p0_pa: ambient pressure P0 [Pa].

    Returns:
        Pr [kPa].
    """
    ps = np.asarray(overpressure_kpa, dtype=float)
    p0 = p0_pa / 1000.0
    return 2.0 * ps * (4.0 * ps + 7.0 * p0) / (ps + 7.0 * p0)


def dynamic_pressure(*, overpressure_kpa: ArrayLike, p0_pa: float = P0_PA) -> np.ndarray:
    """Peak dynamic pressure behind a shock (γ = 1.4): q = 2.5 Ps² / (7 P0 + Ps). Reference section 3.

    Args:
        overpressure_kpa: side-on overpressure Ps [kPa].
        p0_pa: ambient pressure P0 [Pa].

    Returns:
        q [kPa].
    """
    ps = np.asarray(overpressure_kpa, dtype=float)
    return 2.5 * ps * ps / (7.0 * p0_pa / 1000.0 + ps)


# ---------------------------------------------------------------------------------------------------------
# Deflagration methods: Multi-Energy and BST
# ---------------------------------------------------------------------------------------------------------
#: Multi-Energy near-field plateau ΔP̄ [bar] by strength number (reference section 4); strength 10
#: ("detonation-like") is capped at 20 bar, about the Chapman–Jouguet pressure of hydrocarbon-air mixtures.
ME_PLATEAU_BAR: Mapping[int, float] = MappingProxyType(
    {1: 0.01, 2: 0.02, 3: 0.05, 4: 0.1, 5: 0.2, 6: 0.5, 7: 1.0, 8: 2.0, 9: 5.0, 10: 20.0}
)
#: Far-field power laws ΔP̄ = a · R̄^b of the Multi-Energy curves. Strengths 1, 4, 5, 6 from the reference
#: (section 4); 2 and 3 are ours: the weak curves are parallel in the acoustic far field with a ≈ 0.64 ×
#: plateau, as the given fits for 1 and 4 are. Strengths 7-10 follow the detonation curve (see
#: :func:`multi_energy_overpressure`).
ME_FAR_FIELD: Mapping[int, tuple[float, float]] = MappingProxyType(
    {
        1: (6.4e-3, -0.97),
        2: (1.28e-2, -0.975),
        3: (3.2e-2, -0.98),
        4: (6.44e-2, -0.99),
        5: (0.117, -0.99),
        6: (0.301, -1.11),
    }
)


def multi_energy_energy(*, mass_kg: ArrayLike, fuel: Fuel, energy_density_j_m3: float = ME_ENERGY_J_M3) -> np.ndarray:
    """Multi-Energy combustion energy of a cloud: E = V_stoich · 3.5 MJ/m³, V_stoich = m / (ρ_fuel · x_st).

    TNO Multi-Energy convention (reference sections 1 and 4): the energy of the stoichiometric fuel-air
    volume the fuel mass would make.

    Args:
        mass_kg: fuel mass in the congested part of the cloud [kg].
        fuel: the gas.
        energy_density_j_m3: energy per m³ of stoichiometric mixture (3.5 MJ/m³) [J/m³].

    Returns:
        E [J].
    """
    v = np.asarray(mass_kg, dtype=float) / (fuel.density_kg_m3 * fuel.stoichiometric)
    return v * energy_density_j_m3


def _detonation_curve(rbar: np.ndarray) -> np.ndarray:
    """ΔP̄ of a detonation-like blast: Kingery–Bulmash at the same energy, Z = R̄ · (E_TNT / P0)^(1/3)."""
    ps_kpa, _, _ = kingery_bulmash(z=rbar * (E_TNT_J_KG / P0_PA) ** (1.0 / 3.0))
    return ps_kpa * 1000.0 / P0_PA


def multi_energy_overpressure(*, scaled_distance: ArrayLike, strength: int) -> np.ndarray:
    """Dimensionless peak overpressure ΔP̄ of the Multi-Energy curve of a strength number.

    Strengths 1-6: ΔP̄ = min(plateau, a · R̄^b) with the plateau and far-field fits of the reference
    (section 4); taking the minimum makes the curve continuous where the published plateau end R1 and the fit
    do not meet exactly. Strengths 7-10: the plateau, then the larger of the strength-6 curve and the
    detonation curve (Kingery–Bulmash at the same energy): in the TNO chart curves 7-10 merge in the far field
    into the detonation curve. An approximation of the chart, not a digitisation.

    Args:
        scaled_distance: R̄ = R / (E / P0)^(1/3) [-].
        strength: 1-10.

    Returns:
        ΔP̄ = ΔP / P0 [-].
    """
    rbar = np.maximum(np.asarray(scaled_distance, dtype=float), 1e-9)
    plateau = ME_PLATEAU_BAR[int(strength)] * 1e5 / P0_PA
    if strength <= 6:
        a, b = ME_FAR_FIELD[int(strength)]
        return np.minimum(plateau, a * rbar**b)
    a6, b6 = ME_FAR_FIELD[6]
    return np.minimum(plateau, np.maximum(a6 * rbar**b6, _detonation_curve(rbar)))


def bst_energy(*, mass_kg: ArrayLike, fuel: Fuel) -> np.ndarray:
    """BST explosion energy, E = 2 · m · ΔHc (the factor 2 for ground reflection; reference section 4).

    Args:
        mass_kg: fuel mass in the congested part of the cloud [kg].
        fuel: the gas.

    Returns:
        E [J].
    """
    return 2.0 * np.asarray(mass_kg, dtype=float) * fuel.heat_of_combustion_j_kg


#: BST flame Mach number by (confinement, reactivity) → (low, medium, high congestion). After Tang & Baker
#: (1999) and Pierorazio et al. (2005), arranged so that it holds the reference's known points (section 4):
#: medium reactivity, medium congestion, 3-D → 0.44; low reactivity (methane), low congestion, 3-D → 0.026;
#: any fuel in 1-D (corridor, tunnel, sewer) → 2.265 or more (5.2: deflagration-to-detonation transition).
#: 2.5-D is the mean of 2-D and 3-D, as Pierorazio et al. suggest.
_MACH_1D_2D_3D: dict[tuple[str, str], tuple[float, float, float]] = {
    ("1d", "high"): (5.2, 5.2, 5.2),
    ("1d", "medium"): (2.265, 2.265, 2.265),
    ("1d", "low"): (2.265, 2.265, 2.265),
    ("2d", "high"): (0.59, 1.03, 1.77),
    ("2d", "medium"): (0.47, 0.66, 1.6),
    ("2d", "low"): (0.079, 0.47, 0.66),
    ("3d", "high"): (0.36, 0.50, 0.59),
    ("3d", "medium"): (0.11, 0.44, 0.50),
    ("3d", "low"): (0.026, 0.23, 0.34),
}
BST_FLAME_MACH: Mapping[tuple[str, str], tuple[float, float, float]] = MappingProxyType(
    {
        **_MACH_1D_2D_3D,
        **{
            ("2.5d", r): (
                0.5 * (_MACH_1D_2D_3D["2d", r][0] + _MACH_1D_2D_3D["3d", r][0]),
                0.5 * (_MACH_1D_2D_3D["2d", r][1] + _MACH_1D_2D_3D["3d", r][1]),
                0.5 * (_MACH_1D_2D_3D["2d", r][2] + _MACH_1D_2D_3D["3d", r][2]),
            )
            for r in REACTIVITIES
        },
    }
)

#: Anchor curves of BST (reference section 4): ΔP̄ at R̄ = 1, 2, 5 for flame Mach 0.35 and 5.2.
_BST_R = np.array([1.0, 2.0, 5.0])
_BST_LOW = (0.35, np.array([0.0913, 0.0464, 0.0188]))
_BST_HIGH = (5.2, np.array([0.395, 0.171, 0.059]))


def bst_flame_mach(*, reactivity: str, confinement: str, congestion: str) -> float:
    """Flame Mach number of the BST method from :data:`BST_FLAME_MACH` (Tang & Baker 1999; Pierorazio 2005).

    Args:
        reactivity: ``low`` (methane), ``medium`` (propane), ``high``.
        confinement: ``1d``, ``2d``, ``2.5d``, ``3d``.
        congestion: ``low``, ``medium``, ``high``.

    Returns:
        Flame Mach number M_f [-].
    """
    return float(BST_FLAME_MACH[(confinement, reactivity)][CONGESTIONS.index(congestion)])


def _acoustic_factor(mach: float) -> float:
    """g(M) = M² / (1 + M): how the overpressure of a slow flame scales with its Mach number."""
    return mach * mach / (1.0 + mach)


def bst_overpressure(*, scaled_distance: ArrayLike, flame_mach: float) -> np.ndarray:
    """Dimensionless peak overpressure ΔP̄ of the BST curve of a flame Mach number.

    Built from the reference's two anchor curves (ΔP̄ at R̄ = 1 / 2 / 5: 0.395 / 0.171 / 0.059 for
    M = 5.2 and 0.0913 / 0.0464 / 0.0188 for M = 0.35):

    - between M = 0.35 and 5.2 the node values are interpolated linearly in (ln M, ln ΔP̄);
    - below M = 0.35 they scale with M² / (1 + M), the low-Mach dependence of Tang & Baker (1999);
    - between and beyond the nodes ln ΔP̄ is linear in ln R̄ (end slopes continued);
    - near the source ΔP̄ is capped at 2.4 M² / (1 + M) (Tang & Baker's maximum).

    An approximation of the BST chart that reproduces the anchors exactly, not a digitisation.

    Args:
        scaled_distance: R̄ = R / (E / P0)^(1/3) with E = 2 · m · ΔHc [-].
        flame_mach: M_f in (0, 5.2].

    Returns:
        ΔP̄ = ΔP / P0 [-].
    """
    m = float(np.clip(flame_mach, 1e-4, _BST_HIGH[0]))
    (m_lo, p_lo), (m_hi, p_hi) = _BST_LOW, _BST_HIGH
    if m >= m_lo:
        t = np.log(m / m_lo) / np.log(m_hi / m_lo)
        nodes = np.exp((1.0 - t) * np.log(p_lo) + t * np.log(p_hi))
    else:
        nodes = p_lo * _acoustic_factor(m) / _acoustic_factor(m_lo)
    lr = np.log(np.maximum(np.asarray(scaled_distance, dtype=float), 1e-9))
    ln_nodes, ln_r = np.log(nodes), np.log(_BST_R)
    slope_near = (ln_nodes[1] - ln_nodes[0]) / (ln_r[1] - ln_r[0])
    slope_far = (ln_nodes[2] - ln_nodes[1]) / (ln_r[2] - ln_r[1])
    inner = np.interp(lr, ln_r, ln_nodes)
    ln_p = np.where(lr < ln_r[0], ln_nodes[0] + slope_near * (lr - ln_r[0]), inner)
    ln_p = np.where(lr > ln_r[-1], ln_nodes[-1] + slope_far * (lr - ln_r[-1]), ln_p)
    return np.minimum(np.exp(ln_p), 2.4 * _acoustic_factor(m))


def deflagration_blast(
    *, distance_m: ArrayLike, energy_j: float, scaled_overpressure: np.ndarray, scaled_duration: float
) -> BlastField:
    """Dimensional blast of a deflagration from its scaled overpressure (Multi-Energy / BST scaling).

    R̄ = R / (E / P0)^(1/3), ΔP = ΔP̄ · P0 (reference section 4). Impulse of a triangular positive phase,
    i = ½ ΔP t+ with t+ = t̄+ · (E / P0)^(1/3) / c0, i.e. ī = i c0 / (E^(1/3) P0^(2/3)) = ½ ΔP̄ t̄+. Arrival
    time R / c0 (acoustic; the flame's own travel time inside the cloud is neglected).

    Args:
        distance_m: distances R [m].
        energy_j: explosion energy E [J].
        scaled_overpressure: ΔP̄ at the distances [-].
        scaled_duration: t̄+ [-].

    Returns:
        The blast field at the distances.
    """
    r = np.asarray(distance_m, dtype=float)
    if not energy_j > 0.0:
        zero = np.zeros_like(r)
        return BlastField(overpressure_kpa=zero, impulse_pa_s=zero.copy(), arrival_s=r / C0_M_S)
    length = (energy_j / P0_PA) ** (1.0 / 3.0)
    dp_pa = np.asarray(scaled_overpressure, dtype=float) * P0_PA
    t_plus = scaled_duration * length / C0_M_S
    return BlastField(overpressure_kpa=dp_pa / 1000.0, impulse_pa_s=0.5 * dp_pa * t_plus, arrival_s=r / C0_M_S)


# ---------------------------------------------------------------------------------------------------------
# Explosions inside rooms
# ---------------------------------------------------------------------------------------------------------
def vented_room_pressure(*, fuel: Fuel, surface_m2: ArrayLike, vent_area_m2: ArrayLike) -> np.ndarray:
    """Reduced explosion pressure of a vented low-strength room (NFPA 68): P_red = (C · A_s / A_v)².

    C = 0.037 bar^½ for methane, 0.045 for propane (reference section 5); the result never exceeds the
    closed-vessel pressure of the fuel (7-8 bar).

    Args:
        fuel: the gas.
        surface_m2: internal surface A_s [m²].
        vent_area_m2: vent area A_v [m²].

    Returns:
        P_red [kPa].
    """
    ratio = fuel.vent_constant_bar05 * np.asarray(surface_m2, dtype=float) / np.asarray(vent_area_m2, dtype=float)
    return np.minimum(ratio * ratio * 100.0, fuel.closed_vessel_pressure_pa / 1000.0)


# ---------------------------------------------------------------------------------------------------------
# One entry point
# ---------------------------------------------------------------------------------------------------------
def explosion_energy(*, mass_kg: float, fuel: Fuel, method: BlastMethod) -> float:
    """The energy a method scales with [J]: TNT → W_TNT · E_TNT; Multi-Energy → V_stoich · 3.5 MJ/m³;
    BST → 2 · m · ΔHc (see :func:`tnt_equivalent_mass`, :func:`multi_energy_energy`, :func:`bst_energy`).

    Args:
        mass_kg: fuel mass in the cloud [kg].
        fuel: the gas.
        method: the blast method.

    Returns:
        E [J].
    """
    if method.kind == "tnt":
        w = tnt_equivalent_mass(
            mass_kg=mass_kg, heat_of_combustion_j_kg=fuel.heat_of_combustion_j_kg, yield_fraction=method.yield_fraction
        )
        return float(w) * E_TNT_J_KG
    if method.kind == "multi-energy":
        return float(multi_energy_energy(mass_kg=mass_kg, fuel=fuel))
    return float(bst_energy(mass_kg=mass_kg, fuel=fuel))


def blast(
    *, distance_m: ArrayLike, fuel: Fuel, mass_kg: float, method: BlastMethod, room: VentedRoom | None = None
) -> BlastField:
    """Overpressure, impulse and arrival time of a gas cloud explosion at distances from its centre.

    Dispatches on ``method.kind`` to :func:`tnt_blast`, :func:`multi_energy_overpressure` or
    :func:`bst_overpressure` (with :func:`deflagration_blast`), then applies the vented-room cap: the
    overpressure is at most P_red of :func:`vented_room_pressure` and the impulse is scaled by the same
    factor (the room cannot push harder than it holds before venting; reference section 5).

    Args:
        distance_m: distances R from the explosion centre [m] (any shape).
        fuel: the gas.
        mass_kg: fuel mass in the flammable (congested) cloud [kg]; 0 gives no blast.
        method: the blast method and its parameters.
        room: the vented room the cloud is in, if any.

    Returns:
        The blast field at the distances.
    """
    r = np.asarray(distance_m, dtype=float)
    energy = explosion_energy(mass_kg=mass_kg, fuel=fuel, method=method)
    if not energy > 0.0:
        zero = np.zeros_like(r)
        return BlastField(overpressure_kpa=zero, impulse_pa_s=zero.copy(), arrival_s=r / C0_M_S)
    if method.kind == "tnt":
        field = tnt_blast(distance_m=r, tnt_kg=energy / E_TNT_J_KG)
    else:
        rbar = r / (energy / P0_PA) ** (1.0 / 3.0)
        if method.kind == "multi-energy":
            scaled = multi_energy_overpressure(scaled_distance=rbar, strength=method.strength)
        else:
            scaled = bst_overpressure(scaled_distance=rbar, flame_mach=method.mach(fuel))
        field = deflagration_blast(
            distance_m=r, energy_j=energy, scaled_overpressure=scaled, scaled_duration=method.scaled_duration
        )
    if room is None:
        return field
    cap = vented_room_pressure(fuel=fuel, surface_m2=room.surface_m2, vent_area_m2=room.vent_area_m2)
    ps = field.overpressure_kpa
    capped = np.minimum(ps, cap)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(ps > 0, capped / ps, 1.0)
    return BlastField(overpressure_kpa=capped, impulse_pa_s=field.impulse_pa_s * factor, arrival_s=field.arrival_s)


def blast_table(
    *, distance_m: ArrayLike, fuel: Fuel, mass_kg: float, method: BlastMethod, room: VentedRoom | None = None
) -> pd.DataFrame:
    """:func:`blast` as a tidy table with columns :data:`~sim.hazard.columns.BLAST_COLUMNS`.

    Args:
        distance_m: distances [m].
        fuel: the gas.
        mass_kg: fuel mass in the cloud [kg].
        method: the blast method.
        room: the vented room, if any.

    Returns:
        One row per distance: distance [m], overpressure [kPa], impulse [Pa·s], arrival time [s].
    """
    r = np.atleast_1d(np.asarray(distance_m, dtype=float))
    f = blast(distance_m=r, fuel=fuel, mass_kg=mass_kg, method=method, room=room)
    return pd.DataFrame(
        {DISTANCE_M: r, OVERPRESSURE_KPA: f.overpressure_kpa, IMPULSE_PA_S: f.impulse_pa_s, ARRIVAL_S: f.arrival_s}
    )


def distance_to_overpressure(
    *,
    threshold_kpa: ArrayLike,
    fuel: Fuel,
    mass_kg: float,
    method: BlastMethod,
    room: VentedRoom | None = None,
    max_distance_m: float = 1.0e4,
) -> np.ndarray:
    """Distance at which the overpressure falls to each threshold (the radius of a damage zone).

    Overpressure decreases with distance for every method, so the radius is found by bisection on ln R
    (60 halvings of [1 mm, ``max_distance_m``], vectorised over thresholds).

    Args:
        threshold_kpa: overpressure thresholds [kPa].
        fuel: the gas.
        mass_kg: fuel mass in the cloud [kg].
        method: the blast method.
        room: the vented room, if any.
        max_distance_m: largest radius returned [m].

    Returns:
        Radius [m] per threshold: 0 where even the source does not reach the threshold, ``max_distance_m``
        where it is still exceeded there.
    """
    thr = np.asarray(threshold_kpa, dtype=float)
    lo = np.full(thr.shape, np.log(1e-3))
    hi = np.full(thr.shape, np.log(max_distance_m))

    def ps(ln_r: np.ndarray) -> np.ndarray:
        return blast(distance_m=np.exp(ln_r), fuel=fuel, mass_kg=mass_kg, method=method, room=room).overpressure_kpa

    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = ps(mid) >= thr
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    radius = np.exp(lo)
    radius = np.where(ps(np.full(thr.shape, np.log(1e-3))) < thr, 0.0, radius)
    return np.where(ps(np.full(thr.shape, np.log(max_distance_m))) >= thr, max_distance_m, radius)
