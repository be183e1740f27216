"""Capacity-constrained assignment of people to shelters within reach, least total walking distance.

The transportation problem (reference §3), solved as one linear programme with HiGHS (``scipy.optimize.linprog``;
the two phases below are merged exactly by a large per-person bonus, see :func:`_solve`). A basic (vertex)
solution of a transportation problem with whole persons and capacities has whole-number flows:

    phase 1:  F* = max  sum_ij x_ij
    phase 2:  min  sum_ij d_ij x_ij   subject to  sum_ij x_ij >= F*
    both:     sum_j x_ij <= p_i (persons of cell i),  sum_i x_ij <= c_j (capacity of shelter j),  x_ij >= 0,
              x_ij exists only if d_ij <= S_j (shelter j within its service distance of cell i).

So as many people as possible get a place, and among all such assignments the total person-distance is the
least. Unlike the "nearest shelter with room left" greedy, the result does not depend on the order in which
cells are processed. People left over are *out of reach* (no open shelter within reach) or *over capacity*
(shelters in reach, all full).

Aggregation (``aggregate_m``): cells may be merged into square blocks, each block's persons placed at their
population-weighted centroid. This shrinks the LP by about (block / cell)² but moves each person by up to a
block diagonal (1.41 x block; typically a third of the block), so a person's distance errs by up to that much,
total distances much less (errors of opposite sign cancel), and reachability is judged at the centroid. The
default here is no aggregation (exact on the given cells); the district report uses 100 m blocks (see
:mod:`sim.shelter.report`, which measures and states the effect).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.spatial import cKDTree

from sim.errors import SimError
from sim.shelter import columns as C
from sim.shelter.coverage import DistanceKind, _check_kind, weighted_quantile
from sim.shelter.network import pairwise_distance
from sim.shelter.schema import DEFAULT_WALKING_SPEED_M_S, Population, WalkingNetwork

__all__ = [
    "reachable_pairs",
    "aggregate_population",
    "compute_assignment",
    "compute_shelter_loads",
    "compute_assignment_summary",
]


def reachable_pairs(
    *,
    population: Population,
    shelters: pd.DataFrame,
    distance: DistanceKind = "euclidean",
    network: WalkingNetwork | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (cell, shelter) pair with the shelter within its service distance of the cell (d <= S, inclusive).

    Returns:
        ``(cell index, shelter row index, distance [m])`` arrays, sorted by cell then shelter.
    """
    _check_kind(distance, network)
    xy = population.xy
    sxy = shelters[[C.X, C.Y]].to_numpy(dtype=float).reshape(-1, 2)
    service = shelters[C.SERVICE_DISTANCE_M].to_numpy(dtype=float)
    if len(sxy) == 0 or len(xy) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0)
    if distance == "euclidean":
        hits = cKDTree(xy).query_ball_point(sxy, r=np.nextafter(service, np.inf), workers=-1)
        sh = np.concatenate([np.full(len(h), j, dtype=np.int64) for j, h in enumerate(hits)])
        cell = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
        d = np.hypot(xy[cell, 0] - sxy[sh, 0], xy[cell, 1] - sxy[sh, 1])
        keep = d <= service[sh]
        cell, sh, d = cell[keep], sh[keep], d[keep]
    else:
        assert network is not None
        dm = pairwise_distance(network=network, sources_xy=sxy, targets_xy=xy, limit=float(service.max()))
        sh, cell = np.nonzero(dm <= service[:, None])
        d = dm[sh, cell]
    order = np.lexsort((sh, cell))
    return cell[order], sh[order], d[order]


def aggregate_population(population: Population, *, block_m: float) -> tuple[Population, np.ndarray]:
    """Merge cells into square blocks of side ``block_m`` [m], each at its population-weighted centroid.

    Returns:
        ``(aggregated population, block index of each original cell)``. Blocks without persons are dropped
        (their cells map to -1).
    """
    keep = population.persons > 0
    bx = np.floor(population.x / block_m).astype(np.int64)
    by = np.floor(population.y / block_m).astype(np.int64)
    key = np.where(keep, bx * 1_000_003 + by, np.iinfo(np.int64).min)
    uniq, inv = np.unique(key[keep], return_inverse=True)
    w = population.persons[keep]
    tot = np.bincount(inv, weights=w, minlength=uniq.size)
    cx = np.bincount(inv, weights=w * population.x[keep], minlength=uniq.size) / tot
    cy = np.bincount(inv, weights=w * population.y[keep], minlength=uniq.size) / tot
    block = np.full(len(population), -1, dtype=np.int64)
    block[keep] = inv
    return Population.from_arrays(x=cx, y=cy, persons=tot, cell_size_m=block_m), block


def _solve(persons: np.ndarray, capacity: np.ndarray, cell: np.ndarray, sh: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The linear programme of the module docstring; returns the flow on each arc.

    One solve with cost ``d_ij - M`` per arc, ``M = (m + 1) * max d + 1`` (m shelters): an augmenting path
    in the residual network has at most m forward arcs, so its cost is below ``m * max d - M < 0``; hence the
    optimum is a maximum flow (phase 1) and, all maximum flows paying ``-M`` per person alike, the least
    total distance among them (phase 2).
    """
    n_arcs = cell.size
    if n_arcs == 0:
        return np.zeros(0)
    cells, cell_row = np.unique(cell, return_inverse=True)
    shs, sh_row = np.unique(sh, return_inverse=True)
    arcs = np.arange(n_arcs)
    a_cell = sp.csr_matrix((np.ones(n_arcs), (cell_row, arcs)), shape=(cells.size, n_arcs))
    a_sh = sp.csr_matrix((np.ones(n_arcs), (sh_row, arcs)), shape=(shs.size, n_arcs))
    a_ub = sp.vstack([a_cell, a_sh]).tocsr()
    b_ub = np.concatenate([persons[cells], capacity[shs].astype(float)])
    big_m = (shs.size + 1) * max(float(d.max()), 1.0) + 1.0
    res = linprog(d - big_m, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if res.status != 0:
        raise SimError(f"shelter assignment: the solver failed ({res.message})")
    return np.clip(res.x, 0.0, None)


def compute_assignment(
    *,
    population: Population,
    shelters: pd.DataFrame,
    distance: DistanceKind = "euclidean",
    network: WalkingNetwork | None = None,
    walking_speed_m_s: float = DEFAULT_WALKING_SPEED_M_S,
    aggregate_m: float | None = None,
) -> pd.DataFrame:
    """Assign people to open shelters within reach, as many as capacity allows, least total walking distance.

    See the module docstring for the linear programme. Capacity comes from the ``capacity_persons`` column
    (effective area / per-person area).

    Args:
        population: cells with persons.
        shelters: open shelters (:func:`sim.shelter.tables.shelter_table`).
        distance: ``euclidean`` or ``network``.
        network: the walking network (for ``network``).
        walking_speed_m_s: walking speed [m/s] for the walk times.
        aggregate_m: merge cells into blocks of this side [m] first (faster, less exact); ``None``: no merging.

    Returns:
        The flows, tidy: one row per (cell, shelter) with persons > 0, plus one row per cell with people left
        over (``shelter_id`` None). Columns ``cell, x_m, y_m, shelter_id, persons, distance_m, walk_time_s,
        status`` (``assigned``, ``over_capacity`` or ``out_of_reach``). ``cell`` indexes the blocks when
        aggregated. ``attrs`` hold ``distance_kind``, ``aggregate_m`` and ``solve_s``.
    """
    pop = population if aggregate_m is None else aggregate_population(population, block_m=aggregate_m)[0]
    t0 = time.perf_counter()
    cell, sh, d = reachable_pairs(population=pop, shelters=shelters, distance=distance, network=network)
    persons = pop.persons
    positive = persons[cell] > 0
    cell, sh, d = cell[positive], sh[positive], d[positive]
    capacity = shelters[C.CAPACITY].to_numpy(dtype=float)
    x = _solve(persons, capacity, cell, sh, d)
    solve_s = time.perf_counter() - t0
    ids = shelters[C.SHELTER_ID].to_numpy(dtype=object)
    used = x > 1e-9
    assigned = np.bincount(cell[used], weights=x[used], minlength=len(pop))
    left = persons - assigned
    in_reach = np.zeros(len(pop), dtype=bool)
    in_reach[cell] = True
    rest = np.flatnonzero(left > 1e-9 * np.maximum(1.0, persons))
    flows = pd.DataFrame(
        {
            C.CELL: np.concatenate([cell[used], rest]),
            C.SHELTER_ID: np.concatenate([ids[sh[used]], np.full(rest.size, None, dtype=object)]),
            C.PERSONS: np.concatenate([x[used], left[rest]]),
            C.DISTANCE_M: np.concatenate([d[used], np.full(rest.size, np.nan)]),
            C.STATUS: np.concatenate(
                [np.full(int(used.sum()), "assigned"), np.where(in_reach[rest], "over_capacity", "out_of_reach")]
            ),
        }
    )
    flows.insert(1, C.X, pop.x[flows[C.CELL].to_numpy()])
    flows.insert(2, C.Y, pop.y[flows[C.CELL].to_numpy()])
    flows.insert(6, C.WALK_TIME_S, flows[C.DISTANCE_M] / walking_speed_m_s)
    flows = flows.sort_values([C.CELL, C.DISTANCE_M], kind="stable", na_position="last").reset_index(drop=True)
    flows.attrs.update({"distance_kind": distance, "aggregate_m": aggregate_m, "solve_s": solve_s})
    return flows


def compute_shelter_loads(*, flows: pd.DataFrame, shelters: pd.DataFrame) -> pd.DataFrame:
    """Per shelter: persons assigned, capacity, utilisation, achieved area per person, distances.

    achieved area per person = effective area / load [m²] (``inf`` for an empty shelter); utilisation =
    load / capacity.

    Returns:
        Columns ``shelter_id, shelter_class, capacity_persons, load_persons, utilisation, effective_area_m2,
        achieved_area_per_person_m2, mean_distance_m, max_distance_m``.
    """
    a = flows[flows[C.STATUS] == "assigned"]
    g = a.groupby(C.SHELTER_ID, sort=False)
    load = g[C.PERSONS].sum()
    wd = (a[C.PERSONS] * a[C.DISTANCE_M]).groupby(a[C.SHELTER_ID], sort=False).sum()
    dmax = g[C.DISTANCE_M].max()
    out = shelters[[C.SHELTER_ID, C.CLASS, C.CAPACITY, C.AREA_M2]].copy().reset_index(drop=True)
    sid = out[C.SHELTER_ID]
    out[C.LOAD] = sid.map(load).fillna(0.0).astype(float)
    cap = out[C.CAPACITY].astype(float)
    out[C.UTILISATION] = np.where(cap > 0, out[C.LOAD] / cap.where(cap > 0, 1.0), np.nan)
    with np.errstate(divide="ignore"):
        out[C.AREA_PER_PERSON_M2] = np.where(out[C.LOAD] > 0, out[C.AREA_M2] / out[C.LOAD], np.inf)
    out[C.MEAN_DISTANCE_M] = np.where(
        out[C.LOAD] > 0, sid.map(wd).fillna(0.0) / out[C.LOAD].where(out[C.LOAD] > 0, 1), np.nan
    )
    out[C.MAX_DISTANCE_M] = sid.map(dmax).astype(float)
    return out[
        [
            C.SHELTER_ID,
            C.CLASS,
            C.CAPACITY,
            C.LOAD,
            C.UTILISATION,
            C.AREA_M2,
            C.AREA_PER_PERSON_M2,
            C.MEAN_DISTANCE_M,
            C.MAX_DISTANCE_M,
        ]
    ]


def compute_assignment_summary(*, flows: pd.DataFrame) -> pd.DataFrame:
    """One row: persons assigned and left over (out of reach / over capacity), total, mean, p95 and worst distance.

    Returns:
        Columns ``distance_kind, total_persons, assigned_persons, unassigned_persons, out_of_reach_persons,
        over_capacity_persons, total_person_distance_m, mean_distance_m, p95_distance_m, max_distance_m,
        mean_walk_time_s, p95_walk_time_s``.
    """
    st = flows[C.STATUS]
    p = flows[C.PERSONS].to_numpy(dtype=float)
    a = (st == "assigned").to_numpy()
    d = flows[C.DISTANCE_M].to_numpy(dtype=float)
    t = flows[C.WALK_TIME_S].to_numpy(dtype=float)
    assigned = float(p[a].sum())
    row = {
        C.DISTANCE_KIND: flows.attrs.get("distance_kind"),
        C.TOTAL_PERSONS: float(p.sum()),
        C.ASSIGNED_PERSONS: assigned,
        C.UNASSIGNED_PERSONS: float(p[~a].sum()),
        C.OUT_OF_REACH_PERSONS: float(p[(st == "out_of_reach").to_numpy()].sum()),
        C.OVER_CAPACITY_PERSONS: float(p[(st == "over_capacity").to_numpy()].sum()),
        C.TOTAL_DISTANCE_M: float((p[a] * d[a]).sum()),
        C.MEAN_DISTANCE_M: float((p[a] * d[a]).sum() / assigned) if assigned > 0 else float("nan"),
        C.P95_DISTANCE_M: weighted_quantile(d[a], p[a], 0.95),
        C.MAX_DISTANCE_M: float(d[a][p[a] > 1e-9].max()) if (p[a] > 1e-9).any() else float("nan"),
        C.MEAN_WALK_TIME_S: float((p[a] * t[a]).sum() / assigned) if assigned > 0 else float("nan"),
        C.P95_WALK_TIME_S: weighted_quantile(t[a], p[a], 0.95),
    }
    return pd.DataFrame([row])
