"""Walking distances over a network: snapping to nodes and (multi-source) Dijkstra with a cutoff.

Definition used everywhere in the shelter engine: the walking distance from a place ``p`` (a population cell)
to a shelter ``s`` is

    d(p, s) = |p - n(p)| + D(n(p), n(s)) + |s - n(s)|

where ``n(.)`` is the nearest network node (straight-line snap, found with a k-d tree) and ``D`` the shortest
path length over the network's edges. The two snap legs are walked in a straight line. With a street grid of
spacing ``g`` a snap leg is at most about ``g / sqrt(2)``; a cell right beside a shelter but far from a node is
charged the detour through the node (d >= the straight distance, by the triangle inequality, as long as edge
lengths are at least the straight distance between their ends). Places in a part of the network not connected
to any shelter get an infinite distance.

Each shelter becomes a virtual node joined to its nearest node by an edge of its snap length, so one
multi-source Dijkstra run (``scipy.sparse.csgraph.dijkstra`` with ``min_only=True`` and ``limit``, the compiled
equivalent of ``networkx.multi_source_dijkstra`` with a cutoff) gives every node its distance to the nearest
shelter of a group and which shelter that is.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from sim.shelter.schema import WalkingNetwork

__all__ = ["snap", "nearest_source_distance", "pairwise_distance"]


def snap(network: WalkingNetwork, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest network node of each point.

    Args:
        network: the walking network.
        xy: ``(n, 2)`` points [m].

    Returns:
        ``(node index, snap distance [m])`` per point.
    """
    tree = cKDTree(network.xy)
    dist, idx = tree.query(np.asarray(xy, dtype=float).reshape(-1, 2), workers=-1)
    return idx.astype(np.int64), dist


def _graph_with_sources(network: WalkingNetwork, sources_xy: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """The network plus one virtual node per source, joined to the source's nearest node by its snap length."""
    n = network.x.size
    src_node, src_snap = snap(network, sources_xy)
    m = src_node.size
    virtual = np.arange(n, n + m)
    rows = np.concatenate([network.u, network.v, virtual, src_node])
    cols = np.concatenate([network.v, network.u, src_node, virtual])
    vals = np.concatenate([network.length_m, network.length_m, src_snap, src_snap])
    # parallel edges: keep the shortest (a sparse constructor would add them up)
    order = np.lexsort((vals, cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    # explicit zeros (a source exactly on a node) are edges for scipy.sparse.csgraph
    graph = sp.csr_matrix((vals[first], (rows[first], cols[first])), shape=(n + m, n + m))
    return graph, virtual


def nearest_source_distance(
    *, network: WalkingNetwork, sources_xy: np.ndarray, targets_xy: np.ndarray, limit: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """Walking distance from each target to its nearest source (multi-source Dijkstra with a cutoff).

    Args:
        network: the walking network.
        sources_xy: ``(m, 2)`` source places [m] (shelters).
        targets_xy: ``(n, 2)`` target places [m] (population cells).
        limit: network paths longer than this [m] are not followed (the cutoff); the snap leg of the target is
            added afterwards, so a caller testing ``d <= S`` passes ``limit=S``.

    Returns:
        ``(distance [m], index of the nearest source)`` per target; ``inf`` and ``-1`` where no source lies
        within ``limit`` along the network.
    """
    targets_xy = np.asarray(targets_xy, dtype=float).reshape(-1, 2)
    if len(sources_xy) == 0:
        return np.full(len(targets_xy), np.inf), np.full(len(targets_xy), -1, dtype=np.int64)
    graph, virtual = _graph_with_sources(network, np.asarray(sources_xy, dtype=float).reshape(-1, 2))
    dist, _, src = dijkstra(graph, directed=True, indices=virtual, min_only=True, limit=limit, return_predecessors=True)
    tgt_node, tgt_snap = snap(network, targets_xy)
    d = dist[tgt_node] + tgt_snap
    which = np.where(np.isfinite(dist[tgt_node]), src[tgt_node] - network.x.size, -1)
    return d, which.astype(np.int64)


def pairwise_distance(
    *, network: WalkingNetwork, sources_xy: np.ndarray, targets_xy: np.ndarray, limit: float = np.inf
) -> np.ndarray:
    """Walking distance from every source to every target, ``inf`` beyond ``limit`` along the network.

    Args:
        network: the walking network.
        sources_xy: ``(m, 2)`` places [m] (shelters or candidate sites).
        targets_xy: ``(n, 2)`` places [m] (population cells).
        limit: cutoff [m] of the network part of the path (see :func:`nearest_source_distance`).

    Returns:
        ``(m, n)`` array of distances [m]. Memory grows as m x (nodes + n): meant for tens to hundreds of
        sources.
    """
    sources_xy = np.asarray(sources_xy, dtype=float).reshape(-1, 2)
    targets_xy = np.asarray(targets_xy, dtype=float).reshape(-1, 2)
    if len(sources_xy) == 0:
        return np.zeros((0, len(targets_xy)))
    graph, virtual = _graph_with_sources(network, sources_xy)
    dist = dijkstra(graph, directed=True, indices=virtual, limit=limit)
    tgt_node, tgt_snap = snap(network, targets_xy)
    return dist[:, tgt_node] + tgt_snap[None, :]
