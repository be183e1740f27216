"""Groups (a population's ``group_size`` / ``group_share``): formed, started, routed and walked together."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.crowd.model import CrowdModel
from sim.errors import ScenarioError
from sim.verification import geometries as geo


def _room(group_size: int = 3, share: float = 1.0, count: int = 60) -> dict:
    data = geo.room_door_outside(count=count, premovement={"dist": "uniform", "low": 0.0, "high": 30.0})
    data["populations"][0].update(group_size=group_size, group_share=share)
    return data


def test_groups_start_together_walk_at_the_slowest_pace_and_share_an_exit():
    sc = sim.scenario_from_dict(_room(), source="<groups>")
    m = CrowdModel(sc, plan=sc.plan(None), seed=3)
    st = m.state
    leaders, sizes = np.unique(st.leader, return_counts=True)
    assert len(leaders) == 20 and (sizes == 3).all()
    for g in leaders:
        members = np.flatnonzero(st.leader == g)
        assert np.ptp(st.t_start[members]) == 0.0 and np.ptp(st.v_free[members]) == 0.0
        # members start next to each other (nearest neighbours in a 60-person room)
        assert np.ptp(st.pos[members, 0]) < 3.0 and np.ptp(st.pos[members, 1]) < 3.0
        assert (st.target[members] == st.target[g]).all()


def test_group_share_leaves_the_rest_alone():
    sc = sim.scenario_from_dict(_room(group_size=4, share=0.5), source="<groups>")
    st = CrowdModel(sc, plan=sc.plan(None), seed=1).state
    _, sizes = np.unique(st.leader, return_counts=True)
    # half of the 60 in groups of 4 (seven of 4 and one of 2), the other 30 alone
    assert sorted(sizes[sizes > 1]) == [2] + [4] * 7
    assert (sizes == 1).sum() == 30


def test_groups_leave_closer_together_than_the_same_people_alone():
    grouped = sim.run(sim.scenario_from_dict(_room(), source="<groups>"), seed=2).agents
    alone = sim.run(sim.scenario_from_dict(_room(group_size=1), source="<groups>"), seed=2).agents
    assert (grouped["outcome"] == "safe").all() and (alone["outcome"] == "safe").all()
    groups = grouped["group"].to_numpy()

    def median_spread(agents):
        t = agents["exit_time_s"].to_numpy()
        return float(np.median([np.ptp(t[groups == g]) for g in np.unique(groups)]))

    assert median_spread(grouped) < 0.5 * median_spread(alone)
    assert (alone["group"] == alone["agent_id"]).all()


@pytest.mark.parametrize(("key", "value", "message"), [
    ("group_size", 0, "must be >= 1"),
    ("group_size", 2.5, "group_size"),
    ("group_share", 1.5, "must be <= 1"),
    ("group_share", "half", "must be a number"),
])
def test_bad_group_keys_are_one_clear_error(key, value, message):
    data = _room()
    data["populations"][0][key] = value
    with pytest.raises(ScenarioError) as err:
        sim.scenario_from_dict(data, source="groups.yaml")
    text = str(err.value)
    assert "groups.yaml" in text and f"populations[0].{key}" in text and message in text
