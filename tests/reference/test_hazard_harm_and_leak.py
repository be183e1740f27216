"""Reference checks of the probits (section 6), the room leak model (section 2) and the fuel table (section 1)
of reference/explosion.md."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.hazard import harm as h
from sim.hazard import leak as lk
from sim.hazard.columns import (
    P_COLLAPSE,
    P_DISPLACEMENT,
    P_EARDRUM,
    P_FATAL,
    P_GLASS,
    P_HEAD,
    P_INJURED,
    P_LUNG,
    P_MAJOR_DAMAGE,
    P_SERIOUS,
)
from sim.hazard.fuels import FUELS, fuel

METHANE = FUELS["methane"]


# -- section 6: probits --------------------------------------------------------------------------------------
def test_eisenberg_lung_probit_at_one_bar():
    assert float(h.lung_death_eisenberg(overpressure_pa=1e5)) == pytest.approx(2.4543, abs=1e-4)


@pytest.mark.parametrize(("y", "p"), [(2.67, 0.01), (3.72, 0.10), (5.0, 0.50), (6.28, 0.90), (7.33, 0.99)])
def test_probit_to_probability_table(y, p):
    assert float(h.probability(probit=y)) == pytest.approx(p, abs=0.001)


def test_probit_formulas():
    ps, i = 50_000.0, 400.0
    assert float(h.lung_death_hse(overpressure_pa=ps)) == pytest.approx(5.13 + 1.37 * math.log(0.5))
    assert float(h.eardrum_rupture_tno(overpressure_pa=ps)) == pytest.approx(-12.6 + 1.524 * math.log(ps))
    assert float(h.eardrum_rupture_eisenberg(overpressure_pa=ps)) == pytest.approx(-15.6 + 1.93 * math.log(ps))
    assert float(h.displacement_death_tno(overpressure_pa=ps, impulse_pa_s=i)) == pytest.approx(
        5 - 2.44 * math.log(7380 / ps + 1.3e9 / (ps * i))
    )
    assert float(h.head_impact_death_tno(overpressure_pa=ps, impulse_pa_s=i)) == pytest.approx(
        5 - 8.49 * math.log(2430 / ps + 4.0e8 / (ps * i))
    )
    assert float(h.structural_collapse_tno(overpressure_pa=ps, impulse_pa_s=i)) == pytest.approx(
        5 - 0.22 * math.log((40000 / ps) ** 7.4 + (460 / i) ** 11.3)
    )
    assert float(h.major_structural_damage_tno(overpressure_pa=ps, impulse_pa_s=i)) == pytest.approx(
        5 - 0.26 * math.log((17500 / ps) ** 8.4 + (290 / i) ** 9.3)
    )
    assert float(h.minor_structural_damage_tno(overpressure_pa=ps, impulse_pa_s=i)) == pytest.approx(
        5 - 0.26 * math.log((4600 / ps) ** 3.9 + (110 / i) ** 5.0)
    )
    assert float(h.glass_breakage_eisenberg(overpressure_pa=ps)) == pytest.approx(-18.1 + 2.79 * math.log(ps))
    # the disputed constants are parameters: 7280 and 0.26 in some sources
    assert float(h.displacement_death_tno(overpressure_pa=ps, impulse_pa_s=i, a=7280.0)) == pytest.approx(
        5 - 2.44 * math.log(7280 / ps + 1.3e9 / (ps * i))
    )
    assert float(h.structural_collapse_tno(overpressure_pa=ps, impulse_pa_s=i, k=0.26)) == pytest.approx(
        5 - 0.26 * math.log((40000 / ps) ** 7.4 + (460 / i) ** 11.3)
    )


def test_combination_of_independent_mechanisms():
    assert float(h.combine(probabilities=(0.5, 0.5))) == pytest.approx(0.75)
    assert float(h.combine(probabilities=(0.1, 0.2, 0.3))) == pytest.approx(1 - 0.9 * 0.8 * 0.7)


def test_deflagration_pressures_kill_through_structures_not_lungs():
    # section 6: at deflagration-level pressures (here 30 kPa) lung and head probits are near zero, while
    # structural collapse and glass are not
    p = h.harm_probabilities(overpressure_kpa=30.0, impulse_pa_s=500.0)
    assert float(p[P_LUNG]) < 1e-6 and float(p[P_HEAD]) < 1e-6 and float(p[P_DISPLACEMENT]) < 1e-3
    assert float(p[P_COLLAPSE]) > 0.1 and float(p[P_GLASS]) > 0.99 and float(p[P_MAJOR_DAMAGE]) > 0.5
    assert float(p[P_FATAL]) > 0.05


def test_severity_classes_follow_the_documented_combination():
    model = h.HarmModel(collapse_fatality=0.4, major_damage_serious=0.3, glass_injury=0.1)
    p = h.harm_probabilities(
        overpressure_kpa=np.array([20.0, 60.0]), impulse_pa_s=np.array([300.0, 900.0]), model=model
    )
    fatal = 1 - (1 - p[P_LUNG]) * (1 - p[P_DISPLACEMENT]) * (1 - p[P_HEAD]) * (1 - 0.4 * p[P_COLLAPSE])
    serious = 1 - (1 - fatal) * (1 - p[P_COLLAPSE]) * (1 - 0.3 * p[P_MAJOR_DAMAGE])
    injured = 1 - (1 - serious) * (1 - p[P_EARDRUM]) * (1 - 0.1 * p[P_GLASS])
    assert p[P_FATAL] == pytest.approx(fatal)
    assert p[P_SERIOUS] == pytest.approx(serious)
    assert p[P_INJURED] == pytest.approx(injured)
    outdoors = h.harm_probabilities(overpressure_kpa=20.0, impulse_pa_s=300.0, model=h.HarmModel(in_building=False))
    assert float(outdoors[P_FATAL]) < float(p[P_FATAL][0])


# -- section 2: gas build-up ---------------------------------------------------------------------------------
def test_room_leak_example_half_an_air_change():
    q = 1.0 / 3600.0
    css = float(lk.steady_concentration(leak_m3_s=q, ach=0.5, volume_m3=30.0))
    assert css == pytest.approx(0.0625, abs=5e-5)
    t = lk.time_to_lfl(fuel=fuel("natural_gas"), leak_m3_s=q, ach=0.5, volume_m3=30.0)
    assert t is not None and t / 3600.0 == pytest.approx(3.018, abs=0.001)
    # the concentration at that time is the LFL
    assert float(lk.concentration(t_s=t, leak_m3_s=q, ach=0.5, volume_m3=30.0)) == pytest.approx(0.05)


def test_room_leak_example_one_air_change_never_reaches_lfl():
    q = 1.0 / 3600.0
    css = float(lk.steady_concentration(leak_m3_s=q, ach=1.0, volume_m3=30.0))
    assert css == pytest.approx(0.0323, abs=5e-5)
    assert lk.time_to_lfl(fuel=METHANE, leak_m3_s=q, ach=1.0, volume_m3=30.0) is None
    assert float(lk.concentration(t_s=1e7, leak_m3_s=q, ach=1.0, volume_m3=30.0)) < METHANE.lfl


def test_concentration_solves_the_mass_balance():
    # V dC/dt = Q_g - (Q_a + Q_g) C, checked by a finite difference
    v, q, ach = 50.0, 2.0 / 3600.0, 0.8
    t = np.array([1000.0, 1000.5])
    c = lk.concentration(t_s=t, leak_m3_s=q, ach=ach, volume_m3=v)
    dcdt = (c[1] - c[0]) / 0.5
    qa = ach * v / 3600.0
    assert v * dcdt == pytest.approx(q - (qa + q) * c.mean(), rel=1e-4)
    assert float(lk.concentration(t_s=0.0, leak_m3_s=q, ach=ach, volume_m3=v)) == 0.0


def test_orifice_leak_rate():
    area = float(lk.hole_area(diameter_m=0.02))
    assert area == pytest.approx(math.pi * 0.01**2)
    q = float(lk.orifice_leak_rate(area_m2=area, pressure_pa=2500.0, density_kg_m3=METHANE.density_kg_m3))
    assert q == pytest.approx(0.61 * area * math.sqrt(2 * 2500.0 / 0.667))


def test_flammable_mass_only_between_lfl_and_ufl():
    c = np.array([0.04, 0.05, 0.10, 0.15, 0.16])
    m = lk.flammable_mass(fuel=METHANE, concentration=c, volume_m3=100.0)
    assert m == pytest.approx([0.0, 0.05 * 100 * 0.667, 0.10 * 100 * 0.667, 0.15 * 100 * 0.667, 0.0])


# -- section 1: fuel table -----------------------------------------------------------------------------------
def test_fuel_table():
    m, p = fuel("methane"), fuel("LPG")
    assert (m.lfl, m.ufl, m.stoichiometric, m.density_kg_m3, m.heat_of_combustion_j_kg) == (
        0.05,
        0.15,
        0.095,
        0.667,
        5.0e7,
    )
    assert (p.lfl, p.ufl, p.stoichiometric, p.density_kg_m3, p.heat_of_combustion_j_kg) == (
        0.021,
        0.095,
        0.040,
        1.833,
        4.64e7,
    )
    assert m.closed_vessel_pressure_pa == 7e5 and p.closed_vessel_pressure_pa == 8e5
    assert m.buoyancy == "rises" and p.buoyancy == "sinks"
    assert fuel("natural_gas") is m and fuel("propane") is p
