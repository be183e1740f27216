"""Coverage: inclusive service distance, population weighting, network distances with snap legs, tiers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.errors import ScenarioError
from sim.shelter import columns as C
from sim.shelter.coverage import (
    compute_coverage,
    compute_coverage_summary,
    compute_uncovered_areas,
    tier_shelters,
    weighted_quantile,
)
from sim.shelter.network import nearest_source_distance, pairwise_distance
from sim.shelter.schema import Population, WalkingNetwork


def shelters(rows: list[tuple[str, float, float, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            C.SHELTER_ID: [r[0] for r in rows],
            C.X: [r[1] for r in rows],
            C.Y: [r[2] for r in rows],
            C.SERVICE_DISTANCE_M: [r[3] for r in rows],
            C.CLASS: [r[4] for r in rows],
            C.CAPACITY: [100] * len(rows),
        }
    )


def test_service_distance_is_inclusive_and_per_class():
    # 3-4-5 triangles: exactly 500 m from the emergency shelter, 1000.5 m from the fixed one
    pop = Population.from_arrays(x=[300, 301, 0, 600], y=[400, 400, 1000.5, 800], persons=[10, 20, 30, 40])
    sh = shelters([("e", 0, 0, 500, "emergency"), ("f", 0, 0, 1000, "fixed_short_term")])
    cov = compute_coverage(population=pop, shelters=sh)
    assert cov[C.COVERED].tolist() == [True, True, False, True]  # 500 <= 500; 500.6 <= 1000; 1000.5 > 1000
    assert cov[C.DISTANCE_M].tolist() == pytest.approx([500, np.hypot(301, 400), 1000.5, 1000])
    summary = compute_coverage_summary(coverage=cov).iloc[0]
    assert summary[C.COVERED_FRACTION] == pytest.approx(70 / 100)
    assert summary[C.UNCOVERED_PERSONS] == 30


def test_walk_time_uses_the_walking_speed():
    pop = Population.from_arrays(x=[0], y=[600], persons=[1])
    cov = compute_coverage(population=pop, shelters=shelters([("e", 0, 0, 500, "emergency")]), walking_speed_m_s=1.2)
    assert cov[C.WALK_TIME_S].iloc[0] == pytest.approx(500.0)
    assert not cov[C.COVERED].iloc[0]


def line_network() -> WalkingNetwork:
    # a street along y = 0 with nodes every 100 m, and a side street up to (400, 300)
    xs = [0, 100, 200, 300, 400, 400]
    ys = [0, 0, 0, 0, 0, 300]
    return WalkingNetwork.from_arrays(
        node_ids=[f"n{i}" for i in range(6)],
        x=xs,
        y=ys,
        u=[0, 1, 2, 3, 4],
        v=[1, 2, 3, 4, 5],
        length_m=[100] * 4 + [300],
    )


def test_network_distance_adds_snap_legs():
    net = line_network()
    # shelter 10 m off node n0; cells 5 m off n3 and on n5
    d, which = nearest_source_distance(
        network=net, sources_xy=np.array([[0, 10]]), targets_xy=np.array([[300, 5], [400, 300]])
    )
    assert d == pytest.approx([10 + 300 + 5, 10 + 400 + 300])
    assert which.tolist() == [0, 0]
    # the cutoff applies to the network part (with the shelter's leg): beyond it nothing is found
    d, which = nearest_source_distance(
        network=net, sources_xy=np.array([[0, 10]]), targets_xy=np.array([[400, 300]]), limit=500
    )
    assert np.isinf(d[0]) and which[0] == -1
    m = pairwise_distance(network=net, sources_xy=np.array([[0, 10], [400, 290]]), targets_xy=np.array([[200, 0]]))
    assert m[:, 0] == pytest.approx([210, 10 + 300 + 200])


def test_network_coverage_and_nearest_shelter():
    net = line_network()
    pop = Population.from_arrays(x=[300, 400, 0], y=[5, 300, 0], persons=[1, 2, 4])
    sh = shelters([("a", 0, 10, 320, "emergency"), ("b", 400, 290, 100, "emergency")])
    cov = compute_coverage(population=pop, shelters=sh, distance="network", network=net)
    assert cov[C.COVERED].tolist() == [True, True, True]
    assert cov[C.NEAREST_SHELTER].tolist() == ["a", "b", "a"]
    assert cov[C.SNAP_M].tolist() == pytest.approx([5, 0, 0])
    euclid = compute_coverage(population=pop, shelters=sh)
    assert (cov[C.DISTANCE_M] >= euclid[C.DISTANCE_M] - 1e-9).all()  # walking is never shorter than straight


def test_network_kind_needs_a_network():
    with pytest.raises(ScenarioError, match="need a walking network"):
        compute_coverage(
            population=Population.from_arrays(x=[0], y=[0], persons=[1]), shelters=shelters([]), distance="network"
        )


def test_no_shelter_means_nobody_covered():
    pop = Population.from_arrays(x=[0, 1], y=[0, 1], persons=[1, 1])
    cov = compute_coverage(population=pop, shelters=shelters([]))
    assert not cov[C.COVERED].any() and np.isinf(cov[C.DISTANCE_M]).all()
    assert compute_coverage_summary(coverage=cov).iloc[0][C.UNREACHABLE_PERSONS] == 2


def test_uncovered_areas_sum_by_block():
    pop = Population.from_arrays(x=[10, 20, 600, 5000], y=[10, 30, 10, 5000], persons=[1, 2, 4, 8])
    cov = compute_coverage(population=pop, shelters=shelters([("e", 5000, 5000, 10, "emergency")]))
    areas = compute_uncovered_areas(coverage=cov, block_m=500)
    assert areas[C.UNCOVERED_PERSONS].tolist() == [4, 3]
    assert (areas[C.X].iloc[1], areas[C.Y].iloc[1]) == (250.0, 250.0)


def test_tiers():
    sh = shelters([("e", 0, 0, 500, "emergency"), ("f", 0, 0, 1500, "fixed_medium_term"), ("c", 0, 0, 5000, "central")])
    assert tier_shelters(sh, tier="emergency", emergency_distance_m=500)[C.SERVICE_DISTANCE_M].tolist() == [500] * 3
    assert tier_shelters(sh, tier="fixed", emergency_distance_m=500)[C.SHELTER_ID].tolist() == ["f", "c"]
    assert tier_shelters(sh, tier="central", emergency_distance_m=500)[C.SHELTER_ID].tolist() == ["c"]
    with pytest.raises(ScenarioError):
        tier_shelters(sh, tier="gold", emergency_distance_m=500)


def test_weighted_quantile():
    assert weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 98.0]), 0.95) == 3.0
    assert weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([50.0, 49.0, 1.0]), 0.95) == 2.0
    assert np.isnan(weighted_quantile(np.array([1.0]), np.array([0.0]), 0.5))
