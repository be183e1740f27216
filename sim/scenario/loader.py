"""Load scenario files (YAML) into validated, frozen :class:`~sim.scenario.schema.Scenario` objects.

Scenario files are data: they are parsed with ``yaml.safe_load`` semantics (plus a check against duplicate
keys) and never evaluated. Every problem is reported as one :class:`~sim.errors.ScenarioError` line that
names the file, the field, the value and the fix. Unknown keys are errors that list the valid keys.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from shapely.geometry import LineString, Point

from sim.distributions import DISTRIBUTION_PARAMS, Distribution
from sim.errors import ScenarioError, format_value
from sim.scenario.fields import FieldReader, key_name
from sim.scenario.schema import (
    BUILTIN_PROFILES,
    Exit,
    Level,
    Plan,
    Population,
    Profile,
    Scenario,
    SimulationSettings,
)

__all__ = ["load_scenario", "scenario_from_dict", "TOP_LEVEL_KEYS"]

#: Top-level sections a scenario file may have. Later engines add theirs here.
TOP_LEVEL_KEYS = (
    "name",
    "description",
    "calibration",
    "levels",
    "exits",
    "populations",
    "profiles",
    "plans",
    "simulation",
)
CALIBRATIONS = ("empirical", "code")
MODELS = ("csm",)
#: Tolerance [m] for "lies on the boundary".
ON_BOUNDARY_TOL = 1e-3


_MERGE_TAG = "tag:yaml.org,2002:merge"


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate keys instead of silently keeping the last one.

    Scalars that match a YAML type but cannot be converted (``2020-13-45``, ``!!int many``,
    ``!!timestamp noon``, an integer of 5000 digits) become :class:`yaml.constructor.ConstructorError` with
    their place in the file, like every other YAML error, instead of escaping as ``ValueError``,
    ``AttributeError``, ``KeyError``... from inside PyYAML's converters.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[no-untyped-call]
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # noqa: BLE001 - any converter failure means: this value is not of its type
            tag = node.tag.rsplit(":", 1)[-1]
            why = f" ({exc})" if isinstance(exc, (ValueError, OverflowError)) else ""  # else PyYAML internals
            value = node.value if isinstance(node, yaml.ScalarNode) else f"<{type(node).__name__}>"
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {format_value(value)} as {tag}{why}", node.start_mark
            ) from None


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    if not isinstance(node, yaml.MappingNode):  # e.g. '!!map text': the base constructor reports it
        return loader.construct_mapping(node, deep=deep)
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:  # '<<: *anchor' merges another mapping: the base constructor does it
            continue
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:  # a list, set or mapping as a key: the base constructor reports it
            break
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {format_value(key)}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_distribution(ctx: FieldReader, value: Any, field: str, *, min_value: float, unit: str) -> Distribution:
    """A distribution: a bare number means ``fixed``; otherwise ``{dist: ..., <params>, min, max}``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Distribution.fixed(ctx.number(value, field, min=min_value, unit=unit))
    if not isinstance(value, Mapping) or "dist" not in value:
        ctx.fail(
            field,
            "must be a number or a distribution mapping with 'dist'",
            value,
            "write e.g. {dist: uniform, low: 10, high: 60}",
        )
    kind = ctx.choice(value["dist"], f"{field}.dist", tuple(DISTRIBUTION_PARAMS))
    required, optional = DISTRIBUTION_PARAMS[kind]
    data = ctx.mapping(value, field, ("dist", *required, *optional, "min", "max"), ("dist", *required))
    params: dict[str, float] = {}
    for k in (*required, *optional):
        if k in data:
            positive = k in ("sd", "shape", "scale") or (kind == "lognormal" and k == "mean")
            lo = 0.0 if positive else (min_value if k in ("value", "low", "loc") else None)
            params[k] = ctx.number(data[k], f"{field}.{k}", min=lo, strict_min=positive, unit=unit)
    if kind == "uniform" and params["high"] < params["low"]:
        ctx.fail(f"{field}.high", "must be >= low", data["high"], f"give high >= {params['low']:g}")
    lo_b = ctx.number(data["min"], f"{field}.min", min=min_value, unit=unit) if "min" in data else None
    hi_b = ctx.number(data["max"], f"{field}.max", min=min_value, unit=unit) if "max" in data else None
    if lo_b is not None and hi_b is not None and hi_b < lo_b:
        ctx.fail(f"{field}.max", "must be >= min", data["max"], f"give max >= {lo_b:g}")
    if kind == "normal" and lo_b is None and min_value == 0.0:
        lo_b = 0.0  # a time or speed cannot be negative: truncate the normal at 0
    return Distribution(dist=kind, params=MappingProxyType(params), min=lo_b, max=hi_b)


def _read_level(ctx: FieldReader, raw: Any, field: str) -> Level:
    d = ctx.mapping(raw, field, ("id", "name", "walkable", "obstacles"), ("id", "walkable"))
    walkable = ctx.polygon(d["walkable"], f"{field}.walkable")
    obstacles = []
    for j, o in enumerate(ctx.seq(d.get("obstacles", []), f"{field}.obstacles")):
        f = f"{field}.obstacles[{j}]"
        poly = ctx.polygon(o, f)
        if not poly.within(walkable.buffer(ON_BOUNDARY_TOL)):
            ctx.geometry_fail(
                f, "obstacle is not inside the walkable polygon", o, "move it inside the level's 'walkable' polygon"
            )
        obstacles.append(poly)
    if "name" in d:
        ctx.text(d["name"], f"{field}.name")
    level = Level(id=ctx.ident(d["id"], f"{field}.id"), walkable=walkable, obstacles=tuple(obstacles))
    if level.free_space.area <= 0:
        ctx.geometry_fail(
            f"{field}.obstacles", "obstacles cover the whole walkable area", fix="make the obstacles smaller"
        )
    return level


def _read_exit(ctx: FieldReader, raw: Any, field: str, levels: Mapping[str, Level]) -> Exit:
    d = ctx.mapping(raw, field, ("id", "level", "line"), ("id", "line"))
    if "level" not in d and len(levels) != 1:
        ctx.fail(
            f"{field}.level", "missing required key (the scenario has several levels)", fix="add 'level: <level id>'"
        )
    level_id = ctx.ref(d.get("level", next(iter(levels))), f"{field}.level", levels, "level")
    pts = ctx.seq(d["line"], f"{field}.line")
    if len(pts) != 2:
        ctx.geometry_fail(
            f"{field}.line", "an exit must be a segment of two points", d["line"], "give [[x1, y1], [x2, y2]]"
        )
    p1, p2 = (ctx.point(p, f"{field}.line[{i}]") for i, p in enumerate(pts))
    seg = LineString([p1, p2])
    if seg.length < 0.3:
        ctx.geometry_fail(
            f"{field}.line", "exit is narrower than 0.3 m", d["line"], "give the two ends of the door opening"
        )
    boundary = levels[level_id].free_space.boundary
    if not boundary.buffer(ON_BOUNDARY_TOL).contains(seg):
        off = max(
            boundary.distance(Point(p1)),
            boundary.distance(Point(p2)),
            boundary.distance(seg.interpolate(0.5, normalized=True)),
        )
        ctx.geometry_fail(
            f"{field}.line",
            f"exit is not on the walkable boundary of level '{level_id}' (up to {off:.3g} m off)",
            d["line"],
            "put both ends on the same wall of the walkable polygon",
        )
    return Exit(id=ctx.ident(d["id"], f"{field}.id"), level=level_id, line=(p1, p2))


def _read_profile(ctx: FieldReader, name: str, raw: Any, field: str) -> Profile:
    d = ctx.mapping(raw, field, ("speed", "radius"), ("speed",))
    speed = _read_distribution(ctx, d["speed"], f"{field}.speed", min_value=0.0, unit="m/s")
    if not 0 < speed.mean < math.inf:
        ctx.fail(
            f"{field}.speed",
            "mean speed must be a positive, finite number",
            d["speed"],
            "give a free walking speed around 1.34 m/s",
        )
    radius = ctx.number(d.get("radius", 0.2), f"{field}.radius", min=0.05, max=1.0, unit="m")
    return Profile(id=name, speed=speed, radius=radius)


def _read_population(
    ctx: FieldReader, raw: Any, field: str, levels: Mapping[str, Level], profiles: Mapping[str, Profile]
) -> Population:
    d = ctx.mapping(raw, field, ("id", "level", "area", "count", "profile", "premovement"), ("id", "area", "count"))
    if "level" not in d and len(levels) != 1:
        ctx.fail(
            f"{field}.level", "missing required key (the scenario has several levels)", fix="add 'level: <level id>'"
        )
    level_id = ctx.ref(d.get("level", next(iter(levels))), f"{field}.level", levels, "level")
    area = ctx.polygon(d["area"], f"{field}.area")
    free = levels[level_id].free_space
    if not area.within(levels[level_id].walkable.buffer(ON_BOUNDARY_TOL)):
        outside = area.difference(free).area
        ctx.geometry_fail(
            f"{field}.area",
            f"area is not inside the walkable polygon of level '{level_id}' ({outside:.3g} m² outside)",
            d["area"],
            "move or shrink the area",
        )
    count = ctx.integer(d["count"], f"{field}.count", min=0)
    profile_id = ctx.ref(d.get("profile", "adult"), f"{field}.profile", profiles, "profile")
    radius = profiles[profile_id].radius
    usable = area.intersection(free).buffer(-radius)
    capacity = max(_lattice_capacity(usable.area, radius), 1 if usable.area > 0 else 0)
    if count > capacity:
        ctx.fail(
            f"{field}.count",
            f"area too small for its count: {usable.area:.1f} m² usable (at {radius:g} m from walls) "
            f"holds about {capacity} persons of radius {radius:g} m",
            count,
            f"enlarge the area or give a count <= {capacity}",
        )
    premovement = _read_distribution(ctx, d.get("premovement", 0), f"{field}.premovement", min_value=0.0, unit="s")
    return Population(
        id=ctx.ident(d["id"], f"{field}.id"),
        level=level_id,
        area=area,
        count=count,
        profile=profile_id,
        premovement=premovement,
    )


def _lattice_capacity(area: float, radius: float) -> int:
    """Persons of this radius that a hexagonal lattice with 2 cm clearance fits into ``area`` m² (about 90 %)."""
    d = 2.0 * radius + 0.02
    persons = 0.9 * area * 2.0 / (math.sqrt(3.0) * d * d)
    return int(persons) if math.isfinite(persons) else 0


def _read_plan(
    ctx: FieldReader, raw: Any, field: str, exits: Mapping[str, Exit], populations: Mapping[str, Population]
) -> Plan:
    d = ctx.mapping(raw, field, ("id", "description", "close_exits", "assign_exits"), ("id",))
    closed = tuple(
        ctx.ref(e, f"{field}.close_exits[{i}]", exits, "exit")
        for i, e in enumerate(ctx.seq(d.get("close_exits", []), f"{field}.close_exits"))
    )
    assign: dict[str, tuple[str, ...]] = {}
    raw_assign = d.get("assign_exits", {})
    if not isinstance(raw_assign, Mapping):
        ctx.fail(
            f"{field}.assign_exits",
            "must map population ids to exit ids",
            raw_assign,
            "write e.g. {visitors: [exit_A, exit_B]}",
        )
    for pop, ex in raw_assign.items():
        f = f"{field}.assign_exits.{key_name(pop)}"
        ctx.ref(pop, f, populations, "population")
        ex_list = [ex] if isinstance(ex, str) else ctx.seq(ex, f, min_len=1)
        ids = tuple(ctx.ref(e, f"{f}[{i}]", exits, "exit") for i, e in enumerate(ex_list))
        for e in ids:
            if e in closed:
                ctx.fail(f, "assigns an exit that this plan closes", e, "assign an open exit or do not close it")
        assign[pop] = ids
    description = ctx.text(d.get("description", ""), f"{field}.description")
    return Plan(
        id=ctx.ident(d["id"], f"{field}.id"),
        description=description,
        close_exits=closed,
        assign_exits=MappingProxyType(assign),
    )


def _read_simulation(ctx: FieldReader, raw: Any) -> SimulationSettings:
    d = ctx.mapping(
        raw,
        "simulation",
        ("dt", "max_time", "model", "grid_cell", "exit_choice_interval", "record_interval", "trajectory_interval"),
    )
    base = SimulationSettings()
    return SimulationSettings(
        dt=ctx.number(d.get("dt", base.dt), "simulation.dt", min=0.001, max=0.2, unit="s"),
        max_time=ctx.number(d.get("max_time", base.max_time), "simulation.max_time", min=1.0, unit="s"),
        model=ctx.choice(d.get("model", base.model), "simulation.model", MODELS),
        grid_cell=ctx.number(d.get("grid_cell", base.grid_cell), "simulation.grid_cell", min=0.02, max=0.5, unit="m"),
        exit_choice_interval=ctx.number(
            d.get("exit_choice_interval", base.exit_choice_interval),
            "simulation.exit_choice_interval",
            min=0.1,
            unit="s",
        ),
        record_interval=ctx.number(
            d.get("record_interval", base.record_interval), "simulation.record_interval", min=0.05, unit="s"
        ),
        trajectory_interval=ctx.number(
            d.get("trajectory_interval", base.trajectory_interval), "simulation.trajectory_interval", min=0.01, unit="s"
        ),
    )


def _check_reachability(
    ctx: FieldReader,
    levels: Mapping[str, Level],
    exits: Mapping[str, Exit],
    pops: list[Population],
    plans: list[Plan],
    profiles: Mapping[str, Profile],
) -> None:
    """Everyone must be able to walk to one of their usable exits, in every plan.

    Walls or obstacles from edge to edge cut a level's free space into parts that are not connected; a person
    reaches only the exits on the boundary of the part where they start. So every part in which a population
    places people (its area there, at one body radius from walls, is not empty) needs a usable exit. Exits
    must be on the population's level (stairs between levels are not modelled yet).
    """
    parts = {lid: list(getattr(lv.free_space, "geoms", [lv.free_space])) for lid, lv in levels.items()}
    grown = {lid: [g.buffer(ON_BOUNDARY_TOL) for g in gs] for lid, gs in parts.items()}
    exit_parts = {
        e.id: {j for j, g in enumerate(grown[e.level]) if g.intersects(LineString(e.line))} for e in exits.values()
    }

    def parts_with_people(pop: Population) -> list[int]:
        overlap = [pop.area.intersection(g) for g in parts[pop.level]]
        radius = profiles[pop.profile].radius
        inner = [j for j, o in enumerate(overlap) if o.buffer(-radius).area > 0]
        return inner or [j for j, o in enumerate(overlap) if o.area > 0]

    def stranded(pop: Population, usable: list[Exit], where: list[int]) -> list[int]:
        reached = set().union(*(exit_parts[e.id] for e in usable if e.level == pop.level))
        return [j for j in where if j not in reached]

    people = [(i, pop, parts_with_people(pop)) for i, pop in enumerate(pops) if pop.count > 0]
    for i, pop, where in people:
        if stranded(pop, list(exits.values()), where):
            ctx.geometry_fail(
                f"populations[{i}].area",
                f"population '{pop.id}' cannot reach any exit: (part of) its area lies where walls or obstacles cut "
                f"level '{pop.level}' off from every exit",
                pop.area.wkt,
                "add an exit to that part of the level, or move the area (or the obstacles) so it connects to an exit",
            )
    for k, plan in enumerate(plans):
        open_exits = [e for e in exits.values() if e.id not in plan.close_exits]
        for _, pop, where in people:
            assigned = plan.assign_exits.get(pop.id)
            usable = [e for e in open_exits if assigned is None or e.id in assigned]
            if not stranded(pop, usable, where):
                continue
            if assigned is not None:
                field, value, what = f"plans[{k}].assign_exits.{pop.id}", assigned, "the exits this plan assigns it"
            else:
                field, value, what = f"plans[{k}].close_exits", plan.close_exits, "the exits this plan leaves open"
            ctx.fail(
                field,
                f"plan '{plan.id}': population '{pop.id}' cannot reach any of {what} (level '{pop.level}')",
                value,
                f"keep open (or assign) an exit that population '{pop.id}' can walk to",
            )


def scenario_from_dict(data: Any, *, source: str = "<dict>", sha256: str | None = None) -> Scenario:
    """Validate a scenario given as plain data (the parsed YAML) and build the frozen objects.

    Args:
        data: the mapping of a scenario file.
        source: file name used in error messages.
        sha256: hash of the source bytes; computed from the canonical JSON of ``data`` when omitted.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: the first problem found, as one line naming file, field, value and fix.
    """
    ctx = FieldReader(source)
    d = ctx.mapping(data, "", TOP_LEVEL_KEYS, ("levels", "exits", "populations"))
    name = ctx.text(d.get("name", Path(source).stem), "name")
    if "description" in d:
        ctx.text(d["description"], "description")
    calibration = ctx.choice(d.get("calibration", "empirical"), "calibration", CALIBRATIONS)

    level_list = []
    for i, raw in enumerate(ctx.seq(d["levels"], "levels", min_len=1)):
        with ctx.geometry_guard(f"levels[{i}]"):
            level_list.append(_read_level(ctx, raw, f"levels[{i}]"))
    ctx.unique([lv.id for lv in level_list], "levels")
    levels = {lv.id: lv for lv in level_list}

    exit_list = []
    for i, raw in enumerate(ctx.seq(d["exits"], "exits", min_len=1)):
        with ctx.geometry_guard(f"exits[{i}]"):
            exit_list.append(_read_exit(ctx, raw, f"exits[{i}]", levels))
    ctx.unique([e.id for e in exit_list], "exits")
    exits = {e.id: e for e in exit_list}

    profiles: dict[str, Profile] = dict(BUILTIN_PROFILES)
    raw_profiles = d.get("profiles", {})
    if not isinstance(raw_profiles, Mapping):
        ctx.fail(
            "profiles",
            "must map profile names to {speed, radius}",
            raw_profiles,
            "write e.g. adult: {speed: 1.34, radius: 0.2}",
        )
    for pname, praw in raw_profiles.items():
        f = f"profiles.{key_name(pname)}"
        profiles[ctx.ident(pname, f)] = _read_profile(ctx, pname, praw, f)

    pop_list = []
    for i, raw in enumerate(ctx.seq(d["populations"], "populations", min_len=1)):
        with ctx.geometry_guard(f"populations[{i}]"):
            pop_list.append(_read_population(ctx, raw, f"populations[{i}]", levels, profiles))
    ctx.unique([p.id for p in pop_list], "populations")
    pops = {p.id: p for p in pop_list}

    plan_list = [
        _read_plan(ctx, p, f"plans[{i}]", exits, pops) for i, p in enumerate(ctx.seq(d.get("plans", []), "plans"))
    ]
    ctx.unique([p.id for p in plan_list], "plans")

    simulation = _read_simulation(ctx, d.get("simulation", {}))
    with ctx.geometry_guard("populations"):
        _check_reachability(ctx, levels, exits, pop_list, plan_list, profiles)

    if sha256 is None:
        sha256 = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return Scenario(
        name=name,
        source=source,
        calibration=calibration,
        levels=tuple(level_list),
        exits=tuple(exit_list),
        populations=tuple(pop_list),
        profiles=MappingProxyType(profiles),
        plans=tuple(plan_list),
        simulation=simulation,
        sha256=sha256,
    )


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario file.

    Args:
        path: a YAML scenario file.

    Returns:
        The validated, frozen scenario.

    Raises:
        ScenarioError: the file cannot be read, is not YAML, or any field is invalid.
    """
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError(f"cannot read the file ({reason})", file=source, fix="check the path") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"file is not UTF-8 text (byte {exc.start})", file=source, fix="save the scenario as UTF-8 YAML"
        ) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        raise _yaml_error(source, text, exc) from None
    except RecursionError:
        raise ScenarioError(
            "not valid YAML: lists or mappings nested too deeply",
            file=source,
            fix="flatten the structure (a scenario needs only a few levels of nesting)",
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value the YAML constructors cannot convert
        raise ScenarioError(
            f"not valid YAML: {exc}", file=source, fix="correct the value or remove its '!!' tag"
        ) from None
    return scenario_from_dict(data, source=source, sha256=hashlib.sha256(raw).hexdigest())


def _yaml_error(source: str, text: str, exc: yaml.YAMLError) -> ScenarioError:
    """The one-line error for a YAML syntax error: where it is (line, column), what is wrong, how to fix."""
    mark = getattr(exc, "problem_mark", None)
    where = "YAML"
    if mark is not None:
        where = f"line {mark.line + 1}, column {mark.column + 1}"
    elif isinstance(exc, yaml.reader.ReaderError):  # a bad character: only its offset is known
        before = text[: exc.position]
        where = f"line {before.count(chr(10)) + 1}, column {exc.position - before.rfind(chr(10))}"
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    context = getattr(exc, "context", None)
    if context:  # e.g. 'while parsing a flow sequence': what the reader was in the middle of
        problem = f"{context}: {problem}"
    if problem.startswith("duplicate key"):
        fix = "remove or rename one of the two keys (YAML would silently drop the first)"
    elif "could not determine a constructor for the tag" in problem:
        fix = "remove the '!!' tag: scenario files hold plain data (text, numbers, lists, mappings)"
    else:
        fix = "correct the YAML syntax at that place"
    return ScenarioError(f"not valid YAML: {problem}", file=source, field=where, fix=fix)
