"""Compliance, the district report, the ``drillsim shelters`` verb and the shelter figures."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.figures.shelter import figure_shelter_loads, figure_shelter_map
from sim.cli import main
from sim.shelter import columns as C
from sim.shelter.assignment import compute_assignment, compute_shelter_loads
from sim.shelter.compliance import compute_capacity_compliance, compute_zone_compliance
from sim.shelter.config import load_district
from sim.shelter.coverage import compute_coverage
from sim.shelter.report import format_report, shelter_report
from sim.shelter.schema import REQUIRED_ZONES
from sim.shelter.tables import shelter_table

from .test_shelter_config import SMALL, write

DISTRICT = Path(__file__).resolve().parents[2] / "scenarios" / "districts" / "riverside_shelters.yaml"


def test_zone_compliance_lists_what_each_class_lacks():
    sh = pd.DataFrame(
        {
            C.SHELTER_ID: ["e", "c", "f"],
            C.CLASS: ["emergency", "central", "fixed_long_term"],
            C.ZONES: [
                ("rest_area", "supply_point"),
                REQUIRED_ZONES["fixed_long_term"],
                REQUIRED_ZONES["fixed_long_term"],
            ],
        }
    )
    out = compute_zone_compliance(shelters=sh).set_index(C.SHELTER_ID)
    assert out.loc["e", C.MISSING_ZONES] == ("entrances_passages",)
    assert out.loc["c", C.MISSING_ZONES] == ("command", "parking", "water_source", "helipad")
    assert out[C.COMPLIANT].tolist() == [False, False, True]


def test_capacity_share_against_the_required_share():
    sh = pd.DataFrame({C.CLASS: ["emergency", "fixed_short_term", "central"], C.CAPACITY: [500, 100, 50]})
    out = compute_capacity_compliance(shelters=sh, total_persons=1000, required_fixed_share=0.15).set_index(C.GROUP)
    assert out.loc["fixed", C.SHARE] == pytest.approx(0.15) and out.loc["fixed", C.COMPLIANT]
    assert out.loc["all", C.SHARE] == pytest.approx(0.65)
    short = compute_capacity_compliance(shelters=sh, total_persons=1001).set_index(C.GROUP)
    assert not short.loc["fixed", C.COMPLIANT]


def test_report_on_a_small_district(tmp_path):
    config = load_district(write(tmp_path, SMALL))
    r = shelter_report(config, plan=None, site_k=1, aggregate_m=None)
    assert r["population"] == 105 and r["shelters_open"] == 2 and r["capacity_persons"] == 240
    # every point is within 5 km of the central shelter; only (100, 100) lies within 400 m of a shelter
    assert r["coverage"]["euclidean"]["any"]["covered_fraction"] == 1.0
    assert r["coverage"]["euclidean"]["emergency"]["covered_persons"] == 70  # (100,100) and (500,500)
    assert r["assignment"]["assigned_persons"] == 105 and r["assignment"]["over_capacity_persons"] == 0
    assert r["compliance"]["missing_zones"]["a"] == ["supply_point", "entrances_passages"]
    # emergency tier: only site s1 reaches anyone not yet covered, the 5 persons at (120, 880)
    siting = r["siting"]
    assert siting["maximal_covering"]["exact"]["sites"] == ["s1"]
    assert siting["maximal_covering"]["exact"]["added_covered_persons"] == 5
    assert siting["set_cover"]["exact"]["sites"] == ["s1"] and siting["coverable_fraction"] == pytest.approx(
        75 / 105, abs=1e-4
    )
    text = format_report(r)
    assert "coverage" in text and "assignment" in text and "compliance" in text and "siting" in text
    json.dumps(r, allow_nan=False)  # plain JSON: no NaN or infinity


def test_cli_json_on_the_shipped_district(capsys):
    assert main(["shelters", str(DISTRICT), "--plan", "B", "--site", "2", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    r = json.loads(out)
    assert r["plan"] == "B" and r["shelters_open"] == 27
    assert set(r["coverage"]) == {"euclidean", "network"}
    assert r["assignment"]["distance_kind"] == "network"
    loads = r["assignment"]["shelters"]
    assert all(s["load_persons"] <= s["capacity_persons"] for s in loads)
    s = r["siting"]
    assert s["maximal_covering"]["exact"]["covered_fraction"] >= s["maximal_covering"]["greedy"]["covered_fraction"]
    assert s["set_cover"]["exact"]["n_sites"] <= s["set_cover"]["greedy"]["n_sites"]
    assert s["maximal_covering"]["gap"] >= 0


def test_cli_text_output(tmp_path, capsys):
    assert main(["shelters", str(write(tmp_path, SMALL)), "--plan", "B"]) == 0
    out = capsys.readouterr().out
    assert "(plan B)" in out and "compliance" in out and "s1" in out


def test_figures(tmp_path):
    config = load_district(write(tmp_path, SMALL))
    sh = shelter_table(config)
    cov = compute_coverage(population=config.population, shelters=sh.assign(**{C.SERVICE_DISTANCE_M: 100.0}))
    fig = figure_shelter_map(coverage=cov, shelters=sh)
    names = [t.name for t in fig.data]
    assert names[0] == "population" and "uncovered" in names and {"emergency", "central"} <= set(names)
    assert len(fig.layout.shapes) == len(sh)  # one service circle per shelter
    unc = next(t for t in fig.data if t.name == "uncovered")
    assert len(unc.x) == int((~cov[C.COVERED]).sum())
    loads = compute_shelter_loads(flows=compute_assignment(population=config.population, shelters=sh), shelters=sh)
    bars = figure_shelter_loads(loads=loads)
    assert [t.name for t in bars.data] == ["capacity", "load"]
    assert list(bars.data[0].y) == sorted(sh[C.CAPACITY], reverse=True)


def test_venue_evacuees_become_demand_in_the_report(tmp_path):
    from sim.shelter.config import add_venue_demand

    config = load_district(write(tmp_path, SMALL))
    x, y = config.venues["hall"]
    r = shelter_report(add_venue_demand(config, x=x, y=y, persons=300), aggregate_m=None)
    assert r["population"] == 405
    # the hall is 70 m from the central shelter (capacity 200), which fills up: the rest is over capacity
    loads = {s["id"]: s["load_persons"] for s in r["assignment"]["shelters"]}
    assert loads["c"] == 200 and r["assignment"]["over_capacity_persons"] == pytest.approx(405 - 240)
