"""Reading the response section and plan changes: what is accepted, and the one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.response.commands import load_response_section
from sim.response.config import apply_response_plan_changes, read_response, read_response_plan_changes
from sim.response.network import RoadNetwork, StraightLines
from sim.scenario.fields import FieldReader
from tests.unit.test_response_engine import config_of, section, write_network

ROOT = Path(__file__).resolve().parents[2]
RIVERSIDE = ROOT / "scenarios" / "districts" / "riverside_response.yaml"


def read(tmp_path: Path, raw):  # type: ignore[no-untyped-def]
    write_network(tmp_path)
    return read_response(FieldReader("s.yaml"), raw, "response", base_dir=tmp_path)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"stations": [{"id": "S", "kind": "fire", "node": "99", "teams": {"engine": 1}}]}, "station node is not in"),
        (
            {"incidents": [{"id": "I", "node": "Z", "tasks": [{"id": "t", "team": "engine", "duration": 1}]}]},
            "cannot be reached",
        ),
        (
            {"incidents": [{"id": "I", "node": "X", "tasks": [{"id": "t", "team": "foam", "duration": 1}]}]},
            "no station has this team type",
        ),
        ({"stations": [{"id": "S", "kind": "army", "node": "W", "teams": {"engine": 1}}]}, "not one of the allowed"),
        ({"travel": {"model": "fast"}}, "travel.model"),
        ({"network": {"graphml": "missing.graphml"}}, "file not found"),
        ({"colour": "red"}, "unknown key"),
        (
            {"incidents": [{"id": "I", "node": "X", "transport": {"team": "engine"}}]},
            "transport needs hospitals",
        ),
        (
            {
                "incidents": [
                    {
                        "id": "I",
                        "node": "X",
                        "tasks": [
                            {"id": "a", "team": "engine", "duration": 1, "after": ["b"]},
                            {"id": "b", "team": "engine", "duration": 1, "after": ["a"]},
                        ],
                    }
                ]
            },
            "circle",
        ),
        ({"stations": [{"id": "S", "kind": "fire", "xy": [9000, 9000], "teams": {"engine": 1}}]}, "nearest road node"),
    ],
)
def test_bad_section_is_one_line_naming_the_field(tmp_path, change, message):
    with pytest.raises(ScenarioError) as info:
        read(tmp_path, section(**change))
    text = str(info.value)
    assert message in text and "\n" not in text
    assert text.startswith("s.yaml: response")


def test_xy_snaps_to_the_nearest_node_and_defaults_apply(tmp_path):
    raw = section(stations=[{"id": "S", "kind": "fire", "xy": [990, 580], "teams": {"engine": 2}}])
    config = read(tmp_path, raw)
    s = config.stations[0]
    assert s.place.node == "N" and s.teams == {"engine": 2}
    assert s.turnout.mean == 60.0  # default turnout [s]
    assert isinstance(config.geography, RoadNetwork)
    assert {t.id for t in config.targets} == {"fire_5min", "ems_12min"}
    assert config.redispatch_returning is True


def test_without_a_network_straight_lines_times_detour_over_speed(tmp_path):
    raw = section(
        network={"detour_factor": 1.417, "speed_kph": 36},
        stations=[{"id": "S", "kind": "fire", "xy": [0, 0], "teams": {"engine": 1}, "turnout": 0}],
        incidents=[{"id": "I", "xy": [300, 400], "tasks": [{"id": "t", "team": "engine", "duration": 10}]}],
    )
    config = read(tmp_path, raw)
    assert isinstance(config.geography, StraightLines)
    route = config.geography.route(config.stations[0].place, config.incidents[0].place)
    assert route.length_m == pytest.approx(500 * 1.417) and route.time_s == pytest.approx(500 * 1.417 / 10)


def test_plan_changes_move_add_and_recount(tmp_path):
    config = config_of(tmp_path, section())
    reader = FieldReader("s.yaml")
    raw = {
        "move_stations": {"SN": {"node": "E"}},
        "add_stations": [{"id": "S3", "kind": "fire", "node": "X", "teams": {"engine": 1}}],
        "team_counts": {"SW": {"engine": 3}},
    }
    changed = apply_response_plan_changes(config, read_response_plan_changes(reader, raw, "plans[1].response", config))
    assert changed.station("SN").place.node == "E"
    assert changed.station("S3").place.node == "X"
    assert changed.station("SW").teams == {"engine": 3}
    assert config.station("SW").teams == {"engine": 1}  # the base is untouched
    with pytest.raises(ScenarioError, match="no station has this team type"):
        read_response_plan_changes(reader, {"remove_stations": ["SW", "SN"]}, "plans[1].response", config)
    with pytest.raises(ScenarioError, match="unknown station"):
        read_response_plan_changes(reader, {"team_counts": {"Q": {"engine": 1}}}, "plans[1].response", config)
    with pytest.raises(ScenarioError, match="no teams left"):
        read_response_plan_changes(reader, {"team_counts": {"SW": {"engine": 0}}}, "plans[1].response", config)


def test_riverside_file_and_its_plans():
    base = load_response_section(RIVERSIDE)  # the first plan, 'base'
    kinds = [s.kind for s in base.stations]
    assert kinds.count("fire") >= 3 and kinds.count("ems") >= 2
    assert {"gas_utility", "police"} <= set(kinds)
    assert len(base.incidents) == 2 and len(base.hospitals) >= 2
    closer = load_response_section(RIVERSIDE, "closer_station")
    assert len(closer.stations) == len(base.stations) + 1
    assert closer.station("F2").place != base.station("F2").place
    more = load_response_section(RIVERSIDE, "more_ambulances")
    n_amb = sum(s.teams.get("ambulance", 0) for s in more.stations)
    assert n_amb == sum(s.teams.get("ambulance", 0) for s in base.stations) + 4
    with pytest.raises(ScenarioError, match="no such plan"):
        load_response_section(RIVERSIDE, "nope")


def test_package_docstring_example_runs():
    import sim.response

    doc = sim.response.__doc__ or ""
    code = doc.split("::", 1)[1].split("With the crowd engine")[0]
    namespace: dict = {}
    exec(compile("\n".join(line[4:] for line in code.splitlines()), "<docstring>", "exec"), namespace)
    assert namespace["result"].finished and namespace["config"].incidents[0].id == "metro_gas_fire"
