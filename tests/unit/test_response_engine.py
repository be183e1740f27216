"""The response engine on a small hand-made network with deterministic travel (times checked by hand).

Network (node: x, y [m]); every road two-way:

    N (1000, 600)
    |  600 m at 10.8 km/h = 200 s
    W (0, 0) --1000 m, 36 km/h = 100 s-- X (1000, 0) --2000 m, 36 km/h = 200 s-- E (3000, 0)
                                         |  500 m = 50 s                          |  500 m = 50 s
                                         H1 (1000, -500)                          H2 (3000, -500)

Z (5000, 5000) is an island (no roads). Station N is closer to X in a straight line (600 m) than W (1000 m)
but farther by travel time (200 s against 100 s).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import simpy

from sim.response.config import read_response
from sim.response.engine import Casualty, simulate_response
from sim.response.metrics import summary
from sim.scenario.fields import FieldReader
from sim.seeding import stream

NODES = "id,x,y\nW,0,0\nX,1000,0\nN,1000,600\nE,3000,0\nH1,1000,-500\nH2,3000,-500\nZ,5000,5000\n"
EDGES = "u,v,length,speed_kph\nW,X,1000,36\nN,X,600,10.8\nX,E,2000,36\nX,H1,500,36\nE,H2,500,36\n"


def write_network(folder: Path) -> None:
    (folder / "nodes.csv").write_text(NODES)
    (folder / "edges.csv").write_text(EDGES)


def section(**over: Any) -> dict[str, Any]:
    """A response section on the hand-made network; keyword arguments replace keys."""
    d: dict[str, Any] = {
        "network": {"nodes": "nodes.csv", "edges": "edges.csv"},
        "call_handling": 60,
        "call_takers": 2,
        "travel": {"model": "deterministic"},
        "stations": [
            {"id": "SW", "kind": "fire", "node": "W", "teams": {"engine": 1}, "turnout": 45},
            {"id": "SN", "kind": "fire", "node": "N", "teams": {"engine": 1}, "turnout": 45},
        ],
        "incidents": [
            {"id": "I1", "node": "X", "call": "at_alarm", "tasks": [{"id": "fire", "team": "engine", "duration": 600}]}
        ],
    }
    d.update(over)
    return d


def config_of(tmp_path: Path, raw: dict[str, Any]):  # type: ignore[no-untyped-def]
    write_network(tmp_path)
    return read_response(FieldReader("test.yaml"), raw, "response", base_dir=tmp_path)


def run(config, **kw: Any):  # type: ignore[no-untyped-def]
    return simulate_response(config, alarm_time_s=kw.pop("alarm_time_s", 0.0), rng=stream(1, "response"), **kw)


def test_first_arrival_is_handling_plus_turnout_plus_shortest_travel_and_closest_unit_goes(tmp_path):
    res = run(config_of(tmp_path, section()))
    row = res.timeline.iloc[0]
    assert row["unit"] == "SW/engine1"  # 100 s away by road, not N (nearer in a straight line, 200 s by road)
    assert row["dispatch_s"] == pytest.approx(60.0)
    assert row["enroute_s"] == pytest.approx(60.0 + 45.0)
    assert row["on_scene_s"] == pytest.approx(60.0 + 45.0 + 100.0)
    assert row["clear_s"] == pytest.approx(205.0 + 600.0)
    assert res.finished
    assert summary(res)["first_unit_s"]["I1"] == pytest.approx(205.0)


def test_alarm_time_shifts_the_whole_timeline(tmp_path):
    res = run(config_of(tmp_path, section()), alarm_time_s=1000.0)
    assert res.timeline.iloc[0]["on_scene_s"] == pytest.approx(1205.0)
    assert summary(res)["first_unit_s"]["I1"] == pytest.approx(205.0)  # from the call


def test_second_call_gets_the_next_closest_unit(tmp_path):
    incidents = [
        {"id": "I1", "node": "X", "tasks": [{"id": "fire", "team": "engine", "duration": 600}]},
        {"id": "I2", "node": "X", "call": 10, "tasks": [{"id": "fire", "team": "engine", "duration": 600}]},
    ]
    tl = run(config_of(tmp_path, section(incidents=incidents))).timeline.set_index("incident")
    assert tl.loc["I1", "unit"] == "SW/engine1"
    assert tl.loc["I2", "unit"] == "SN/engine1"
    assert tl.loc["I2", "on_scene_s"] == pytest.approx(10.0 + 60.0 + 45.0 + 200.0)


def test_waiting_calls_are_served_by_priority_then_time(tmp_path):
    stations = [{"id": "SW", "kind": "fire", "node": "W", "teams": {"engine": 1}, "turnout": 45}]
    incidents = [
        {"id": "C", "node": "X", "priority": 1, "tasks": [{"id": "fire", "team": "engine", "duration": 600}]},
        {
            "id": "A",
            "node": "X",
            "call": 10,
            "priority": 2,
            "tasks": [{"id": "fire", "team": "engine", "duration": 60}],
        },
        {
            "id": "B",
            "node": "X",
            "call": 20,
            "priority": 1,
            "tasks": [{"id": "fire", "team": "engine", "duration": 60}],
        },
    ]
    raw = section(stations=stations, incidents=incidents, dispatch={"redispatch_returning": False})
    tl = run(config_of(tmp_path, raw)).timeline.set_index("incident")
    # the engine frees up after C; B (priority 1) is served before A (priority 2) though A called first
    assert tl.loc["B", "dispatch_s"] < tl.loc["A", "dispatch_s"]
    assert tl.loc["B", "dispatch_s"] == pytest.approx(tl.loc["C", "available_s"])


@pytest.mark.parametrize(
    "redispatch, dispatch_s, enroute_s, on_scene_s", [(True, 560, 560, 665), (False, 765, 810, 910)]
)
def test_returning_unit_redispatched_from_the_road_only_when_allowed(
    tmp_path, redispatch, dispatch_s, enroute_s, on_scene_s
):
    """I1 at E: on scene 60 + 45 + 300 = 405 s, clear 465 s, back at W at 765 s passing X at 665 s.
    I2 at X is dispatched at 500 + 60 = 560 s."""
    stations = [{"id": "SW", "kind": "fire", "node": "W", "teams": {"engine": 1}, "turnout": 45}]
    incidents = [
        {"id": "I1", "node": "E", "tasks": [{"id": "fire", "team": "engine", "duration": 60}]},
        {"id": "I2", "node": "X", "call": 500, "tasks": [{"id": "fire", "team": "engine", "duration": 60}]},
    ]
    raw = section(stations=stations, incidents=incidents, dispatch={"redispatch_returning": redispatch})
    res = run(config_of(tmp_path, raw))
    tl = res.timeline.set_index("incident")
    assert tl.loc["I1", "clear_s"] == pytest.approx(465.0)
    assert tl.loc["I2", "dispatch_s"] == pytest.approx(dispatch_s)
    assert tl.loc["I2", "enroute_s"] == pytest.approx(enroute_s)  # no turnout when already on the road
    assert tl.loc["I2", "on_scene_s"] == pytest.approx(on_scene_s)
    assert res.finished  # back at the station in the end


def ambulance_section(beds_h1: int, beds_h2: int) -> dict[str, Any]:
    return section(
        stations=[{"id": "EW", "kind": "ems", "node": "W", "teams": {"ambulance": 2}, "turnout": 0}],
        hospitals=[{"id": "H1", "node": "H1", "beds": beds_h1}, {"id": "H2", "node": "H2", "beds": beds_h2}],
        incidents=[
            {"id": "I1", "node": "X", "transport": {"team": "ambulance", "teams": 2, "load": 60, "handover": 120}}
        ],
    )


CASUALTIES = [Casualty(id=f"p{k}", x=1000.0 + k, y=5.0, severity=1 + k % 2, reported_s=0.0) for k in range(5)]


def test_more_casualties_than_ambulances_means_several_trips_and_beds_are_respected(tmp_path):
    res = run(config_of(tmp_path, ambulance_section(2, 10)), casualties=CASUALTIES)
    cas = res.casualties
    assert cas["at_hospital_s"].notna().all()
    counts = cas["hospital"].value_counts().to_dict()
    assert counts == {"H1": 2, "H2": 3}  # the 2 beds of the closest hospital, then the next one
    tl = res.timeline
    assert tl["trips"].sum() == 5 and (tl["trips"] >= 2).all()
    # first trip: on scene 60 + 0 + 100 = 160 s, loaded at 220 s, at H1 (50 s away) at 270 s
    assert cas["at_hospital_s"].min() == pytest.approx(270.0)
    # the most severe are taken first
    first_two = cas.sort_values("departed_s").head(2)
    assert (first_two["severity"] == 1).all()
    assert res.finished


def test_casualties_stay_on_scene_when_every_bed_is_taken(tmp_path):
    res = run(config_of(tmp_path, ambulance_section(2, 1)), casualties=CASUALTIES)
    cas = res.casualties
    assert cas["hospital"].value_counts().to_dict() == {"H1": 2, "H2": 1}
    assert cas["hospital"].isna().sum() == 2 and cas["at_hospital_s"].isna().sum() == 2
    assert res.finished


def test_per_casualty_tasks_chain_into_transport_after_their_prerequisites(tmp_path):
    stations = [
        {"id": "EW", "kind": "ems", "node": "W", "teams": {"ambulance": 1}, "turnout": 0},
        {"id": "RW", "kind": "rescue", "node": "W", "teams": {"rescue": 1}, "turnout": 0},
        {"id": "GW", "kind": "gas_utility", "node": "W", "teams": {"gas_crew": 1}, "turnout": 0},
    ]
    incidents = [
        {
            "id": "I1",
            "node": "X",
            "casualties": {"count": 2, "severity_shares": [1, 0, 0]},
            "tasks": [
                {"id": "isolate_gas", "team": "gas_crew", "duration": 300},
                {"id": "search", "team": "rescue", "per_casualty": 100, "after": ["isolate_gas"]},
            ],
            "transport": {"team": "ambulance", "load": 0, "handover": 0},
        }
    ]
    raw = section(stations=stations, incidents=incidents, hospitals=[{"id": "H1", "node": "H1", "beds": 5}])
    res = run(config_of(tmp_path, raw))
    tasks = res.tasks.set_index("task")
    assert tasks.loc["isolate_gas", "done_s"] == pytest.approx(160.0 + 300.0)  # on scene at 160 s
    assert tasks.loc["search", "start_s"] == pytest.approx(460.0)
    assert tasks.loc["search", "done_s"] == pytest.approx(660.0)  # one rescue team, 2 x 100 s
    cas = res.casualties.sort_values("treated_s")
    assert cas["treated_s"].tolist() == pytest.approx([560.0, 660.0])
    assert (cas["departed_s"] >= cas["treated_s"]).all()
    assert summary(res)["gas_isolated_s"] == pytest.approx(460.0)


def test_shared_environment_gives_the_same_timeline_as_an_own_one(tmp_path):
    config = config_of(tmp_path, ambulance_section(2, 10))
    own = run(config, casualties=CASUALTIES)
    env = simpy.Environment()
    ticks = []

    def evacuate(env: simpy.Environment):  # a stand-in for the crowd engine's process
        while env.now < 300:
            ticks.append(env.now)
            yield env.timeout(0.05)

    env.process(evacuate(env))
    shared = simulate_response(config, env=env, alarm_time_s=0.0, casualties=CASUALTIES, rng=stream(1, "response"))
    assert not shared.finished  # scheduled, not run: the caller runs the clock
    env.run()
    assert shared.finished and len(ticks) > 5000
    pd_equal = shared.timeline.equals(own.timeline) and shared.casualties.equals(own.casualties)
    assert pd_equal
    with pytest.raises(ValueError, match="until"):
        simulate_response(config, env=simpy.Environment(), alarm_time_s=0.0, rng=stream(1, "response"), until=10.0)


def test_until_stops_an_own_run_early(tmp_path):
    res = run(config_of(tmp_path, section()), until=300.0)
    assert not res.finished
    assert res.timeline["clear_s"].isna().all() and res.timeline["on_scene_s"].iloc[0] == pytest.approx(205.0)


def test_casualty_with_bad_severity_or_unknown_incident_is_one_clear_error(tmp_path):
    config = config_of(tmp_path, ambulance_section(2, 10))
    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match="severity"):
        run(config, casualties=[Casualty(id="a", x=0, y=0, severity=5, reported_s=0)])
    with pytest.raises(ScenarioError, match="unknown incident"):
        run(config, casualties=[Casualty(id="a", x=0, y=0, severity=1, reported_s=0, incident="nope")])


def test_casualties_fed_while_the_clock_runs_get_ambulances_then(tmp_path):
    """The hazard engine puts casualties into a SimPy store at the explosion (t = 1000 s), after the dispatch."""
    config = config_of(tmp_path, ambulance_section(2, 10))
    env = simpy.Environment()
    feed = simpy.Store(env)

    def explode(env: simpy.Environment):
        yield env.timeout(1000.0)
        for c in CASUALTIES[:3]:
            yield feed.put(Casualty(id=c.id, x=c.x, y=c.y, severity=c.severity, reported_s=env.now))

    env.process(explode(env))
    res = simulate_response(config, env=env, alarm_time_s=0.0, rng=stream(1, "response"), casualty_feed=feed)
    env.run()
    tl = res.timeline
    assert len(tl) == 2 and (tl["dispatch_s"] == 1000.0).all()  # nobody was sent before there were casualties
    assert tl["on_scene_s"].min() == pytest.approx(1100.0)  # turnout 0, 100 s from W to X
    cas = res.casualties
    assert len(cas) == 3 and cas["at_hospital_s"].notna().all() and (cas["reported_s"] == 1000.0).all()
    assert res.incidents["cleared_s"].iloc[0] > 1000.0
    assert res.finished
