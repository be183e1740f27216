"""What a response simulation records: tidy tables whose column names are defined here, once.

All times are seconds on the simulation clock (the shared ``simpy.Environment``); ``alarm_time_s`` is kept
with the result so that metrics can report milestones relative to the alarm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

__all__ = [
    "ResponseResult",
    "ASSIGNMENT_COLUMNS",
    "INCIDENT_COLUMNS",
    "TASK_COLUMNS",
    "CASUALTY_COLUMNS",
    "SEGMENT_COLUMNS",
    "ROUTE_COLUMNS",
    "UNIT_COLUMNS",
    "SEGMENT_STATES",
    "ROAD_COLUMNS",
    "PLACE_COLUMNS",
]

#: One row per unit sent to an incident task: the fields of a dispatch record.
#: ``dispatch_s`` the unit was assigned; ``enroute_s`` it left (after turnout); ``on_scene_s`` it arrived;
#: ``clear_s`` its work ended; ``available_s`` it was back at its station or sent to another call;
#: ``stood_down`` the work was done before it started driving (it never left).
ASSIGNMENT_COLUMNS = (
    "incident",
    "task",
    "unit",
    "team",
    "station",
    "kind",
    "call_s",
    "dispatch_s",
    "enroute_s",
    "on_scene_s",
    "clear_s",
    "available_s",
    "trips",
    "stood_down",
)
#: One row per incident: when it started, the call was received, the dispatch order given, the first unit
#: arrived, and the last unit cleared.
INCIDENT_COLUMNS = ("incident", "priority", "start_s", "call_s", "dispatch_s", "first_on_scene_s", "cleared_s")
#: One row per task of an incident: work started / done.
TASK_COLUMNS = ("incident", "task", "team", "kind", "start_s", "done_s")
#: One row per casualty: reported, treated on scene (last per-casualty task), left the scene, hospital.
CASUALTY_COLUMNS = (
    "casualty",
    "incident",
    "severity",
    "reported_s",
    "treated_s",
    "departed_s",
    "hospital",
    "at_hospital_s",
)
#: One row per stretch of a unit's time in one state (for Gantt charts).
SEGMENT_COLUMNS = ("unit", "team", "station", "kind", "incident", "state", "start_s", "end_s")
SEGMENT_STATES = ("turnout", "to_scene", "on_scene", "to_hospital", "at_hospital", "return")
#: Routes driven, one row per point: leg number, unit, incident, state of the leg, point order, x, y [m].
ROUTE_COLUMNS = ("leg", "unit", "incident", "state", "seq", "x_m", "y_m")
#: One row per unit of the fleet.
UNIT_COLUMNS = ("unit", "team", "station", "kind", "home_x_m", "home_y_m")
#: Road segments for maps: from (x0, y0) to (x1, y1) [m], speed [km/h].
ROAD_COLUMNS = ("x0_m", "y0_m", "x1_m", "y1_m", "speed_kph")
#: Named places for maps: id, role (station / hospital / incident), kind (station kind, or ""), x, y [m].
PLACE_COLUMNS = ("place", "role", "kind", "x_m", "y_m")


class ResponseResult:
    """The records of one response simulation.

    With an environment shared with other engines the records fill in as the caller runs the environment:
    read the tables after ``env.run()``. :attr:`finished` says whether every incident has been cleared and
    every unit is back.

    Attributes:
        seed: the root seed, when known (``None`` if the caller passed only a generator).
        alarm_time_s: the alarm time on the clock [s].
        config: the configuration simulated.
    """

    def __init__(
        self,
        *,
        config: Any,
        alarm_time_s: float,
        seed: int | None,
        tables: Callable[[], dict[str, pd.DataFrame]],
        finished: Callable[[], bool],
    ) -> None:
        self.config = config
        self.alarm_time_s = alarm_time_s
        self.seed = seed
        self._tables = tables
        self._finished = finished
        self._cache: dict[str, pd.DataFrame] | None = None

    @property
    def finished(self) -> bool:
        """Whether every incident has been cleared and every unit is back at its station."""
        return self._finished()

    def _get(self, name: str) -> pd.DataFrame:
        # once finished the records no longer change: build the tables once
        if self._cache is not None:
            return self._cache[name]
        tables = self._tables()
        if self.finished:
            self._cache = tables
        return tables[name]

    @property
    def timeline(self) -> pd.DataFrame:
        """Per unit and task: dispatch, en-route, on-scene, clear and available times (:data:`ASSIGNMENT_COLUMNS`)."""
        return self._get("timeline")

    @property
    def incidents(self) -> pd.DataFrame:
        """Per incident (:data:`INCIDENT_COLUMNS`)."""
        return self._get("incidents")

    @property
    def tasks(self) -> pd.DataFrame:
        """Per task (:data:`TASK_COLUMNS`)."""
        return self._get("tasks")

    @property
    def casualties(self) -> pd.DataFrame:
        """Per casualty (:data:`CASUALTY_COLUMNS`)."""
        return self._get("casualties")

    @property
    def segments(self) -> pd.DataFrame:
        """Per stretch of a unit's time in one state (:data:`SEGMENT_COLUMNS`)."""
        return self._get("segments")

    @property
    def routes(self) -> pd.DataFrame:
        """Routes driven (:data:`ROUTE_COLUMNS`)."""
        return self._get("routes")

    @property
    def units(self) -> pd.DataFrame:
        """The fleet (:data:`UNIT_COLUMNS`)."""
        return self._get("units")
