"""The emergency-response discrete-event engine: calls, dispatch, driving, work on scene, hospitals.

Everything runs on one ``simpy.Environment`` (shared with the crowd engine when given). An incident's
``respond`` process waits for its start and the report delay (detection), queues for a call taker
(``call_takers``, a priority resource: lower number = more urgent) for the call-handling time, then gives the
dispatch order: one ``attend`` process per unit its tasks need and one ``transport`` process per ambulance.
Each asks the :class:`Fleet` for a unit of its team type. The fleet is a SimPy resource with explicit unit
state that hands the **closest available unit by expected travel time** to the most urgent, oldest request
(a plain pooled resource would hand out units first come, not closest). A unit then turns out (if at its
station), ``travel``s over the road network, works (a fixed task, or casualty by casualty), and returns to
its station. Ambulances load casualties in order of severity, drive each load to the closest hospital with a
free bed (beds are never exceeded; with no bed left anywhere the casualty stays on scene, ``hospital``
empty) and come back while casualties wait.

Re-dispatch of returning units (``redispatch_returning``): when true, a unit on its way back is available
and, if sent, drives to the new site from the next node it reaches (interrupting its ``return_to_station``
process); when false it is available only once back at its station.

Randomness: every draw comes from the ``rng`` passed in, in the order of the events, so the same seed gives
identical timelines.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import simpy
from simpy.resources.base import BaseResource, Put
from simpy.resources.resource import SortedQueue

from sim.distributions import Distribution
from sim.errors import ScenarioError
from sim.response.config import Incident, ResponseConfig, Station, Task
from sim.response.network import Place, Route
from sim.response.results import (
    ASSIGNMENT_COLUMNS,
    CASUALTY_COLUMNS,
    INCIDENT_COLUMNS,
    ROUTE_COLUMNS,
    SEGMENT_COLUMNS,
    TASK_COLUMNS,
    UNIT_COLUMNS,
    ResponseResult,
)

__all__ = ["Casualty", "simulate_response", "Fleet", "Unit", "UnitRequest", "build_units"]

ProcessGen = Generator[simpy.Event, Any, Any]


@dataclass(frozen=True, kw_only=True)
class Casualty:
    """A person who needs the response teams, as reported by the crowd or hazard engine.

    Attributes:
        id: unique name.
        x: easting [m] (district frame).
        y: northing [m].
        severity: 1 immediate (red), 2 delayed (yellow), 3 minor (green).
        reported_s: when the response learns of this person [s on the clock].
        incident: the incident it belongs to; ``None`` = the incident whose site is nearest.
    """

    id: str
    x: float
    y: float
    severity: int
    reported_s: float
    incident: str | None = None


# -- the fleet ---------------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False)
class Unit:
    """One vehicle and crew, with its state (mutable, internal to a run).

    Attributes:
        id: ``<station>/<team><k>``.
        team: team type.
        station: its home station.
        place: where it is, or the next node it reaches while driving.
        busy: assigned to a call (not available).
        at_station: parked at its station (turnout needed when dispatched).
    """

    id: str
    team: str
    station: Station
    order: int
    place: Place
    busy: bool = False
    at_station: bool = True
    offset_s: float = 0.0  # time still needed to reach ``place`` when dispatched while driving [s]
    homing: simpy.Process | None = None
    leg: tuple[Route, float, float] | None = None  # route, start time, realised duration of the leg driven
    record: dict[str, Any] | None = None  # the assignment row being filled

    @property
    def kind(self) -> str:
        return self.station.kind


def build_units(config: ResponseConfig) -> list[Unit]:
    """The fleet of a configuration, in a fixed order (station order, then team type, then number)."""
    units: list[Unit] = []
    for s in config.stations:
        for team, n in s.teams.items():
            for k in range(1, n + 1):
                units.append(Unit(id=f"{s.id}/{team}{k}", team=team, station=s, order=len(units), place=s.place))
    return units


class UnitRequest(Put):
    """A request for one unit of ``team`` to drive to ``site``; its value is the :class:`Unit` granted.

    Use it as a context manager: leaving the ``with`` block releases the unit (if not released before).
    """

    def __init__(self, fleet: Fleet, *, team: str, site: Place, priority: int) -> None:
        self.team = team
        self.site = site
        self.priority = priority
        self.time = fleet._env.now
        self.key = (priority, self.time, next(fleet._sequence))
        self.unit: Unit | None = None
        self.released = False
        super().__init__(fleet)

    def __enter__(self) -> UnitRequest:
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> bool | None:
        super().__exit__(exc_type, exc_value, traceback)
        if exc_type is not GeneratorExit:
            self.resource.release(self)
        return None


class Fleet(BaseResource):
    """The units of all stations, handed out closest first.

    ``fleet.request(team=..., site=..., priority=...)`` returns a :class:`UnitRequest`. Waiting requests
    are served in order of (priority, request time); each gets the available unit of its team type with
    the least expected travel time to its site (ties: fleet order).
    """

    PutQueue = SortedQueue

    def __init__(self, env: simpy.Environment, *, units: Sequence[Unit], eta: Any) -> None:
        super().__init__(env, capacity=len(units))
        self.units = list(units)
        self._eta = eta  # (unit, site) -> expected travel time [s]
        self._sequence = itertools.count()
        self.by_team: dict[str, list[Unit]] = {}
        for u in self.units:
            self.by_team.setdefault(u.team, []).append(u)

    def request(self, *, team: str, site: Place, priority: int) -> UnitRequest:  # type: ignore[override]
        return UnitRequest(self, team=team, site=site, priority=priority)

    def _do_put(self, event: UnitRequest) -> bool:  # type: ignore[override]
        best, best_t = None, math.inf
        for u in self.by_team.get(event.team, ()):
            if u.busy:
                continue
            t = self._eta(u, event.site)
            if t < best_t:  # strict: ties keep the first unit in fleet order
                best, best_t = u, t
        if best is not None:
            best.busy = True
            event.unit = best
            if best.homing is not None and best.homing.is_alive:
                best.homing.interrupt("dispatched")
            best.homing = None
            event.succeed(best)
        return True  # other requests (other team types) may still be served

    def release(self, request: UnitRequest) -> None:
        """Make the request's unit available again and serve waiting requests."""
        if request.released or request.unit is None:
            return
        request.released = True
        request.unit.busy = False
        self._trigger_put(None)


# -- per-run state -----------------------------------------------------------------------------------------
@dataclass(kw_only=True, eq=False)
class _Stage:
    """Casualties waiting for one per-casualty task (or transport) at one incident."""

    store: simpy.PriorityStore
    unclaimed: int  # casualties no unit has taken yet
    unfinished: int  # casualties not yet through this stage
    done: simpy.Event
    task: Task | None  # None: transport
    teams: int  # units wanted at most
    active: int = 0  # units sent and not yet finished with this stage


@dataclass(kw_only=True, eq=False)
class _IncidentState:
    incident: Incident
    casualties: list[dict[str, Any]]
    stages: list[_Stage] = field(default_factory=list)
    task_done: dict[str, simpy.Event] = field(default_factory=dict)
    task_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    task_started: set[str] = field(default_factory=set)
    row: dict[str, Any] = field(default_factory=dict)
    open_processes: int = 0
    prepared: bool = False


def _sample(dist: Distribution, rng: np.random.Generator) -> float:
    return float(dist.sample(rng, 1)[0])


class _Response:
    """The processes of one response simulation and their records."""

    def __init__(
        self,
        config: ResponseConfig,
        *,
        env: simpy.Environment,
        alarm_time_s: float,
        casualties: Sequence[Casualty],
        rng: np.random.Generator,
        casualty_feed: simpy.Store | None = None,
    ) -> None:
        self.config = config
        self.env = env
        self.rng = rng
        self.alarm_time_s = alarm_time_s
        self.geo = config.geography
        self.travel_model = config.travel
        self.units = build_units(config)
        self.fleet = Fleet(env, units=self.units, eta=self._eta)
        self.call_takers = simpy.PriorityResource(env, capacity=config.call_takers)
        self.beds = {h.id: simpy.Container(env, capacity=max(h.beds, 1), init=h.beds) for h in config.hospitals}
        self._route_cache: dict[tuple[Any, Any], Route | None] = {}
        self.assignments: list[dict[str, Any]] = []
        self.segments: list[tuple[Any, ...]] = []
        self.route_rows: list[tuple[Any, ...]] = []
        self._legs = itertools.count()
        self.states = [_IncidentState(incident=inc, casualties=[]) for inc in config.incidents]
        self._assign_casualties(casualties)
        for st in self.states:
            env.process(self.respond(st))
        if casualty_feed is not None:
            env.process(self.receive(casualty_feed))

    # -- set-up ------------------------------------------------------------------------------------------
    def _assign_casualties(self, casualties: Sequence[Casualty]) -> None:
        for st in self.states:  # the incidents' own casualties, reported at the call (time set then)
            spec = st.incident.casualties
            if spec is None:
                continue
            sev = self.rng.choice(3, size=spec.count, p=np.asarray(spec.severity_shares)) + 1
            for k in range(spec.count):
                st.casualties.append(
                    {"casualty": f"{st.incident.id}/c{k + 1}", "severity": int(sev[k]), "reported_s": None}
                )
        for i, c in enumerate(casualties):
            self.add_casualty(c, field=f"casualties[{i}]")

    def _incident_of(self, c: Casualty, field: str) -> _IncidentState:
        """The incident a casualty belongs to: the one it names, else the one with the nearest site."""
        if c.severity not in (1, 2, 3):
            raise ScenarioError(
                "severity must be 1, 2 or 3",
                field=f"{field}.severity",
                value=c.severity,
                fix="use 1 (immediate), 2 (delayed) or 3 (minor)",
            )
        if not self.states:
            raise ScenarioError(
                "casualties given but the response section has no incidents",
                field="response.incidents",
                fix="add the incident the casualties belong to",
            )
        if c.incident is None:
            return min(self.states, key=lambda s: math.hypot(s.incident.place.x - c.x, s.incident.place.y - c.y))
        for st in self.states:
            if st.incident.id == c.incident:
                return st
        raise ScenarioError(
            "unknown incident",
            field=f"{field}.incident",
            value=c.incident,
            fix=f"use one of: {', '.join(s.incident.id for s in self.states)}",
        )

    # -- geography ---------------------------------------------------------------------------------------
    def route(self, a: Place, b: Place) -> Route | None:
        key = (a.key, b.key)
        if key not in self._route_cache:
            self._route_cache[key] = self.geo.route(a, b)
        return self._route_cache[key]

    def _whereabouts(self, unit: Unit) -> tuple[Place, float]:
        """Where a unit is now: its place, or the next node it reaches while driving, and the time to it."""
        if unit.leg is None:
            return unit.place, unit.offset_s
        route, t0, duration = unit.leg
        if self.env.now < t0:  # still on the way to the route's first point
            return route.places[0], t0 - self.env.now
        frac = 0.0 if duration <= 0 else min(max((self.env.now - t0) / duration, 0.0), 1.0)
        if route.places[0].node is None:  # straight lines: the point on the way
            a, b = route.places[0], route.places[-1]
            return Place(x=a.x + frac * (b.x - a.x), y=a.y + frac * (b.y - a.y)), 0.0
        place, rem_ff = route.position_at(frac * route.time_s)
        return place, (rem_ff / route.time_s * duration) if route.time_s > 0 else 0.0

    def _eta(self, unit: Unit, site: Place) -> float:
        place, offset = self._whereabouts(unit)
        r = self.route(place, site)
        return math.inf if r is None else offset + self.travel_model.median_s(r)

    # -- records -----------------------------------------------------------------------------------------
    def _segment(self, unit: Unit, incident: str | None, state: str, start: float, end: float) -> None:
        self.segments.append((unit.id, unit.team, unit.station.id, unit.kind, incident, state, start, end))

    # -- processes ---------------------------------------------------------------------------------------
    def respond(self, st: _IncidentState) -> ProcessGen:
        """An incident: start, detection and report, call handling, dispatch order, then the teams' work."""
        inc = st.incident
        env = self.env
        start = self.alarm_time_s + inc.call_s
        st.row = {
            "incident": inc.id,
            "priority": inc.priority,
            "start_s": start,
            "call_s": math.nan,
            "dispatch_s": math.nan,
            "first_on_scene_s": math.nan,
            "cleared_s": math.nan,
        }
        yield env.timeout(max(start - env.now, 0.0))
        yield env.timeout(_sample(inc.report_delay, self.rng))
        st.row["call_s"] = env.now
        with self.call_takers.request(priority=inc.priority) as taker:
            yield taker
            yield env.timeout(_sample(self.config.call_handling, self.rng))
        st.row["dispatch_s"] = env.now
        self._prepare(st)
        for task in inc.tasks:
            if task.duration is not None:
                env.process(self.work(st, task))
                for _ in range(task.teams):
                    st.open_processes += 1
                    env.process(self.attend(st, task))
        for stage in st.stages:
            self._staff(st, stage)
        if st.open_processes == 0:
            st.row["cleared_s"] = env.now

    def _staff(self, st: _IncidentState, stage: _Stage) -> None:
        """Send units to a casualty stage: up to its team count, no more than casualties are waiting."""
        for _ in range(max(0, min(stage.teams - stage.active, stage.unclaimed))):
            stage.active += 1
            st.open_processes += 1
            st.row["cleared_s"] = math.nan  # (re)opened
            self.env.process(self.attend(st, stage.task) if stage.task is not None else self.transport(st))

    def receive(self, feed: simpy.Store) -> ProcessGen:
        """Take casualties that other engines put into ``feed`` while the clock runs."""
        while True:
            casualty = yield feed.get()
            self.add_casualty(casualty, field="casualty_feed")

    def add_casualty(self, c: Casualty, *, field: str) -> None:
        """A casualty reported now (or at ``c.reported_s`` if later); teams are sent if none are left for it."""
        st = self._incident_of(c, field)
        rec = {"casualty": c.id, "severity": c.severity, "reported_s": max(float(c.reported_s), self.env.now)}
        st.casualties.append(rec)
        if not st.prepared:  # the dispatch order will include it
            return
        rec.update(treated_s=math.nan, departed_s=math.nan, hospital=None, at_hospital_s=math.nan)
        tr = st.incident.transport
        for stage in st.stages:
            if stage.task is None and tr is not None and c.severity not in tr.severities:
                continue
            stage.unclaimed += 1
            stage.unfinished += 1
            if stage.done.triggered:  # the stage has work again
                stage.done = self.env.event()
                if stage.task is not None:
                    st.task_done[stage.task.id] = stage.done
                    st.task_rows[stage.task.id]["done_s"] = math.nan
        self.env.process(self.report(st, rec, len(st.casualties) - 1))
        for stage in st.stages:
            self._staff(st, stage)

    def _prepare(self, st: _IncidentState) -> None:
        """Stages and task events once the incident is dispatched; casualties start being reported."""
        env, inc = self.env, st.incident
        for c in st.casualties:
            if c["reported_s"] is None:
                c["reported_s"] = st.row["call_s"]
            c.update(treated_s=math.nan, departed_s=math.nan, hospital=None, at_hospital_s=math.nan)
        per_casualty = [t for t in inc.tasks if t.per_casualty is not None]
        n_all = len(st.casualties)
        for t in inc.tasks:
            st.task_done[t.id] = env.event()
            st.task_rows[t.id] = {
                "incident": inc.id,
                "task": t.id,
                "team": t.team,
                "kind": "/".join(self.config.kind_of_team.get(t.team, ())),
                "start_s": math.nan,
                "done_s": math.nan,
                "_first_on_scene": env.event(),
            }
        for t in per_casualty:
            st.stages.append(
                _Stage(
                    store=simpy.PriorityStore(env),
                    unclaimed=n_all,
                    unfinished=n_all,
                    done=st.task_done[t.id],
                    task=t,
                    teams=t.teams,
                )
            )
            if n_all == 0:
                st.task_done[t.id].succeed()
        if inc.transport is not None:
            n_tr = sum(1 for c in st.casualties if c["severity"] in inc.transport.severities)
            st.stages.append(
                _Stage(
                    store=simpy.PriorityStore(env),
                    unclaimed=n_tr,
                    unfinished=n_tr,
                    done=env.event(),
                    task=None,
                    teams=inc.transport.teams,
                )
            )
            if n_tr == 0:
                st.stages[-1].done.succeed()
        st.prepared = True
        for seq, c in enumerate(st.casualties):
            env.process(self.report(st, c, seq))

    def report(self, st: _IncidentState, casualty: dict[str, Any], seq: int) -> ProcessGen:
        """A casualty becomes known to the teams on scene at its report time."""
        yield self.env.timeout(max(casualty["reported_s"] - self.env.now, 0.0))
        casualty["_seq"] = seq
        self._forward(st, casualty, 0)

    def _forward(self, st: _IncidentState, casualty: dict[str, Any], stage: int) -> None:
        """Hand a casualty to stage ``stage`` (or leave it on scene when no further stage takes it)."""
        inc = st.incident
        n_pc = len(st.stages) - (1 if inc.transport is not None else 0)
        if stage == n_pc and stage > 0:
            casualty["treated_s"] = self.env.now
        if stage >= len(st.stages):
            return
        if stage == n_pc and inc.transport is not None and casualty["severity"] not in inc.transport.severities:
            return
        item = simpy.PriorityItem((casualty["severity"], casualty["reported_s"], casualty["_seq"]), casualty)
        st.stages[stage].store.put(item)

    def work(self, st: _IncidentState, task: Task) -> ProcessGen:
        """A fixed task: starts when its first unit is on scene and the tasks it waits for are done."""
        assert task.duration is not None
        row = st.task_rows[task.id]
        yield row["_first_on_scene"]
        yield self.env.all_of([st.task_done[a] for a in task.after])
        row["start_s"] = self.env.now
        yield self.env.timeout(_sample(task.duration, self.rng))
        row["done_s"] = self.env.now
        st.task_done[task.id].succeed()

    def attend(self, st: _IncidentState, task: Task) -> ProcessGen:
        """One unit's part in a task: dispatch, turnout, travel, work on scene, return."""
        inc = st.incident
        env = self.env
        stage = None
        if task.per_casualty is not None:
            k = [t.id for t in inc.tasks if t.per_casualty is not None].index(task.id)
            stage = st.stages[k]
        with self.fleet.request(team=task.team, site=inc.place, priority=inc.priority) as req:
            unit = yield req
            rec = self._open_record(st, task.id, unit)
            done = st.task_done[task.id]
            if (stage is None and done.triggered) or (stage is not None and stage.unclaimed == 0):
                rec["stood_down"] = True  # the work was done before this unit set off
                rec["clear_s"] = env.now
                if stage is not None:
                    stage.active -= 1
                yield from self.go_home(unit, req, st)
                return
            yield from self.travel(unit, inc.place, inc.id, rec, to_scene=True)
            self._on_scene(st, rec)
            if stage is None:
                first = st.task_rows[task.id]["_first_on_scene"]
                if not first.triggered:
                    first.succeed()
                yield done
            else:
                assert task.per_casualty is not None
                yield env.all_of([st.task_done[a] for a in task.after])
                yield from self.treat(st, task, stage, unit)
                stage.active -= 1
            rec["clear_s"] = env.now
            self._segment(unit, inc.id, "on_scene", rec["on_scene_s"], env.now)
            yield from self.go_home(unit, req, st)

    def treat(self, st: _IncidentState, task: Task, stage: _Stage, unit: Unit) -> ProcessGen:
        """Casualty by casualty, most severe first, while casualties of this incident remain unclaimed."""
        env = self.env
        row = st.task_rows[task.id]
        k = st.stages.index(stage)
        assert task.per_casualty is not None
        while stage.unclaimed > 0:
            stage.unclaimed -= 1
            item = yield stage.store.get()
            if math.isnan(row["start_s"]):
                row["start_s"] = env.now
            yield env.timeout(_sample(task.per_casualty, self.rng))
            stage.unfinished -= 1
            self._forward(st, item.item, k + 1)
            if stage.unfinished == 0:
                row["done_s"] = env.now
                stage.done.succeed()

    def transport(self, st: _IncidentState) -> ProcessGen:
        """One ambulance: to the scene, then load, drive to a hospital with a free bed, hand over, come back."""
        inc = st.incident
        tr = inc.transport
        assert tr is not None
        env = self.env
        stage = st.stages[-1]
        with self.fleet.request(team=tr.team, site=inc.place, priority=inc.priority) as req:
            unit = yield req
            rec = self._open_record(st, "transport", unit)
            if stage.unclaimed == 0:
                rec["stood_down"] = True  # the work was done before this unit set off
                rec["clear_s"] = env.now
                stage.active -= 1
                yield from self.go_home(unit, req, st)
                return
            yield from self.travel(unit, inc.place, inc.id, rec, to_scene=True)
            self._on_scene(st, rec)
            arrived = env.now
            while stage.unclaimed > 0:
                n = min(tr.per_trip, stage.unclaimed)
                stage.unclaimed -= n
                load = []
                for _ in range(n):
                    item = yield stage.store.get()
                    load.append(item.item)
                yield env.timeout(_sample(tr.load, self.rng))
                aboard = yield from self._admit(st, load, stage)
                self._segment(unit, inc.id, "on_scene", arrived, env.now)
                if not aboard:
                    arrived = env.now
                    continue
                hospital_id, patients = aboard
                hospital = next(h for h in self.config.hospitals if h.id == hospital_id)
                for c in patients:
                    c["departed_s"] = env.now
                    c["hospital"] = hospital_id
                yield from self.travel(unit, hospital.place, inc.id, rec, state="to_hospital")
                for c in patients:
                    c["at_hospital_s"] = env.now
                t_h = env.now
                yield env.timeout(_sample(tr.handover, self.rng))
                self._segment(unit, inc.id, "at_hospital", t_h, env.now)
                rec["trips"] += 1
                stage.unfinished -= len(patients)
                if stage.unfinished == 0 and not stage.done.triggered:
                    stage.done.succeed()
                if stage.unclaimed > 0:
                    yield from self.travel(unit, inc.place, inc.id, rec, state="to_scene")
                arrived = env.now
            stage.active -= 1
            rec["clear_s"] = env.now
            yield from self.go_home(unit, req, st)

    def _admit(
        self, st: _IncidentState, load: list[dict[str, Any]], stage: _Stage
    ) -> Generator[simpy.Event, Any, tuple[str, list[dict[str, Any]]] | None]:
        """Reserve beds for a load at the closest hospital with room; what does not fit waits or stays."""
        site = st.incident.place
        options = []
        for h in self.config.hospitals:
            r = self.route(site, h.place)
            if r is not None and self.beds[h.id].level > 0:
                options.append((self.travel_model.median_s(r), h.id))
        if not options:  # no bed left anywhere: these casualties stay on scene
            stage.unfinished -= len(load)
            if stage.unfinished == 0 and not stage.done.triggered:
                stage.done.succeed()
            return None
        options.sort()
        fit = [h for _, h in options if self.beds[h].level >= len(load)]
        hid = fit[0] if fit else options[0][1]
        k = min(len(load), int(self.beds[hid].level))
        yield self.beds[hid].get(k)
        for c in load[k:]:  # they wait for the next trip
            stage.unclaimed += 1
            stage.store.put(simpy.PriorityItem((c["severity"], c["reported_s"], c["_seq"]), c))
        return hid, load[:k]

    def travel(
        self,
        unit: Unit,
        dest: Place,
        incident: str,
        rec: dict[str, Any],
        *,
        to_scene: bool = False,
        state: str = "to_scene",
    ) -> ProcessGen:
        """Drive to ``dest`` (after turnout when leaving the station to a scene)."""
        env = self.env
        if to_scene:
            if unit.at_station:
                t0 = env.now
                yield env.timeout(_sample(unit.station.turnout, self.rng))
                self._segment(unit, incident, "turnout", t0, env.now)
            rec["enroute_s"] = env.now
        unit.at_station = False
        yield from self.drive(unit, dest, incident, state)

    def drive(self, unit: Unit, dest: Place, incident: str | None, state: str) -> ProcessGen:
        """Move ``unit`` from where it is to ``dest``; an interrupt stops it at the next node."""
        env = self.env
        offset = unit.offset_s
        route = self.route(unit.place, dest)
        if route is None:  # checked when the scenario was read; reachable by construction
            raise ScenarioError(
                f"{dest.node} cannot be reached from {unit.place.node}",
                file=self.config.source,
                field=f"response (unit {unit.id})",
                fix="check one-way edges of the road network",
            )
        t0 = env.now
        duration = offset + self.travel_model.sample_s(route, self.rng)
        unit.leg = (route, t0 + offset, duration - offset)
        unit.offset_s = 0.0
        leg = next(self._legs)
        try:
            yield env.timeout(duration)
        except simpy.Interrupt:
            place, rem = self._whereabouts(unit)
            unit.place, unit.offset_s, unit.leg = place, rem, None
            self._segment(unit, incident, state, t0, env.now)
            self._route_row(leg, unit, incident, state, route, place)
            raise
        unit.place, unit.leg = dest, None
        self._segment(unit, incident, state, t0, env.now)
        self._route_row(leg, unit, incident, state, route, None)

    def _route_row(
        self, leg: int, unit: Unit, incident: str | None, state: str, route: Route, stop: Place | None
    ) -> None:
        """Record the points of a leg driven (up to ``stop`` when it was cut short)."""
        places: list[Place] = list(route.places)
        if stop is not None:
            if route.places[0].node is None:  # straight line: from the origin to the point reached
                places = [route.places[0], stop]
            else:
                keys = [p.key for p in places]
                places = places[: keys.index(stop.key) + 1] if stop.key in keys else places
        for seq, p in enumerate(places):
            self.route_rows.append((leg, unit.id, incident, state, seq, p.x, p.y))

    def go_home(self, unit: Unit, req: UnitRequest, st: _IncidentState) -> ProcessGen:
        """Clear the scene: return to the station (available on the way if re-dispatch is allowed)."""
        self._close(st)
        if self.config.redispatch_returning or unit.at_station:
            self.fleet.release(req)  # may hand it straight to a waiting call
            if unit.busy or unit.at_station:
                self._mark_available(unit)
            else:
                unit.homing = self.env.process(self.return_to_station(unit))
            return
        yield from self.drive(unit, unit.station.place, None, "return")
        unit.at_station = True
        self._mark_available(unit)

    def return_to_station(self, unit: Unit) -> ProcessGen:
        """Drive back to the station; a new dispatch interrupts this on the way."""
        try:
            yield from self.drive(unit, unit.station.place, None, "return")
        except simpy.Interrupt:
            self._mark_available(unit)
            return
        unit.at_station = True
        unit.homing = None
        self._mark_available(unit)

    def _mark_available(self, unit: Unit) -> None:
        if unit.record is not None and math.isnan(unit.record["available_s"]):
            unit.record["available_s"] = self.env.now
        unit.record = None

    def _open_record(self, st: _IncidentState, task: str, unit: Unit) -> dict[str, Any]:
        if unit.record is not None:  # re-dispatched while returning
            self._mark_available(unit)
        rec = {
            "incident": st.incident.id,
            "task": task,
            "unit": unit.id,
            "team": unit.team,
            "station": unit.station.id,
            "kind": unit.kind,
            "call_s": st.row["call_s"],
            "dispatch_s": self.env.now,
            "enroute_s": math.nan,
            "on_scene_s": math.nan,
            "clear_s": math.nan,
            "available_s": math.nan,
            "trips": 0,
            "stood_down": False,
        }
        unit.record = rec
        self.assignments.append(rec)
        return rec

    def _on_scene(self, st: _IncidentState, rec: dict[str, Any]) -> None:
        rec["on_scene_s"] = self.env.now
        if math.isnan(st.row["first_on_scene_s"]):
            st.row["first_on_scene_s"] = self.env.now

    def _close(self, st: _IncidentState) -> None:
        st.open_processes -= 1
        if st.open_processes == 0:
            st.row["cleared_s"] = self.env.now

    # -- results -----------------------------------------------------------------------------------------
    def finished(self) -> bool:
        return all(not math.isnan(st.row.get("cleared_s", math.nan)) for st in self.states) and all(
            not u.busy and u.at_station for u in self.units
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        task_rows = [
            {k: v for k, v in row.items() if not k.startswith("_")}
            for st in self.states
            for row in st.task_rows.values()
        ]
        casualty_rows = [
            {
                "casualty": c["casualty"],
                "incident": st.incident.id,
                "severity": c["severity"],
                "reported_s": c["reported_s"] if c["reported_s"] is not None else math.nan,
                "treated_s": c.get("treated_s", math.nan),
                "departed_s": c.get("departed_s", math.nan),
                "hospital": c.get("hospital"),
                "at_hospital_s": c.get("at_hospital_s", math.nan),
            }
            for st in self.states
            for c in st.casualties
        ]
        units = [(u.id, u.team, u.station.id, u.kind, u.station.place.x, u.station.place.y) for u in self.units]
        return {
            "timeline": pd.DataFrame(self.assignments, columns=list(ASSIGNMENT_COLUMNS)),
            "incidents": pd.DataFrame([st.row for st in self.states if st.row], columns=list(INCIDENT_COLUMNS)),
            "tasks": pd.DataFrame(task_rows, columns=list(TASK_COLUMNS)),
            "casualties": pd.DataFrame(casualty_rows, columns=list(CASUALTY_COLUMNS)),
            "segments": pd.DataFrame(self.segments, columns=list(SEGMENT_COLUMNS)),
            "routes": pd.DataFrame(self.route_rows, columns=list(ROUTE_COLUMNS)),
            "units": pd.DataFrame(units, columns=list(UNIT_COLUMNS)),
        }


def simulate_response(
    config: ResponseConfig,
    *,
    env: simpy.Environment | None = None,
    alarm_time_s: float,
    casualties: Sequence[Casualty] = (),
    rng: np.random.Generator,
    until: float | None = None,
    seed: int | None = None,
    casualty_feed: simpy.Store | None = None,
) -> ResponseResult:
    """Simulate the response to the configuration's incidents.

    Args:
        config: the validated ``response`` section (plan changes applied).
        env: a SimPy environment to schedule the processes on (the crowd engine's clock); the caller runs
            it and reads the result afterwards. ``None``: a new environment is made and run here.
        alarm_time_s: the alarm time on the clock [s]; incidents start at ``alarm_time_s + call``.
        casualties: casualties reported by the crowd / hazard engines (added to the incidents' own).
        rng: the response stream, ``sim.seeding.stream(seed, "response")``.
        until: with a new environment, stop at this time [s] (default: when every unit is back).
            Must be ``None`` when ``env`` is given (the caller decides how long to run).
        seed: the root seed, stored with the result.
        casualty_feed: a ``simpy.Store`` on ``env`` into which other engines put :class:`Casualty` records
            while the clock runs (e.g. the hazard engine at the explosion); each is added to its incident
            at once and teams are sent for it if none are left on scene.

    Returns:
        The records (complete when the environment has run to the end).

    Raises:
        ScenarioError: a casualty names an unknown incident or has a severity other than 1, 2, 3.
        ValueError: ``until`` given together with ``env``.
    """
    if env is not None and until is not None:
        raise ValueError("until applies only when simulate_response makes its own environment; run env yourself")
    own = env is None
    env = simpy.Environment(initial_time=0.0) if env is None else env
    sim = _Response(
        config, env=env, alarm_time_s=alarm_time_s, casualties=casualties, rng=rng, casualty_feed=casualty_feed
    )
    if own:
        env.run(until=until)
    return ResponseResult(config=config, alarm_time_s=alarm_time_s, seed=seed, tables=sim.tables, finished=sim.finished)
