"""Properties of the hazard engine that must hold for any input: overpressure falls with distance for every
method, probabilities lie in [0, 1] and rise with the load, zones at higher thresholds nest inside lower ones."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon

from sim.hazard import blast as b
from sim.hazard.columns import COMBINED_COLUMNS, EFFECT_COLUMNS, P_FATAL, P_INJURED, P_SERIOUS
from sim.hazard.fuels import FUELS
from sim.hazard.harm import HarmModel, damage_zones, draw_severity, harm_probabilities

ALL_METHODS = (
    [b.BlastMethod(kind="tnt", yield_fraction=y) for y in (0.01, 0.03, 0.1, 1.0)]
    + [b.BlastMethod(kind="multi-energy", strength=s) for s in range(1, 11)]
    + [
        b.BlastMethod(kind="bst", confinement=c, congestion=g, reactivity=r)
        for c, g, r in itertools.product(b.CONFINEMENTS, b.CONGESTIONS, b.REACTIVITIES)
    ]
)
ROOMS = (None, b.VentedRoom(surface_m2=180.0, vent_area_m2=12.0))


@pytest.mark.parametrize("method", ALL_METHODS, ids=lambda m: m.describe(FUELS["propane"]))
@pytest.mark.parametrize("room", ROOMS, ids=("open", "vented_room"))
def test_overpressure_decreases_with_distance_for_every_method(method, room):
    r = np.geomspace(0.5, 5000.0, 600)
    for gas in FUELS.values():
        for mass in (0.5, 10.0, 1000.0):
            ps = b.blast(distance_m=r, fuel=gas, mass_kg=mass, method=method, room=room).overpressure_kpa
            assert np.all(ps > 0)
            assert np.all(np.diff(ps) <= 1e-12 * ps[:-1])
            assert ps[-1] < 0.05 * ps[0]
            # strictly decreasing once off the near-field plateau / room cap
            below = ps < 0.99 * ps[0]
            assert np.all(np.diff(ps[below]) < 0)


@settings(max_examples=60, deadline=None)
@given(
    mass=st.floats(0.01, 1e4),
    r1=st.floats(0.1, 1e4),
    factor=st.floats(1.001, 100.0),
    k=st.integers(0, len(ALL_METHODS) - 1),
)
def test_farther_is_never_worse(mass, r1, factor, k):
    f = b.blast(distance_m=np.array([r1, r1 * factor]), fuel=FUELS["methane"], mass_kg=mass, method=ALL_METHODS[k])
    assert f.overpressure_kpa[1] <= f.overpressure_kpa[0]
    assert f.arrival_s[1] > f.arrival_s[0]


@settings(max_examples=200, deadline=None)
@given(
    ps=st.floats(0.0, 5000.0),
    dps=st.floats(0.0, 5000.0),
    i=st.floats(0.0, 1e5),
    di=st.floats(0.0, 1e5),
)
def test_probabilities_are_in_unit_interval_and_rise_with_the_load(ps, dps, i, di):
    lo = harm_probabilities(overpressure_kpa=ps, impulse_pa_s=i)
    hi = harm_probabilities(overpressure_kpa=ps + dps, impulse_pa_s=i + di)
    for col in (*EFFECT_COLUMNS, *COMBINED_COLUMNS):
        assert 0.0 <= float(lo[col]) <= 1.0
        assert float(hi[col]) >= float(lo[col]) - 1e-12
    assert float(lo[P_FATAL]) <= float(lo[P_SERIOUS]) <= float(lo[P_INJURED])


def test_probabilities_rise_along_a_blast_curve():
    for method in (b.BlastMethod(kind="bst", confinement="1d"), b.BlastMethod(kind="multi-energy", strength=5)):
        f = b.blast(distance_m=np.geomspace(3000.0, 1.0, 400), fuel=FUELS["methane"], mass_kg=20.0, method=method)
        p = harm_probabilities(overpressure_kpa=f.overpressure_kpa, impulse_pa_s=f.impulse_pa_s)
        for col in (*EFFECT_COLUMNS, *COMBINED_COLUMNS):
            assert np.all(np.diff(p[col]) >= -1e-12), col
        assert p[P_INJURED][0] < 0.01 < 0.3 < p[P_INJURED][-1]


def test_no_load_no_harm():
    p = harm_probabilities(overpressure_kpa=np.zeros(3), impulse_pa_s=np.zeros(3))
    for col in (*EFFECT_COLUMNS, *COMBINED_COLUMNS):
        assert np.all(p[col] == 0.0)


@settings(max_examples=40, deadline=None)
@given(
    mass=st.floats(0.1, 500.0),
    thresholds=st.lists(st.floats(0.5, 500.0), min_size=2, max_size=5, unique=True),
    k=st.integers(0, len(ALL_METHODS) - 1),
    clip=st.booleans(),
)
def test_zone_at_higher_threshold_lies_inside_zone_at_lower(mass, thresholds, k, clip):
    outline = Polygon([(-100, -8), (300, -8), (300, 8), (-100, 8)]) if clip else None
    zones = damage_zones(
        center=(10.0, 2.0),
        thresholds_kpa=thresholds,
        fuel=FUELS["propane"],
        mass_kg=mass,
        method=ALL_METHODS[k],
        room=ROOMS[1] if clip else None,
        outline=outline,
    )
    ordered = [zones[t] for t in sorted(thresholds)]
    for low, high in itertools.pairwise(ordered):
        assert high.difference(low).area <= 1e-9 * max(low.area, 1.0)
        assert high.area <= low.area + 1e-9


def test_drawn_severities_match_the_probabilities():
    n = 40_000
    p_f, p_s, p_i = np.full(n, 0.1), np.full(n, 0.3), np.full(n, 0.6)
    sev = draw_severity(p_fatal=p_f, p_serious=p_s, p_injured=p_i, rng=np.random.default_rng(3))
    frac = np.bincount(sev, minlength=4) / n
    assert frac == pytest.approx([0.4, 0.3, 0.2, 0.1], abs=0.01)
    again = draw_severity(p_fatal=p_f, p_serious=p_s, p_injured=p_i, rng=np.random.default_rng(3))
    assert np.array_equal(sev, again)


def test_harm_model_rejects_factors_outside_unit_interval():
    with pytest.raises(ValueError, match="collapse_fatality"):
        HarmModel(collapse_fatality=1.5)
