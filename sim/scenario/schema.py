"""Frozen, validated scenario objects (what :func:`sim.load_scenario` returns).

Units: metres, seconds, persons. Geometries are shapely objects (immutable). Objects are built only by
:mod:`sim.scenario.loader`, which checks every field; code that receives a :class:`Scenario` may rely on
the invariants stated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import shapely
from shapely.geometry import LineString, Polygon

from sim.distributions import Distribution

__all__ = [
    "Level",
    "Exit",
    "Connector",
    "CONNECTOR_DIRECTIONS",
    "Event",
    "Profile",
    "Population",
    "MonitoringArea",
    "Plan",
    "SimulationSettings",
    "Scenario",
    "BUILTIN_PROFILES",
    "STAIR_UP_FACTOR",
    "STAIR_DOWN_FACTOR",
]


@dataclass(frozen=True, kw_only=True)
class Level:
    """A 2-D floor.

    Attributes:
        id: unique name.
        walkable: the walkable polygon [m]; its holes are not walkable.
        obstacles: polygons inside ``walkable`` that are not walkable (pillars, counters, stairwells).
    """

    id: str
    walkable: Polygon
    obstacles: tuple[Polygon, ...] = ()

    @property
    def free_space(self) -> shapely.Geometry:
        """``walkable`` minus the obstacles (may be a MultiPolygon if obstacles split the floor)."""
        if not self.obstacles:
            return self.walkable
        return self.walkable.difference(shapely.union_all(self.obstacles))


@dataclass(frozen=True, kw_only=True)
class Exit:
    """A way out to safety: a segment on the walkable boundary of a level; crossing it means safe.

    Attributes:
        id: unique name.
        level: id of the level it lies on.
        line: the segment ``((x1, y1), (x2, y2))`` [m].
    """

    id: str
    level: str
    line: tuple[tuple[float, float], tuple[float, float]]

    @property
    def width(self) -> float:
        """Clear width of the exit [m]."""
        return float(LineString(self.line).length)


#: Directions of travel on a connector: ``up`` (from -> to only), ``down`` (to -> from only), ``both``, and
#: ``stopped`` (an escalator out of service, walked as a stair in both directions).
CONNECTOR_DIRECTIONS = ("up", "down", "both", "stopped")


@dataclass(frozen=True, kw_only=True)
class Connector:
    """A stair or escalator between two levels.

    Its lower end ``from`` and upper end ``to`` are segments on the walkable boundaries of their levels (as
    exits are); the connector itself is a strip ``length`` metres long (along the slope) and as wide as the
    ``from`` segment, on which people walk (or ride) between the two segments.

    Attributes:
        id: unique name.
        kind: ``stair`` or ``escalator``.
        from_level, from_line: the lower end: level id and segment ``((x1, y1), (x2, y2))`` [m].
        to_level, to_line: the upper end.
        length: length along the slope [m].
        direction: one of :data:`CONNECTOR_DIRECTIONS`.
        speed_factor: if given, speed on it = factor x the person's free speed, up and down (stairs);
            otherwise each person's own stair speeds up and down (see :class:`Profile`).
        belt_speed: escalator belt speed [m/s] (0 for stairs).
        walking: people walk on a running escalator (speed = belt + stair speed) instead of standing.
        capacity: most persons per second that may step on (per end); ``None`` for no limit beyond the
            crowd model's own.
    """

    id: str
    kind: str
    from_level: str
    from_line: tuple[tuple[float, float], tuple[float, float]]
    to_level: str
    to_line: tuple[tuple[float, float], tuple[float, float]]
    length: float
    direction: str = "both"
    speed_factor: float | None = None
    belt_speed: float = 0.0
    walking: bool = False
    capacity: float | None = None

    @property
    def width(self) -> float:
        """Clear width [m] (length of the ``from`` segment)."""
        return float(LineString(self.from_line).length)


@dataclass(frozen=True, kw_only=True)
class Event:
    """A change during a run (part of a plan): exits or connectors close or open, escalators change direction.

    Attributes:
        at: simulated time [s].
        close: ids of exits and connectors that close at that time.
        open: ids of exits and connectors that open at that time.
        direction: connector id -> new direction (one of :data:`CONNECTOR_DIRECTIONS`).
    """

    at: float
    close: tuple[str, ...] = ()
    open: tuple[str, ...] = ()
    direction: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, kw_only=True)
class Profile:
    """How a kind of person moves.

    Attributes:
        id: name (``adult`` is built in).
        speed: free walking speed on the flat [m/s].
        radius: body radius [m].
        stair_up, stair_down: free speed on stairs going up / down [m/s]; ``None``: a fixed share of the
            free speed (:data:`STAIR_UP_FACTOR`, :data:`STAIR_DOWN_FACTOR`).
    """

    id: str
    speed: Distribution
    radius: float
    stair_up: Distribution | None = None
    stair_down: Distribution | None = None


#: Default stair speeds as shares of the free speed on the flat: 0.5 x 1.34 = 0.67 m/s up (within the
#: handbooks' 0.55-0.80 m/s, pedestrian.md section 1) and 0.6 x 1.34 = 0.80 m/s down (down is faster than up;
#: the IMO table's stair-down/flat ratios are 0.55-0.68).
STAIR_UP_FACTOR = 0.5
STAIR_DOWN_FACTOR = 0.6


@dataclass(frozen=True, kw_only=True)
class Population:
    """A group of people placed at random in an area at the start.

    Attributes:
        id: unique name.
        level: id of the level the area lies on.
        area: polygon [m] inside the level's free space where the people are placed.
        count: number of persons.
        profile: id of a profile.
        premovement: pre-movement time distribution [s]: time from the alarm (or from ``appears_at``, whichever
            is later) until a person starts moving.
        appears_at: time [s] at which these people appear (e.g. a train unloading at the platform doors);
            0 means present from the start.
        group_size: persons per group (families, friends; 1: everyone alone). Members start next to each
            other, leave when the last of them is ready, walk at the pace of the slowest, head for the same
            exit and wait for each other (see :mod:`sim.crowd.groups`).
        group_share: share of the population that walks in groups of ``group_size`` (the rest alone).
    """

    id: str
    level: str
    area: Polygon
    count: int
    profile: str
    premovement: Distribution
    appears_at: float = 0.0
    group_size: int = 1
    group_share: float = 1.0


@dataclass(frozen=True, kw_only=True)
class MonitoringArea:
    """An area watched for large-passenger-flow warnings (four colours by density, see sim.crowd.safety).

    Attributes:
        id: unique name.
        level: id of the level it lies on.
        area: polygon [m] on that level.
    """

    id: str
    level: str
    area: Polygon


@dataclass(frozen=True, kw_only=True)
class Plan:
    """A named variation of the scenario.

    Attributes:
        id: unique name.
        description: free text shown in summaries.
        close_exits: exits that are closed (locked, blocked) for the whole run.
        assign_exits: population id -> the exits its people must use (they choose among these by
            estimated time); populations not listed choose among all open exits.
        close_connectors: stairs and escalators closed for the whole run (people already on one may leave it).
        connector_direction: connector id -> direction for this plan (e.g. an escalator reversed or stopped).
        events: changes at given times during the run, in time order.
        hazards: changes to the hazards (``sim.hazard.config.HazardPlanChanges``), or ``None``.
        response: changes to the response (``sim.response.config.ResponsePlanChanges``), or ``None``.
        shelters: changes to the shelters (``sim.shelter.schema.ShelterPlan``), or ``None``.
    """

    id: str
    description: str = ""
    close_exits: tuple[str, ...] = ()
    assign_exits: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    close_connectors: tuple[str, ...] = ()
    connector_direction: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    events: tuple[Event, ...] = ()
    hazards: Any = None
    response: Any = None
    shelters: Any = None


@dataclass(frozen=True, kw_only=True)
class SimulationSettings:
    """Numerical settings of the crowd engine (section ``simulation`` of a scenario).

    Attributes:
        dt: time step [s].
        max_time: simulated time after which the run stops even if people remain [s].
        model: pedestrian model id (``csm``: collision-free speed model).
        grid_cell: cell size of the navigation grid [m].
        exit_choice_interval: how often people re-evaluate their exit [s].
        routing: ``shortest`` (static navigation fields: each person follows the shortest way, kept off
            walls) or ``quickest`` (the fields are recomputed with a cost that grows with the crowd density,
            so people go round crowds; see :mod:`sim.crowd.navigation`).
        routing_interval: how often ``quickest`` routing recomputes the fields [s].
        record_interval: sampling interval of time series (and progress reports) [s].
        trajectory_interval: sampling interval of trajectories, when they are written [s].
    """

    dt: float = 0.05
    max_time: float = 3600.0
    model: str = "csm"
    grid_cell: float = 0.1
    exit_choice_interval: float = 2.0
    routing: str = "shortest"
    routing_interval: float = 2.0
    record_interval: float = 1.0
    trajectory_interval: float = 0.25


def _uniform(low: float, high: float) -> Distribution:
    return Distribution(dist="uniform", params=MappingProxyType({"low": low, "high": high}))


#: IMO MSC.1/Circ.1533 demographic table (pedestrian.md section 1): uniform walking speeds on the flat, down
#: and up stairs [m/s] per group. Radii: 0.2 m for adults, 0.25 m for impaired persons (walking aids).
IMO_SPEEDS = {
    "female_under_30": ((0.93, 1.55), (0.56, 0.94), (0.47, 0.79), 0.2),
    "female_30_50": ((0.71, 1.19), (0.49, 0.81), (0.44, 0.74), 0.2),
    "female_over_50": ((0.56, 0.94), (0.45, 0.75), (0.37, 0.61), 0.2),
    "female_over_50_impaired_1": ((0.43, 0.71), (0.34, 0.56), (0.28, 0.46), 0.25),
    "female_over_50_impaired_2": ((0.37, 0.61), (0.29, 0.49), (0.23, 0.39), 0.25),
    "male_under_30": ((1.11, 1.85), (0.76, 1.26), (0.50, 0.84), 0.2),
    "male_30_50": ((0.97, 1.62), (0.64, 1.07), (0.47, 0.79), 0.2),
    "male_over_50": ((0.84, 1.40), (0.50, 0.84), (0.38, 0.64), 0.2),
    "male_over_50_impaired_1": ((0.64, 1.06), (0.38, 0.64), (0.29, 0.49), 0.25),
    "male_over_50_impaired_2": ((0.55, 0.91), (0.33, 0.55), (0.25, 0.41), 0.25),
}

BUILTIN_PROFILES: Mapping[str, Profile] = MappingProxyType(
    {
        # Weidmann (1993) free speed 1.34 m/s; spread N(1.34, 0.26) truncated to [0.5, 2.2] m/s as in
        # ../shared/reference/pedestrian.md section 1.
        "adult": Profile(
            id="adult",
            speed=Distribution(
                dist="normal", params=MappingProxyType({"mean": 1.34, "sd": 0.26}), min=0.5, max=2.2
            ),
            radius=0.2,
        ),
        # reduced mobility (wheelchair users, walking aids): the IMO 'impaired (2)' speeds, a larger body
        "reduced_mobility": Profile(
            id="reduced_mobility",
            speed=_uniform(0.37, 0.91),
            radius=0.35,
            stair_up=_uniform(0.23, 0.41),
            stair_down=_uniform(0.29, 0.55),
        ),
        **{
            name: Profile(
                id=name,
                speed=_uniform(*flat),
                radius=radius,
                stair_down=_uniform(*down),
                stair_up=_uniform(*up),
            )
            for name, (flat, down, up, radius) in IMO_SPEEDS.items()
        },
    }
)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A validated scenario.

    Attributes:
        name: human-readable name.
        source: the file it was loaded from (``"<dict>"`` when built in code).
        calibration: ``empirical`` or ``code``.
        levels, exits, connectors, populations, profiles, plans, monitoring_areas: the sections of the file
            (profiles include the built-in ones not overridden by the file).
        simulation: numerical settings.
        metro_check: ``{"platform": level id, "safe_levels": (level ids)}`` for a metro station (the GB 51298
            4 / 6 minute rule is checked by formula and by simulation), or ``None``.
        hazards: gas leaks and clouds (``sim.hazard.config.Hazard``) of section ``hazards``.
        response: the emergency response (``sim.response.config.ResponseConfig``) or ``None``.
        shelters: the shelter district (``sim.shelter.schema.ShelterConfig``) or ``None``.
        sha256: hash of the file's bytes (or of the canonical dict), stored with every result.
    """

    name: str
    source: str
    calibration: str
    levels: tuple[Level, ...]
    exits: tuple[Exit, ...]
    populations: tuple[Population, ...]
    profiles: Mapping[str, Profile]
    plans: tuple[Plan, ...]
    simulation: SimulationSettings
    sha256: str = ""
    connectors: tuple[Connector, ...] = ()
    monitoring_areas: tuple[MonitoringArea, ...] = ()
    metro_check: Mapping[str, object] | None = None
    hazards: tuple[Any, ...] = ()
    response: Any = None
    shelters: Any = None

    def level(self, level_id: str) -> Level:
        """The level with this id."""
        return next(lv for lv in self.levels if lv.id == level_id)

    def plan(self, plan_id: str | None) -> Plan:
        """The plan with this id; ``None`` gives the first plan (or the empty base plan if none).

        Raises:
            ScenarioError: no plan has this id.
        """
        from sim.errors import ScenarioError

        if plan_id is None:
            return self.plans[0] if self.plans else Plan(id="base")
        for p in self.plans:
            if p.id == plan_id:
                return p
        valid = ", ".join(p.id for p in self.plans) or "(none: the scenario has no plans)"
        raise ScenarioError(
            "no such plan", file=self.source, field="--plan", value=plan_id, fix=f"use one of: {valid}"
        )

    @property
    def total_count(self) -> int:
        """Number of persons in all populations."""
        return sum(p.count for p in self.populations)

    def scaled(self, agents: int) -> Scenario:
        """A copy whose population counts are rescaled proportionally to ``agents`` persons in total.

        Counts are rounded by the largest-remainder method, so they add up to exactly ``agents``.
        """
        from sim.errors import ScenarioError

        if agents < 1:
            raise ScenarioError(
                "must be at least 1", field="--agents", value=agents, fix="give a positive number of agents"
            )
        total = self.total_count
        if total == 0:
            return self
        exact = [p.count * agents / total for p in self.populations]
        counts = [int(x) for x in exact]
        order = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
        for i in order[: agents - sum(counts)]:
            counts[i] += 1
        pops = tuple(replace(p, count=c) for p, c in zip(self.populations, counts, strict=True))
        return replace(self, populations=pops)
