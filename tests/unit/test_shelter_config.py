"""Reading districts, scenario ``shelters:`` sections and plan changes; bad input gives one line and exit 2."""

from __future__ import annotations

import copy
import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario.fields import FieldReader
from sim.shelter import columns as C
from sim.shelter.config import (
    add_venue_demand,
    apply_shelter_plan_changes,
    load_district,
    load_shelters_file,
    read_shelter_plan_changes,
    read_shelters,
)
from sim.shelter.schema import DEFAULT_PER_PERSON_AREA_M2, SHELTER_CLASSES
from sim.shelter.tables import shelter_table

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = ROOT / "scenarios" / "districts" / "riverside_shelters.yaml"

# A 1 km x 1 km district with four population points, three shelters and two candidate sites.
SMALL: dict[str, Any] = {
    "name": "Small",
    "extent": [0, 0, 1000, 1000],
    "population": {"points": [[100, 100, 50], [900, 900, 30], [500, 500, 20], [120, 880, 5]]},
    "per_person_area": {"emergency": 1.0},
    "service_distance": {"emergency": 400},
    "venues": {"hall": [500, 520]},
    "shelters": [
        {"id": "a", "location": [150, 150], "class": "emergency", "area": 40, "zones": ["rest_area"]},
        {"id": "b", "location": [850, 850], "class": "fixed_short_term", "area": 100, "open": False},
        {"id": "c", "location": [500, 450], "class": "central", "area": 900, "kind": "park"},
    ],
    "candidate_sites": [
        {"id": "s1", "location": [150, 850], "class": "emergency", "area": 30},
        {"id": "s2", "location": [850, 150], "class": "emergency", "area": 30},
    ],
    "plans": [{"id": "A"}, {"id": "B", "open": ["b"], "close": ["a"], "add_sites": ["s1"]}],
}


def write(tmp_path: Path, data: dict[str, Any], name: str = "district.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_shipped_district_has_the_promised_size_and_variety():
    config = load_district(DISTRICT)
    assert len(config.population) >= 10_000
    assert len(config.shelters) >= 20 and len(config.candidate_sites) >= 30
    assert len({s.shelter_class for s in config.shelters}) >= 4
    assert config.network is not None and config.network.x.size > 1000
    assert config.extent == (0.0, 0.0, 4000.0, 3000.0)
    assert config.venues["metro_station"] == (1800.0, 1500.0)
    assert {p.id for p in config.plans} == {"A", "B", "C"}
    for f in DISTRICT.parent.glob("riverside_*"):
        if f.name.startswith(("riverside_population", "riverside_walk", "riverside_shelters")):
            assert f.stat().st_size < 2_000_000, f
    # nobody lives in the river (the band around the generator's centre line)
    gen = _generator()
    pop = config.population
    assert not np.any(gen.in_river(pop.x, pop.y) & (pop.persons > 0))


def _generator() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_riverside_shelters", DISTRICT.parent / "make_riverside_shelters.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic_and_matches_the_shipped_grid():
    gen = _generator()
    a = gen.make_population(np.random.default_rng(gen.SEED))
    b = gen.make_population(np.random.default_rng(gen.SEED))
    assert a.equals(b)
    shipped = load_district(DISTRICT).population
    assert len(a) == len(shipped) and float(a["persons"].sum()) == shipped.total


def test_defaults_overrides_and_capacity(tmp_path):
    config = load_district(write(tmp_path, SMALL))
    assert config.per_person_area_m2["emergency"] == 1.0  # overridden
    assert config.per_person_area_m2["central"] == DEFAULT_PER_PERSON_AREA_M2["central"]  # default kept
    assert config.service_distance_m["emergency"] == 400 and config.service_distance_m["central"] == 5000
    table = shelter_table(config, include_closed=True).set_index(C.SHELTER_ID)
    assert table.loc["a", C.CAPACITY] == 40 and table.loc["c", C.CAPACITY] == 200  # 900 / 4.5
    assert not table.loc["b", C.OPEN]
    assert list(shelter_table(config)[C.SHELTER_ID]) == ["a", "c"]
    assert config.population.total == 105


def test_grid_population_from_npz_and_csv_gz(tmp_path):
    x, y, p = np.array([12.5, 37.5]), np.array([12.5, 12.5]), np.array([3.0, 4.0])
    np.savez(tmp_path / "pop.npz", x_m=x, y_m=y, persons=p)
    with gzip.open(tmp_path / "pop.csv.gz", "wt") as fh:
        fh.write("x_m,y_m,persons\n12.5,12.5,3\n37.5,12.5,4\n")
    for name in ("pop.npz", "pop.csv.gz"):
        data = copy.deepcopy(SMALL)
        data["population"] = {"grid": name, "cell_size": 25}
        config = load_district(write(tmp_path, data))
        assert config.population.total == 7 and config.population.cell_size_m == 25


def test_pickled_npz_is_refused(tmp_path):
    np.savez(tmp_path / "pop.npz", x_m=np.array([{"a": 1}], dtype=object), y_m=[1.0], persons=[1.0])
    data = copy.deepcopy(SMALL)
    data["population"] = {"grid": "pop.npz", "cell_size": 25}
    with pytest.raises(ScenarioError, match="population.grid: cannot read the data file"):
        load_district(write(tmp_path, data))


def test_network_from_graphml(tmp_path):
    import networkx as nx

    g = nx.Graph()
    g.add_node("p", x=0.0, y=0.0)
    g.add_node("q", x=300.0, y=400.0)
    g.add_edge("p", "q", length=700.0)
    g.add_edge("q", "r")
    g.nodes["r"].update(x=300.0, y=0.0)
    nx.write_graphml(g, tmp_path / "walk.graphml")
    data = copy.deepcopy(SMALL)
    data["network"] = {"graphml": "walk.graphml"}
    net = load_district(write(tmp_path, data)).network
    assert net is not None
    lengths = dict(zip(zip(net.node_ids[net.u], net.node_ids[net.v], strict=True), net.length_m, strict=True))
    assert lengths[("p", "q")] == 700.0  # given
    assert lengths[("q", "r")] == pytest.approx(400.0)  # straight line when not given


def test_scenario_section_references_the_district_and_overrides(tmp_path):
    reader = FieldReader(str(tmp_path / "scenario.yaml"))
    section = {
        "district": str(DISTRICT),
        "venue": "metro_station",
        "service_distance": {"emergency": 600},
        "walking_speed": 1.0,
    }
    config = read_shelters(reader, section, "shelters", base_dir=tmp_path)
    assert config.venue == "metro_station"
    assert config.service_distance_m["emergency"] == 600 and config.service_distance_m["central"] == 5000
    assert config.walking_speed_m_s == 1.0 and len(config.shelters) >= 20


def test_scenario_section_inline_with_a_point_venue(tmp_path):
    data = copy.deepcopy(SMALL)
    del data["plans"]
    data["venue"] = [400, 400]
    config = read_shelters(FieldReader("s.yaml"), data, "shelters", base_dir=tmp_path)
    assert config.venue == "venue" and config.venues["venue"] == (400.0, 400.0)


def test_plan_changes_open_close_and_add_sites(tmp_path):
    config = load_district(write(tmp_path, SMALL))
    changed = apply_shelter_plan_changes(config, config.plan("B"))
    assert {s.id for s in changed.open_shelters} == {"b", "c", "s1"}
    assert [s.id for s in changed.candidate_sites] == ["s2"]
    reader = FieldReader("scenario.yaml")
    extra = {"add_shelters": [{"id": "new", "location": [10, 10], "class": "emergency", "area": 5}], "close": ["c"]}
    plan = read_shelter_plan_changes(reader, extra, "plans[0].shelters", config, plan_id="X")
    after = apply_shelter_plan_changes(config, plan)
    assert {s.id for s in after.open_shelters} == {"a", "new"}


def test_add_venue_demand(tmp_path):
    config = load_district(write(tmp_path, SMALL))
    more = add_venue_demand(config, x=500.0, y=520.0, persons=1234)
    assert more.population.total == config.population.total + 1234
    assert (more.population.x[-1], more.population.y[-1]) == (500.0, 520.0)
    assert config.population.total == 105  # the original is untouched
    with pytest.raises(ScenarioError, match="off the map"):
        add_venue_demand(config, x=5000.0, y=10.0, persons=1)
    with pytest.raises(ScenarioError, match="persons"):
        add_venue_demand(config, x=5.0, y=10.0, persons=-1)


def test_scenario_file_with_plan_via_cli(tmp_path, capsys):
    district = write(tmp_path, SMALL)
    scenario = {
        "name": "hall",
        "levels": [],
        "shelters": {"district": district.name},
        "plans": [{"id": "A"}, {"id": "Z", "shelters": {"close": ["a"], "add_sites": ["s2"]}}],
    }
    path = write(tmp_path, scenario, "scenario.yaml")
    config = load_shelters_file(path, plan="Z")
    assert {s.id for s in config.open_shelters} == {"c", "s2"}
    assert {s.id for s in load_shelters_file(path, plan="A").open_shelters} == {"a", "c"}
    assert main(["shelters", str(path), "--plan", "Z", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and '"shelters_open": 2' in out


def _district_with(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(SMALL)
    mutate(data)
    return write(tmp_path, data)


BAD = [
    (lambda d: d["shelters"][0].update({"class": "bunker"}), "shelters[0].class", "bunker"),
    (lambda d: d["shelters"][1].update({"area": -5}), "shelters[1].area", "must be > 0"),
    (lambda d: d["shelters"][2].update({"location": [1500, 200]}), "shelters[2].location", "off the map"),
    (lambda d: d["plans"][1].update({"close": ["nowhere"]}), "plans[1].close[0]", "unknown shelter"),
    (lambda d: d["candidate_sites"][0].update({"location": [-1, 5]}), "candidate_sites[0].location", "off the map"),
    (lambda d: d["shelters"][0].update({"zones": ["spa"]}), "shelters[0].zones[0]", "spa"),
    (lambda d: d["per_person_area"].update({"emergency": 0}), "per_person_area.emergency", "must be > 0"),
    (lambda d: d.update({"service_distance": {"bunker": 3}}), "service_distance.bunker", "unknown key"),
    (lambda d: d["population"].update({"points": [[100, 100, -3]]}), "population.points[0][2]", ">= 0"),
    (lambda d: d["population"].update({"points": [[5000, 100, 3]]}), "population.points", "off the map"),
    (lambda d: d.update({"population": {"grid": "missing.csv.gz", "cell_size": 25}}), "population.grid", "not found"),
    (lambda d: d["shelters"].append(dict(d["shelters"][0])), "shelters[3].id", "duplicate"),
    (lambda d: d.update({"colour": "red"}), "colour", "unknown key"),
]


@pytest.mark.parametrize(("mutate", "field", "text"), BAD)
def test_bad_district_is_one_line_and_exit_2(tmp_path, capsys, mutate, field, text):
    path = _district_with(tmp_path, mutate)
    assert main(["shelters", str(path)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert captured.out == ""
    assert err.count("\n") == 0 and "Traceback" not in err
    assert str(path) in err and field in err and text in err and "fix:" in err


def test_unknown_plan_and_unknown_shelter_in_scenario_plan_exit_2(tmp_path, capsys):
    district = write(tmp_path, SMALL)
    assert main(["shelters", str(district), "--plan", "Q"]) == 2
    err = capsys.readouterr().err
    assert "no such plan" in err and "A, B" in err
    scenario = {
        "levels": [],
        "shelters": {"district": district.name},
        "plans": [{"id": "P", "shelters": {"open": ["zz"]}}],
    }
    path = write(tmp_path, scenario, "scenario.yaml")
    assert main(["shelters", str(path), "--plan", "P"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "plans[0].shelters.open[0]" in err and "unknown shelter" in err and "'zz'" in err


def test_not_yaml_and_missing_file_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("shelters: [unclosed\n", encoding="utf-8")
    assert main(["shelters", str(bad)]) == 2
    assert "not valid YAML" in capsys.readouterr().err
    assert main(["shelters", str(tmp_path / "none.yaml")]) == 2
    assert "cannot read the file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:  # argparse: K >= 1
        main(["shelters", str(bad), "--site", "0"])
    assert exc.value.code == 2 and "--site" in capsys.readouterr().err


def test_every_class_has_defaults():
    from sim.shelter.schema import DEFAULT_SERVICE_DISTANCE_M, REQUIRED_ZONES

    for cls in SHELTER_CLASSES:
        assert DEFAULT_PER_PERSON_AREA_M2[cls] > 0 and DEFAULT_SERVICE_DISTANCE_M[cls] > 0 and REQUIRED_ZONES[cls]
