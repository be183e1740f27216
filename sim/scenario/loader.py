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
    CONNECTOR_DIRECTIONS,
    Connector,
    Event,
    Exit,
    Level,
    MonitoringArea,
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
    "connectors",
    "populations",
    "profiles",
    "plans",
    "monitoring_areas",
    "metro_check",
    "hazards",
    "response",
    "shelters",
    "simulation",
)
CALIBRATIONS = ("empirical", "code")
MODELS = ("csm",)
ROUTINGS = ("shortest", "quickest")
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


def _read_boundary_line(
    ctx: FieldReader, raw: Any, field: str, level: Level, what: str
) -> tuple[tuple[float, float], tuple[float, float]]:
    """A segment of two points that lies on the walkable boundary of ``level`` (a door, a stair end)."""
    pts = ctx.seq(raw, field)
    if len(pts) != 2:
        ctx.geometry_fail(field, f"{what} must be a segment of two points", raw, "give [[x1, y1], [x2, y2]]")
    p1, p2 = (ctx.point(p, f"{field}[{i}]") for i, p in enumerate(pts))
    seg = LineString([p1, p2])
    if seg.length < 0.3:
        ctx.geometry_fail(field, f"{what} is narrower than 0.3 m", raw, "give the two ends of the opening")
    boundary = level.free_space.boundary
    if not boundary.buffer(ON_BOUNDARY_TOL).contains(seg):
        off = max(
            boundary.distance(Point(p1)),
            boundary.distance(Point(p2)),
            boundary.distance(seg.interpolate(0.5, normalized=True)),
        )
        ctx.geometry_fail(
            field,
            f"{what} is not on the walkable boundary of level '{level.id}' (up to {off:.3g} m off)",
            raw,
            "put both ends on the same wall of the walkable polygon (or of an obstacle)",
        )
    return p1, p2


def _level_of(ctx: FieldReader, d: dict, field: str, levels: Mapping[str, Level], key: str = "level") -> str:
    if key not in d and len(levels) != 1:
        ctx.fail(
            f"{field}.{key}", "missing required key (the scenario has several levels)", fix=f"add '{key}: <level id>'"
        )
    return ctx.ref(d.get(key, next(iter(levels))), f"{field}.{key}", levels, "level")


def _read_exit(ctx: FieldReader, raw: Any, field: str, levels: Mapping[str, Level]) -> Exit:
    d = ctx.mapping(raw, field, ("id", "level", "line"), ("id", "line"))
    level_id = _level_of(ctx, d, field, levels)
    line = _read_boundary_line(ctx, d["line"], f"{field}.line", levels[level_id], "exit")
    return Exit(id=ctx.ident(d["id"], f"{field}.id"), level=level_id, line=line)


CONNECTOR_KEYS = (
    "id", "kind", "from", "to", "length", "direction", "speed_factor", "belt_speed", "walking", "capacity",
)


def _read_connector(ctx: FieldReader, raw: Any, field: str, levels: Mapping[str, Level]) -> Connector:
    d = ctx.mapping(raw, field, CONNECTOR_KEYS, ("id", "kind", "from", "to", "length"))
    kind = ctx.choice(d["kind"], f"{field}.kind", ("stair", "escalator"))
    ends = []
    for key in ("from", "to"):
        e = ctx.mapping(d[key], f"{field}.{key}", ("level", "line"), ("level", "line"))
        level_id = ctx.ref(e["level"], f"{field}.{key}.level", levels, "level")
        line = _read_boundary_line(ctx, e["line"], f"{field}.{key}.line", levels[level_id], "connector end")
        ends.append((level_id, line))
    w_from = LineString(ends[0][1]).length
    w_to = LineString(ends[1][1]).length
    if abs(w_from - w_to) > 0.05:
        ctx.geometry_fail(
            f"{field}.to.line",
            f"both ends of a connector must be equally wide ({w_from:.2f} m at 'from', {w_to:.2f} m at 'to')",
            d["to"].get("line"),
            "give the two ends the same width (the connector's width)",
        )
    length = ctx.number(d["length"], f"{field}.length", min=0.5, max=500.0, unit="m")
    direction = ctx.choice(d.get("direction", "both"), f"{field}.direction", CONNECTOR_DIRECTIONS)
    if kind == "escalator" and direction == "both":
        ctx.fail(
            f"{field}.direction",
            "a running escalator moves one way",
            direction,
            "use up, down or stopped (an escalator out of service, walked as a stair)",
        )
    speed_factor = None
    if "speed_factor" in d:
        speed_factor = ctx.number(d["speed_factor"], f"{field}.speed_factor", min=0.05, max=1.5, strict_min=True)
    belt = 0.0
    if kind == "escalator":
        belt = ctx.number(d.get("belt_speed", 0.65), f"{field}.belt_speed", min=0.1, max=2.0, unit="m/s")
    elif "belt_speed" in d:
        ctx.fail(
            f"{field}.belt_speed", "only escalators have a belt", d["belt_speed"], "remove it or use kind: escalator"
        )
    walking = d.get("walking", False)
    if not isinstance(walking, bool):
        ctx.fail(f"{field}.walking", "must be true or false", walking, "write walking: true or walking: false")
    capacity = None
    if "capacity" in d:
        capacity = ctx.number(d["capacity"], f"{field}.capacity", min=0.05, max=100.0, unit="persons/s")
    return Connector(
        id=ctx.ident(d["id"], f"{field}.id"),
        kind=kind,
        from_level=ends[0][0],
        from_line=ends[0][1],
        to_level=ends[1][0],
        to_line=ends[1][1],
        length=length,
        direction=direction,
        speed_factor=speed_factor,
        belt_speed=belt,
        walking=walking,
        capacity=capacity,
    )


def _read_profile(ctx: FieldReader, name: str, raw: Any, field: str) -> Profile:
    d = ctx.mapping(raw, field, ("speed", "radius", "stair_up", "stair_down"), ("speed",))
    speed = _read_distribution(ctx, d["speed"], f"{field}.speed", min_value=0.0, unit="m/s")
    if not 0 < speed.mean < math.inf:
        ctx.fail(
            f"{field}.speed",
            "mean speed must be a positive, finite number",
            d["speed"],
            "give a free walking speed around 1.34 m/s",
        )
    radius = ctx.number(d.get("radius", 0.2), f"{field}.radius", min=0.05, max=1.0, unit="m")
    stairs = {}
    for key in ("stair_up", "stair_down"):
        if key in d:
            stairs[key] = _read_distribution(ctx, d[key], f"{field}.{key}", min_value=0.0, unit="m/s")
            if not 0 < stairs[key].mean < math.inf:
                ctx.fail(f"{field}.{key}", "mean speed must be positive", d[key], "give a stair speed around 0.6 m/s")
    return Profile(id=name, speed=speed, radius=radius, **stairs)


def _read_population(
    ctx: FieldReader, raw: Any, field: str, levels: Mapping[str, Level], profiles: Mapping[str, Profile]
) -> Population:
    d = ctx.mapping(
        raw,
        field,
        ("id", "level", "area", "count", "profile", "premovement", "appears_at", "group_size", "group_share"),
        ("id", "area", "count"),
    )
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
        appears_at=ctx.number(d.get("appears_at", 0.0), f"{field}.appears_at", min=0.0, unit="s"),
        group_size=ctx.integer(d.get("group_size", 1), f"{field}.group_size", min=1),
        group_share=ctx.number(d.get("group_share", 1.0), f"{field}.group_share", min=0.0, max=1.0),
    )


def _lattice_capacity(area: float, radius: float) -> int:
    """Persons of this radius that a hexagonal lattice with 2 cm clearance fits into ``area`` m² (about 90 %)."""
    d = 2.0 * radius + 0.02
    persons = 0.9 * area * 2.0 / (math.sqrt(3.0) * d * d)
    return int(persons) if math.isfinite(persons) else 0


PLAN_KEYS = (
    "id", "description", "close_exits", "assign_exits", "close_connectors", "connector_direction", "events",
    "hazards", "response", "shelters",
)


def _read_directions(
    ctx: FieldReader, raw: Any, field: str, connectors: Mapping[str, Connector]
) -> MappingProxyType[str, str]:
    if not isinstance(raw, Mapping):
        ctx.fail(field, "must map connector ids to directions", raw, "write e.g. {esc_1: stopped}")
    out = {}
    for cid, direction in raw.items():
        f = f"{field}.{key_name(cid)}"
        ctx.ref(cid, f, connectors, "connector")
        out[cid] = ctx.choice(direction, f, CONNECTOR_DIRECTIONS)
        if connectors[cid].kind == "escalator" and out[cid] == "both":
            ctx.fail(f, "a running escalator moves one way", direction, "use up, down or stopped")
    return MappingProxyType(out)


def _read_event(
    ctx: FieldReader, raw: Any, field: str, exits: Mapping[str, Exit], connectors: Mapping[str, Connector]
) -> Event:
    d = ctx.mapping(raw, field, ("at", "close", "open", "direction"), ("at",))
    if not ({"close", "open", "direction"} & set(d)):
        ctx.fail(field, "an event must change something", raw, "add close: [...], open: [...] or direction: {...}")
    things = {**{e: "exit" for e in exits}, **{c: "connector" for c in connectors}}
    lists = {}
    for key in ("close", "open"):
        items = ctx.seq(d.get(key, []), f"{field}.{key}")
        lists[key] = tuple(ctx.ref(x, f"{field}.{key}[{i}]", things, "exit or connector") for i, x in enumerate(items))
    both = set(lists["close"]) & set(lists["open"])
    if both:
        ctx.fail(f"{field}.open", "opens and closes the same thing at once", sorted(both)[0], "keep one of the two")
    return Event(
        at=ctx.number(d["at"], f"{field}.at", min=0.0, unit="s"),
        close=lists["close"],
        open=lists["open"],
        direction=_read_directions(ctx, d.get("direction", {}), f"{field}.direction", connectors),
    )


def _read_plan(
    ctx: FieldReader,
    raw: Any,
    field: str,
    exits: Mapping[str, Exit],
    populations: Mapping[str, Population],
    connectors: Mapping[str, Connector],
    engines: Mapping[str, Any],
) -> Plan:
    d = ctx.mapping(raw, field, PLAN_KEYS, ("id",))
    plan_id = ctx.ident(d["id"], f"{field}.id")
    changes: dict[str, Any] = {}
    for key in ("hazards", "response", "shelters"):
        if key not in d:
            continue
        section = engines.get(key)
        if section is None or section == ():
            ctx.fail(
                f"{field}.{key}",
                f"the scenario has no '{key}' section to change",
                fix=f"add '{key}:' or remove this key",
            )
        if key == "hazards":
            from sim.hazard.config import read_hazard_plan_changes

            changes[key] = read_hazard_plan_changes(ctx, d[key], f"{field}.{key}", section)
        elif key == "response":
            from sim.response.config import read_response_plan_changes

            changes[key] = read_response_plan_changes(ctx, d[key], f"{field}.{key}", section)
        else:
            from sim.shelter.config import read_shelter_plan_changes

            changes[key] = read_shelter_plan_changes(ctx, d[key], f"{field}.{key}", section, plan_id=plan_id)
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
    closed_conn = tuple(
        ctx.ref(c, f"{field}.close_connectors[{i}]", connectors, "connector")
        for i, c in enumerate(ctx.seq(d.get("close_connectors", []), f"{field}.close_connectors"))
    )
    directions = _read_directions(ctx, d.get("connector_direction", {}), f"{field}.connector_direction", connectors)
    events = [
        _read_event(ctx, e, f"{field}.events[{i}]", exits, connectors)
        for i, e in enumerate(ctx.seq(d.get("events", []), f"{field}.events"))
    ]
    description = ctx.text(d.get("description", ""), f"{field}.description")
    return Plan(
        id=plan_id,
        description=description,
        close_exits=closed,
        assign_exits=MappingProxyType(assign),
        close_connectors=closed_conn,
        connector_direction=directions,
        events=tuple(sorted(events, key=lambda e: e.at)),
        **changes,
    )


def _read_simulation(ctx: FieldReader, raw: Any) -> SimulationSettings:
    d = ctx.mapping(
        raw,
        "simulation",
        (
            "dt", "max_time", "model", "grid_cell", "exit_choice_interval", "routing", "routing_interval",
            "record_interval", "trajectory_interval",
        ),
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
        routing=ctx.choice(d.get("routing", base.routing), "simulation.routing", ROUTINGS),
        routing_interval=ctx.number(
            d.get("routing_interval", base.routing_interval), "simulation.routing_interval", min=0.1, unit="s"
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
    connectors: Mapping[str, Connector],
    pops: list[Population],
    plans: list[Plan],
    profiles: Mapping[str, Profile],
) -> None:
    """Everyone must be able to walk to one of their usable exits, in every plan (as the plan starts).

    Walls or obstacles from edge to edge cut a level's free space into parts that are not connected; a person
    reaches the exits on the boundary of the part where they start, and the parts that stairs and escalators
    lead to in their direction of travel. So every part in which a population places people (its area there,
    at one body radius from walls, is not empty) needs a path to a usable exit.
    """
    parts = {lid: list(getattr(lv.free_space, "geoms", [lv.free_space])) for lid, lv in levels.items()}
    grown = {lid: [g.buffer(ON_BOUNDARY_TOL) for g in gs] for lid, gs in parts.items()}

    def parts_at(level: str, line: Any) -> set[tuple[str, int]]:
        return {(level, j) for j, g in enumerate(grown[level]) if g.intersects(LineString(line))}

    exit_parts = {e.id: parts_at(e.level, e.line) for e in exits.values()}
    conn_ends = {
        c.id: (parts_at(c.from_level, c.from_line), parts_at(c.to_level, c.to_line)) for c in connectors.values()
    }

    def parts_with_people(pop: Population) -> list[tuple[str, int]]:
        overlap = [pop.area.intersection(g) for g in parts[pop.level]]
        radius = profiles[pop.profile].radius
        inner = [j for j, o in enumerate(overlap) if o.buffer(-radius).area > 0]
        return [(pop.level, j) for j in (inner or [j for j, o in enumerate(overlap) if o.area > 0])]

    def reach(plan: Plan | None) -> dict[tuple[str, int], set[tuple[str, int]]]:
        """Directed links between parts: where a person in a part can go by stairs and escalators."""
        links: dict[tuple[str, int], set[tuple[str, int]]] = {}
        for c in connectors.values():
            if plan is not None and c.id in plan.close_connectors:
                continue
            direction = plan.connector_direction.get(c.id, c.direction) if plan is not None else c.direction
            low, high = conn_ends[c.id]
            if direction != "down":
                for p in low:
                    links.setdefault(p, set()).update(high)
            if direction != "up":
                for p in high:
                    links.setdefault(p, set()).update(low)
        return links

    def stranded(where: list[tuple[str, int]], usable: list[Exit], links: dict) -> list[tuple[str, int]]:
        goal = set().union(*(exit_parts[e.id] for e in usable))
        out = []
        for start in where:
            seen, todo = {start}, [start]
            while todo:
                p = todo.pop()
                for q in links.get(p, ()):
                    if q not in seen:
                        seen.add(q)
                        todo.append(q)
            if not seen & goal:
                out.append(start)
        return out

    people = [(i, pop, parts_with_people(pop)) for i, pop in enumerate(pops) if pop.count > 0]
    every_link = reach(None)
    for i, pop, where in people:
        if stranded(where, list(exits.values()), every_link):
            ctx.geometry_fail(
                f"populations[{i}].area",
                f"population '{pop.id}' cannot reach any exit: (part of) its area lies where walls or obstacles cut "
                f"level '{pop.level}' off from every exit (and from every stair or escalator leading to one)",
                pop.area.wkt,
                "add an exit or a connector to that part of the level, or move the area (or the obstacles)",
            )
    for k, plan in enumerate(plans):
        links = reach(plan)
        open_exits = [e for e in exits.values() if e.id not in plan.close_exits]
        for _, pop, where in people:
            assigned = plan.assign_exits.get(pop.id)
            usable = [e for e in open_exits if assigned is None or e.id in assigned]
            if not stranded(where, usable, links):
                continue
            if assigned is not None:
                field, value, what = f"plans[{k}].assign_exits.{pop.id}", assigned, "the exits this plan assigns it"
            else:
                field, value, what = f"plans[{k}].close_exits", plan.close_exits, "the exits this plan leaves open"
            ctx.fail(
                field,
                f"plan '{plan.id}': population '{pop.id}' cannot reach any of {what} (from level '{pop.level}', "
                "with the stairs and escalators as this plan sets them)",
                value,
                f"keep open (or assign) an exit that population '{pop.id}' can walk to",
            )


def _read_engine_sections(
    ctx: FieldReader, d: Mapping[str, Any], source: str, levels: Mapping[str, Level]
) -> dict[str, Any]:
    """The ``hazards``, ``response`` and ``shelters`` sections, read by their engines' own readers.

    Files they name (road networks, district data) are found relative to the scenario file's folder.
    """
    base_dir = Path(source).parent if source != "<dict>" else Path.cwd()
    out: dict[str, Any] = {"hazards": (), "response": None, "shelters": None}
    if "hazards" in d:
        from sim.hazard.config import read_hazards

        out["hazards"] = read_hazards(ctx, d["hazards"], "hazards", level_ids=set(levels))
    if "response" in d:
        from sim.response.config import read_response

        out["response"] = read_response(ctx, d["response"], "response", base_dir=base_dir)
    if "shelters" in d:
        from sim.shelter.config import read_shelters

        out["shelters"] = read_shelters(ctx, d["shelters"], "shelters", base_dir=base_dir)
    return out


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

    conn_list = []
    for i, raw in enumerate(ctx.seq(d.get("connectors", []), "connectors")):
        with ctx.geometry_guard(f"connectors[{i}]"):
            conn_list.append(_read_connector(ctx, raw, f"connectors[{i}]", levels))
    ctx.unique([c.id for c in conn_list], "connectors")
    connectors = {c.id: c for c in conn_list}
    clash = set(connectors) & set(exits)
    if clash:
        i = next(i for i, c in enumerate(conn_list) if c.id in clash)
        ctx.fail(f"connectors[{i}].id", "an exit has the same id", conn_list[i].id, "give connectors their own ids")

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

    engines = _read_engine_sections(ctx, d, source, levels)
    plan_list = [
        _read_plan(ctx, p, f"plans[{i}]", exits, pops, connectors, engines)
        for i, p in enumerate(ctx.seq(d.get("plans", []), "plans"))
    ]
    ctx.unique([p.id for p in plan_list], "plans")

    areas = []
    for i, raw in enumerate(ctx.seq(d.get("monitoring_areas", []), "monitoring_areas")):
        f = f"monitoring_areas[{i}]"
        a = ctx.mapping(raw, f, ("id", "level", "area"), ("id", "area"))
        with ctx.geometry_guard(f):
            areas.append(
                MonitoringArea(
                    id=ctx.ident(a["id"], f"{f}.id"),
                    level=_level_of(ctx, a, f, levels),
                    area=ctx.polygon(a["area"], f"{f}.area"),
                )
            )
    ctx.unique([a.id for a in areas], "monitoring_areas")

    metro = None
    if "metro_check" in d:
        m = ctx.mapping(d["metro_check"], "metro_check", ("platform", "safe_levels"), ("platform", "safe_levels"))
        safe = tuple(
            ctx.ref(x, f"metro_check.safe_levels[{i}]", levels, "level")
            for i, x in enumerate(ctx.seq(m["safe_levels"], "metro_check.safe_levels", min_len=1))
        )
        platform = ctx.ref(m["platform"], "metro_check.platform", levels, "level")
        if platform in safe:
            ctx.fail("metro_check.safe_levels", "the platform cannot be a safe level", platform, "list the concourse")
        metro = MappingProxyType({"platform": platform, "safe_levels": safe})

    simulation = _read_simulation(ctx, d.get("simulation", {}))
    with ctx.geometry_guard("populations"):
        _check_reachability(ctx, levels, exits, connectors, pop_list, plan_list, profiles)

    if sha256 is None:
        sha256 = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return Scenario(
        name=name,
        source=source,
        calibration=calibration,
        levels=tuple(level_list),
        exits=tuple(exit_list),
        connectors=tuple(conn_list),
        monitoring_areas=tuple(areas),
        metro_check=metro,
        hazards=engines["hazards"],
        response=engines["response"],
        shelters=engines["shelters"],
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
