"""Physics of the crowd engine: the acceptance tests of issue #2 (RiMEA 3.0 tests 1, 4, 5 and walls)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

import sim
from sim.crowd.model import CrowdModel
from sim.crowd.state import SAFE, WAITING
from sim.verification.geometries import corridor, l_corner
from sim.verification.geometries import room_with_door as room
from tests.builders import inside_fraction, rotate_scenario


def _model(data: dict, seed: int = 1) -> CrowdModel:
    sc = sim.scenario_from_dict(data)
    return CrowdModel(sc, plan=sc.plan(None), seed=seed)


def _walk_positions(m: CrowdModel, max_steps: int = 20000):
    """Step to the end, yielding the world positions of the agents still inside after each step."""
    for _ in range(max_steps):
        if m.inside == 0:
            return
        m.step()
        yield m.state.pos[m.state.status < SAFE]


def test_single_agent_corridor_time_rimea_1():
    """A person at 1.33 m/s walks 40 m in 26-34 s (RiMEA test 1); 40 m at 1.0 m/s take 40 s (IMO)."""
    r = sim.run(sim.scenario_from_dict(corridor(speed=1.33)), seed=1)
    assert r["evacuated"] == 1
    assert 26.0 <= r["evacuation_time_s"] <= 34.0
    assert r["evacuation_time_s"] == pytest.approx(40.0 / 1.33, rel=0.02)
    r1 = sim.run(sim.scenario_from_dict(corridor(speed=1.0)), seed=1)
    assert r1["evacuation_time_s"] == pytest.approx(40.0, rel=0.02)


@pytest.mark.parametrize("angle", [30.0, 45.0, 117.0])
def test_corridor_time_is_rotation_invariant(angle):
    base = corridor(speed=1.33)
    t0 = sim.run(sim.scenario_from_dict(base), seed=3)["evacuation_time_s"]
    t1 = sim.run(sim.scenario_from_dict(rotate_scenario(base, angle, origin=(5.0, -3.0))), seed=3)["evacuation_time_s"]
    assert t1 == pytest.approx(t0, rel=0.01)


def test_agents_against_a_wall_never_cross_it():
    """Agents packed against the south wall, exit beyond the north-west: none ever leaves the walkable area."""
    data = {
        "name": "wall",
        "levels": [{"id": "r", "walkable": [[0, 0], [10, 0], [10, 6], [0, 6]]}],
        "exits": [{"id": "door", "line": [[0, 5], [0, 6]]}],
        "populations": [{"id": "p", "area": [[0, 0], [10, 0], [10, 0.7], [0, 0.7]], "count": 12, "premovement": 0}],
        "simulation": {"dt": 0.05, "max_time": 300},
    }
    m = _model(data)
    walk = m.world.level_geoms[0]
    assert (m.state.pos[:, 1] - m.state.radius <= 0.3).all()  # they really start against the wall
    worst = 1.0
    for pos in _walk_positions(m):
        worst = min(worst, inside_fraction(walk, pos))
    assert worst == 1.0
    assert m.inside == 0


def test_twenty_agents_round_a_left_corner_rimea_5():
    m = _model(l_corner(count=20))
    walk = m.world.level_geoms[0]
    walls = shapely.multilinestrings([s.reshape(2, 2) for s in m.world.segments[m.world.segment_exit < 0]])
    min_wall = np.inf
    for pos in _walk_positions(m):
        assert inside_fraction(walk, pos) == 1.0
        if len(pos):
            min_wall = min(min_wall, float(shapely.distance(walls, shapely.points(pos)).min()))
    assert m.inside == 0
    assert (m.state.exit_index == 0).all()
    assert min_wall > 0.05  # bodies may touch walls but centres keep off them


def test_premovement_times_honoured_to_one_step_rimea_4():
    """10 persons with pre-movement 10-100 s each start moving at their time, within one time step."""
    data = room(count=10, premovement={"dist": "uniform", "low": 10, "high": 100})
    m = _model(data)
    dt = m.dt
    t_pre = m.state.t_start.copy()
    assert t_pre.min() >= 10 and t_pre.max() <= 100 and np.ptp(t_pre) > 30
    start_pos = m.state.pos.copy()
    started = np.full(m.state.n, np.nan)
    while m.inside and m.t < 400:
        was_waiting = m.state.status == WAITING
        m.step()
        moved = np.hypot(*(m.state.pos - start_pos).T) > 1e-9
        newly = np.isnan(started) & (moved | (m.state.status == SAFE))
        started[newly] = m.t - dt  # movement happened during the step that began at t - dt
        assert not (was_waiting & moved & (m.t - dt < t_pre - 1e-9)).any()
    assert np.isfinite(started).all()
    assert np.all(started >= t_pre - 1e-9)
    assert np.all(started <= t_pre + dt + 1e-9)


def test_same_seed_identical_and_different_seed_different():
    sc = sim.scenario_from_dict(room(count=40, premovement={"dist": "uniform", "low": 0, "high": 10}))
    a = sim.run(sc, seed=7)
    b = sim.run(sc, seed=7)
    c = sim.run(sc, seed=8)
    assert a.agents.equals(b.agents)
    assert a["evacuation_time_s"] == b["evacuation_time_s"]
    assert not np.array_equal(a.agents["exit_time_s"].to_numpy(), c.agents["exit_time_s"].to_numpy())
    assert a.timeseries.equals(b.timeseries)


def test_no_overlap_beyond_a_few_centimetres_in_a_dense_room():
    m = _model(room(width=10, depth=8, door=1.0, count=150))
    worst = 0.0
    for _ in range(600):
        m.step()
        inside = m.state.status < SAFE
        p = m.state.pos[inside]
        if len(p) < 2:
            break
        from scipy.spatial import cKDTree

        pairs = cKDTree(p).query_pairs(0.4, output_type="ndarray")
        if len(pairs):
            d = np.hypot(*(p[pairs[:, 0]] - p[pairs[:, 1]]).T)
            worst = max(worst, float((0.4 - d).max()))
    assert worst < 0.1


def test_status_flow_and_counts_add_up():
    r = sim.run(sim.scenario_from_dict(room(count=60)), seed=2)
    assert r["agents"] == 60 and r["evacuated"] == 60
    assert sum(r["exit_counts"].values()) == 60
    assert r["agent_steps"] > 0
    assert r.evacuation_curve["evacuated"].iloc[-1] == 60
    ts = r.timeseries
    assert (ts["inside"] + ts["evacuated"] == 60).all()
    assert ts["evacuated"].is_monotonic_increasing
