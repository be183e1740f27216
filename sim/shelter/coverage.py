"""Population coverage by open shelters within their service distance, straight-line or walking.

A person is *covered* when at least one open shelter lies within the service distance ``S`` of that shelter's
class, inclusive: ``d <= S`` (reference §3). Coverage is population-weighted: the covered fraction is
covered persons / all persons.

* ``euclidean``: straight-line distance, one k-d tree (``scipy.spatial.cKDTree``) per service distance.
* ``network``: walking distance over the network, snap legs included (see :mod:`sim.shelter.network`), one
  multi-source Dijkstra with cutoff ``S`` per service distance.

Walking time = distance / walking speed (default 500 m in 10 min, 0.83 m/s: reference §3's "about a
10-minute walk" for the 500 m emergency-shelter radius).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from sim.errors import ScenarioError
from sim.shelter import columns as C
from sim.shelter.network import nearest_source_distance, snap
from sim.shelter.schema import DEFAULT_WALKING_SPEED_M_S, FIXED_CLASSES, Population, WalkingNetwork

__all__ = [
    "DistanceKind",
    "compute_coverage",
    "compute_coverage_summary",
    "compute_uncovered_areas",
    "weighted_quantile",
    "COVERAGE_TIERS",
    "tier_shelters",
]

DistanceKind = Literal["euclidean", "network"]
DISTANCE_KINDS = ("euclidean", "network")

#: Coverage tiers. ``any``: every open shelter at its own class's service distance (the plain definition).
#: ``emergency``: every open shelter as a first refuge, at the emergency class's distance (about a 10-minute
#: walk). ``fixed``: fixed and central shelters at their distances. ``central``: central shelters only.
#: A central shelter's 5 km radius covers a whole 4 km x 3 km district, so ``any`` alone can hide that many
#: people have no refuge within walking distance: the tiers show it.
COVERAGE_TIERS = ("any", "emergency", "fixed", "central")


def tier_shelters(shelters: pd.DataFrame, *, tier: str, emergency_distance_m: float) -> pd.DataFrame:
    """The shelters (or candidate sites) that serve a coverage tier, with the tier's service distances.

    Args:
        shelters: a table from :func:`sim.shelter.tables.shelter_table` or ``site_table``.
        tier: one of :data:`COVERAGE_TIERS`.
        emergency_distance_m: the emergency class's service distance [m] (used by the ``emergency`` tier).
    """
    if tier == "any":
        return shelters
    if tier == "emergency":
        out = shelters.copy()
        out[C.SERVICE_DISTANCE_M] = float(emergency_distance_m)
        return out
    if tier == "fixed":
        return shelters[shelters[C.CLASS].isin(FIXED_CLASSES)].reset_index(drop=True)
    if tier == "central":
        return shelters[shelters[C.CLASS] == "central"].reset_index(drop=True)
    raise ScenarioError(
        "unknown coverage tier", field="tier", value=tier, fix=f"use one of: {', '.join(COVERAGE_TIERS)}"
    )


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The population-weighted quantile: the smallest value whose cumulative weight reaches ``q`` of the total.

    (The "inverted CDF" definition, method 1 of Hyndman and Fan 1996, with weights.) ``nan`` if no weight.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = weights > 0
    if not keep.any():
        return float("nan")
    v, w = values[keep], weights[keep]
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    i = int(np.searchsorted(cum, q * cum[-1] * (1 - 1e-12), side="left"))
    return float(v[order][min(i, v.size - 1)])


def _check_kind(distance: str, network: WalkingNetwork | None) -> None:
    if distance not in DISTANCE_KINDS:
        raise ScenarioError("unknown distance kind", field="distance", value=distance, fix="use euclidean or network")
    if distance == "network" and network is None:
        raise ScenarioError(
            "network distances need a walking network",
            field="network",
            fix="give the district a 'network:' (GraphML or node/edge CSV) or use straight-line distances",
        )


def compute_coverage(
    *,
    population: Population,
    shelters: pd.DataFrame,
    distance: DistanceKind = "euclidean",
    network: WalkingNetwork | None = None,
    walking_speed_m_s: float = DEFAULT_WALKING_SPEED_M_S,
) -> pd.DataFrame:
    """Per population cell: nearest open shelter, distance and walking time to it, and whether it is covered.

    covered_i = any over shelters j of [ d(i, j) <= S_class(j) ]   (inclusive, reference §3)

    Args:
        population: cells (or points) with persons.
        shelters: open shelters, a table from :func:`sim.shelter.tables.shelter_table` (needs ``shelter_id,
            x_m, y_m, service_distance_m``).
        distance: ``euclidean`` (straight line) or ``network`` (walking network, snap legs included).
        network: the walking network (needed for ``network``).
        walking_speed_m_s: walking speed [m/s] for the walking time.

    Returns:
        One row per cell: ``cell, x_m, y_m, persons, distance_kind, nearest_shelter_id, distance_m, walk_time_s,
        covered, snap_distance_m``. ``distance_m`` is to the nearest open shelter of any class (``inf`` and
        no id when none is reachable); ``snap_distance_m`` is the cell's snap leg (0 for straight lines).
    """
    _check_kind(distance, network)
    xy = population.xy
    n = len(population)
    sxy = shelters[[C.X, C.Y]].to_numpy(dtype=float).reshape(-1, 2)
    ids = shelters[C.SHELTER_ID].to_numpy(dtype=object)
    service = shelters[C.SERVICE_DISTANCE_M].to_numpy(dtype=float)
    covered = np.zeros(n, dtype=bool)
    snap_m = np.zeros(n)
    if len(sxy) == 0:
        nearest_d, nearest_j = np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    elif distance == "euclidean":
        nearest_d, nearest_j = cKDTree(sxy).query(xy, workers=-1)
        for s in np.unique(service):
            d, _ = cKDTree(sxy[service == s]).query(xy, distance_upper_bound=np.nextafter(s, np.inf), workers=-1)
            covered |= d <= s
    else:
        assert network is not None
        nearest_d, nearest_j = nearest_source_distance(network=network, sources_xy=sxy, targets_xy=xy)
        for s in np.unique(service):
            d, _ = nearest_source_distance(network=network, sources_xy=sxy[service == s], targets_xy=xy, limit=s)
            covered |= d <= s
        snap_m = snap(network, xy)[1]
    nearest_id = np.full(n, None, dtype=object)
    found = np.isfinite(nearest_d) & (nearest_j >= 0) & (nearest_j < len(ids))
    nearest_id[found] = ids[nearest_j[found]]
    return pd.DataFrame(
        {
            C.CELL: np.arange(n),
            C.X: population.x,
            C.Y: population.y,
            C.PERSONS: population.persons,
            C.DISTANCE_KIND: distance,
            C.NEAREST_SHELTER: nearest_id,
            C.DISTANCE_M: nearest_d,
            C.WALK_TIME_S: nearest_d / walking_speed_m_s,
            C.COVERED: covered,
            C.SNAP_M: snap_m,
        }
    )


def compute_coverage_summary(*, coverage: pd.DataFrame) -> pd.DataFrame:
    """Population-weighted coverage, one row per distance kind in ``coverage`` (concatenate several to compare).

    covered fraction = sum(persons * covered) / sum(persons); mean and 95th percentile (population-weighted,
    see :func:`weighted_quantile`) of the distance and walking time to the nearest shelter, over the persons
    who can reach one at all.

    Returns:
        Columns ``distance_kind, total_persons, covered_persons, uncovered_persons, covered_fraction,
        unreachable_persons, mean_distance_m, p95_distance_m, mean_walk_time_s, p95_walk_time_s``.
    """
    rows = []
    for kind, g in coverage.groupby(C.DISTANCE_KIND, sort=False):
        p = g[C.PERSONS].to_numpy(dtype=float)
        cov = g[C.COVERED].to_numpy(dtype=bool)
        d = g[C.DISTANCE_M].to_numpy(dtype=float)
        t = g[C.WALK_TIME_S].to_numpy(dtype=float)
        reach = np.isfinite(d)
        total = float(p.sum())
        pr = p[reach]
        rows.append(
            {
                C.DISTANCE_KIND: kind,
                C.TOTAL_PERSONS: total,
                C.COVERED_PERSONS: float(p[cov].sum()),
                C.UNCOVERED_PERSONS: float(p[~cov].sum()),
                C.COVERED_FRACTION: float(p[cov].sum() / total) if total > 0 else float("nan"),
                C.UNREACHABLE_PERSONS: float(p[~reach].sum()),
                C.MEAN_DISTANCE_M: float(np.average(d[reach], weights=pr)) if pr.sum() > 0 else float("nan"),
                C.P95_DISTANCE_M: weighted_quantile(d[reach], pr, 0.95),
                C.MEAN_WALK_TIME_S: float(np.average(t[reach], weights=pr)) if pr.sum() > 0 else float("nan"),
                C.P95_WALK_TIME_S: weighted_quantile(t[reach], pr, 0.95),
            }
        )
    return pd.DataFrame(rows)


def compute_uncovered_areas(*, coverage: pd.DataFrame, block_m: float = 500.0) -> pd.DataFrame:
    """Where the uncovered people live: uncovered persons summed over square blocks, most first.

    Args:
        coverage: a table from :func:`compute_coverage` (one distance kind, or several: grouped by kind).
        block_m: side of the blocks [m].

    Returns:
        Columns ``distance_kind, x_m, y_m, uncovered_persons`` (block centres), blocks with nobody uncovered
        left out.
    """
    un = coverage[~coverage[C.COVERED] & (coverage[C.PERSONS] > 0)]
    bx = (np.floor(un[C.X].to_numpy(dtype=float) / block_m) + 0.5) * block_m
    by = (np.floor(un[C.Y].to_numpy(dtype=float) / block_m) + 0.5) * block_m
    frame = pd.DataFrame(
        {
            C.DISTANCE_KIND: un[C.DISTANCE_KIND].to_numpy(),
            C.X: bx,
            C.Y: by,
            C.UNCOVERED_PERSONS: un[C.PERSONS].to_numpy(),
        }
    )
    out = frame.groupby([C.DISTANCE_KIND, C.X, C.Y], as_index=False, sort=False)[C.UNCOVERED_PERSONS].sum()
    return out.sort_values([C.DISTANCE_KIND, C.UNCOVERED_PERSONS], ascending=[True, False], kind="stable").reset_index(
        drop=True
    )
