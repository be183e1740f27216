"""The coupling API the crowd engine calls at ignition: loads, severities, closed exits, zones and summaries."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from sim.hazard import assess_blast, hazard_blast, hazard_section, hazard_timeline, read_hazards
from sim.hazard.columns import P_FATAL, P_INJURED, P_SERIOUS, SEVERITY, X_M
from sim.scenario.fields import FieldReader
from sim.seeding import stream

CORRIDOR = Polygon([(0, 0), (200, 0), (200, 16), (0, 16)])
EXITS = {
    "near": (110.0, 16.0, "street"),
    "far": (0.0, 8.0, "street"),
    "upstairs": (100.0, 8.0, "mezzanine"),
}


def _hazard(**changes):
    raw = {
        "id": "kitchen",
        "fuel": "methane",
        "level": "street",
        "x": 100.0,
        "y": 8.0,
        "cloud": {"mass_kg": 5.0, "ignition_time_s": 300.0},
        "room": {"surface_m2": 180, "vent_area_m2": 12},
        "blast": {"method": "bst", "confinement": "1d", "congestion": "medium"},
        "close_above_kpa": 24.1,
    }
    raw.update(changes)
    raw = {k: v for k, v in raw.items() if v is not None}
    (h,) = read_hazards(FieldReader("t.yaml"), [raw], "hazards", level_ids={"street", "mezzanine"})
    return h


def _agents(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 200, n), rng.uniform(0, 16, n)


def test_loads_follow_distance_and_only_the_hazard_level_is_hit():
    h = _hazard()
    x, y = _agents()
    level = np.where(np.arange(x.size) % 4 == 0, "mezzanine", "street")
    out = assess_blast(h, x=x, y=y, level=level, exits=EXITS, rng=stream(1, "hazard"))
    upstairs = level == "mezzanine"
    assert np.all(out.overpressure_kpa[upstairs] == 0) and np.all(out.severity[upstairs] == 0)
    assert np.all(np.isnan(out.arrival_s[upstairs]))
    r = np.hypot(x - 100.0, y - 8.0)
    expected = hazard_blast(h, distance_m=r[~upstairs]).overpressure_kpa
    assert out.overpressure_kpa[~upstairs] == pytest.approx(expected)
    near, far = (~upstairs) & (r < 10), (~upstairs) & (r > 60)
    assert out.overpressure_kpa[near].min() > out.overpressure_kpa[far].max()
    assert out.probabilities[P_FATAL][near].mean() > out.probabilities[P_FATAL][far].mean()
    assert out.ignition_time_s == 300.0 and out.affected.sum() == (~upstairs).sum()


def test_exits_close_above_the_threshold_on_the_hazard_level_only():
    out = assess_blast(_hazard(), x=[1.0], y=[1.0], level=["street"], exits=EXITS, rng=stream(1, "hazard"))
    assert out.closed_exits == {"near"}
    assert out.exit_overpressure_kpa["near"] >= 24.1 > out.exit_overpressure_kpa["far"] > 0
    assert out.exit_overpressure_kpa["upstairs"] == 0.0
    # a higher closure threshold closes nothing
    high = assess_blast(
        _hazard(close_above_kpa=500), x=[1.0], y=[1.0], level=["street"], exits=EXITS, rng=stream(1, "hazard")
    )
    assert high.closed_exits == frozenset()


def test_severity_is_drawn_from_the_nested_probabilities_and_is_reproducible():
    h = _hazard()
    n = 20_000
    x, y = np.full(n, 104.0), np.full(n, 8.0)  # everyone at 4 m
    a = assess_blast(
        h, x=x, y=y, level=np.zeros(n, dtype=int), level_ids=("street",), exits={}, rng=stream(7, "hazard")
    )
    b = assess_blast(h, x=x, y=y, level=["street"] * n, exits={}, rng=stream(7, "hazard"))
    assert np.array_equal(a.severity, b.severity)
    pf, ps, pi = (float(a.probabilities[c][0]) for c in (P_FATAL, P_SERIOUS, P_INJURED))
    assert 0 < pf < ps < pi <= 1
    frac = np.bincount(a.severity, minlength=4) / n
    assert frac[3] == pytest.approx(pf, abs=0.015)
    assert frac[2] + frac[3] == pytest.approx(ps, abs=0.015)
    assert frac[1:].sum() == pytest.approx(pi, abs=0.015)
    assert np.array_equal(a.immobile, a.severity >= 2)
    c = assess_blast(h, x=x, y=y, level=["street"] * n, exits={}, rng=stream(8, "hazard"))
    assert not np.array_equal(a.severity, c.severity)


def test_agents_not_exposed_are_not_hurt():
    h = _hazard()
    x, y = np.full(10, 101.0), np.full(10, 8.0)
    exposed = np.arange(10) < 5
    out = assess_blast(h, x=x, y=y, level="street", exits={}, rng=stream(1, "hazard"), exposed=exposed)
    assert np.all(out.overpressure_kpa[~exposed] == 0) and np.all(out.overpressure_kpa[exposed] > 20)


def test_no_ignition_means_no_harm():
    h = dataclasses.replace(_hazard(), active=False)
    x, y = _agents(100)
    out = assess_blast(h, x=x, y=y, level="street", exits=EXITS, rng=stream(1, "hazard"))
    assert out.ignition_time_s is None and out.mass_kg == 0
    assert np.all(out.severity == 0) and out.closed_exits == frozenset() and not out.zones
    assert out.summary()["casualties"]["unharmed"] == 100


def test_zones_are_clipped_to_the_outline_and_hold_the_exposed_agents():
    h = _hazard()
    x, y = _agents(3000)
    out = assess_blast(h, x=x, y=y, level="street", exits=EXITS, rng=stream(2, "hazard"), outline=CORRIDOR)
    assert set(out.zones) == {6.9, 24.1, 55.2}
    for t, zone in out.zones.items():
        assert zone.difference(CORRIDOR).area < 1e-6
        inside = shapely.contains_xy(zone, x, y) if not zone.is_empty else np.zeros(x.size, bool)
        above = out.overpressure_kpa >= t
        # agents above the threshold are inside its zone (up to the polygon's chord error at the rim)
        assert np.mean(inside[above]) > 0.98 if above.any() else True
    assert out.closure_zone.equals(out.zones[24.1])


def test_summary_is_json_ready_and_counts_match():
    h = _hazard()
    x, y = _agents(1500)
    out = assess_blast(h, x=x, y=y, level="street", exits=EXITS, rng=stream(3, "hazard"), outline=CORRIDOR)
    s = json.loads(json.dumps(out.summary()))
    assert s["ignition_time_s"] == 300.0 and s["closed_exits"] == ["near"]
    assert sum(s["casualties"].values()) == 1500
    assert s["casualties"]["fatal"] == int((out.severity == 3).sum()) > 0
    assert len(s["immobile_casualties"]) == int((out.severity >= 2).sum())
    assert s["exposed_above_kpa"]["6.9"] >= s["exposed_above_kpa"]["24.1"] >= s["exposed_above_kpa"]["55.2"]
    assert set(s["exit_peak_overpressure_kpa"]) == set(EXITS)
    table = out.casualties()
    assert len(table) == int((out.severity >= 1).sum()) and table[SEVERITY].min() >= 1
    assert np.all(np.abs(table[X_M] - 100.0) < 200)


def test_hazard_section_combines_events():
    x, y = _agents(500)
    first = assess_blast(_hazard(), x=x, y=y, level="street", exits=EXITS, rng=stream(4, "hazard"))
    quiet = assess_blast(
        _hazard(id="other", cloud={"mass_kg": 0.5, "ignition_time_s": 900.0}, x=200.0, y=16.0),
        x=x,
        y=y,
        level="street",
        exits=EXITS,
        rng=stream(4, "hazard"),
    )
    section = hazard_section([first, quiet])
    assert section["ignition_time_s"] == 300.0
    assert section["closed_exits"] == ["near"]
    assert section["exit_peak_overpressure_kpa"]["far"] == pytest.approx(
        max(first.exit_overpressure_kpa["far"], quiet.exit_overpressure_kpa["far"]), abs=1e-3
    )
    worst = np.maximum(first.severity, quiet.severity)
    assert section["casualties"]["fatal"] == int((worst == 3).sum())
    assert sum(section["casualties"].values()) == 500
    assert [e["hazard"] for e in section["events"]] == ["kitchen", "other"]
    json.dumps(section)
    assert hazard_section([])["casualties"]["unharmed"] == 0


def test_leak_hazard_uses_the_mass_at_ignition():
    h = _hazard(
        cloud=None,
        room={"volume_m3": 144, "surface_m2": 180, "vent_area_m2": 12, "ventilation_ach": 1.5},
        leak={"hole": {"diameter_mm": 20, "pressure_kpa": 2.5}, "ignition_delay_s": 60},
    )
    alarm, ignition = hazard_timeline(h)
    out = assess_blast(h, x=[100.0], y=[12.0], level="street", exits={}, rng=stream(1, "hazard"))
    assert alarm is None and out.ignition_time_s == ignition
    assert 0.05 * 144 * 0.667 <= out.mass_kg <= 0.15 * 144 * 0.667
    assert "well-mixed" in out.summary()["note"]


def test_bad_arguments_raise_value_error():
    h = _hazard()
    with pytest.raises(ValueError, match="level_ids"):
        assess_blast(h, x=[1.0], y=[1.0], level=[0], exits={}, rng=stream(1, "hazard"))
    with pytest.raises(ValueError, match="same length"):
        assess_blast(h, x=[1.0, 2.0], y=[1.0], level="street", exits={}, rng=stream(1, "hazard"))
