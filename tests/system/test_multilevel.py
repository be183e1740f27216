"""Several levels joined by stairs and escalators; events during a run (issue 4 acceptance, RiMEA test 2)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.crowd.model import CrowdModel
from sim.errors import ScenarioError
from sim.run import run
from sim.scenario import scenario_from_dict

ROOM = "POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))"


def two_levels(
    *, direction: str = "up", kind: str = "stair", start: str = "lower", count: int = 1, **connector: Any
) -> dict:
    """Two 20 x 10 m floors joined by a 2 m wide, 10 m long connector (lower floor's east wall -> upper
    floor's west wall); the exit is on the other floor from the people."""
    area = "POLYGON ((4 4.5, 6 4.5, 6 5.5, 4 5.5, 4 4.5))" if start == "lower" else (
        "POLYGON ((14 4.5, 16 4.5, 16 5.5, 14 5.5, 14 4.5))"
    )
    if count > 1:
        area = "POLYGON ((1 1, 15 1, 15 9, 1 9, 1 1))" if start == "lower" else "POLYGON ((5 1, 19 1, 19 9, 5 9, 5 1))"
    return {
        "levels": [{"id": "lower", "walkable": ROOM}, {"id": "upper", "walkable": ROOM}],
        "connectors": [
            {
                "id": "s1",
                "kind": kind,
                "from": {"level": "lower", "line": [[20, 4], [20, 6]]},
                "to": {"level": "upper", "line": [[0, 4], [0, 6]]},
                "length": 10.0,
                "direction": direction,
                **connector,
            }
        ],
        "exits": [
            {"id": "out", "level": "upper", "line": [[20, 4], [20, 6]]}
            if start == "lower"
            else {"id": "out", "level": "lower", "line": [[0, 4], [0, 6]]}
        ],
        "profiles": {"p": {"speed": 1.0, "radius": 0.2, "stair_up": 0.6, "stair_down": 0.8}},
        "populations": [{"id": "people", "level": start, "area": area, "count": count, "profile": "p"}],
    }


def time_on_connector(model: CrowdModel, agent: int = 0) -> float:
    """Simulated time agent ``agent`` spends on the first connector's strip."""
    x0 = model.world.strip_x0[0]
    length = model.world.connector_length[0]
    on = []
    while model.inside and model.t < 300:
        model.step()
        x = model.state.pos[agent, 0]
        if x0 <= x <= x0 + length and model.state.status[agent] == 1:
            on.append(model.t)
    assert on, "the agent never used the connector"
    return on[-1] - on[0] + model.dt


@pytest.mark.parametrize(("direction", "start", "speed"), [("up", "lower", 0.6), ("down", "upper", 0.8)])
def test_single_person_on_a_10_m_stair_takes_length_over_stair_speed(direction: str, start: str, speed: float) -> None:
    sc = scenario_from_dict(two_levels(direction=direction, start=start))
    model = CrowdModel(sc, plan=sc.plan(None), seed=1)
    assert time_on_connector(model) == pytest.approx(10.0 / speed, rel=0.05)
    assert model.inside == 0


def test_standing_on_an_escalator_moves_at_belt_speed() -> None:
    sc = scenario_from_dict(two_levels(kind="escalator", belt_speed=0.5))
    model = CrowdModel(sc, plan=sc.plan(None), seed=1)
    assert time_on_connector(model) == pytest.approx(10.0 / 0.5, rel=0.05)


def test_walking_on_an_escalator_adds_the_stair_speed() -> None:
    sc = scenario_from_dict(two_levels(kind="escalator", belt_speed=0.5, walking=True))
    model = CrowdModel(sc, plan=sc.plan(None), seed=1)
    assert time_on_connector(model) == pytest.approx(10.0 / (0.5 + 0.6), rel=0.05)


def test_a_one_way_stair_the_wrong_way_strands_people_and_the_loader_says_so() -> None:
    with pytest.raises(ScenarioError, match="cannot reach any exit"):
        scenario_from_dict(two_levels(direction="down", start="lower"))
    # a plan that turns the escalator round makes it usable; the loader checks each plan
    data = two_levels(kind="escalator", direction="down", start="upper")
    data["plans"] = [{"id": "as_built"}, {"id": "reversed", "connector_direction": {"s1": "up"}}]
    with pytest.raises(ScenarioError, match="plan 'reversed'"):
        scenario_from_dict(data)


def test_crowd_climbs_a_stair_everyone_out_and_nobody_leaves_the_floors() -> None:
    sc = scenario_from_dict(two_levels(count=120))
    result = run(sc, seed=3)
    s = result.summary
    assert s["evacuated"] == 120
    # everyone climbed: 10 m of stair at <= 0.6 m/s plus walking; the stair (2 m wide) limits the flow
    assert s["evacuation_time_s"] > 10.0 / 0.6 + 10
    assert s["exit_counts"] == {"out": 120}


def test_capacity_caps_the_flow_onto_an_escalator() -> None:
    sc = scenario_from_dict(two_levels(kind="escalator", count=60, belt_speed=0.65, capacity=0.5))
    result = run(sc, seed=2)
    t = np.sort(result.agents["exit_time_s"].to_numpy())
    assert result.summary["evacuated"] == 60
    # at most 0.5 persons per second step on: 60 persons take at least 59 / 0.5 s between first and last
    assert t[-1] - t[0] >= 59 / 0.5 - 1.0


def test_exit_closed_at_10_s_everyone_uses_the_other() -> None:
    room = {
        "levels": [{"id": "hall", "walkable": "POLYGON ((0 0, 30 0, 30 20, 0 20, 0 0))"}],
        "exits": [
            {"id": "west", "line": [[0, 9], [0, 11]]},
            {"id": "east", "line": [[30, 9], [30, 11]]},
        ],
        "populations": [
            {
                "id": "crowd",
                "area": "POLYGON ((2 2, 12 2, 12 18, 2 18, 2 2))",
                "count": 150,
                "premovement": {"dist": "uniform", "low": 0, "high": 8},
            }
        ],
        "plans": [{"id": "west_lost", "events": [{"at": 10, "close": ["west"]}]}],
    }
    sc = scenario_from_dict(room)
    result = run(sc, plan="west_lost", seed=4)
    s = result.summary
    assert s["evacuated"] == 150
    agents = result.agents
    west = agents[agents["exit"] == "west"]
    assert (west["exit_time_s"] <= 10.0 + 1e-9).all()  # nobody leaves by the west exit once it has closed
    assert s["exit_counts"]["east"] >= 150 - s["exit_counts"]["west"]
    assert s["exit_counts"]["east"] > 0 and s["exit_counts"]["west"] > 0


def test_escalator_stopped_at_a_time_becomes_a_stair() -> None:
    data = two_levels(kind="escalator", belt_speed=0.5)
    data["plans"] = [{"id": "stops", "events": [{"at": 0.0, "direction": {"s1": "stopped"}}]}]
    sc = scenario_from_dict(data)
    model = CrowdModel(sc, plan=sc.plan("stops"), seed=1)
    assert time_on_connector(model) == pytest.approx(10.0 / 0.6, rel=0.05)  # walked up at the stair speed
    assert model.event_log and "s1 stopped" in model.event_log[0][1]


def test_a_train_load_appears_at_its_time_and_then_leaves() -> None:
    data = two_levels(count=1)
    data["populations"].append(
        {
            "id": "train",
            "level": "lower",
            "area": "POLYGON ((1 1, 8 1, 8 3, 1 3, 1 1))",
            "count": 20,
            "profile": "p",
            "appears_at": 30.0,
        }
    )
    sc = scenario_from_dict(data)
    result = run(sc, seed=5)
    agents = result.agents
    train = agents[agents["population"] == "train"]
    assert result.summary["evacuated"] == 21
    # 10 m of stair at 0.6 m/s after appearing at 30 s: nobody of the train is out before 30 + 16.7 s
    assert train["exit_time_s"].min() > 30.0 + 10.0 / 0.6
    assert agents.loc[agents["population"] == "people", "exit_time_s"].max() < train["exit_time_s"].min()


def test_imo_and_reduced_mobility_profiles_are_built_in() -> None:
    data = two_levels(count=1)
    data["populations"][0]["profile"] = "reduced_mobility"
    sc = scenario_from_dict(data)
    model = CrowdModel(sc, plan=sc.plan(None), seed=1)
    assert model.state.radius[0] == pytest.approx(0.35)
    assert 0.23 <= model.state.v_up[0] <= 0.41 and 0.37 <= model.state.v_free[0] <= 0.91
    assert "male_30_50" in sc.profiles and "female_over_50_impaired_1" in sc.profiles
