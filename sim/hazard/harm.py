"""Harm from a blast: probit functions for people and buildings, combined severities, damage zones.

Probits from ``reference/explosion.md`` section 6 (Eisenberg, HSE, TNO), P = Φ(Y − 5). Every function is
keyword-only, vectorised (numpy) and stateless; overpressures in the probits are in Pa and impulses in Pa·s,
as in the reference. Zones (section 7) are shapely polygons.

At deflagration-level pressures lung and head probits are near zero: in gas explosions people are killed and
hurt mainly by collapse, debris and glass. :class:`HarmModel` therefore combines the direct effects with the
structural probits of the building people are in, through vulnerability factors that are assumptions (stated
defaults, every one a parameter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.special import ndtr
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from sim.hazard.blast import BlastMethod, VentedRoom, distance_to_overpressure
from sim.hazard.columns import (
    IMPULSE_PA_S,
    OVERPRESSURE_KPA,
    P_COLLAPSE,
    P_DISPLACEMENT,
    P_EARDRUM,
    P_EARDRUM_EISENBERG,
    P_FATAL,
    P_GLASS,
    P_HEAD,
    P_INJURED,
    P_LUNG,
    P_LUNG_HSE,
    P_MAJOR_DAMAGE,
    P_MINOR_DAMAGE,
    P_SERIOUS,
)
from sim.hazard.fuels import Fuel

__all__ = [
    "ZONE_THRESHOLDS_KPA",
    "probability",
    "lung_death_eisenberg",
    "lung_death_hse",
    "eardrum_rupture_tno",
    "eardrum_rupture_eisenberg",
    "displacement_death_tno",
    "head_impact_death_tno",
    "structural_collapse_tno",
    "major_structural_damage_tno",
    "minor_structural_damage_tno",
    "glass_breakage_eisenberg",
    "HarmModel",
    "harm_probabilities",
    "harm_table",
    "combine",
    "draw_severity",
    "damage_zones",
]

ArrayLike = npt.ArrayLike

#: Default zone thresholds [kPa]: 1.0 / 3.5 / 8.0 psi, glass / serious injury / destruction (section 7).
ZONE_THRESHOLDS_KPA = (6.9, 24.1, 55.2)


def _ln(x: ArrayLike) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(np.asarray(x, dtype=float), 0.0))


def probability(*, probit: ArrayLike) -> np.ndarray:
    """Probability of a probit value, P = Φ(Y − 5) (standard normal CDF; reference section 6).

    Y = 2.67 / 3.72 / 5 / 6.28 / 7.33 ↔ P = 1 / 10 / 50 / 90 / 99 %.

    Args:
        probit: Y [-] (−inf gives 0, +inf gives 1).

    Returns:
        P in [0, 1].
    """
    return np.asarray(ndtr(np.asarray(probit, dtype=float) - 5.0), dtype=float)


def _ln_probit(overpressure_pa: ArrayLike, a: float, b: float) -> np.ndarray:
    """Y = a + b ln Ps, the probits of a single overpressure (Ps → 0 gives −inf)."""
    return a + b * _ln(overpressure_pa)


def lung_death_eisenberg(*, overpressure_pa: ArrayLike) -> np.ndarray:
    """Probit Y [-] of death by lung haemorrhage (Eisenberg et al. 1975) at peak overpressure Ps [Pa].

    Y = −77.1 + 6.91 ln Ps. Check (reference section 6): Ps = 1e5 Pa → Y = 2.4543.
    """
    return _ln_probit(overpressure_pa, -77.1, 6.91)


def lung_death_hse(*, overpressure_pa: ArrayLike) -> np.ndarray:
    """Probit Y [-] of death by lung haemorrhage (HSE) at peak overpressure Ps [Pa].

    Y = 5.13 + 1.37 ln(Ps [bar]). Reference section 6.
    """
    return _ln_probit(np.asarray(overpressure_pa, dtype=float) / 1e5, 5.13, 1.37)


def eardrum_rupture_tno(*, overpressure_pa: ArrayLike) -> np.ndarray:
    """Probit Y [-] of eardrum rupture (TNO Green Book) at peak overpressure Ps [Pa].

    Y = −12.6 + 1.524 ln Ps. Reference section 6.
    """
    return _ln_probit(overpressure_pa, -12.6, 1.524)


def eardrum_rupture_eisenberg(*, overpressure_pa: ArrayLike) -> np.ndarray:
    """Probit Y [-] of eardrum rupture (Eisenberg et al. 1975) at peak overpressure Ps [Pa].

    Y = −15.6 + 1.93 ln Ps. Reference section 6.
    """
    return _ln_probit(overpressure_pa, -15.6, 1.93)


def _pressure_impulse_probit(
    overpressure_pa: ArrayLike, impulse_pa_s: ArrayLike, k: float, a: float, b: float
) -> np.ndarray:
    """Y = 5 − k ln(a / Ps + b / (Ps · i)), written as a log-sum so that Ps → 0 gives −inf cleanly."""
    ln_p, ln_i = _ln(overpressure_pa), _ln(impulse_pa_s)
    return 5.0 - k * np.logaddexp(np.log(a) - ln_p, np.log(b) - ln_p - ln_i)


def displacement_death_tno(*, overpressure_pa: ArrayLike, impulse_pa_s: ArrayLike, a: float = 7380.0) -> np.ndarray:
    """Probit of death by whole-body displacement (TNO Green Book):
    Y = 5 − 2.44 ln(7380 / Ps + 1.3e9 / (Ps · i)). Reference section 6 (7280 in some sources).

    Args:
        overpressure_pa: peak overpressure Ps [Pa].
        impulse_pa_s: positive-phase impulse i [Pa·s].
        a: the pressure constant (7380; 7280 in some sources) [Pa].

    Returns:
        Y [-].
    """
    return _pressure_impulse_probit(overpressure_pa, impulse_pa_s, 2.44, a, 1.3e9)


def head_impact_death_tno(*, overpressure_pa: ArrayLike, impulse_pa_s: ArrayLike) -> np.ndarray:
    """Probit Y [-] of death by head impact (TNO Green Book) at peak overpressure Ps [Pa] and impulse i [Pa·s].

    Y = 5 − 8.49 ln(2430 / Ps + 4.0e8 / (Ps · i)). Reference section 6.
    """
    return _pressure_impulse_probit(overpressure_pa, impulse_pa_s, 8.49, 2430.0, 4.0e8)


def _structural_probit(
    overpressure_pa: ArrayLike,
    impulse_pa_s: ArrayLike,
    k: float,
    p_ref: float,
    p_exp: float,
    i_ref: float,
    i_exp: float,
) -> np.ndarray:
    """Y = 5 − k ln[(p_ref / Ps)^p_exp + (i_ref / i)^i_exp], as a log-sum (no overflow, Ps → 0 gives −inf)."""
    ln_p, ln_i = _ln(overpressure_pa), _ln(impulse_pa_s)
    return 5.0 - k * np.logaddexp(p_exp * (np.log(p_ref) - ln_p), i_exp * (np.log(i_ref) - ln_i))


def structural_collapse_tno(*, overpressure_pa: ArrayLike, impulse_pa_s: ArrayLike, k: float = 0.22) -> np.ndarray:
    """Probit of structural collapse (TNO Green Book): Y = 5 − 0.22 ln[(40000 / Ps)^7.4 + (460 / i)^11.3].

    Reference section 6 (0.26 instead of 0.22 in some sources).

    Args:
        overpressure_pa: peak overpressure Ps [Pa].
        impulse_pa_s: positive-phase impulse i [Pa·s].
        k: the leading coefficient (0.22; 0.26 in some sources) [-].

    Returns:
        Y [-].
    """
    return _structural_probit(overpressure_pa, impulse_pa_s, k, 40000.0, 7.4, 460.0, 11.3)


def major_structural_damage_tno(*, overpressure_pa: ArrayLike, impulse_pa_s: ArrayLike) -> np.ndarray:
    """Probit Y [-] of major structural damage (TNO) at peak overpressure Ps [Pa] and impulse i [Pa·s].

    Y = 5 − 0.26 ln[(17500 / Ps)^8.4 + (290 / i)^9.3]. Reference section 6.
    """
    return _structural_probit(overpressure_pa, impulse_pa_s, 0.26, 17500.0, 8.4, 290.0, 9.3)


def minor_structural_damage_tno(*, overpressure_pa: ArrayLike, impulse_pa_s: ArrayLike) -> np.ndarray:
    """Probit Y [-] of minor structural damage (TNO) at peak overpressure Ps [Pa] and impulse i [Pa·s].

    Y = 5 − 0.26 ln[(4600 / Ps)^3.9 + (110 / i)^5.0]. Reference section 6.
    """
    return _structural_probit(overpressure_pa, impulse_pa_s, 0.26, 4600.0, 3.9, 110.0, 5.0)


def glass_breakage_eisenberg(*, overpressure_pa: ArrayLike) -> np.ndarray:
    """Probit Y [-] of glass breakage (Eisenberg et al. 1975) at peak overpressure Ps [Pa].

    Y = −18.1 + 2.79 ln Ps. Reference section 6.
    """
    return _ln_probit(overpressure_pa, -18.1, 2.79)


@dataclass(frozen=True, kw_only=True)
class HarmModel:
    """How single effects combine into the severity of a person (vulnerability factors are assumptions).

    Severity classes (cumulative probabilities, independent mechanisms combined as 1 − Π(1 − P_k),
    reference section 6):

    - fatal (3): lung haemorrhage (Eisenberg), whole-body displacement, head impact, and
      ``collapse_fatality`` × structural collapse of the building the person is in;
    - seriously injured or worse (2+): fatal, or caught by the collapse, or ``major_damage_serious`` ×
      major structural damage (falling ceilings, shop fronts, debris);
    - injured or worse (1+): seriously injured, or eardrum rupture (TNO), or ``glass_injury`` × glass
      breakage (flying glass).

    Attributes:
        collapse_fatality: share of people caught by a structural collapse who die [-].
        major_damage_serious: share of people in a part with major structural damage who are seriously
            injured [-].
        glass_injury: share of people near breaking glass who are injured by it [-].
        in_building: whether people are inside a building (structural effects apply); ``False`` in the open.
    """

    collapse_fatality: float = 0.5
    major_damage_serious: float = 0.25
    glass_injury: float = 0.2
    in_building: bool = True

    def __post_init__(self) -> None:
        for name in ("collapse_fatality", "major_damage_serious", "glass_injury"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {v!r}")


def combine(*, probabilities: Sequence[ArrayLike]) -> np.ndarray:
    """Probability that at least one of independent mechanisms happens, P = 1 − Π(1 − P_k) (section 6).

    Args:
        probabilities: the single probabilities P_k (broadcastable arrays).

    Returns:
        P in [0, 1].
    """
    survive: np.ndarray = np.ones(())
    for p in probabilities:
        survive = survive * (1.0 - np.asarray(p, dtype=float))
    out = 1.0 - survive
    return np.clip(out, 0.0, 1.0)


def harm_probabilities(
    *, overpressure_kpa: ArrayLike, impulse_pa_s: ArrayLike, model: HarmModel | None = None
) -> dict[str, np.ndarray]:
    """Probability of every single effect and of the three severity classes at given blast loads.

    Single effects: the probits of this module through :func:`probability`; severities as documented in
    :class:`HarmModel` (with :func:`combine`). The severity probabilities are nested:
    P_fatal ≤ P_serious_or_worse ≤ P_injured_or_worse.

    Args:
        overpressure_kpa: peak side-on overpressure [kPa].
        impulse_pa_s: positive-phase impulse [Pa·s].
        model: vulnerability factors (defaults of :class:`HarmModel` when ``None``).

    Returns:
        Column name (:data:`~sim.hazard.columns.EFFECT_COLUMNS` and
        :data:`~sim.hazard.columns.COMBINED_COLUMNS`) → array of probabilities.
    """
    m = model if model is not None else HarmModel()
    ps, i = np.broadcast_arrays(
        np.asarray(overpressure_kpa, dtype=float) * 1000.0, np.asarray(impulse_pa_s, dtype=float)
    )
    p = {
        P_LUNG: probability(probit=lung_death_eisenberg(overpressure_pa=ps)),
        P_LUNG_HSE: probability(probit=lung_death_hse(overpressure_pa=ps)),
        P_EARDRUM: probability(probit=eardrum_rupture_tno(overpressure_pa=ps)),
        P_EARDRUM_EISENBERG: probability(probit=eardrum_rupture_eisenberg(overpressure_pa=ps)),
        P_DISPLACEMENT: probability(probit=displacement_death_tno(overpressure_pa=ps, impulse_pa_s=i)),
        P_HEAD: probability(probit=head_impact_death_tno(overpressure_pa=ps, impulse_pa_s=i)),
        P_COLLAPSE: probability(probit=structural_collapse_tno(overpressure_pa=ps, impulse_pa_s=i)),
        P_MAJOR_DAMAGE: probability(probit=major_structural_damage_tno(overpressure_pa=ps, impulse_pa_s=i)),
        P_MINOR_DAMAGE: probability(probit=minor_structural_damage_tno(overpressure_pa=ps, impulse_pa_s=i)),
        P_GLASS: probability(probit=glass_breakage_eisenberg(overpressure_pa=ps)),
    }
    building = 1.0 if m.in_building else 0.0
    collapse = building * p[P_COLLAPSE]
    fatal = combine(probabilities=(p[P_LUNG], p[P_DISPLACEMENT], p[P_HEAD], m.collapse_fatality * collapse))
    serious = combine(probabilities=(fatal, collapse, building * m.major_damage_serious * p[P_MAJOR_DAMAGE]))
    injured = combine(probabilities=(serious, p[P_EARDRUM], m.glass_injury * p[P_GLASS]))
    p[P_FATAL] = fatal
    p[P_SERIOUS] = np.maximum(serious, fatal)
    p[P_INJURED] = np.maximum(injured, p[P_SERIOUS])
    return p


def harm_table(*, overpressure_kpa: ArrayLike, impulse_pa_s: ArrayLike, model: HarmModel | None = None) -> pd.DataFrame:
    """:func:`harm_probabilities` as a tidy table (loads first, then one column per probability).

    Args:
        overpressure_kpa: peak side-on overpressure [kPa].
        impulse_pa_s: positive-phase impulse [Pa·s].
        model: vulnerability factors.

    Returns:
        One row per load.
    """
    ps, i = np.broadcast_arrays(
        np.atleast_1d(np.asarray(overpressure_kpa, dtype=float)), np.atleast_1d(np.asarray(impulse_pa_s, dtype=float))
    )
    p = harm_probabilities(overpressure_kpa=ps, impulse_pa_s=i, model=model)
    return pd.DataFrame({OVERPRESSURE_KPA: ps, IMPULSE_PA_S: i, **p})


def draw_severity(
    *, p_fatal: ArrayLike, p_serious: ArrayLike, p_injured: ArrayLike, rng: np.random.Generator
) -> np.ndarray:
    """Draw each person's severity with one uniform number u per person.

    severity = 3 if u < P_fatal, else 2 if u < P_serious_or_worse, else 1 if u < P_injured_or_worse, else 0
    (inverse-CDF sampling of the nested cumulative probabilities; one draw per person, so the stream of
    ``rng`` advances by exactly the number of persons).

    Args:
        p_fatal: P(severity = 3) per person.
        p_serious: P(severity >= 2) per person.
        p_injured: P(severity >= 1) per person.
        rng: the hazard random generator.

    Returns:
        int8 array of severities 0-3.
    """
    pf, ps, pi = np.broadcast_arrays(
        np.asarray(p_fatal, dtype=float), np.asarray(p_serious, dtype=float), np.asarray(p_injured, dtype=float)
    )
    u = rng.random(pf.shape)
    return ((u < pi).astype(np.int8) + (u < ps).astype(np.int8) + (u < pf).astype(np.int8)).astype(np.int8)


def damage_zones(
    *,
    center: tuple[float, float],
    thresholds_kpa: Sequence[float],
    fuel: Fuel,
    mass_kg: float,
    method: BlastMethod,
    room: VentedRoom | None = None,
    outline: BaseGeometry | None = None,
    quad_segs: int = 32,
) -> Mapping[float, BaseGeometry]:
    """Areas where the overpressure reaches each threshold, as polygons around the explosion centre.

    The overpressure of every method depends on distance only, so a zone is the disc of radius
    :func:`~sim.hazard.blast.distance_to_overpressure` (a polygon with 4 × ``quad_segs`` corners), clipped to
    ``outline`` when given (e.g. the venue's walkable area, so that a corridor carries the zone along it).
    A zone at a higher threshold lies inside the zone at a lower one (same centre, smaller radius).

    Args:
        center: explosion centre (x, y) [m].
        thresholds_kpa: overpressure thresholds [kPa] (e.g. 6.9, 24.1, 55.2).
        fuel: the gas.
        mass_kg: fuel mass in the cloud [kg].
        method: the blast method.
        room: the vented room, if any.
        outline: clip the zones to this geometry.
        quad_segs: corners per quarter circle.

    Returns:
        Threshold [kPa] → polygon (empty where the threshold is not reached).
    """
    thr = [float(t) for t in thresholds_kpa]
    radii = distance_to_overpressure(threshold_kpa=np.array(thr), fuel=fuel, mass_kg=mass_kg, method=method, room=room)
    zones: dict[float, BaseGeometry] = {}
    for t, r in zip(thr, np.atleast_1d(radii), strict=True):
        disc: BaseGeometry = Point(center).buffer(float(r), quad_segs=quad_segs) if r > 0 else Polygon()
        if outline is not None and not disc.is_empty:
            disc = shapely.intersection(disc, outline)
        zones[t] = disc
    return zones
