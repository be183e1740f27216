"""Reference checks on the shipped Riverside district: coverage equals an independent computation (networkx
Dijkstra per shelter, brute-force straight lines), the assignment beats the greedy, the siting beats greedy,
and the headline numbers stay where they were when the district was made."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.shelter import columns as C
from sim.shelter.assignment import (
    aggregate_population,
    compute_assignment,
    compute_assignment_summary,
    compute_shelter_loads,
    reachable_pairs,
)
from sim.shelter.config import load_district
from sim.shelter.coverage import compute_coverage, compute_coverage_summary, tier_shelters
from sim.shelter.siting import compute_maximal_covering
from sim.shelter.tables import shelter_table, site_table

DIR = Path(__file__).resolve().parents[2] / "scenarios" / "districts"


@pytest.fixture(scope="module")
def district():
    config = load_district(DIR / "riverside_shelters.yaml")
    return config, shelter_table(config)


@pytest.fixture(scope="module")
def independent():
    """The walking network read straight from the CSV files into networkx, and a brute-force nearest node."""
    nodes = pd.read_csv(DIR / "riverside_walk_nodes.csv", dtype={"id": str})
    edges = pd.read_csv(DIR / "riverside_walk_edges.csv", dtype={"u": str, "v": str})
    g = nx.Graph()
    g.add_weighted_edges_from(zip(edges["u"], edges["v"], edges["length_m"], strict=True), weight="length")
    nxy = nodes[["x_m", "y_m"]].to_numpy()
    ids = nodes["id"].to_numpy()

    def nearest(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out_i, out_d = [], []
        for chunk in np.array_split(xy, max(1, len(xy) // 2000)):
            d2 = ((chunk[:, None, :] - nxy[None, :, :]) ** 2).sum(axis=2)
            k = d2.argmin(axis=1)
            out_i.append(k)
            out_d.append(np.sqrt(d2[np.arange(len(chunk)), k]))
        return np.concatenate(out_i), np.concatenate(out_d)

    return g, ids, nearest


def _independent_cover(config, sh, independent, service: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    g, ids, nearest = independent
    cell_node, cell_snap = nearest(config.population.xy)
    sh_node, sh_snap = nearest(sh[[C.X, C.Y]].to_numpy())
    covered = np.zeros(len(config.population), dtype=bool)
    best = np.full(len(config.population), np.inf)
    for j in range(len(sh)):
        # single-source Dijkstra with cutoff per shelter: a cell is covered when snap + path + snap <= S
        reach = nx.single_source_dijkstra_path_length(
            g, ids[sh_node[j]], cutoff=service[j] - sh_snap[j], weight="length"
        )
        dist_node = np.array([reach.get(n, np.inf) for n in ids])
        d = cell_snap + dist_node[cell_node] + sh_snap[j]
        covered |= d <= service[j]
        full = nx.single_source_dijkstra_path_length(g, ids[sh_node[j]], weight="length")
        best = np.minimum(best, cell_snap + np.array([full.get(n, np.inf) for n in ids])[cell_node] + sh_snap[j])
    return covered, best


@pytest.mark.parametrize("tier", ["any", "emergency"])
def test_network_coverage_equals_networkx_dijkstra_per_shelter(district, independent, tier):
    config, sh = district
    t = tier_shelters(sh, tier=tier, emergency_distance_m=config.service_distance_m["emergency"])
    cov = compute_coverage(population=config.population, shelters=t, distance="network", network=config.network)
    covered, best = _independent_cover(config, t, independent, t[C.SERVICE_DISTANCE_M].to_numpy())
    assert np.array_equal(cov[C.COVERED].to_numpy(), covered)
    assert cov[C.DISTANCE_M].to_numpy() == pytest.approx(best, rel=1e-12, abs=1e-6)
    p = config.population.persons
    got = compute_coverage_summary(coverage=cov).iloc[0][C.COVERED_FRACTION]
    assert got == pytest.approx(p[covered].sum() / p.sum(), abs=1e-12)


def test_straight_line_coverage_equals_brute_force(district):
    config, sh = district
    t = tier_shelters(sh, tier="emergency", emergency_distance_m=500.0)
    cov = compute_coverage(population=config.population, shelters=t)
    d = np.hypot(
        config.population.x[:, None] - t[C.X].to_numpy()[None, :],
        config.population.y[:, None] - t[C.Y].to_numpy()[None, :],
    )
    assert np.array_equal(cov[C.COVERED].to_numpy(), (d <= 500.0).any(axis=1))
    assert cov[C.DISTANCE_M].to_numpy() == pytest.approx(d.min(axis=1))


def test_headline_numbers_are_stable(district):
    config, sh = district
    assert config.population.total == 184_834 and len(config.population) == 18_249
    em = tier_shelters(sh, tier="emergency", emergency_distance_m=500.0)
    fr = {
        kind: compute_coverage_summary(
            coverage=compute_coverage(population=config.population, shelters=em, distance=kind, network=config.network)
        ).iloc[0][C.COVERED_FRACTION]
        for kind in ("euclidean", "network")
    }
    assert fr["euclidean"] == pytest.approx(0.928, abs=0.001)
    assert fr["network"] == pytest.approx(0.702, abs=0.001)


@pytest.mark.parametrize("kind", ["euclidean", "network"])
def test_assignment_respects_capacity_and_beats_the_greedy(district, kind):
    config, sh = district
    pop, _ = aggregate_population(config.population, block_m=100.0)
    flows = compute_assignment(population=pop, shelters=sh, distance=kind, network=config.network)
    loads = compute_shelter_loads(flows=flows, shelters=sh)
    assert (loads[C.LOAD] <= loads[C.CAPACITY] + 1e-6).all()
    s = compute_assignment_summary(flows=flows).iloc[0]
    assert s[C.ASSIGNED_PERSONS] + s[C.UNASSIGNED_PERSONS] == pytest.approx(config.population.total)
    assert s[C.MAX_DISTANCE_M] <= sh[C.SERVICE_DISTANCE_M].max()
    # greedy "closest pair first, take the room left" on the same pairs
    cell, j, d = reachable_pairs(population=pop, shelters=sh, distance=kind, network=config.network)
    room = sh[C.CAPACITY].to_numpy(dtype=float).copy()
    left = pop.persons.copy()
    g_assigned = g_total = 0.0
    for k in np.argsort(d, kind="stable"):
        take = min(left[cell[k]], room[j[k]])
        left[cell[k]] -= take
        room[j[k]] -= take
        g_assigned += take
        g_total += take * d[k]
    assert s[C.ASSIGNED_PERSONS] >= g_assigned - 1e-6
    if s[C.ASSIGNED_PERSONS] <= g_assigned + 1e-6:
        assert s[C.TOTAL_DISTANCE_M] <= g_total + 1e-6


def test_maximal_covering_on_the_district_beats_or_ties_the_greedy(district):
    config, sh = district
    em = tier_shelters(sh, tier="emergency", emergency_distance_m=500.0)
    sites = tier_shelters(site_table(config), tier="emergency", emergency_distance_m=500.0)
    out = compute_maximal_covering(
        population=config.population, shelters=em, sites=sites, k=4, distance="network", network=config.network
    ).set_index(C.METHOD)
    assert bool(out.loc["exact", C.OPTIMAL])
    assert out.loc["exact", C.ADDED_PERSONS] >= out.loc["greedy", C.ADDED_PERSONS] - 1e-9
    assert out.loc["exact", C.COVERED_FRACTION] > 0.702 + 0.05
    assert len(out.loc["exact", C.SITES]) == 4
