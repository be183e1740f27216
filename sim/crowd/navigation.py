"""Navigation fields: travel-cost distance to each exit on a fine grid, and its descent direction.

The distance field solves the eikonal equation ``|grad T| = c(x)`` by the fast marching method (Sethian
1996, first-order upwind scheme, binary heap), where the cost ``c`` is 1 in open space and rises near walls
so that paths keep a little clearance instead of grazing corners. Each exit has its own field; a field is
computed once and reused until the walkable area itself changes (closing an exit only stops agents from
choosing it). Agents read the unit descent direction by bilinear interpolation.

Quickest paths (scenario setting ``simulation.routing: quickest``): every ``routing_interval`` seconds the
directions are recomputed with a cost that also grows with the local crowd density, ``c = c_wall x v0 / v(rho)``
with Weidmann's speed-density relation ``v(rho) / v0 = 1 - exp(-1.913 (1/rho - 1/5.4))`` (the quickest
path of Kretz 2009, "Pedestrian traffic: on the quickest path", J. Stat. Mech. P03012; the dynamic
navigation field of Hartmann 2010, "Adaptive pedestrian dynamics based on geodesics", New J. Phys. 12
043032). A large crowd then spreads over the width of a street instead of packing the inside of a bend.
The distances used for exit choice stay the static ones (queueing there is estimated separately, see
:mod:`sim.crowd.exit_choice`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = [
    "fast_marching", "descent_direction", "sample_direction", "sample_distance", "local_density", "congestion_cost",
    "UNREACHABLE",
]

#: Distance value of cells that cannot reach the target (or are not walkable).
UNREACHABLE = np.float32(1e30)


@njit(cache=True)
def _heap_push(hv: np.ndarray, hi: np.ndarray, n: int, value: float, idx: int) -> int:
    hv[n] = value
    hi[n] = idx
    k = n
    while k > 0:
        parent = (k - 1) >> 1
        if hv[parent] <= hv[k]:
            break
        hv[parent], hv[k] = hv[k], hv[parent]
        hi[parent], hi[k] = hi[k], hi[parent]
        k = parent
    return n + 1


@njit(cache=True)
def _heap_pop(hv: np.ndarray, hi: np.ndarray, n: int) -> tuple[float, int, int]:
    value = hv[0]
    idx = hi[0]
    n -= 1
    hv[0] = hv[n]
    hi[0] = hi[n]
    k = 0
    while True:
        left = 2 * k + 1
        if left >= n:
            break
        child = left
        if left + 1 < n and hv[left + 1] < hv[left]:
            child = left + 1
        if hv[k] <= hv[child]:
            break
        hv[child], hv[k] = hv[k], hv[child]
        hi[child], hi[k] = hi[k], hi[child]
        k = child
    return value, idx, n


def fast_marching(
    cost: np.ndarray, target: np.ndarray, h: float, links: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Travel-cost distance from every grid cell to the nearest target cell.

    Args:
        cost: (ny, nx) cost per metre (>= 1 in walkable cells, ``inf`` where not walkable).
        target: (ny, nx) bool, the cells where the distance is 0.
        h: cell size [m].
        links: optional ``(src, dst)`` flat cell indices (int64, same length): one-way shortcuts of length
            ``h`` by which the distance of cell ``src`` reaches cell ``dst`` (``dst`` is one step from
            ``src`` for a walker going ``dst -> src``). Stairs and escalators join their ends to the
            levels this way.

    Returns:
        (ny, nx) float64 distance [m of cost]; ``inf`` where the target cannot be reached.
    """
    n_cells = cost.size
    head = np.full(n_cells if links is not None and len(links[0]) else 1, -1, dtype=np.int64)
    nxt = np.empty(0, dtype=np.int64)
    dst = np.empty(0, dtype=np.int64)
    if links is not None and len(links[0]):
        src = np.asarray(links[0], dtype=np.int64)
        dst = np.asarray(links[1], dtype=np.int64)
        nxt = np.full(len(src), -1, dtype=np.int64)
        for k in range(len(src)):  # a linked list per source cell
            nxt[k] = head[src[k]]
            head[src[k]] = k
    return _march(cost, target, h, head, nxt, dst)


@njit(cache=True)
def _march(
    cost: np.ndarray, target: np.ndarray, h: float, link_head: np.ndarray, link_next: np.ndarray,
    link_dst: np.ndarray,
) -> np.ndarray:
    ny, nx = cost.shape
    n_cells = ny * nx
    has_links = link_head.shape[0] == n_cells
    dist = np.full(n_cells, np.inf)
    known = np.zeros(n_cells, dtype=np.bool_)
    cap = 4 * n_cells + 16 + 2 * link_dst.shape[0]
    hv = np.empty(cap)
    hi = np.empty(cap, dtype=np.int64)
    n = 0
    flat_cost = cost.ravel()
    flat_target = target.ravel()
    for c in range(n_cells):
        if flat_target[c]:
            dist[c] = 0.0
            n = _heap_push(hv, hi, n, 0.0, c)
    while n > 0:
        value, c, n = _heap_pop(hv, hi, n)
        if known[c] or value > dist[c]:
            continue
        known[c] = True
        if has_links:
            k = link_head[c]
            while k >= 0:
                j = link_dst[k]
                t = dist[c] + flat_cost[j] * h
                if not known[j] and math.isfinite(flat_cost[j]) and t < dist[j]:
                    dist[j] = t
                    n = _heap_push(hv, hi, n, t, j)
                k = link_next[k]
        cy = c // nx
        cx = c - cy * nx
        for k in range(4):
            if k == 0:
                jy, jx = cy - 1, cx
            elif k == 1:
                jy, jx = cy + 1, cx
            elif k == 2:
                jy, jx = cy, cx - 1
            else:
                jy, jx = cy, cx + 1
            if jy < 0 or jy >= ny or jx < 0 or jx >= nx:
                continue
            j = jy * nx + jx
            if known[j] or not math.isfinite(flat_cost[j]):
                continue
            # upwind neighbours in x and y (known values only)
            a = np.inf
            if jx > 0 and known[j - 1]:
                a = dist[j - 1]
            if jx < nx - 1 and known[j + 1] and dist[j + 1] < a:
                a = dist[j + 1]
            b = np.inf
            if jy > 0 and known[j - nx]:
                b = dist[j - nx]
            if jy < ny - 1 and known[j + nx] and dist[j + nx] < b:
                b = dist[j + nx]
            f = flat_cost[j] * h
            if abs(a - b) >= f:
                t = min(a, b) + f
            else:
                t = 0.5 * (a + b + math.sqrt(2.0 * f * f - (a - b) * (a - b)))
            if t < dist[j]:
                dist[j] = t
                n = _heap_push(hv, hi, n, t, j)
    return dist.reshape(ny, nx)


@njit(cache=True)
def descent_direction(dist: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of steepest descent of ``dist`` (central differences, one-sided next to walls).

    Returns:
        ``(dx, dy)`` float32 arrays of shape (ny, nx); zero where the field is unreachable or flat.
    """
    ny, nx = dist.shape
    dx = np.zeros((ny, nx), dtype=np.float32)
    dy = np.zeros((ny, nx), dtype=np.float32)
    for iy in range(ny):
        for ix in range(nx):
            d0 = dist[iy, ix]
            if not math.isfinite(d0):
                continue
            left = dist[iy, ix - 1] if ix > 0 else np.inf
            right = dist[iy, ix + 1] if ix < nx - 1 else np.inf
            down = dist[iy - 1, ix] if iy > 0 else np.inf
            up = dist[iy + 1, ix] if iy < ny - 1 else np.inf
            if math.isfinite(left) and math.isfinite(right):
                gx = (right - left) / (2.0 * h)
            elif math.isfinite(right):
                gx = min(right - d0, 0.0) / h
            elif math.isfinite(left):
                gx = max(d0 - left, 0.0) / h
            else:
                gx = 0.0
            if math.isfinite(down) and math.isfinite(up):
                gy = (up - down) / (2.0 * h)
            elif math.isfinite(up):
                gy = min(up - d0, 0.0) / h
            elif math.isfinite(down):
                gy = max(d0 - down, 0.0) / h
            else:
                gy = 0.0
            norm = math.hypot(gx, gy)
            if norm > 1e-12:
                dx[iy, ix] = -gx / norm
                dy[iy, ix] = -gy / norm
    return dx, dy


@njit(cache=True, inline="always")
def sample_direction(
    dirxy: np.ndarray, dist: np.ndarray, x: float, y: float, x0: float, y0: float, h: float
) -> tuple[float, float]:
    """Bilinear interpolation of the descent direction ``dirxy`` (ny, nx, 2) at ``(x, y)``.

    Unreachable cells hold (0, 0) and so add nothing; the sum is normalised. Only where all four
    neighbours add nothing does it read ``dist``: it then heads for the nearest reachable cell within
    two cells. Returns ``(0, 0)`` if there is none.
    """
    ny, nx = dist.shape
    fx = (x - x0) / h - 0.5
    fy = (y - y0) / h - 0.5
    ix = int(math.floor(fx))
    iy = int(math.floor(fy))
    wx = fx - ix
    wy = fy - iy
    sx = 0.0
    sy = 0.0
    for cy in range(2):
        for cx in range(2):
            jx = ix + cx
            jy = iy + cy
            if jx < 0 or jy < 0 or jx >= nx or jy >= ny:
                continue
            w = (wx if cx == 1 else 1.0 - wx) * (wy if cy == 1 else 1.0 - wy)
            sx += w * dirxy[jy, jx, 0]
            sy += w * dirxy[jy, jx, 1]
    # sqrt of the sum of squares, not math.hypot (a libm call, several times slower; no overflow here)
    norm = math.sqrt(sx * sx + sy * sy)
    if norm > 1e-9:
        return sx / norm, sy / norm
    best = 1e30
    bx = 0.0
    by = 0.0
    for jy in range(iy - 2, iy + 4):
        for jx in range(ix - 2, ix + 4):
            if jx < 0 or jy < 0 or jx >= nx or jy >= ny or dist[jy, jx] >= best:
                continue
            best = dist[jy, jx]
            # head to the centre of that cell, then follow its direction
            cx_ = x0 + (jx + 0.5) * h - x
            cy_ = y0 + (jy + 0.5) * h - y
            bx = cx_ + dirxy[jy, jx, 0] * h
            by = cy_ + dirxy[jy, jx, 1] * h
    norm = math.sqrt(bx * bx + by * by)
    if norm > 1e-9:
        return bx / norm, by / norm
    return 0.0, 0.0


@njit(cache=True, inline="always")
def sample_distance(dist: np.ndarray, x: float, y: float, x0: float, y0: float, h: float) -> float:
    """Bilinear interpolation of a distance field at ``(x, y)`` over reachable cells (``1e30`` if none)."""
    ny, nx = dist.shape
    fx = (x - x0) / h - 0.5
    fy = (y - y0) / h - 0.5
    ix = int(math.floor(fx))
    iy = int(math.floor(fy))
    wx = fx - ix
    wy = fy - iy
    s = 0.0
    ws = 0.0
    for cy in range(2):
        for cx in range(2):
            jx = ix + cx
            jy = iy + cy
            if jx < 0 or jy < 0 or jx >= nx or jy >= ny or dist[jy, jx] >= 1e29:
                continue
            w = (wx if cx == 1 else 1.0 - wx) * (wy if cy == 1 else 1.0 - wy)
            s += w * dist[jy, jx]
            ws += w
    if ws > 1e-9:
        return s / ws
    return 1e30


#: Half-side [m] of the square over which the local density of the quickest-path cost is averaged.
DENSITY_RADIUS = 1.0
#: Densities [P/m²] below this leave the cost unchanged (people walk at about their free speed).
FREE_DENSITY = 0.5
#: Largest factor by which crowding raises the cost (Weidmann's speed falls to a fifth at about 3.3 P/m²).
MAX_CONGESTION_COST = 5.0
#: Weidmann (1993): speed-density shape and jam density [P/m²].
_WEIDMANN_GAMMA = 1.913
_WEIDMANN_JAM = 5.4


@njit(cache=True)
def _count_cells(pos: np.ndarray, inside: np.ndarray, x0: float, y0: float, h: float, out: np.ndarray) -> None:
    ny, nx = out.shape
    out[:, :] = 0.0
    for i in range(pos.shape[0]):
        if not inside[i]:
            continue
        ix = int(math.floor((pos[i, 0] - x0) / h))
        iy = int(math.floor((pos[i, 1] - y0) / h))
        if 0 <= ix < nx and 0 <= iy < ny:
            out[iy, ix] += 1.0


def _box_sum(a: np.ndarray, r: int) -> np.ndarray:
    """Sum of ``a`` over the (2r+1) x (2r+1) window around each cell (zero outside the grid)."""
    c = np.pad(a, ((r + 1, r), (r + 1, r))).cumsum(axis=0).cumsum(axis=1)
    n = 2 * r + 1
    return c[n:, n:] - c[:-n, n:] - c[n:, :-n] + c[:-n, :-n]


def local_density(
    pos: np.ndarray, inside: np.ndarray, walkable: np.ndarray, x0: float, y0: float, h: float,
    radius: float = DENSITY_RADIUS,
) -> np.ndarray:
    """Crowd density [P/m²] around each navigation cell.

    Args:
        pos: (N, 2) positions [m]; inside: (N,) bool, the people to count.
        walkable: (ny, nx) navigation mask; x0, y0, h: the grid's origin and cell size [m].
        radius: half-side of the averaging square [m]; only its walkable part counts as area.

    Returns:
        (ny, nx) density; 0 outside the walkable area.
    """
    counts = np.empty(walkable.shape)
    _count_cells(pos, inside, x0, y0, h, counts)
    r = max(1, round(radius / h))
    area = _box_sum(walkable.astype(np.float64), r) * (h * h)
    return np.where(walkable, _box_sum(counts, r) / np.maximum(area, h * h), 0.0)


def congestion_cost(cost: np.ndarray, density: np.ndarray) -> np.ndarray:
    """The quickest-path cost: ``cost`` times free speed over Weidmann's speed at ``density`` (capped)."""
    rho = np.maximum(density, FREE_DENSITY)
    ratio = 1.0 - np.exp(-_WEIDMANN_GAMMA * (1.0 / rho - 1.0 / _WEIDMANN_JAM))
    slow = np.where(density > FREE_DENSITY, 1.0 / np.maximum(ratio, 1.0 / MAX_CONGESTION_COST), 1.0)
    return cost * slow
