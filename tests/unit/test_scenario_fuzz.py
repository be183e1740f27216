"""Property tests: whatever malformed scenario the loader is given, only a ScenarioError (or a scenario) comes out.

Two kinds of input: (a) a valid scenario dict with random mutations (keys deleted or added, values replaced by
values of other types, lists cut, coordinates moved so polygons self-intersect or exits leave the walls),
given to :func:`sim.scenario_from_dict`; (b) random YAML text (random characters, edits of a valid file,
random structures dumped as YAML, random bytes) given to :func:`sim.load_scenario`.
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sim
from sim.errors import ScenarioError
from sim.scenario import Scenario

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BASE: dict[str, Any] = {
    "name": "Fuzz hall",
    "description": "two levels, a pillar, three doors",
    "calibration": "code",
    "levels": [
        {
            "id": "ground",
            "name": "Ground floor",
            "walkable": "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0), (14 7, 16 7, 16 8, 14 8, 14 7))",
            "obstacles": ["POLYGON ((9 4, 11 4, 11 6, 9 6, 9 4))"],
        },
        {"id": "annex", "walkable": [[0, 0], [8, 0], [8, 6], [0, 6]]},
    ],
    "exits": [
        {"id": "east", "level": "ground", "line": [[20, 4], [20, 6]]},
        {"id": "west", "level": "ground", "line": [[0, 3], [0, 5.2]]},
        {"id": "annex_door", "level": "annex", "line": [[8, 2], [8, 3.5]]},
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
            "level": "ground",
            "area": [[12, 1], [19, 1], [19, 6], [12, 6]],
            "count": 10,
            "premovement": {"dist": "weibull", "shape": 1.5, "scale": 20, "loc": 2, "max": 120},
        },
        {
            "id": "guests",
            "level": "annex",
            "area": "POLYGON ((1 1, 5 1, 5 5, 1 5, 1 1))",
            "count": 5,
            "premovement": 10,
        },
    ],
    "profiles": {
        "slow": {"speed": {"dist": "normal", "mean": 1.0, "sd": 0.2, "min": 0.4, "max": 1.6}, "radius": 0.22},
        "adult": {"speed": {"dist": "lognormal", "mean": 1.3, "sd": 0.2}},
    },
    "plans": [
        {"id": "A"},
        {"id": "B", "description": "east door locked", "close_exits": ["east"]},
        {"id": "C", "assign_exits": {"staff": ["east"], "visitors": "west"}},
    ],
    "simulation": {"dt": 0.05, "max_time": 600, "model": "csm", "grid_cell": 0.1, "record_interval": 1.0},
}

#: every key the scenario schema knows: random mappings built from these look almost right
KNOWN_KEYS = sorted(
    {
        "name", "description", "calibration", "levels", "exits", "populations", "profiles", "plans", "simulation",
        "id", "walkable", "obstacles", "level", "line", "area", "count", "profile", "premovement", "speed",
        "radius", "close_exits", "assign_exits", "dist", "value", "low", "high", "mean", "sd", "shape", "scale",
        "loc", "min", "max", "dt", "max_time", "model", "grid_cell", "exit_choice_interval", "record_interval",
        "trajectory_interval",
    }
)  # fmt: skip

WKT_GARBAGE = [
    "",
    " ",
    "POLYGON",
    "POLYGON ((",
    "POLYGON EMPTY",
    "POINT (1 1)",
    "POINT EMPTY",
    "LINESTRING (0 0, 20 0)",
    "LINEARRING (0 0, 20 0, 20 10, 0 0)",
    "MULTIPOLYGON (((0 0, 20 0, 20 10, 0 10, 0 0)))",
    "GEOMETRYCOLLECTION (POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0)))",
    "GEOMETRYCOLLECTION EMPTY",
    "POLYGON ((0 0, 20 10, 20 0, 0 10, 0 0))",
    "POLYGON ((0 0, 20 0, 20 10, 0 10))",
    "POLYGON ((0 0, 1 1, 0 0))",
    "POLYGON ((0 0, 20 0, 20 0, 0 0))",
    "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0), (0 0, 20 0, 20 10, 0 10, 0 0))",
    "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0), (30 30, 31 30, 31 31, 30 30))",
    "POLYGON Z ((0 0 1, 20 0 1, 20 10 1, 0 10 1, 0 0 1))",
    "POLYGON M ((0 0 1, 20 0 1, 20 10 1, 0 10 1, 0 0 1))",
    "POLYGON ZM ((0 0 1 2, 20 0 1 2, 20 10 1 2, 0 10 1 2, 0 0 1 2))",
    "SRID=4326;POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))",
    "POLYGON ((0 0, nan 0, 20 10, 0 10, 0 0))",
    "POLYGON ((0 0, inf 0, 20 10, 0 10, 0 0))",
    "POLYGON ((0 0, 1e400 0, 20 10, 0 10, 0 0))",
    "POLYGON ((-1e308 -1e308, 1e308 -1e308, 1e308 1e308, -1e308 1e308, -1e308 -1e308))",
    "POLYGON ((0 0, 1e-300 0, 1e-300 1e-300, 0 1e-300, 0 0))",
    "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0)) trailing",
    "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))\x00",
    "polygon ((0 0, 20 0, 20 10, 0 10, 0 0))",
    "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))",
    "POLYGON ((1 1, 8 1, 8 9, 1 9, 1 1))",
    "POLYGON ((9 4, 11 4, 11 6, 9 6, 9 4))",
    "POLYGON ((10 0, 10.5 0, 10.5 10, 10 10, 10 0))",
    "POLYGON ((-5 -5, 25 -5, 25 15, -5 15, -5 -5))",
    "0101000000000000000000F03F000000000000F03F",  # WKB hex of a point
]

EXTREME_NUMBERS = [
    0, -0.0, 1, -1, -0.5, 0.3, 2, 5e-324, -5e-324, 1e-300, 1e300, -1e300, 1.7976931348623157e308,
    10**400, -(10**400), 2**63, float("nan"), float("inf"), -float("inf"),
]  # fmt: skip


def _wkt_from(points: list[tuple[float, float]]) -> str:
    return "POLYGON ((" + ", ".join(f"{x!r} {y!r}" for x, y in points) + "))"


coordinate = st.one_of(
    st.integers(-30, 30),
    st.floats(-30, 30, allow_nan=False),
    st.sampled_from(EXTREME_NUMBERS),
)
wkt = st.one_of(
    st.sampled_from(WKT_GARBAGE),
    st.lists(st.tuples(coordinate, coordinate), max_size=7).map(_wkt_from),
    st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=7).map(lambda p: _wkt_from([*p, p[0]])),
    st.text(alphabet="POLYGNMZE ()0123456789.,-+einaf", max_size=40),
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(),
    st.sampled_from(EXTREME_NUMBERS),
    st.text(max_size=20),
    st.sampled_from(KNOWN_KEYS + ["ground", "annex", "east", "west", "visitors", "slow", "adult", "A", "B"]),
    wkt,
)
key = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8), st.integers(), st.none(), st.booleans(), st.floats())
garbage = st.recursive(
    scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(key, children, max_size=4),
        st.lists(st.lists(coordinate, max_size=3), max_size=6),  # coordinate lists, often of the wrong shape
    ),
    max_leaves=12,
)
# values that cannot be written as test data literally: built when the mutation is applied
SPECIALS = ["<self-referencing list>", "<self-referencing dict>", "<list nested 5000 deep>", "<tuple>"]


def _special(name: str) -> Any:
    if name == "<self-referencing list>":
        x: list[Any] = [1.0]
        x.append(x)
        return x
    if name == "<self-referencing dict>":
        d: dict[str, Any] = {"id": "loop"}
        d["line"] = d
        return d
    if name == "<list nested 5000 deep>":
        v: Any = [[0, 0], [1, 1]]
        for _ in range(5000):
            v = [v]
        return v
    return ((20, 4), (20, 6))  # a tuple where a list is expected: accepted like a list


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to the values in a nested structure of dicts and lists (the root is ``()``), 8 levels deep."""
    out = [prefix]
    if len(prefix) >= 8:  # stop in self-referencing and 5000-deep values
        return out
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        data = data[k]
    return data


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(data, path[:-1])[path[-1]] = value
    return data


NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


def _mutate(draw: Any, data: Any) -> Any:
    """Apply one random mutation to ``data`` (in place where possible); returns the new root."""
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    node = _get(data, path)
    op = draw(
        st.sampled_from(
            ["delete", "replace", "replace", "special", "add_key", "truncate", "duplicate", "geometry", "geometry",
             "reference", "swap"]
        )
    )  # fmt: skip
    if op == "delete" and path:
        parent = _get(data, path[:-1])
        del parent[path[-1]]
    elif op == "replace":
        data = _replace(data, path, draw(garbage))
    elif op == "special":
        data = _replace(data, path, _special(draw(st.sampled_from(SPECIALS))))
    elif op == "add_key" and isinstance(node, dict):
        node[draw(key)] = draw(garbage)
    elif op == "truncate" and isinstance(node, list):
        del node[draw(st.integers(0, len(node))) :]
    elif op == "duplicate" and isinstance(node, list) and node:
        node.append(node[draw(st.integers(0, len(node) - 1))])  # the same object twice: e.g. duplicate ids
    elif op == "swap" and isinstance(node, list) and len(node) >= 2:
        i, j = draw(st.integers(0, len(node) - 1)), draw(st.integers(0, len(node) - 1))
        node[i], node[j] = node[j], node[i]  # e.g. two corners: the polygon crosses itself
    elif op == "reference":
        # a plausible id in a reference field: often valid, sometimes naming something of the wrong kind
        names = ["ground", "annex", "east", "west", "annex_door", "visitors", "staff", "guests", "slow", "adult"]
        if isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(st.sampled_from(names))
        else:
            data = _replace(data, path, draw(st.one_of(st.sampled_from(names), st.lists(st.sampled_from(names)))))
    elif op == "geometry":
        data = _perturb_geometry(draw, data)
    return data


def _perturb_geometry(draw: Any, data: Any) -> Any:
    """Move one coordinate of a polygon or exit (off the walls, across edges, to extreme values)."""
    geoms = [
        p for p in _paths(data) if p and p[-1] in ("walkable", "area", "line") or (len(p) > 1 and p[-2] == "obstacles")
    ]
    if not geoms:
        return data
    path = draw(st.sampled_from(geoms))
    node = _get(data, path)
    new = draw(coordinate)
    if isinstance(node, str):
        numbers = list(NUMBER.finditer(node))
        if numbers:
            m = numbers[draw(st.integers(0, len(numbers) - 1))]
            node = node[: m.start()] + repr(new) + node[m.end() :]
        return _replace(data, path, node)
    if isinstance(node, list) and node and isinstance(node[0], list):
        point = node[draw(st.integers(0, len(node) - 1))]
        if isinstance(point, list) and point:
            point[draw(st.integers(0, len(point) - 1))] = new
    return data


@st.composite
def mutated_scenarios(draw: Any) -> Any:
    data: Any = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        data = _mutate(draw, data)
    return data


def _only_scenario_error(load: Any, *args: Any) -> Scenario | None:
    """Call the loader; a ScenarioError must be one line with a fix; anything else that is raised fails the test."""
    try:
        sc = load(*args)
    except ScenarioError as err:
        msg = str(err)
        assert len(msg.splitlines()) == 1, msg
        assert "fix:" in msg, msg
        assert len(msg) < 1000, msg
        return None
    # a scenario that passed validation keeps the promises of the schema
    assert isinstance(sc, Scenario)
    assert sc.levels and sc.exits and sc.populations
    level_ids = {lv.id for lv in sc.levels}
    assert all(e.level in level_ids and e.width >= 0.3 for e in sc.exits)
    assert all(p.level in level_ids and p.count >= 0 and p.profile in sc.profiles for p in sc.populations)
    assert all(lv.walkable.is_valid and lv.free_space.area > 0 for lv in sc.levels)
    assert all(math.isfinite(v) and v > 0 for v in (sc.simulation.dt, sc.simulation.max_time))
    exit_ids = {e.id for e in sc.exits}
    assert all(set(p.close_exits) <= exit_ids for p in sc.plans)
    return sc


def test_base_scenario_is_valid() -> None:
    """The fuzzers start from a valid scenario (else they would test nothing but the first check)."""
    sc = sim.scenario_from_dict(copy.deepcopy(BASE))
    assert sc.total_count == 75 and len(sc.plans) == 3 and len(sc.levels) == 2


@FUZZ
@given(mutated_scenarios())
def test_mutated_dicts_give_only_scenario_errors(data: Any) -> None:
    _only_scenario_error(sim.scenario_from_dict, data)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_mutations_that_keep_the_scenario_valid_still_load(data: st.DataObject) -> None:
    """Harmless mutations (a new description, fewer people) must not be rejected: the fuzz base is not brittle."""
    scenario = copy.deepcopy(BASE)
    scenario["description"] = data.draw(st.text(max_size=50))
    scenario["populations"][0]["count"] = data.draw(st.integers(0, 60))
    scenario["plans"] = scenario["plans"][: data.draw(st.integers(0, 3))]
    sc = _only_scenario_error(sim.scenario_from_dict, scenario)
    assert sc is not None


# -- (b) random YAML files -----------------------------------------------------------------------------------

VALID_TEXT = yaml.safe_dump(BASE, sort_keys=False, allow_unicode=True)
YAML_PIECES = [
    ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!", "!!python/object/apply:os.system ['true']",
    "!!int ", "!!float ", "!!binary ", "!!timestamp ", "!!set ", "!!omap ", "? ", "|", ">", "'", '"', "#", "%YAML 1.1",
    "---", "...", "\t", "\n", "  ", "<<: *a", ".nan", ".inf", "-.inf", "yes", "no", "~", "null", "0x1F", "0o17",
    "1_000", "190:20:30", "2020-13-45", "9" * 50, "\\", "\x00", "\x85", "\u2028", "\ufeff", "é",
]  # fmt: skip


@st.composite
def edited_yaml(draw: Any) -> str:
    """The valid file with a few random edits: text cut out, YAML syntax put in, lines moved or re-indented."""
    text = VALID_TEXT
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["cut", "insert", "insert", "indent", "duplicate_line"]))
        if op == "cut":
            text = text[:i] + text[i + draw(st.integers(1, 40)) :]
        elif op == "insert":
            piece = draw(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=10)))
            text = text[:i] + piece + text[i:]
        else:
            lines = text.split("\n")
            j = draw(st.integers(0, len(lines) - 1))
            if op == "indent":
                lines[j] = " " * draw(st.integers(0, 6)) + lines[j].lstrip(" ")
            else:
                lines.insert(j, lines[j])
            text = "\n".join(lines)
    return text


def _write_and_load(tmp_path: Path, content: str | bytes) -> None:
    path = tmp_path / "fuzzed.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    path.write_bytes(content)
    try:
        sim.load_scenario(path)
    except ScenarioError as err:
        msg = str(err)
        assert len(msg.splitlines()) == 1, msg
        assert "fuzzed.yaml" in msg and "fix:" in msg, msg


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(text=st.text(max_size=200))
def test_random_text_gives_only_scenario_errors(fuzz_dir: Path, text: str) -> None:
    _write_and_load(fuzz_dir, text)


@FUZZ
@given(text=edited_yaml())
def test_edited_yaml_gives_only_scenario_errors(fuzz_dir: Path, text: str) -> None:
    _write_and_load(fuzz_dir, text)


@FUZZ
@given(data=mutated_scenarios())
def test_dumped_structures_give_only_scenario_errors(fuzz_dir: Path, data: Any) -> None:
    """Random mutations of the scenario written as YAML (as a person would type them) and read back."""
    try:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, RecursionError):  # e.g. tuple keys or 5000-deep lists cannot be written as YAML
        assume(False)
    _write_and_load(fuzz_dir, text)


@FUZZ
@given(data=st.one_of(st.binary(max_size=200), st.binary(max_size=40).map(lambda b: VALID_TEXT.encode() + b)))
def test_random_bytes_give_only_scenario_errors(fuzz_dir: Path, data: bytes) -> None:
    _write_and_load(fuzz_dir, data)
