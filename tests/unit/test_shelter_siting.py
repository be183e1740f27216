"""Siting: the exact maximal-covering and set-cover solutions are optimal (brute force) and never worse than greedy."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from sim.shelter import columns as C
from sim.shelter.schema import Population
from sim.shelter.siting import compute_maximal_covering, compute_set_cover, solve_maximal_covering, solve_set_cover


def random_sets(seed: int, n_units: int = 25, n_sites: int = 9) -> tuple[np.ndarray, sp.csr_matrix]:
    rng = np.random.default_rng(seed)
    covers = rng.random((n_units, n_sites)) < 0.22
    return rng.integers(1, 100, n_units).astype(float), sp.csr_matrix(covers)


def covered(weights: np.ndarray, covers: np.ndarray, chosen: tuple[int, ...]) -> float:
    return float(weights[covers[:, list(chosen)].any(axis=1)].sum()) if chosen else 0.0


@pytest.mark.parametrize("seed", range(8))
def test_maximal_covering_exact_is_optimal_by_brute_force(seed):
    weights, covers = random_sets(seed)
    dense = covers.toarray()
    for k in (1, 2, 3, 4):
        best = max(covered(weights, dense, c) for c in itertools.combinations(range(dense.shape[1]), k))
        chosen, value, optimal = solve_maximal_covering(weights=weights, covers=covers, k=k)
        assert optimal and len(chosen) == k
        assert value == pytest.approx(best) and covered(weights, dense, tuple(chosen)) == pytest.approx(best)
        g_chosen, g_value, _ = solve_maximal_covering(weights=weights, covers=covers, k=k, method="greedy")
        assert g_value <= value + 1e-9 and len(g_chosen) <= k


@pytest.mark.parametrize("seed", range(8))
def test_set_cover_exact_is_the_fewest_by_brute_force(seed):
    weights, covers = random_sets(seed)
    dense = covers.toarray()
    coverable = dense.any(axis=1)
    target = float(weights[coverable].sum())
    fewest = next(
        k
        for k in range(dense.shape[1] + 1)
        if any(covered(weights, dense, c) == target for c in itertools.combinations(range(dense.shape[1]), k))
    )
    chosen, value, optimal = solve_set_cover(weights=weights, covers=covers)
    assert optimal and len(chosen) == fewest and value == pytest.approx(target)
    g_chosen, g_value, _ = solve_set_cover(weights=weights, covers=covers, method="greedy")
    assert g_value == pytest.approx(target) and len(g_chosen) >= fewest


def test_greedy_maximal_covering_can_be_beaten():
    # site 0 covers units {0, 1} = 6, site 1 {2, 3} = 6, site 2 {0, 2, 4} = 7: greedy takes site 2 first and ends
    # with 7 + 3 = 10; the best pair is sites 0 and 1 with 12
    weights = np.array([3.0, 3.0, 3.0, 3.0, 1.0])
    covers = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 0], [0, 1, 1], [0, 1, 0], [0, 0, 1]], dtype=bool))
    exact, v_exact, optimal = solve_maximal_covering(weights=weights, covers=covers, k=2)
    greedy, v_greedy, _ = solve_maximal_covering(weights=weights, covers=covers, k=2, method="greedy")
    assert optimal and sorted(exact) == [0, 1] and v_exact == 12.0
    assert greedy[0] == 2 and v_greedy == 10.0


def test_compute_maximal_covering_on_points():
    pop = Population.from_arrays(x=[0, 1000, 2000, 3000], y=[0, 0, 0, 0], persons=[10, 20, 30, 40])
    shelters = pd.DataFrame(
        {C.SHELTER_ID: ["e"], C.X: [0.0], C.Y: [0.0], C.SERVICE_DISTANCE_M: [100.0], C.CAPACITY: [1]}
    )
    sites = pd.DataFrame(
        {
            C.SHELTER_ID: ["a", "b", "c"],
            C.X: [1000.0, 2500.0, 3000.0],
            C.Y: [50.0, 0.0, 0.0],
            C.SERVICE_DISTANCE_M: [100.0, 500.0, 100.0],
            C.CAPACITY: [1, 1, 1],
        }
    )
    mclp = compute_maximal_covering(population=pop, shelters=shelters, sites=sites, k=1).set_index(C.METHOD)
    assert mclp.loc["exact", C.SITES] == ("b",) and mclp.loc["exact", C.ADDED_PERSONS] == 70
    assert mclp.loc["exact", C.BASELINE_COVERED] == 10 and mclp.loc["exact", C.COVERED_FRACTION] == 0.8
    assert mclp.loc["greedy", C.GAP] == 0.0
    cover = compute_set_cover(population=pop, shelters=shelters, sites=sites).set_index(C.METHOD)
    assert cover.loc["exact", C.N_SITES] == 2 and set(cover.loc["exact", C.SITES]) == {"a", "b"}
    assert cover.loc["exact", C.COVERED_FRACTION] == 1.0
