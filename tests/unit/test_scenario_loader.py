"""Tests for sim.scenario.loader: a valid scenario loads; every kind of bad input gives one ScenarioError line.

Each bad-input test writes a YAML file, loads it with :func:`sim.load_scenario` and checks that the error is
one line naming the file, the field, the value received and the fix.
"""

from __future__ import annotations

import copy
import math
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import sim
from sim.errors import GeometryError, ScenarioError, format_value

# A small single-level hall: a pillar in the middle, two doors, two populations, three plans.
VALID: dict[str, Any] = {
    "name": "Test hall",
    "description": "A 20 m x 10 m hall with a pillar and two doors.",
    "calibration": "empirical",
    "levels": [
        {
            "id": "ground",
            "walkable": "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))",
            "obstacles": ["POLYGON ((9 4, 11 4, 11 6, 9 6, 9 4))"],
        }
    ],
    "exits": [
        {"id": "east", "level": "ground", "line": [[20, 4], [20, 6]]},
        {"id": "west", "line": [[0, 3], [0, 5.2]]},
    ],
    "populations": [
        {
            "id": "visitors",
            "level": "ground",
            "area": "POLYGON ((1 1, 8 1, 8 9, 1 9, 1 1))",
            "count": 60,
            "profile": "slow",
            "premovement": {"dist": "uniform", "low": 5, "high": 30},
        },
        {
            "id": "staff",
            "area": [[12, 1], [19, 1], [19, 9], [12, 9]],
            "count": 10,
            "premovement": {"dist": "lognormal", "mean": 20, "sd": 5, "loc": 2},
        },
    ],
    "profiles": {"slow": {"speed": {"dist": "normal", "mean": 1.0, "sd": 0.2, "min": 0.4, "max": 1.6}, "radius": 0.22}},
    "plans": [
        {"id": "A"},
        {"id": "B", "description": "east door locked", "close_exits": ["east"]},
        {"id": "C", "assign_exits": {"staff": ["east"], "visitors": "west"}},
    ],
    "simulation": {"dt": 0.05, "max_time": 600},
}

# A vertical wall from the floor's south edge to its north edge: the hall falls apart into two rooms.
SPLITTING_WALL = "POLYGON ((10 0, 10.5 0, 10.5 10, 10 10, 10 0))"


def _valid() -> dict[str, Any]:
    return copy.deepcopy(VALID)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def _with(*changes: tuple[tuple[Any, ...], Any]) -> dict[str, Any]:
    """A copy of VALID with each (path, value) set."""
    data = _valid()
    for path, value in changes:
        _set(data, path, value)
    return data


def _without(path: tuple[Any, ...]) -> dict[str, Any]:
    data = _valid()
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return data


def _write(tmp_path: Path, data: Any, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _load_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(path)
    return info.value


def _assert_message(err: ScenarioError, path: Path, field: str, value: str | None) -> str:
    """One line naming file, field, value and fix."""
    msg = str(err)
    assert len(msg.splitlines()) == 1, msg
    assert path.name in msg, msg
    assert err.file == str(path)
    assert field in msg, msg
    if value is not None:
        assert value in msg, msg
    assert "fix:" in msg, msg
    assert "Traceback" not in msg
    return msg


# -- a valid scenario ---------------------------------------------------------------------------------------


def test_valid_scenario_loads(tmp_path: Path) -> None:
    """The loaded objects carry the file's values (and the defaults for what the file leaves out)."""
    path = _write(tmp_path, _valid())
    sc = sim.load_scenario(path)
    assert sc.name == "Test hall"
    assert sc.source == str(path)
    assert len(sc.sha256) == 64
    assert [e.id for e in sc.exits] == ["east", "west"]
    assert sc.exits[0].width == pytest.approx(2.0)
    assert sc.exits[1].width == pytest.approx(2.2)
    assert sc.exits[1].level == "ground"  # the only level is the default
    assert [p.count for p in sc.populations] == [60, 10]
    assert sc.total_count == 70
    assert sc.populations[1].profile == "adult"  # built-in default
    assert sc.profiles["slow"].speed.mean == pytest.approx(1.0)
    assert sc.profiles["slow"].radius == pytest.approx(0.22)
    assert sc.profiles["adult"].speed.mean == pytest.approx(1.34)
    assert sc.populations[0].premovement.mean == pytest.approx(17.5)
    assert sc.plan("B").close_exits == ("east",)
    assert sc.plan("A").close_exits == ()
    assert dict(sc.plan("C").assign_exits) == {"staff": ("east",), "visitors": ("west",)}
    assert sc.plan(None).id == "A"
    assert sc.simulation.dt == pytest.approx(0.05)
    assert sc.simulation.max_time == pytest.approx(600.0)
    assert sc.simulation.grid_cell == pytest.approx(0.1)  # default
    assert sc.simulation.routing == "shortest"  # default
    assert sc.level("ground").free_space.area == pytest.approx(200.0 - 4.0)


def test_valid_scenario_from_dict_matches_file(tmp_path: Path) -> None:
    """Loading the file and validating the same data in code give the same scenario (bar source and hash)."""
    from_file = sim.load_scenario(_write(tmp_path, _valid()))
    from_dict = sim.scenario_from_dict(_valid())
    assert from_dict.source == "<dict>"
    assert from_dict.name == from_file.name
    assert from_dict.exits == from_file.exits
    assert [p.count for p in from_dict.populations] == [p.count for p in from_file.populations]
    assert from_dict.plans == from_file.plans


def test_yaml_merge_keys_are_allowed(tmp_path: Path) -> None:
    """YAML merge keys (``<<: *anchor``) are data, not duplicates."""
    text = yaml.safe_dump(_valid(), sort_keys=False)
    text = text.replace(
        "simulation:\n",
        "defaults: &sim_defaults\n  dt: 0.1\n  max_time: 900\nsimulation:\n  <<: *sim_defaults\n",
        1,
    )
    # 'defaults' is not a valid top-level key: an anchor in an unknown key is still an unknown key
    err = _load_error(_write(tmp_path, text))
    assert "defaults" in str(err) and "valid keys are" in str(err)
    text = (
        yaml.safe_dump(_valid(), sort_keys=False)
        .replace("plans:\n", "plans:\n- &base_plan\n  id: base\n  description: all doors open\n", 1)
        .replace("- id: A\n", "- <<: *base_plan\n  id: A\n", 1)
    )
    sc = sim.load_scenario(_write(tmp_path, text))
    assert sc.plan("A").description == "all doors open"


# -- bad inputs: one line naming file, field, value and fix --------------------------------------------------

BAD_INPUTS = [
    # id, scenario data, field, part of the value
    pytest.param(
        _with((("levels", 0, "walkable"), "POLYGON ((0 0, 20 0, 20")),
        "levels[0].walkable",
        "POLYGON ((0 0, 20 0",
        id="invalid-wkt-truncated",
    ),
    pytest.param(
        _with((("levels", 0, "walkable"), "SQUARE (0 0, 20 10)")), "levels[0].walkable", "SQUARE", id="invalid-wkt-word"
    ),
    pytest.param(_with((("levels", 0, "walkable"), "")), "levels[0].walkable", "''", id="invalid-wkt-empty"),
    pytest.param(
        _with((("levels", 0, "walkable"), "POLYGON ((0 0, 20 0, 20 10, 0 0))\nPOINT (1 1)")),
        "levels[0].walkable",
        "POLYGON",
        id="invalid-wkt-two-geometries",
    ),
    pytest.param(
        _with((("levels", 0, "walkable"), "LINESTRING (0 0, 20 0)")),
        "levels[0].walkable",
        "LINESTRING",
        id="wkt-not-polygon",
    ),
    pytest.param(
        _with((("levels", 0, "walkable"), "POLYGON ((0 0, 20 10, 20 0, 0 10, 0 0))")),
        "levels[0].walkable",
        "POLYGON ((0 0, 20 10",
        id="self-intersecting-walkable",
    ),
    pytest.param(
        _with((("populations", 1, "area"), [[12, 1], [19, 9], [19, 1], [12, 9]])),
        "populations[1].area",
        "[[12, 1], [19, 9]",
        id="self-intersecting-area-list",
    ),
    pytest.param(
        _with((("levels", 0, "obstacles"), ["POLYGON ((9 4, 11 6, 11 4, 9 6, 9 4))"])),
        "levels[0].obstacles[0]",
        "POLYGON ((9 4, 11 6",
        id="self-intersecting-obstacle",
    ),
    pytest.param(
        _with(
            (
                ("levels", 0, "walkable"),
                "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0), (15 5, 18 5, 18 8, 15 8, 15 5), "
                "(15 5, 17 5, 17 7, 15 7, 15 5))",
            )
        ),
        "levels[0].walkable",
        "POLYGON",
        id="overlapping-holes",
    ),
    pytest.param(
        _with((("levels", 0, "walkable"), "POLYGON ((0 0, 20 0, 20 0, 0 0))")),
        "levels[0].walkable",
        "POLYGON",
        id="zero-area",
    ),
    pytest.param(
        _with((("levels", 0, "walkable"), "POLYGON ((0 0, 1e400 0, 20 10, 0 10, 0 0))")),
        "levels[0].walkable",
        "1e400",
        id="wkt-infinite-coordinate",
    ),
    pytest.param(
        _with((("levels", 0, "walkable"), "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0), (5 5, nan 5, 6 6, 5 5))")),
        "levels[0].walkable",
        "nan",
        id="wkt-nan-in-hole",
    ),
    pytest.param(
        _with((("levels", 0, "obstacles", 0), "POLYGON ((30 4, 31 4, 31 6, 30 6, 30 4))")),
        "levels[0].obstacles[0]",
        "POLYGON ((30 4",
        id="obstacle-outside-walkable",
    ),
    pytest.param(
        _with((("exits", 0, "line"), [[15, 4], [15, 6]])), "exits[0].line", "[[15, 4], [15, 6]]", id="exit-inside-floor"
    ),
    pytest.param(
        _with((("exits", 0, "line"), [[20, 9], [20, 12]])),
        "exits[0].line",
        "[[20, 9], [20, 12]]",
        id="exit-half-off-boundary",
    ),
    pytest.param(
        _with((("exits", 0, "line"), [[25, 4], [25, 6]])),
        "exits[0].line",
        "[[25, 4], [25, 6]]",
        id="exit-outside-floor",
    ),
    pytest.param(
        _with((("exits", 0, "line"), [[0, 0], [20, 10]])), "exits[0].line", "[[0, 0], [20, 10]]", id="exit-across-floor"
    ),
    pytest.param(_with((("exits", 0, "line"), [[20, 4]])), "exits[0].line", "[[20, 4]]", id="exit-one-point"),
    pytest.param(
        _with((("exits", 0, "line"), [[20, 4], [20, 4.1]])),
        "exits[0].line",
        "[[20, 4], [20, 4.1]]",
        id="exit-too-narrow",
    ),
    pytest.param(
        _with((("populations", 0, "area"), "POLYGON ((15 5, 25 5, 25 9, 15 9, 15 5))")),
        "populations[0].area",
        "POLYGON ((15 5, 25 5",
        id="population-area-outside-walkable",
    ),
    pytest.param(
        _with((("populations", 0, "area"), "POLYGON ((30 30, 35 30, 35 35, 30 35, 30 30))")),
        "populations[0].area",
        "POLYGON ((30 30",
        id="population-area-far-away",
    ),
    pytest.param(_with((("populations", 0, "count"), 5000)), "populations[0].count", "5000", id="population-too-many"),
    pytest.param(
        _with(
            (("populations", 1, "area"), "POLYGON ((9.2 4.2, 10.8 4.2, 10.8 5.8, 9.2 5.8, 9.2 4.2))"),
            (("populations", 1, "count"), 1),
        ),
        "populations[1].count",
        "1",
        id="population-area-inside-obstacle",
    ),
    pytest.param(_with((("exit",), [])), "exit", "'exit'", id="unknown-top-level-key"),
    pytest.param(_with((("populations", 0, "cout"), 3)), "populations[0].cout", "'cout'", id="unknown-nested-key"),
    pytest.param(
        _with((("populations", 0, "premovement", "hgih"), 3)),
        "populations[0].premovement.hgih",
        "'hgih'",
        id="unknown-dist-key",
    ),
    pytest.param(
        _with((("simulation", "timestep"), 0.1)), "simulation.timestep", "'timestep'", id="unknown-simulation-key"
    ),
    pytest.param(_without(("exits",)), "exits", None, id="missing-exits"),
    pytest.param(_without(("levels", 0, "walkable")), "levels[0].walkable", None, id="missing-walkable"),
    pytest.param(_with((("populations", 0, "count"), -3)), "populations[0].count", "-3", id="negative-count"),
    pytest.param(
        _with((("populations", 0, "count"), "many")), "populations[0].count", "'many'", id="non-numeric-count"
    ),
    pytest.param(_with((("populations", 0, "count"), 2.5)), "populations[0].count", "2.5", id="fractional-count"),
    pytest.param(_with((("populations", 0, "count"), True)), "populations[0].count", "True", id="boolean-count"),
    pytest.param(_with((("simulation", "dt"), True)), "simulation.dt", "True", id="boolean-dt"),
    pytest.param(_with((("simulation", "routing"), "fastest")), "simulation.routing", "'fastest'", id="bad-routing"),
    pytest.param(
        _with((("simulation", "routing_interval"), 0)), "simulation.routing_interval", "0", id="zero-routing-interval"
    ),
    pytest.param(_with((("simulation", "dt"), -0.05)), "simulation.dt", "-0.05", id="negative-dt"),
    pytest.param(
        _with((("simulation", "max_time"), "ten minutes")), "simulation.max_time", "'ten minutes'", id="text-max-time"
    ),
    pytest.param(_with((("simulation", "max_time"), float("nan"))), "simulation.max_time", "nan", id="nan-max-time"),
    pytest.param(
        _with((("populations", 0, "premovement", "high"), float("inf"))),
        "populations[0].premovement.high",
        "inf",
        id="inf-premovement",
    ),
    pytest.param(
        _with((("populations", 0, "premovement", "low"), -5)),
        "populations[0].premovement.low",
        "-5",
        id="negative-premovement",
    ),
    pytest.param(
        _with((("populations", 0, "premovement", "high"), 1)),
        "populations[0].premovement.high",
        "1",
        id="uniform-high-below-low",
    ),
    pytest.param(
        _with((("populations", 0, "premovement"), -10)),
        "populations[0].premovement",
        "-10",
        id="negative-fixed-premovement",
    ),
    pytest.param(
        _with((("populations", 0, "premovement", "dist"), "poisson")),
        "populations[0].premovement.dist",
        "'poisson'",
        id="unknown-dist",
    ),
    pytest.param(_with((("profiles", "slow", "radius"), -0.2)), "profiles.slow.radius", "-0.2", id="negative-radius"),
    pytest.param(_with((("profiles", "slow", "speed", "sd"), 0)), "profiles.slow.speed.sd", "0", id="zero-speed-sd"),
    pytest.param(_with((("profiles", "slow", "speed"), "fast")), "profiles.slow.speed", "'fast'", id="text-speed"),
    pytest.param(
        _with((("profiles", "slow", "speed"), {"dist": "weibull", "shape": 0.001, "scale": 1.0})),
        "profiles.slow.speed",
        "weibull",
        id="speed-mean-overflows",
    ),
    pytest.param(
        _with((("exits", 0, "line", 1, 0), "twenty")), "exits[0].line[1][0]", "'twenty'", id="text-coordinate"
    ),
    pytest.param(
        _with((("exits", 0, "line", 1, 0), 10**400)), "exits[0].line[1][0]", "1000000", id="huge-int-coordinate"
    ),
    pytest.param(
        _with((("populations", 1, "area"), [[12, 1], [1e300, 1], [1e300, 1e300], [12, 9]])),
        "populations[1].area",
        "1e+300",
        id="huge-coordinates",
    ),
    pytest.param(_with((("calibration",), "exact")), "calibration", "'exact'", id="unknown-calibration"),
    pytest.param(
        _with((("populations", 0, "profile"), "fast")), "populations[0].profile", "'fast'", id="unknown-profile"
    ),
    pytest.param(_with((("exits", 0, "level"), "first_floor")), "exits[0].level", "'first_floor'", id="unknown-level"),
    pytest.param(_with((("exits", 1, "id"), "east")), "exits[1].id", "'east'", id="duplicate-exit-id"),
    pytest.param(_with((("exits", 1, "id"), "west door")), "exits[1].id", "'west door'", id="id-with-space"),
    pytest.param(
        _with((("plans", 1, "close_exits"), ["north"])), "plans[1].close_exits[0]", "'north'", id="unknown-closed-exit"
    ),
    pytest.param(
        _with((("plans", 2, "assign_exits"), {"visitors": ["east"], "guests": ["west"]})),
        "plans[2].assign_exits.guests",
        "'guests'",
        id="unknown-assigned-population",
    ),
    pytest.param(
        _with((("plans", 2, "assign_exits"), {"visitors": []})),
        "plans[2].assign_exits.visitors",
        "[]",
        id="empty-assignment",
    ),
    pytest.param(
        _with((("plans", 1, "assign_exits"), {"visitors": ["east"]})),
        "plans[1].assign_exits.visitors",
        "'east'",
        id="assigns-closed-exit",
    ),
    pytest.param(_with((("levels",), [])), "levels", "[]", id="no-levels"),
    pytest.param(_with((("populations",), {"id": "x"})), "populations", "{'id': 'x'}", id="populations-not-a-list"),
    pytest.param(_with((("levels", 0), "ground")), "levels[0]", "'ground'", id="level-not-a-mapping"),
    pytest.param(_with((("name",), ["a", "b"])), "name", "['a', 'b']", id="name-not-text"),
]


@pytest.mark.parametrize(("data", "field", "value"), BAD_INPUTS)
def test_bad_input_gives_one_line(tmp_path: Path, data: dict[str, Any], field: str, value: str | None) -> None:
    path = _write(tmp_path, data, name="hall_bad.yaml")
    err = _load_error(path)
    _assert_message(err, path, field, value)
    assert err.field is not None and err.field.startswith(field)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param(
            _with((("levels", 0, "walkable"), "POLYGON ((0 0, 20 10, 20 0, 0 10, 0 0))")),
            "levels[0].walkable",
            id="bowtie",
        ),
        pytest.param(_with((("exits", 0, "line"), [[15, 4], [15, 6]])), "exits[0].line", id="exit-off-boundary"),
        pytest.param(_with((("levels", 0, "walkable"), "POLYGON ((0 0")), "levels[0].walkable", id="bad-wkt"),
    ],
)
def test_geometry_errors_are_geometry_errors(tmp_path: Path, data: dict[str, Any], field: str) -> None:
    err = _load_error(_write(tmp_path, data))
    assert isinstance(err, GeometryError)
    assert err.field == field


def test_self_intersection_names_the_reason(tmp_path: Path) -> None:
    path = _write(tmp_path, _with((("levels", 0, "walkable"), "POLYGON ((0 0, 20 10, 20 0, 0 10, 0 0))")))
    assert "Self-intersection" in str(_load_error(path))


def test_exit_off_boundary_says_how_far(tmp_path: Path) -> None:
    path = _write(tmp_path, _with((("exits", 0, "line"), [[15, 4], [15, 6]])))
    msg = str(_load_error(path))
    assert "not on the walkable boundary" in msg and "4 m off" in msg  # from the pillar at x = 11


def test_unknown_key_lists_the_valid_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, _with((("populations", 0, "cout"), 3)))
    msg = str(_load_error(path))
    assert "unknown key" in msg
    for key in ("id", "level", "area", "count", "profile", "premovement"):
        assert key in msg.split("valid keys are:")[1]
    top = str(_load_error(_write(tmp_path, _with((("exit",), [])), name="top.yaml")))
    assert "valid keys are: name, description, calibration, levels, exits, connectors, populations" in top


def test_too_small_area_gives_capacity(tmp_path: Path) -> None:
    path = _write(tmp_path, _with((("populations", 0, "count"), 5000)))
    msg = str(_load_error(path))
    assert "too small" in msg and "count <=" in msg


def test_count_at_capacity_loads_and_one_more_fails(tmp_path: Path) -> None:
    """The capacity quoted in the message is the real limit."""
    msg = str(_load_error(_write(tmp_path, _with((("populations", 0, "count"), 5000)))))
    capacity = int(msg.rsplit("count <= ", 1)[1].split()[0].rstrip(";"))
    assert 60 < capacity < 5000
    sc = sim.scenario_from_dict(_with((("populations", 0, "count"), capacity)))
    assert sc.populations[0].count == capacity
    with pytest.raises(ScenarioError, match=r"populations\[0\]\.count"):
        sim.scenario_from_dict(_with((("populations", 0, "count"), capacity + 1)))


# -- reachability ---------------------------------------------------------------------------------------------


def _split_hall(exits: list[dict[str, Any]], area: str | None = None) -> dict[str, Any]:
    """The hall cut in two by a wall from south to north; visitors on the west side."""
    data = _with((("levels", 0, "obstacles"), [SPLITTING_WALL]), (("exits",), exits), (("plans",), [{"id": "A"}]))
    if area is not None:
        data["populations"][0]["area"] = area
    return data


def test_exit_unreachable_behind_a_wall(tmp_path: Path) -> None:
    """A wall splits the floor; the only exit is on the other side from the visitors."""
    path = _write(tmp_path, _split_hall([{"id": "east", "line": [[20, 4], [20, 6]]}]))
    err = _load_error(path)
    msg = _assert_message(err, path, "populations[0]", "POLYGON ((1 1")
    assert "visitors" in msg and "cannot reach" in msg


def test_exit_unreachable_without_plans(tmp_path: Path) -> None:
    data = _split_hall([{"id": "east", "line": [[20, 4], [20, 6]]}])
    del data["plans"]
    path = _write(tmp_path, data)
    err = _load_error(path)
    _assert_message(err, path, "populations[0]", "POLYGON ((1 1")


def test_split_hall_with_an_exit_on_each_side_loads() -> None:
    sc = sim.scenario_from_dict(
        _split_hall([{"id": "east", "line": [[20, 4], [20, 6]]}, {"id": "west", "line": [[0, 3], [0, 5]]}])
    )
    assert sc.level("ground").free_space.geom_type == "MultiPolygon"


def test_population_straddling_the_wall_needs_an_exit_on_both_sides(tmp_path: Path) -> None:
    """People placed on the side with no exit could never get out, even if the other side has one."""
    path = _write(
        tmp_path,
        _split_hall([{"id": "east", "line": [[20, 4], [20, 6]]}], area="POLYGON ((1 1, 19 1, 19 9, 1 9, 1 1))"),
    )
    err = _load_error(path)
    _assert_message(err, path, "populations[0]", "POLYGON ((1 1, 19 1")


def test_plan_closing_the_only_reachable_exit(tmp_path: Path) -> None:
    data = _with((("plans", 1, "close_exits"), ["east", "west"]))
    path = _write(tmp_path, data)
    err = _load_error(path)
    msg = _assert_message(err, path, "plans[1]", "'east', 'west'")
    assert "cannot reach" in msg


def test_plan_closing_the_exit_on_the_population_side(tmp_path: Path) -> None:
    data = _split_hall(
        [{"id": "east", "line": [[20, 4], [20, 6]]}, {"id": "west", "line": [[0, 3], [0, 5]]}],
    )
    data["populations"][1]["area"] = "POLYGON ((12 1, 19 1, 19 9, 12 9, 12 1))"
    data["plans"] = [{"id": "A"}, {"id": "B", "close_exits": ["west"]}]
    path = _write(tmp_path, data)
    err = _load_error(path)
    msg = _assert_message(err, path, "plans[1]", "'west'")
    assert "visitors" in msg


def test_plan_assigning_an_exit_behind_the_wall(tmp_path: Path) -> None:
    data = _split_hall(
        [{"id": "east", "line": [[20, 4], [20, 6]]}, {"id": "west", "line": [[0, 3], [0, 5]]}],
    )
    data["populations"][1]["area"] = "POLYGON ((12 1, 19 1, 19 9, 12 9, 12 1))"
    data["plans"] = [{"id": "A", "assign_exits": {"visitors": ["east"]}}]
    path = _write(tmp_path, data)
    err = _load_error(path)
    _assert_message(err, path, "plans[0].assign_exits.visitors", "'east'")


def test_population_of_zero_needs_no_exit() -> None:
    data = _split_hall([{"id": "east", "line": [[20, 4], [20, 6]]}])
    data["populations"][0]["count"] = 0
    sc = sim.scenario_from_dict(data)
    assert sc.total_count == 10


# -- the file itself -------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "no_such_scenario.yaml"
    err = _load_error(path)
    msg = str(err)
    assert len(msg.splitlines()) == 1
    assert "no_such_scenario.yaml" in msg and "fix:" in msg


def test_directory_instead_of_file(tmp_path: Path) -> None:
    err = _load_error(tmp_path)
    assert str(tmp_path) in str(err) and "fix:" in str(err)


def test_path_with_nul_byte(tmp_path: Path) -> None:
    err = _load_error(Path(str(tmp_path / "bad\x00name.yaml")))
    assert len(str(err).splitlines()) == 1 and "fix:" in str(err)


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    text = "name: hall\nlevels:\n  - id: ground\n    walkable: [unclosed\nexits: []\n"
    path = _write(tmp_path, text)
    msg = str(_load_error(path))
    assert len(msg.splitlines()) == 1
    assert path.name in msg and "not valid YAML" in msg and "fix:" in msg
    assert "line 5, column" in msg


def test_yaml_bad_indentation_gives_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: hall\n  levels: 3\n")
    msg = str(_load_error(path))
    assert "line 2, column" in msg and "fix:" in msg


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    text = yaml.safe_dump(_valid(), sort_keys=False).replace("  count: 60\n", "  count: 60\n  count: 70\n", 1)
    path = _write(tmp_path, text)
    msg = str(_load_error(path))
    assert len(msg.splitlines()) == 1
    assert path.name in msg and "duplicate key 'count'" in msg and "fix:" in msg
    line = text.splitlines().index("  count: 70") + 1
    assert f"line {line}, column 3" in msg


def test_duplicate_top_level_keys_are_rejected(tmp_path: Path) -> None:
    text = yaml.safe_dump(_valid(), sort_keys=False) + "name: Other hall\n"
    assert "duplicate key 'name'" in str(_load_error(_write(tmp_path, text)))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("? !!set {a}\n: 1\n", id="set-as-key"),
        pytest.param("? [a, b]\n: 1\n", id="list-as-key"),
        pytest.param("? {a: 1}\n: 1\n", id="mapping-as-key"),
    ],
)
def test_unhashable_keys_are_rejected(tmp_path: Path, text: str) -> None:
    msg = str(_load_error(_write(tmp_path, text)))
    assert "not valid YAML" in msg and "line 1" in msg and "fix:" in msg


def test_scenario_files_are_never_evaluated(tmp_path: Path) -> None:
    """A Python tag is an error, and the command it names never runs."""
    marker = tmp_path / "pwned"
    text = f"!!python/object/apply:os.system ['touch {marker}']\n"
    err = _load_error(_write(tmp_path, text))
    assert "python/object/apply:os.system" in str(err) and "fix:" in str(err)
    assert not marker.exists()
    text = f"name: !!python/object/apply:subprocess.call [['touch', '{marker}']]\n"
    _load_error(_write(tmp_path, text, name="nested.yaml"))
    assert not marker.exists()
    _load_error(_write(tmp_path, "name: !!python/name:os.system\n", name="name.yaml"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("", "got None", id="empty-file"),
        pytest.param("# only a comment\n", "got None", id="only-comment"),
        pytest.param("- a\n- b\n", "['a', 'b']", id="list-document"),
        pytest.param("just text\n", "'just text'", id="scalar-document"),
        pytest.param("a: 1\n---\nb: 2\n", "not valid YAML", id="two-documents"),
        pytest.param("name: hall\nid: a\x00\n", "line 2, column 6: not valid YAML", id="nul-character"),
        pytest.param("when: 2020-13-45\n", "2020-13-45", id="impossible-date"),
        pytest.param("count: !!int many\n", "many", id="bad-int-tag"),
        pytest.param("count: !!float many\n", "many", id="bad-float-tag"),
        pytest.param("when: !!timestamp noon\n", "cannot read 'noon' as timestamp", id="bad-timestamp-tag"),
        pytest.param("ok: !!bool maybe\n", "cannot read 'maybe' as bool", id="bad-bool-tag"),
        pytest.param("count: !!int ''\n", "cannot read '' as int", id="empty-int-tag"),
        pytest.param("levels: !!map ground\n", "line 1, column 9", id="scalar-tagged-map"),
        pytest.param("levels: !!omap [1]\n", "ordered map", id="bad-omap"),
        pytest.param("count: " + "9" * 5000 + "\n", "not valid YAML", id="5000-digit-integer"),
        pytest.param("data: !!binary abc\n", "base64", id="bad-binary"),
        pytest.param("a: *nowhere\n", "not valid YAML", id="unknown-alias"),
        pytest.param("&a {x: *a}\n", "not valid YAML", id="recursive-mapping"),
        pytest.param("[" * 5000 + "]" * 5000 + "\n", "nested too deeply", id="deep-lists"),
        pytest.param("{a: " * 3000 + "1" + "}" * 3000 + "\n", "nested too deeply", id="deep-mappings"),
    ],
)
def test_malformed_yaml_documents(tmp_path: Path, text: str, fragment: str) -> None:
    path = _write(tmp_path, text)
    msg = str(_load_error(path))
    assert len(msg.splitlines()) == 1, msg
    assert path.name in msg and fragment in msg and "fix:" in msg


def test_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Caf\u00e9\n".encode("latin-1"))
    msg = str(_load_error(path))
    assert "UTF-8" in msg and "latin1.yaml" in msg


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + yaml.safe_dump(_valid()).encode("utf-8"))
    assert sim.load_scenario(path).name == "Test hall"


def test_yaml_booleans_and_special_floats(tmp_path: Path) -> None:
    """YAML 1.1 spellings: 'yes' is a boolean, '.nan' / '.inf' are floats; none is a valid number here."""
    base = yaml.safe_dump(_valid(), sort_keys=False)
    for spelling, field in (
        ("yes", "simulation.dt"),
        (".nan", "simulation.dt"),
        (".inf", "simulation.dt"),
        ("-.inf", "simulation.dt"),
    ):
        path = _write(tmp_path, base.replace("  dt: 0.05\n", f"  dt: {spelling}\n"), name="special.yaml")
        msg = str(_load_error(path))
        assert field in msg and "fix:" in msg, (spelling, msg)


def test_billion_laughs_is_quick(tmp_path: Path) -> None:
    """Nested aliases expand exponentially when printed: the error message must stay short and quick."""
    anchors = ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    anchors += [f"&a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    rest = {k: v for k, v in _valid().items() if k not in ("name", "description")}
    text = f"description: [{', '.join(anchors)}]\nname: *a9\n" + yaml.safe_dump(rest, sort_keys=False)
    start = time.perf_counter()
    err = _load_error(_write(tmp_path, text))
    assert time.perf_counter() - start < 5.0
    assert err.field == "name" and "must be text" in str(err)
    assert len(str(err)) < 400


def test_deeply_nested_value_in_a_dict() -> None:
    """Values nested deeper than Python's recursion limit still give a ScenarioError."""
    value: Any = 1
    for _ in range(50_000):
        value = [value]
    data = _with((("name",), value))
    with pytest.raises(ScenarioError, match="name"):
        sim.scenario_from_dict(data)


# -- format_value and ScenarioError ------------------------------------------------------------------------------


def test_format_value_is_short_and_one_line() -> None:
    assert format_value("a\nb") == "'a\\nb'"
    assert len(format_value("x" * 1000)) == 60
    assert format_value("x" * 1000).startswith("'xxx") and format_value("x" * 1000).endswith("...")
    nested: list[Any] = []
    nested.append(nested)
    assert format_value(nested).startswith("[")
    assert format_value(float("nan")) == "nan"


def test_scenario_error_fields() -> None:
    err = ScenarioError("must be >= 0", file="a.yaml", field="populations[0].count", value=-1, fix="give a count")
    assert str(err) == "a.yaml: populations[0].count: must be >= 0 (got -1); fix: give a count"
    assert isinstance(err, ValueError) and isinstance(err, sim.SimError)
    assert (err.file, err.field, err.value, err.fix) == ("a.yaml", "populations[0].count", -1, "give a count")
    assert "\n" not in str(ScenarioError("two\nlines", field="x\ny", value="v\nw", fix="f\ng"))


# -- Scenario.scaled -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("agents", [1, 2, 7, 35, 70, 71, 1000, 12345])
def test_scaled_keeps_total_and_proportions(agents: int) -> None:
    sc = sim.scenario_from_dict(_valid())
    scaled = sc.scaled(agents)
    counts = [p.count for p in scaled.populations]
    assert sum(counts) == agents == scaled.total_count
    for p, c in zip(sc.populations, counts, strict=True):
        exact = p.count * agents / sc.total_count
        assert math.floor(exact) <= c <= math.ceil(exact)
    # everything else is unchanged
    assert scaled.exits == sc.exits and scaled.plans == sc.plans and scaled.levels == sc.levels
    assert [p.id for p in scaled.populations] == [p.id for p in sc.populations]
    assert sc.total_count == 70  # the original is untouched


def test_scaled_three_way_split_is_exact() -> None:
    data = _valid()
    data["populations"].append({"id": "crew", "area": "POLYGON ((12 1, 19 1, 19 4, 12 4, 12 1))", "count": 10})
    sc = sim.scenario_from_dict(data)  # 60 : 10 : 10
    assert [p.count for p in sc.scaled(8).populations] == [6, 1, 1]
    assert [p.count for p in sc.scaled(160).populations] == [120, 20, 20]
    assert [p.count for p in sc.scaled(10).populations] == [8, 1, 1]
    assert sum(p.count for p in sc.scaled(11).populations) == 11


def test_scaled_rejects_zero_agents() -> None:
    sc = sim.scenario_from_dict(_valid())
    with pytest.raises(ScenarioError, match="--agents"):
        sc.scaled(0)
