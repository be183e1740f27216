"""Siting new shelters: maximal covering (k sites covering the most people) and set cover (fewest sites).

Demand is the population not yet covered by the open shelters; candidate site j covers cell i when
d(i, j) <= S_j, the service distance of the class the site would have (inclusive, reference §3). Cells covered
by exactly the same set of sites are merged into one demand unit (their persons summed): an exact reduction
that keeps the integer programmes small.

* maximal covering location problem (MCLP, Church and ReVelle 1974):
      max sum_u w_u y_u   s.t.  y_u <= sum_{j covers u} x_j,  sum_j x_j = k,  x_j in {0, 1},  0 <= y_u <= 1
* set cover (Toregas et al. 1971), over the units some site covers ("everyone coverable"):
      min sum_j x_j   s.t.  sum_{j covers u} x_j >= 1,  x_j in {0, 1}

Exact: ``scipy.optimize.milp`` (HiGHS branch and cut). Greedy: MCLP adds, k times, the site with the largest
marginal covered population; set cover adds the site covering the most still-uncovered units (Chvátal's
greedy, within a factor H(n) of the optimum) until all are covered. Ties go to the earlier site. The gap
compares the two: MCLP (exact added - greedy added) / exact added; set cover (greedy sites - exact sites) /
exact sites.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from sim.shelter import columns as C
from sim.shelter.assignment import reachable_pairs
from sim.shelter.coverage import DistanceKind, compute_coverage
from sim.shelter.schema import Population, WalkingNetwork

__all__ = [
    "CoverageSets",
    "coverage_sets",
    "solve_maximal_covering",
    "solve_set_cover",
    "compute_maximal_covering",
    "compute_set_cover",
]


@dataclass(frozen=True, kw_only=True, eq=False)
class CoverageSets:
    """Demand units (cells merged by the set of sites covering them) and which sites cover them.

    Attributes:
        weights: persons of each demand unit.
        covers: boolean ``(units, sites)`` sparse matrix, True where the site covers the unit.
        site_ids: the candidate sites' ids (columns of ``covers``).
        baseline_covered: persons already covered by the open shelters.
        total: all persons.
    """

    weights: np.ndarray
    covers: sp.csr_matrix
    site_ids: tuple[str, ...]
    baseline_covered: float
    total: float


def coverage_sets(
    *,
    population: Population,
    shelters: pd.DataFrame,
    sites: pd.DataFrame,
    distance: DistanceKind = "euclidean",
    network: WalkingNetwork | None = None,
) -> CoverageSets:
    """Build the demand units of the siting problems (see the module docstring)."""
    cov = compute_coverage(population=population, shelters=shelters, distance=distance, network=network)
    covered = cov[C.COVERED].to_numpy(dtype=bool)
    persons = population.persons
    baseline = float(persons[covered].sum())
    need = np.flatnonzero(~covered & (persons > 0))
    sub = Population.from_arrays(x=population.x[need], y=population.y[need], persons=persons[need])
    cell, site, _ = reachable_pairs(population=sub, shelters=sites, distance=distance, network=network)
    m = len(sites)
    mat = sp.csr_matrix((np.ones(cell.size, dtype=bool), (cell, site)), shape=(need.size, m))
    hit = np.diff(mat.indptr) > 0
    mat, w = mat[hit], sub.persons[hit]
    # merge rows with identical site sets: hash each row's sorted column list
    keys = [mat.indices[mat.indptr[i] : mat.indptr[i + 1]].tobytes() for i in range(mat.shape[0])]
    uniq: dict[bytes, int] = {}
    inv = np.array([uniq.setdefault(k, len(uniq)) for k in keys], dtype=np.int64)
    weights = np.bincount(inv, weights=w, minlength=len(uniq)) if len(uniq) else np.zeros(0)
    first = np.zeros(len(uniq), dtype=np.int64)
    first[inv[::-1]] = np.arange(inv.size)[::-1]
    return CoverageSets(
        weights=weights,
        covers=mat[first].tocsr() if len(uniq) else sp.csr_matrix((0, m), dtype=bool),
        site_ids=tuple(sites[C.SHELTER_ID].astype(str)),
        baseline_covered=baseline,
        total=float(persons.sum()),
    )


def _greedy_mclp(weights: np.ndarray, covers: sp.csr_matrix, k: int) -> list[int]:
    csc = covers.tocsc().astype(float)
    alive = np.ones(weights.size, dtype=bool)
    chosen: list[int] = []
    for _ in range(min(k, covers.shape[1])):
        gain = csc.T @ (weights * alive)
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0 and chosen:
            break
        chosen.append(j)
        alive &= ~np.asarray(covers[:, j].toarray().ravel(), dtype=bool)
    return chosen


def solve_maximal_covering(
    *, weights: np.ndarray, covers: sp.spmatrix, k: int, method: str = "exact", time_limit_s: float = 60.0
) -> tuple[list[int], float, bool]:
    """Choose at most ``k`` sites covering the most weight.

    Args:
        weights: weight (persons) of each demand unit.
        covers: boolean ``(units, sites)`` matrix.
        k: number of sites to choose.
        method: ``exact`` (MILP) or ``greedy``.
        time_limit_s: time limit of the MILP [s]; on reaching it the best solution found is returned.

    Returns:
        ``(chosen site indices in increasing order (exact) or pick order (greedy), covered weight, proven optimal)``.
    """
    covers = sp.csr_matrix(covers, dtype=bool)
    weights = np.asarray(weights, dtype=float)
    n_u, n_s = covers.shape
    k = min(int(k), n_s)
    if method == "greedy":
        chosen = _greedy_mclp(weights, covers, k)
        return chosen, _covered(weights, covers, chosen), False
    if n_u == 0 or k == 0:
        return [], 0.0, True  # nobody left to cover: no site adds anything
    # variables: x (sites, binary) then y (units, continuous in [0, 1])
    c = np.concatenate([np.zeros(n_s), -weights])
    link = sp.hstack([-covers.astype(float), sp.identity(n_u, format="csr")]).tocsr()  # y_u - sum x <= 0
    budget = sp.csr_matrix(np.concatenate([np.ones(n_s), np.zeros(n_u)])[None, :])
    cons = [LinearConstraint(link, -np.inf, 0.0), LinearConstraint(budget, k, k)]
    integrality = np.concatenate([np.ones(n_s), np.zeros(n_u)])
    res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(0, 1), options={"time_limit": time_limit_s})
    if res.x is None:
        chosen = _greedy_mclp(weights, covers, k)
        return chosen, _covered(weights, covers, chosen), False
    chosen = [int(j) for j in np.flatnonzero(res.x[:n_s] > 0.5)]
    return chosen, _covered(weights, covers, chosen), bool(res.status == 0)


def _covered(weights: np.ndarray, covers: sp.csr_matrix, chosen: list[int]) -> float:
    if not chosen:
        return 0.0
    hit = np.asarray(covers[:, chosen].sum(axis=1)).ravel() > 0
    return float(weights[hit].sum())


def solve_set_cover(
    *, weights: np.ndarray, covers: sp.spmatrix, method: str = "exact", time_limit_s: float = 60.0
) -> tuple[list[int], float, bool]:
    """The fewest sites covering every unit that some site covers (units of zero weight are ignored).

    Returns:
        ``(chosen site indices, covered weight, proven optimal)``.
    """
    covers = sp.csr_matrix(covers, dtype=bool)
    weights = np.asarray(weights, dtype=float)
    rows = (np.diff(covers.indptr) > 0) & (weights > 0)
    covers, weights = covers[rows], weights[rows]
    n_u, n_s = covers.shape
    if n_u == 0:
        return [], 0.0, True
    if method == "greedy":
        csc = covers.tocsc().astype(float)
        alive = np.ones(n_u, dtype=bool)
        chosen: list[int] = []
        while alive.any():
            count = csc.T @ alive.astype(float)
            count[chosen] = -1.0
            j = int(np.argmax(count))
            chosen.append(j)
            alive &= ~np.asarray(covers[:, j].toarray().ravel(), dtype=bool)
        return chosen, _covered(weights, covers, chosen), False
    cons = [LinearConstraint(covers.astype(float), 1.0, np.inf)]
    res = milp(
        np.ones(n_s),
        constraints=cons,
        integrality=np.ones(n_s),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit_s},
    )
    if res.x is None:
        return solve_set_cover(weights=weights, covers=covers, method="greedy")
    chosen = [int(j) for j in np.flatnonzero(res.x > 0.5)]
    return chosen, _covered(weights, covers, chosen), bool(res.status == 0)


def _row(
    problem: str,
    method: str,
    sets: CoverageSets,
    chosen: list[int],
    added: float,
    optimal: bool,
    wall: float,
    k: int | None,
) -> dict:
    return {
        C.PROBLEM: problem,
        C.METHOD: method,
        C.K: k,
        C.N_SITES: len(chosen),
        C.SITES: tuple(sets.site_ids[j] for j in chosen),
        C.BASELINE_COVERED: sets.baseline_covered,
        C.ADDED_PERSONS: added,
        C.COVERED_PERSONS: sets.baseline_covered + added,
        C.COVERED_FRACTION: (sets.baseline_covered + added) / sets.total if sets.total > 0 else float("nan"),
        C.COVERABLE_PERSONS: sets.baseline_covered + float(sets.weights.sum()),
        C.OPTIMAL: optimal,
        C.WALL_S: wall,
    }


def compute_maximal_covering(
    *,
    population: Population,
    shelters: pd.DataFrame,
    sites: pd.DataFrame,
    k: int,
    distance: DistanceKind = "euclidean",
    network: WalkingNetwork | None = None,
    time_limit_s: float = 60.0,
) -> pd.DataFrame:
    """Choose ``k`` candidate sites that cover the most people not yet covered, exactly (MILP) and greedily.

    Args:
        population: cells with persons.
        shelters: the open shelters (their coverage is the baseline).
        sites: candidate sites (:func:`sim.shelter.tables.site_table`).
        k: sites to open.
        distance: ``euclidean`` or ``network``.
        network: the walking network (for ``network``).
        time_limit_s: MILP time limit [s].

    Returns:
        Two rows (``exact``, ``greedy``): ``problem, method, k, n_sites, sites, baseline_covered_persons,
        added_covered_persons, covered_persons, covered_fraction, coverable_persons, optimal, wall_s, gap``.
    """
    sets = coverage_sets(population=population, shelters=shelters, sites=sites, distance=distance, network=network)
    rows = []
    for method in ("exact", "greedy"):
        t0 = time.perf_counter()
        chosen, added, optimal = solve_maximal_covering(
            weights=sets.weights, covers=sets.covers, k=k, method=method, time_limit_s=time_limit_s
        )
        rows.append(_row("maximal_covering", method, sets, chosen, added, optimal, time.perf_counter() - t0, k))
    ex, gr = rows[0][C.ADDED_PERSONS], rows[1][C.ADDED_PERSONS]
    rows[0][C.GAP] = 0.0
    rows[1][C.GAP] = (ex - gr) / ex if ex > 0 else 0.0
    return pd.DataFrame(rows)


def compute_set_cover(
    *,
    population: Population,
    shelters: pd.DataFrame,
    sites: pd.DataFrame,
    distance: DistanceKind = "euclidean",
    network: WalkingNetwork | None = None,
    time_limit_s: float = 60.0,
) -> pd.DataFrame:
    """The fewest candidate sites that cover everyone the sites can cover, exactly (MILP) and greedily.

    Returns:
        Two rows (``exact``, ``greedy``) with the columns of :func:`compute_maximal_covering` (``k`` empty).
    """
    sets = coverage_sets(population=population, shelters=shelters, sites=sites, distance=distance, network=network)
    rows = []
    for method in ("exact", "greedy"):
        t0 = time.perf_counter()
        chosen, added, optimal = solve_set_cover(
            weights=sets.weights, covers=sets.covers, method=method, time_limit_s=time_limit_s
        )
        rows.append(_row("set_cover", method, sets, chosen, added, optimal, time.perf_counter() - t0, None))
    ne, ng = rows[0][C.N_SITES], rows[1][C.N_SITES]
    rows[0][C.GAP] = 0.0
    rows[1][C.GAP] = (ng - ne) / ne if ne > 0 else 0.0
    return pd.DataFrame(rows)
