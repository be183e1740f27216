"""The ``response`` section of a scenario: stations, teams, hospitals, incidents, travel and dispatch.

Read field by field with :class:`~sim.scenario.fields.FieldReader`, so that every problem is one line naming
the file, the field, the value and the fix. See :func:`read_response` for the section's keys and
:func:`read_response_plan_changes` for what a plan may change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.distributions import Distribution
from sim.response.network import (
    DETOUR_FACTOR,
    Geography,
    Place,
    Route,
    StraightLines,
    read_csv_network,
    read_graphml,
)
from sim.scenario.fields import FieldReader, key_name
from sim.scenario.loader import _read_distribution

__all__ = [
    "ResponseConfig",
    "Station",
    "Hospital",
    "Task",
    "Transport",
    "CasualtySpec",
    "Incident",
    "TravelModel",
    "Target",
    "ResponsePlanChanges",
    "StationMove",
    "read_response",
    "read_response_plan_changes",
    "apply_response_plan_changes",
    "check_response",
    "STATION_KINDS",
    "SECTION_KEYS",
    "DEFAULT_TARGETS",
    "places_table",
]

STATION_KINDS = ("fire", "ems", "police", "gas_utility", "rescue")
SECTION_KEYS = (
    "network",
    "stations",
    "hospitals",
    "incidents",
    "call_handling",
    "call_takers",
    "travel",
    "dispatch",
    "targets",
)
#: Largest snapping distance [m] from a given x / y to the nearest network node before it is an error.
MAX_SNAP_M = 500.0

# Budge, Ingolfsson and Zerom (2010) median travel time constants, converted to SI.
_BUDGE_A = 41.0 / 60.0 * 1000.0 / 3600.0  # 41/60 km/min^2 -> m/s^2 (about 0.19)
_BUDGE_VC = 100.7 / 3.6  # 100.7/60 km/min -> m/s (about 28)
_BUDGE_DC = _BUDGE_VC**2 / (2.0 * _BUDGE_A)  # distance to reach cruising speed [m]


# -- the frozen objects ------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Station:
    """A base of response teams.

    Attributes:
        id: unique name.
        kind: ``fire``, ``ems``, ``police``, ``gas_utility`` or ``rescue`` (targets are judged per kind).
        place: where its units start from and return to.
        teams: team type -> number of units (e.g. ``{"engine": 2}``).
        turnout: time [s] from the dispatch order until a unit leaves the station.
    """

    id: str
    kind: str
    place: Place
    teams: Mapping[str, int]
    turnout: Distribution


@dataclass(frozen=True, kw_only=True)
class Hospital:
    """A receiving hospital.

    Attributes:
        id: unique name.
        place: where ambulances unload.
        beds: emergency beds free for this incident [patients]; never exceeded.
    """

    id: str
    place: Place
    beds: int


@dataclass(frozen=True, kw_only=True)
class Task:
    """Work on scene by one team type.

    A fixed task (``duration``) starts when its first unit is on scene and the tasks in ``after`` are done; its
    units stay until it is done. A per-casualty task (``per_casualty``) treats the incident's casualties one
    at a time per unit, in order of severity; per-casualty tasks form a chain in the order listed (search and
    rescue, then triage, ...), and transport follows the last of them.

    Attributes:
        id: name, unique within the incident.
        team: team type that does it.
        teams: number of units sent.
        duration: time [s] the task takes (fixed tasks), else ``None``.
        per_casualty: time [s] per casualty per unit (per-casualty tasks), else ``None``.
        after: ids of tasks of the same incident that must be done before work starts.
    """

    id: str
    team: str
    teams: int
    duration: Distribution | None = None
    per_casualty: Distribution | None = None
    after: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Transport:
    """Taking casualties to hospitals.

    Attributes:
        team: team type (e.g. ``ambulance``).
        teams: number of units sent; each carries ``per_trip`` casualties and makes further trips while
            casualties wait.
        per_trip: casualties per trip [persons].
        load: time [s] to load one trip on scene.
        handover: time [s] to hand patients over at the hospital.
        severities: severities transported (1 immediate, 2 delayed, 3 minor).
    """

    team: str
    teams: int
    per_trip: int = 1
    load: Distribution = field(default_factory=lambda: Distribution.fixed(300.0))
    handover: Distribution = field(default_factory=lambda: Distribution.fixed(600.0))
    severities: tuple[int, ...] = (1, 2, 3)


@dataclass(frozen=True, kw_only=True)
class CasualtySpec:
    """Casualties an incident has by itself (besides those the crowd and hazard engines report).

    Attributes:
        count: number of casualties [persons], reported at the call.
        severity_shares: probabilities of severity 1, 2 and 3 (sum 1).
    """

    count: int
    severity_shares: tuple[float, float, float] = (0.2, 0.3, 0.5)


@dataclass(frozen=True, kw_only=True)
class Incident:
    """One call for help.

    Attributes:
        id: unique name.
        place: the site.
        call_s: when the incident starts [s after the alarm]; ``at_alarm`` is 0.
        report_delay: time [s] from the start until the call reaches the dispatch centre (detection).
        priority: dispatch priority, lower is more urgent (SimPy's convention).
        tasks: work on scene.
        transport: casualty transport, or ``None``.
        casualties: casualties of its own, or ``None``.
    """

    id: str
    place: Place
    call_s: float = 0.0
    report_delay: Distribution = field(default_factory=lambda: Distribution.fixed(0.0))
    priority: int = 1
    tasks: tuple[Task, ...] = ()
    transport: Transport | None = None
    casualties: CasualtySpec | None = None

    @property
    def team_types(self) -> tuple[str, ...]:
        """Team types this incident needs."""
        types = [t.team for t in self.tasks] + ([self.transport.team] if self.transport else [])
        return tuple(dict.fromkeys(types))


@dataclass(frozen=True, kw_only=True)
class TravelModel:
    """How long a trip takes.

    ``median``: ``network`` = free-flow time on the route (length / speed, x 1 / ``speed_factor``);
    ``budge`` = Budge, Ingolfsson and Zerom (2010) median from the route length d: 2 sqrt(d / a) up to
    2 d_c, v_c / a + d / v_c beyond (a = 41/60 km/min², v_c = 100.7/60 km/min, d_c = v_c² / 2a).
    ``model``: ``deterministic`` = the median; ``stochastic`` = median x exp(scale x T) with T Student-t with
    ``df`` degrees of freedom (the log-t error of Budge et al.), the factor clipped to [0.25, 4].

    Attributes:
        model: ``deterministic`` or ``stochastic``.
        median: ``network`` or ``budge``.
        speed_factor: emergency driving speed / edge speed [-].
        df: degrees of freedom of the log-t error [-].
        scale: scale of the log-t error [-] (about the coefficient of variation for small values).
    """

    model: str = "deterministic"
    median: str = "network"
    speed_factor: float = 1.0
    df: float = 5.0
    scale: float = 0.2

    def median_s(self, route: Route) -> float:
        """The median travel time [s] of ``route``."""
        if self.median == "budge":
            d = route.length_m
            if d <= 2.0 * _BUDGE_DC:
                return 2.0 * math.sqrt(d / _BUDGE_A)
            return _BUDGE_VC / _BUDGE_A + d / _BUDGE_VC
        return route.time_s / self.speed_factor

    def sample_s(self, route: Route, rng: np.random.Generator) -> float:
        """One realised travel time [s] of ``route`` (draws from ``rng`` only when stochastic)."""
        m = self.median_s(route)
        if self.model == "deterministic" or m == 0.0:
            return m
        factor = math.exp(self.scale * float(rng.standard_t(self.df)))
        return m * min(max(factor, 0.25), 4.0)


@dataclass(frozen=True, kw_only=True)
class Target:
    """A response-time standard judged per incident on the first unit of a station kind.

    Attributes:
        id: name (a summary key).
        kind: station kind whose first unit on scene counts.
        within_s: the target [s].
        start: ``dispatch`` (the dispatch order, as 建标152-2017) or ``call`` (the call received).
    """

    id: str
    kind: str
    within_s: float
    start: str = "dispatch"


#: 建标152-2017: first fire crews on scene within 5 min of the dispatch order (1 min turnout + 4 min travel);
#: 国卫医发〔2020〕19号: mean EMS response about 12 min from the call.
DEFAULT_TARGETS = (
    Target(id="fire_5min", kind="fire", within_s=300.0, start="dispatch"),
    Target(id="ems_12min", kind="ems", within_s=720.0, start="call"),
)


@dataclass(frozen=True, kw_only=True, eq=False)
class ResponseConfig:
    """A validated ``response`` section.

    Attributes:
        source: the scenario file (for messages).
        geography: the road network or straight lines.
        stations, hospitals, incidents: the section's lists.
        call_handling: time [s] a call taker needs from answering to the dispatch order.
        call_takers: calls handled at once; further calls queue by priority.
        travel: the travel-time model.
        redispatch_returning: whether a unit driving back to its station may be sent to a new call (from
            where it is); if false it is available only once back at its station.
        targets: response-time standards.
    """

    source: str
    geography: Geography
    stations: tuple[Station, ...]
    hospitals: tuple[Hospital, ...] = ()
    incidents: tuple[Incident, ...] = ()
    call_handling: Distribution = field(default_factory=lambda: Distribution.fixed(60.0))
    call_takers: int = 2
    travel: TravelModel = field(default_factory=TravelModel)
    redispatch_returning: bool = True
    targets: tuple[Target, ...] = DEFAULT_TARGETS

    def station(self, station_id: str) -> Station:
        """The station with this id."""
        return next(s for s in self.stations if s.id == station_id)

    @property
    def kind_of_team(self) -> dict[str, tuple[str, ...]]:
        """Team type -> the station kinds that hold it."""
        out: dict[str, list[str]] = {}
        for s in self.stations:
            for t in s.teams:
                if s.kind not in out.setdefault(t, []):
                    out[t].append(s.kind)
        return {t: tuple(k) for t, k in out.items()}


@dataclass(frozen=True, kw_only=True)
class StationMove:
    """A station's new place (plan change).

    Attributes:
        station: station id.
        place: its new place.
    """

    station: str
    place: Place


@dataclass(frozen=True, kw_only=True)
class ResponsePlanChanges:
    """What a plan changes in the ``response`` section.

    Attributes:
        move_stations: stations moved to new places.
        add_stations: new stations.
        remove_stations: ids of stations closed.
        team_counts: station id -> team type -> new count (0 removes the team type).
    """

    move_stations: tuple[StationMove, ...] = ()
    add_stations: tuple[Station, ...] = ()
    remove_stations: tuple[str, ...] = ()
    team_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


# -- readers -----------------------------------------------------------------------------------------------
def _read_geography(reader: FieldReader, raw: Any, field: str, base_dir: Path) -> Geography:
    if raw is None or raw == "none":
        return StraightLines()
    if isinstance(raw, str):
        raw = {"graphml": raw}
    d = reader.mapping(raw, field, ("graphml", "nodes", "edges", "default_speed_kph", "detour_factor", "speed_kph"))
    default_kph = (
        reader.number(d["default_speed_kph"], f"{field}.default_speed_kph", min=1.0, max=300.0, unit="km/h")
        if "default_speed_kph" in d
        else None
    )

    def path_of(key: str) -> Path:
        text = reader.text(d[key], f"{field}.{key}")
        p = Path(text)
        p = p if p.is_absolute() else base_dir / p
        if not p.is_file():
            reader.fail(
                f"{field}.{key}",
                "file not found (paths are relative to the scenario file's folder)",
                text,
                f"put the file in {base_dir} or correct the name",
            )
        return p

    if "graphml" in d:
        for k in ("nodes", "edges", "detour_factor", "speed_kph"):
            if k in d:
                reader.fail(f"{field}.{k}", "cannot be combined with 'graphml'", d[k], f"remove '{k}:'")
        return read_graphml(path_of("graphml"), default_speed_kph=default_kph)
    if "nodes" in d or "edges" in d:
        if "nodes" not in d or "edges" not in d:
            missing = "nodes" if "nodes" not in d else "edges"
            reader.fail(
                f"{field}.{missing}",
                "missing required key (a CSV network needs both files)",
                fix=f"add '{missing}: <file.csv>'",
            )
        return read_csv_network(
            path_of("nodes"), path_of("edges"), default_speed_kph=default_kph if default_kph is not None else 30.0
        )
    return StraightLines(
        detour_factor=reader.number(d.get("detour_factor", DETOUR_FACTOR), f"{field}.detour_factor", min=1.0, max=5.0),
        speed_kph=reader.number(d.get("speed_kph", 40.0), f"{field}.speed_kph", min=1.0, max=300.0, unit="km/h"),
    )


def _read_place(reader: FieldReader, d: Mapping[str, Any], field: str, geo: Geography, what: str) -> Place:
    """``node: <id>`` or ``xy: [x, y]`` (snapped to the nearest node of a network)."""
    if ("node" in d) == ("xy" in d):
        reader.fail(
            field,
            f"give the {what}'s place as 'node:' or as 'xy:' (one of them)",
            fix="write e.g. 'xy: [1800, 1500]' or 'node: \"123\"'",
        )
    if "node" in d:
        node = d["node"]
        if isinstance(node, bool) or not isinstance(node, (str, int)):
            reader.fail(f"{field}.node", "must be a node id", node, "quote the node id")
        place = geo.place_of_node(str(node))
        if place is None:
            hint = (
                "use 'xy:' (snapped to the nearest node)"
                if isinstance(geo, StraightLines)
                else (f"use a node of {Path(geo.source).name} or give 'xy:' to snap to the nearest node")
            )
            reader.fail(f"{field}.node", f"{what} node is not in the road network", node, hint)
        return place
    x, y = reader.point(d["xy"], f"{field}.xy")
    place = geo.place_at(x, y)
    gap = math.hypot(place.x - x, place.y - y)
    if gap > MAX_SNAP_M:
        reader.fail(
            f"{field}.xy",
            f"{what} is {gap:.0f} m from the nearest road node (more than {MAX_SNAP_M:g} m)",
            [x, y],
            "give a point inside the road network's area",
        )
    return place


def _read_station(reader: FieldReader, raw: Any, field: str, geo: Geography) -> Station:
    d = reader.mapping(raw, field, ("id", "kind", "node", "xy", "teams", "turnout", "name"), ("id", "kind", "teams"))
    sid = reader.ident(d["id"], f"{field}.id")
    kind = reader.choice(d["kind"], f"{field}.kind", STATION_KINDS)
    place = _read_place(reader, d, field, geo, "station")
    teams = _read_team_counts(reader, d["teams"], f"{field}.teams", allow_zero=False)
    turnout = _read_distribution(reader, d.get("turnout", 60.0), f"{field}.turnout", min_value=0.0, unit="s")
    return Station(id=sid, kind=kind, place=place, teams=teams, turnout=turnout)


def _read_team_counts(reader: FieldReader, raw: Any, field: str, *, allow_zero: bool) -> dict[str, int]:
    if not isinstance(raw, Mapping) or not raw:
        reader.fail(field, "must map team types to counts", raw, "write e.g. {engine: 2, ladder: 1}")
    out = {}
    for t, n in raw.items():
        f = f"{field}.{key_name(t)}"
        out[reader.ident(t, f)] = reader.integer(n, f, min=0 if allow_zero else 1)
    return out


def _read_hospital(reader: FieldReader, raw: Any, field: str, geo: Geography) -> Hospital:
    d = reader.mapping(raw, field, ("id", "node", "xy", "beds", "name"), ("id", "beds"))
    return Hospital(
        id=reader.ident(d["id"], f"{field}.id"),
        place=_read_place(reader, d, field, geo, "hospital"),
        beds=reader.integer(d["beds"], f"{field}.beds", min=0),
    )


def _read_task(reader: FieldReader, raw: Any, field: str) -> Task:
    d = reader.mapping(raw, field, ("id", "team", "teams", "duration", "per_casualty", "after"), ("id", "team"))
    if ("duration" in d) == ("per_casualty" in d):
        reader.fail(
            field,
            "give the task either 'duration:' (whole task) or 'per_casualty:' (per person)",
            fix="write e.g. 'duration: {dist: uniform, low: 600, high: 1200}'",
        )
    after = d.get("after", [])
    after_list = [after] if isinstance(after, str) else reader.seq(after, f"{field}.after")
    return Task(
        id=reader.ident(d["id"], f"{field}.id"),
        team=reader.ident(d["team"], f"{field}.team"),
        teams=reader.integer(d.get("teams", 1), f"{field}.teams", min=1),
        duration=_read_distribution(reader, d["duration"], f"{field}.duration", min_value=0.0, unit="s")
        if "duration" in d
        else None,
        per_casualty=_read_distribution(reader, d["per_casualty"], f"{field}.per_casualty", min_value=0.0, unit="s")
        if "per_casualty" in d
        else None,
        after=tuple(reader.ident(a, f"{field}.after[{i}]") for i, a in enumerate(after_list)),
    )


def _read_transport(reader: FieldReader, raw: Any, field: str) -> Transport:
    d = reader.mapping(raw, field, ("team", "teams", "per_trip", "load", "handover", "severities"), ("team",))
    sev = reader.seq(d.get("severities", [1, 2, 3]), f"{field}.severities", min_len=1)
    severities = []
    for i, s in enumerate(sev):
        v = reader.integer(s, f"{field}.severities[{i}]", min=1)
        if v > 3:
            reader.fail(f"{field}.severities[{i}]", "must be 1, 2 or 3", s, "use 1 (immediate), 2 (delayed), 3 (minor)")
        severities.append(v)
    return Transport(
        team=reader.ident(d["team"], f"{field}.team"),
        teams=reader.integer(d.get("teams", 1), f"{field}.teams", min=1),
        per_trip=reader.integer(d.get("per_trip", 1), f"{field}.per_trip", min=1),
        load=_read_distribution(reader, d.get("load", 300.0), f"{field}.load", min_value=0.0, unit="s"),
        handover=_read_distribution(reader, d.get("handover", 600.0), f"{field}.handover", min_value=0.0, unit="s"),
        severities=tuple(sorted(set(severities))),
    )


def _read_incident(reader: FieldReader, raw: Any, field: str, geo: Geography) -> Incident:
    d = reader.mapping(
        raw,
        field,
        ("id", "description", "node", "xy", "call", "report_delay", "priority", "tasks", "transport", "casualties"),
        ("id",),
    )
    call = d.get("call", "at_alarm")
    call_s = 0.0 if call == "at_alarm" else reader.number(call, f"{field}.call", min=0.0, unit="s after the alarm")
    tasks = [
        _read_task(reader, t, f"{field}.tasks[{i}]")
        for i, t in enumerate(reader.seq(d.get("tasks", []), f"{field}.tasks"))
    ]
    reader.unique([t.id for t in tasks], f"{field}.tasks")
    ids = {t.id for t in tasks}
    for i, t in enumerate(tasks):
        for j, a in enumerate(t.after):
            reader.ref(a, f"{field}.tasks[{i}].after[{j}]", ids - {t.id}, "task of this incident")
    _check_acyclic(reader, tasks, f"{field}.tasks")
    transport = _read_transport(reader, d["transport"], f"{field}.transport") if "transport" in d else None
    if not tasks and transport is None:
        reader.fail(
            field, "incident has no tasks and no transport", fix="add 'tasks:' (and 'transport:' for casualties)"
        )
    casualties = None
    if "casualties" in d:
        c = d["casualties"]
        if isinstance(c, (int, float)) and not isinstance(c, bool):
            c = {"count": c}
        cd = reader.mapping(c, f"{field}.casualties", ("count", "severity_shares"), ("count",))
        shares = (0.2, 0.3, 0.5)
        if "severity_shares" in cd:
            raw_sh = reader.seq(cd["severity_shares"], f"{field}.casualties.severity_shares")
            if len(raw_sh) != 3:
                reader.fail(
                    f"{field}.casualties.severity_shares",
                    "needs three shares (severity 1, 2, 3)",
                    raw_sh,
                    "write e.g. [0.2, 0.3, 0.5]",
                )
            vals = [reader.number(s, f"{field}.casualties.severity_shares[{i}]", min=0.0) for i, s in enumerate(raw_sh)]
            if abs(sum(vals) - 1.0) > 1e-6:
                reader.fail(
                    f"{field}.casualties.severity_shares",
                    "shares must add up to 1",
                    raw_sh,
                    "give three shares that sum to 1",
                )
            shares = (vals[0], vals[1], vals[2])
        casualties = CasualtySpec(
            count=reader.integer(cd["count"], f"{field}.casualties.count"), severity_shares=shares
        )
    if "description" in d:
        reader.text(d["description"], f"{field}.description")
    return Incident(
        id=reader.ident(d["id"], f"{field}.id"),
        place=_read_place(reader, d, field, geo, "incident"),
        call_s=call_s,
        report_delay=_read_distribution(
            reader, d.get("report_delay", 0.0), f"{field}.report_delay", min_value=0.0, unit="s"
        ),
        priority=reader.integer(d.get("priority", 1), f"{field}.priority", min=0),
        tasks=tuple(tasks),
        transport=transport,
        casualties=casualties,
    )


def _check_acyclic(reader: FieldReader, tasks: list[Task], field: str) -> None:
    after = {t.id: t.after for t in tasks}
    state: dict[str, int] = {}

    def visit(t: str, path: tuple[str, ...]) -> None:
        if state.get(t) == 2:
            return
        if state.get(t) == 1:
            reader.fail(
                field,
                "tasks wait for each other in a circle",
                " -> ".join((*path, t)),
                "remove one of the 'after:' entries",
            )
        state[t] = 1
        for a in after[t]:
            visit(a, (*path, t))
        state[t] = 2

    for t in after:
        visit(t, ())


def _read_travel(reader: FieldReader, raw: Any, field: str) -> TravelModel:
    d = reader.mapping(raw, field, ("model", "median", "speed_factor", "error"))
    err = reader.mapping(d.get("error", {}), f"{field}.error", ("df", "scale"))
    base = TravelModel()
    return TravelModel(
        model=reader.choice(d.get("model", base.model), f"{field}.model", ("deterministic", "stochastic")),
        median=reader.choice(d.get("median", base.median), f"{field}.median", ("network", "budge")),
        speed_factor=reader.number(d.get("speed_factor", 1.0), f"{field}.speed_factor", min=0.1, max=5.0),
        df=reader.number(err.get("df", base.df), f"{field}.error.df", min=1.0),
        scale=reader.number(err.get("scale", base.scale), f"{field}.error.scale", min=0.0, max=2.0),
    )


def _read_targets(reader: FieldReader, raw: Any, field: str) -> tuple[Target, ...]:
    out = []
    for i, t in enumerate(reader.seq(raw, field)):
        f = f"{field}[{i}]"
        d = reader.mapping(t, f, ("id", "kind", "within", "from"), ("id", "kind", "within"))
        out.append(
            Target(
                id=reader.ident(d["id"], f"{f}.id"),
                kind=reader.choice(d["kind"], f"{f}.kind", STATION_KINDS),
                within_s=reader.number(d["within"], f"{f}.within", min=0.0, strict_min=True, unit="s"),
                start=reader.choice(d.get("from", "dispatch"), f"{f}.from", ("dispatch", "call")),
            )
        )
    reader.unique([t.id for t in out], field)
    return tuple(out)


def read_response(reader: FieldReader, raw: Any, field: str, *, base_dir: Path) -> ResponseConfig:
    """Read and validate the ``response`` section of a scenario.

    Keys: ``network`` (a GraphML file, ``{nodes: a.csv, edges: b.csv}``, ``{detour_factor, speed_kph}`` or
    ``none``), ``stations``, ``hospitals``, ``incidents``, ``call_handling`` (distribution [s]),
    ``call_takers``, ``travel`` (``model``, ``median``, ``speed_factor``, ``error: {df, scale}``), ``dispatch``
    (``redispatch_returning``), ``targets``. File paths are relative to ``base_dir``.

    Args:
        reader: the scenario file's reader (names the file in errors).
        raw: the parsed YAML value of the section.
        field: the section's field path, e.g. ``"response"``.
        base_dir: the scenario file's folder.

    Returns:
        The validated configuration.

    Raises:
        ScenarioError: the first problem, in one line (unknown keys, a station node missing from the network,
            an incident that no station with a needed team type can reach, a team type no station has, ...).
    """
    d = reader.mapping(raw, field, SECTION_KEYS, ("stations",))
    geo = _read_geography(reader, d.get("network"), f"{field}.network", base_dir)
    stations = tuple(
        _read_station(reader, s, f"{field}.stations[{i}]", geo)
        for i, s in enumerate(reader.seq(d["stations"], f"{field}.stations", min_len=1))
    )
    reader.unique([s.id for s in stations], f"{field}.stations")
    hospitals = tuple(
        _read_hospital(reader, h, f"{field}.hospitals[{i}]", geo)
        for i, h in enumerate(reader.seq(d.get("hospitals", []), f"{field}.hospitals"))
    )
    reader.unique([h.id for h in hospitals], f"{field}.hospitals")
    incidents = tuple(
        _read_incident(reader, x, f"{field}.incidents[{i}]", geo)
        for i, x in enumerate(reader.seq(d.get("incidents", []), f"{field}.incidents"))
    )
    reader.unique([x.id for x in incidents], f"{field}.incidents")
    disp = reader.mapping(d.get("dispatch", {}), f"{field}.dispatch", ("policy", "redispatch_returning"))
    reader.choice(disp.get("policy", "closest"), f"{field}.dispatch.policy", ("closest",))
    redispatch = disp.get("redispatch_returning", True)
    if not isinstance(redispatch, bool):
        reader.fail(
            f"{field}.dispatch.redispatch_returning", "must be true or false", redispatch, "write true or false"
        )
    config = ResponseConfig(
        source=reader.file,
        geography=geo,
        stations=stations,
        hospitals=hospitals,
        incidents=incidents,
        call_handling=_read_distribution(
            reader, d.get("call_handling", 60.0), f"{field}.call_handling", min_value=0.0, unit="s"
        ),
        call_takers=reader.integer(d.get("call_takers", 2), f"{field}.call_takers", min=1),
        travel=_read_travel(reader, d.get("travel", {}), f"{field}.travel"),
        redispatch_returning=redispatch,
        targets=_read_targets(reader, d["targets"], f"{field}.targets") if "targets" in d else DEFAULT_TARGETS,
    )
    check_response(reader, config, field)
    return config


def check_response(reader: FieldReader, config: ResponseConfig, field: str = "response", *, note: str = "") -> None:
    """Check that every incident can be served: each team type it needs exists at some station that can
    drive to the site and back, and casualties can reach a hospital.

    Raises:
        ScenarioError: a team type no station has, or an incident no such station (or hospital) can reach.
            ``note`` (e.g. ``" under plan 'B'"``) is added to the problem.
    """
    geo = config.geography
    have = config.kind_of_team
    for i, inc in enumerate(config.incidents):
        f = f"{field}.incidents[{i}]"
        for t in inc.team_types:
            where = next(
                (f"{f}.tasks[{k}].team" for k, task in enumerate(inc.tasks) if task.team == t), f"{f}.transport.team"
            )
            if t not in have:
                reader.fail(
                    where,
                    f"no station has this team type{note}",
                    t,
                    f"add it to a station's 'teams:' or use one of: {', '.join(sorted(have))}",
                )
            ok = [
                s
                for s in config.stations
                if t in s.teams
                and geo.route(s.place, inc.place) is not None
                and geo.route(inc.place, s.place) is not None
            ]
            if not ok:
                reader.fail(
                    f"{f}.{'node' if inc.place.node is not None else 'xy'}",
                    f"incident site cannot be reached (there and back) from any station with team type '{t}'{note}",
                    inc.id,
                    "put the site on a road connected to the stations, or check one-way edges of the network",
                )
        if inc.transport is not None:
            if not config.hospitals:
                reader.fail(f"{f}.transport", "transport needs hospitals", fix=f"add a '{field}.hospitals:' list")
            if not any(geo.route(inc.place, h.place) is not None for h in config.hospitals):
                reader.fail(
                    f"{f}.transport",
                    f"no hospital can be reached from the incident site{note}",
                    inc.id,
                    "add a hospital on a connected road",
                )


def read_response_plan_changes(
    reader: FieldReader, raw: Any, field: str, config: ResponseConfig
) -> ResponsePlanChanges:
    """Read the ``response`` key of a plan: ``move_stations``, ``add_stations``, ``remove_stations``, ``team_counts``.

    ``move_stations: {F2: {xy: [1700, 1300]}}``; ``add_stations: [<station as in the section>]``;
    ``remove_stations: [P1]``; ``team_counts: {E1: {ambulance: 4}}`` (0 removes a team type).

    Raises:
        ScenarioError: unknown keys or stations, a new station id already in use, a bad count.
    """
    d = reader.mapping(raw, field, ("move_stations", "add_stations", "remove_stations", "team_counts"))
    geo = config.geography
    known = {s.id for s in config.stations}
    moves = []
    mv = d.get("move_stations", {})
    if not isinstance(mv, Mapping):
        reader.fail(
            f"{field}.move_stations", "must map station ids to new places", mv, "write e.g. {F2: {xy: [1700, 1300]}}"
        )
    for sid, where in mv.items():
        f = f"{field}.move_stations.{key_name(sid)}"
        reader.ref(sid, f, known, "station")
        wd = reader.mapping(where, f, ("node", "xy"))
        moves.append(StationMove(station=sid, place=_read_place(reader, wd, f, geo, "station")))
    added = tuple(
        _read_station(reader, s, f"{field}.add_stations[{i}]", geo)
        for i, s in enumerate(reader.seq(d.get("add_stations", []), f"{field}.add_stations"))
    )
    for i, s in enumerate(added):
        if s.id in known:
            reader.fail(
                f"{field}.add_stations[{i}].id",
                "a station with this id exists",
                s.id,
                "give the new station its own id (use move_stations to move one)",
            )
    reader.unique([s.id for s in added], f"{field}.add_stations")
    removed = tuple(
        reader.ref(s, f"{field}.remove_stations[{i}]", known, "station")
        for i, s in enumerate(reader.seq(d.get("remove_stations", []), f"{field}.remove_stations"))
    )
    counts: dict[str, dict[str, int]] = {}
    tc = d.get("team_counts", {})
    if not isinstance(tc, Mapping):
        reader.fail(
            f"{field}.team_counts", "must map station ids to {team type: count}", tc, "write e.g. {E1: {ambulance: 4}}"
        )
    all_ids = known | {s.id for s in added}
    for sid, teams in tc.items():
        f = f"{field}.team_counts.{key_name(sid)}"
        reader.ref(sid, f, all_ids, "station")
        counts[sid] = _read_team_counts(reader, teams, f, allow_zero=True)
    changes = ResponsePlanChanges(
        move_stations=tuple(moves), add_stations=added, remove_stations=removed, team_counts=counts
    )
    try:
        applied = apply_response_plan_changes(config, changes)
    except ValueError as exc:  # a station left without teams
        reader.fail(field, str(exc), fix="keep at least one team at every station, or remove the station")
    check_response(reader, applied, "response", note=f" (with the changes of {field})")
    return changes


def apply_response_plan_changes(config: ResponseConfig, changes: ResponsePlanChanges) -> ResponseConfig:
    """The configuration with a plan's changes applied (moves, then additions, removals, team counts).

    Raises:
        ValueError: a station would be left without any team.
    """
    moved = {m.station: m.place for m in changes.move_stations}
    stations = []
    for s in (*config.stations, *changes.add_stations):
        if s.id in changes.remove_stations:
            continue
        if s.id in moved:
            s = replace(s, place=moved[s.id])
        if s.id in changes.team_counts:
            teams = dict(s.teams)
            teams.update(changes.team_counts[s.id])
            teams = {t: n for t, n in teams.items() if n > 0}
            if not teams:
                raise ValueError(f"station '{s.id}' would have no teams left")
            s = replace(s, teams=teams)
        stations.append(s)
    return replace(config, stations=tuple(stations))


def places_table(config: ResponseConfig) -> pd.DataFrame:
    """Stations, hospitals and incident sites (:data:`~sim.response.results.PLACE_COLUMNS`) for maps."""
    from sim.response.results import PLACE_COLUMNS

    rows = [(s.id, "station", s.kind, s.place.x, s.place.y) for s in config.stations]
    rows += [(h.id, "hospital", "", h.place.x, h.place.y) for h in config.hospitals]
    rows += [(i.id, "incident", "", i.place.x, i.place.y) for i in config.incidents]
    return pd.DataFrame(rows, columns=list(PLACE_COLUMNS))
