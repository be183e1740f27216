"""Frozen, validated scenario objects (what :func:`sim.load_scenario` returns).

Units: metres, seconds, persons. Geometries are shapely objects (immutable). Objects are built only by
:mod:`sim.scenario.loader`, which checks every field; code that receives a :class:`Scenario` may rely on
the invariants stated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import shapely
from shapely.geometry import LineString, Polygon

from sim.distributions import Distribution

__all__ = [
    "Level",
    "Exit",
    "Profile",
    "Population",
    "Plan",
    "SimulationSettings",
    "Scenario",
    "BUILTIN_PROFILES",
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


@dataclass(frozen=True, kw_only=True)
class Profile:
    """How a kind of person moves.

    Attributes:
        id: name (``adult`` is built in).
        speed: free walking speed on the flat [m/s].
        radius: body radius [m].
    """

    id: str
    speed: Distribution
    radius: float


@dataclass(frozen=True, kw_only=True)
class Population:
    """A group of people placed at random in an area at the start.

    Attributes:
        id: unique name.
        level: id of the level the area lies on.
        area: polygon [m] inside the level's free space where the people are placed.
        count: number of persons.
        profile: id of a profile.
        premovement: pre-movement time distribution [s]: time from the start until a person starts moving.
    """

    id: str
    level: str
    area: Polygon
    count: int
    profile: str
    premovement: Distribution


@dataclass(frozen=True, kw_only=True)
class Plan:
    """A named variation of the scenario.

    Attributes:
        id: unique name.
        description: free text shown in summaries.
        close_exits: exits that are closed (locked, blocked) for the whole run.
        assign_exits: population id -> the exits its people must use (they choose among these by
            estimated time); populations not listed choose among all open exits.
    """

    id: str
    description: str = ""
    close_exits: tuple[str, ...] = ()
    assign_exits: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, kw_only=True)
class SimulationSettings:
    """Numerical settings of the crowd engine (section ``simulation`` of a scenario).

    Attributes:
        dt: time step [s].
        max_time: simulated time after which the run stops even if people remain [s].
        model: pedestrian model id (``csm``: collision-free speed model).
        grid_cell: cell size of the navigation grid [m].
        exit_choice_interval: how often people re-evaluate their exit [s].
        record_interval: sampling interval of time series (and progress reports) [s].
        trajectory_interval: sampling interval of trajectories, when they are written [s].
    """

    dt: float = 0.05
    max_time: float = 3600.0
    model: str = "csm"
    grid_cell: float = 0.1
    exit_choice_interval: float = 2.0
    record_interval: float = 1.0
    trajectory_interval: float = 0.25


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
    }
)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A validated scenario.

    Attributes:
        name: human-readable name.
        source: the file it was loaded from (``"<dict>"`` when built in code).
        calibration: ``empirical`` or ``code``.
        levels, exits, populations, profiles, plans: the sections of the file (profiles include the built-in
            ones not overridden by the file).
        simulation: numerical settings.
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
