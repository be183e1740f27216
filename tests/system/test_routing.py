"""Quickest-path routing (``simulation.routing: quickest``): density, congestion cost, and the fields it gives."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.crowd.model import CrowdModel
from sim.crowd.navigation import MAX_CONGESTION_COST, congestion_cost, local_density, sample_direction
from sim.crowd.state import SAFE
from sim.verification.geometries import street_corner, two_exit_room


def test_local_density_of_a_uniform_crowd():
    """400 people on a 0.5 m lattice over a 10 m x 10 m open grid: 4 P/m² away from the edges; only the walkable
    part of the window counts as area, so the density next to the grid's edge is not diluted by the outside."""
    h = 0.1
    walkable = np.ones((100, 100), dtype=bool)
    g = (np.arange(20) + 0.5) * 0.5
    pos = np.array([(x, y) for x in g for y in g])
    rho = local_density(pos, np.ones(len(pos), dtype=bool), walkable, 0.0, 0.0, h, radius=1.0)
    assert rho[30:70, 30:70].mean() == pytest.approx(4.0, rel=0.05)
    assert rho[0:5, 30:70].mean() == pytest.approx(4.0, rel=0.15)
    assert rho.max() < 6.0  # a 2.1 m window over a 0.5 m lattice holds 4-5 people a row
    # people who are not inside do not count; nor do cells that are not walkable
    assert local_density(pos, np.zeros(len(pos), dtype=bool), walkable, 0.0, 0.0, h).max() == 0.0
    walkable[:, 50:] = False
    assert local_density(pos, np.ones(len(pos), dtype=bool), walkable, 0.0, 0.0, h)[:, 50:].max() == 0.0


def test_congestion_cost_follows_weidmann():
    base = np.ones(7)
    rho = np.array([0.0, 0.3, 1.0, 2.0, 3.0, 5.0, 9.0])
    c = congestion_cost(base, rho)
    assert c[0] == c[1] == 1.0  # free walking
    assert np.all(np.diff(c) >= 0)  # more crowded, never cheaper
    # Weidmann: v(2 P/m²) / v0 = 0.452 (pedestrian.md: 0.61 / 1.34 m/s)
    assert c[3] == pytest.approx(1.34 / 0.61, rel=0.03)
    assert c[-1] == pytest.approx(MAX_CONGESTION_COST)
    assert congestion_cost(np.full(7, np.inf), rho)[2] == np.inf  # walls stay walls


def _corner_model(routing: str, count: int = 250) -> CrowdModel:
    data = street_corner(count=count)
    data["simulation"]["routing"] = routing
    sc = sim.scenario_from_dict(data)
    return CrowdModel(sc, plan=sc.plan(None), seed=1)


def test_quickest_paths_lead_round_a_crowd():
    """With a crowd packed at the inside of the bend, the quickest way from behind it bends outwards; far
    from the crowd the direction is the shortest path's; distances (for exit choice) stay the static ones."""
    shortest, quickest = _corner_model("shortest"), _corner_model("quickest")
    w = quickest.world
    ox, oy = w.level_offsets[0]
    # pack the crowd against the inner corner (local (22, 20)): a 6 m x 6 m block just before it
    for m in (shortest, quickest):
        rng = np.random.default_rng(0)
        m.state.pos[:] = np.c_[rng.uniform(16.2, 21.8, m.state.n) + ox, rng.uniform(14.2, 19.8, m.state.n) + oy]
    quickest._update_routes()
    f_s, f_q = shortest.world.fields, quickest.world.fields
    assert np.array_equal(f_s.dist, f_q.dist)

    def direction(f, x, y):
        return np.array(sample_direction(f.dirxy[0], f.dist[0], x + ox, y + oy, w.nav_x0, w.nav_y0, w.nav_h))

    behind = (10.0, 17.0)  # behind the crowd, on the shortest way to the inner corner
    d_s, d_q = direction(f_s, *behind), direction(f_q, *behind)
    assert d_q[1] < d_s[1] - 0.3  # turned away from the inner wall (y = 20), round the crowd
    far = (30.0, 38.0)  # up the street, nobody near
    assert direction(f_q, *far) @ direction(f_s, *far) > 0.99


def _width_used(m: CrowdModel) -> tuple[float, float]:
    """Run to the end; the 10th-90th percentile range of x of the people in the band 26 m < y < 30 m of the
    vertical street (sampled every second), and the time of the last person out."""
    ox, oy = m.world.level_offsets[0]
    xs = []
    while m.inside and m.t < 300.0:
        m.step()
        if m.steps % 20 == 0:
            p = m.state.pos[m.state.status < SAFE] - (ox, oy)
            xs.append(p[(p[:, 1] > 26.0) & (p[:, 1] < 30.0), 0])
    x = np.concatenate(xs)
    return float(np.percentile(x, 90) - np.percentile(x, 10)), m.t


def test_quickest_routing_is_reproducible_and_spreads_the_crowd():
    """Round the bend the crowd uses more of the street's 20 m width than with shortest paths (RiMEA test 14's
    point); everyone gets out; the same seed gives the same run."""
    width_q, t_q = _width_used(_corner_model("quickest"))
    width_s, t_s = _width_used(_corner_model("shortest"))
    assert width_q > 1.3 * width_s
    assert t_q <= t_s
    a, b = (_corner_model("quickest", count=60) for _ in range(2))
    for _ in range(400):
        a.step()
        b.step()
    assert np.array_equal(a.state.pos, b.state.pos)


def test_exits_nobody_heads_for_fall_back_to_shortest_paths():
    """An exit's congestion-aware directions hold only while someone heads for it: once nobody does, its field
    is the static one again, not the crowd of an older update (which may long have gone)."""
    data = two_exit_room(count=60)
    data["simulation"]["routing"] = "quickest"
    sc = sim.scenario_from_dict(data)
    m = CrowdModel(sc, plan=sc.plan(None), seed=1)
    west, east = (m.world.exit_ids.index(e) for e in ("west", "east"))
    static = m._static_fields.dirxy  # (the directions in use are already congestion-aware from the start)
    # a crowd in a 3 m x 3 m block across the straight way east: from behind it, the quickest way bends
    ox, oy = m.world.level_offsets[0]
    rng = np.random.default_rng(0)
    m.state.pos[:] = np.c_[rng.uniform(12.0, 15.0, m.state.n) + ox, rng.uniform(3.5, 6.5, m.state.n) + oy]
    m.state.target[: m.state.n // 2] = west
    m.state.target[m.state.n // 2 :] = east
    m._update_routes()
    assert not np.allclose(m.world.fields.dirxy[east], static[east], atol=1e-3)  # the crowd bends the way east
    m.state.target[:] = west
    m._update_routes()
    assert np.array_equal(m.world.fields.dirxy[east], static[east])
    assert not np.allclose(m.world.fields.dirxy[west], static[west], atol=1e-3)
