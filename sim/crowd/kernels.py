"""Model-independent numba kernels of the crowd step: the neighbour cell list, segment geometry, and the
integrator that applies velocities while keeping agents out of walls and detecting exit crossings.

All kernels work on plain arrays (struct of arrays), never on Python objects. Per-agent loops are
``prange`` loops whose iterations only read the old state and write their own row, so results do not
depend on the number of threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from sim.crowd.navigation import sample_direction, sample_distance

__all__ = [
    "sort_agents", "sort_chunks", "build_stripes", "stripe_length", "count_inside", "start_moving",
    "apply_crossings", "apply_portals",
    "desired_speeds", "closest_point",
    "segments_cross",
    "integrate", "exit_distances", "BIN_SPLIT", "SORT_CHUNKS", "STRIPE_PAD", "STRIPE_FAR",
]

WAITING = 0
MOVING = 1
SAFE = 2
ABSENT = 5  # sim.crowd.state.ABSENT: still to appear

#: Most agent chunks that :func:`sort_agents` bins in parallel (see :func:`sort_chunks`); the result is the
#: same stable order for any number of chunks, so it does not depend on the number of threads either.
SORT_CHUNKS = 8
#: Agents per sort chunk (at least): each chunk has its own counters for every bin, which step 2 of the
#: sort walks through one after the other, so small crowds use fewer chunks.
SORT_CHUNK_AGENTS = 4096


@njit(cache=True)
def sort_chunks(n_agents: int) -> int:
    """How many chunks :func:`sort_agents` splits ``n_agents`` agents into (1 .. :data:`SORT_CHUNKS`)."""
    return max(1, min(SORT_CHUNKS, n_agents // SORT_CHUNK_AGENTS))


#: Each cell of the world's neighbour grid (side = the model's cut-off) is split into BIN_SPLIT x BIN_SPLIT
#: bins for the neighbour search. A search then scans 5 x 5 bins (25 m² for a 2 m cut-off) instead of
#: 3 x 3 cells (36 m²), one contiguous slice of the neighbourhood stripes (:func:`build_stripes`). Bins of
#: a third of the cut-off scan 7 x 7 smaller bins (12 % less area) but measured no faster: each agent is
#: then copied into 7 stripes instead of 5.
BIN_SPLIT = 2
#: Far entries after each neighbourhood stripe (one float32 SIMD vector): a scan rounded up to whole
#: vectors never reads into the next stripe.
STRIPE_PAD = 8
#: Offset [m] of the padding entries from the stripes' origin: far beyond any cut-off.
STRIPE_FAR = 1e6


@njit(cache=True)
def start_moving(status: np.ndarray, t_start: np.ndarray, t: float) -> None:
    """Switch waiting agents whose pre-movement time has passed (``t_start <= t``) to moving."""
    for i in range(status.shape[0]):
        if status[i] == WAITING and t_start[i] <= t + 1e-9:
            status[i] = MOVING


@njit(cache=True)
def count_inside(status: np.ndarray) -> int:
    """Agents not yet safe (waiting, moving, hurt, trapped) plus those still to appear: one pass, no temporaries."""
    count = 0
    for i in range(status.shape[0]):
        s = status[i]
        count += (s < SAFE) | (s == ABSENT)
    return count


@njit(cache=True, parallel=True)
def sort_agents(
    pos: np.ndarray, status: np.ndarray, radius: np.ndarray, x0: float, y0: float, cs: float, cnx: int,
    cny: int, split: int, cell_of: np.ndarray, bin_of: np.ndarray, bin_start: np.ndarray, order: np.ndarray,
    sorted_xyr: np.ndarray, chunk_counts: np.ndarray,
) -> tuple[int, int, int]:
    """Counting sort of the agents still inside (waiting or moving) into neighbour-search bins.

    The bins split each cell of the world's neighbour grid (origin ``x0, y0``, cells of size ``cs``,
    ``cnx`` x ``cny``) into ``split`` x ``split`` bins, numbered row-major over the whole bin grid, so the
    bins of one row of the grid are consecutive: a range of columns in a row is one contiguous slice of
    ``order``.

    Writes ``cell_of[i]`` (the world cell, which indexes the wall lists ``cell_seg_*``; -1 for agents no
    longer inside), ``bin_start`` (CSR offsets, length bins + 1), ``order`` (agent indices by bin; the sort
    is stable, so within a bin by index) and ``sorted_xyr`` ((3, N): x, y, radius gathered in that order,
    so neighbour loops read contiguous memory). ``bin_of`` and ``chunk_counts``
    ((C, bins) int32, any C >= 1; :func:`sort_chunks` says how many) are scratch. O(N + C * bins).

    The agents are split into C fixed chunks of consecutive indices, binned and scattered in parallel;
    within a bin the chunks' agents follow each other in chunk order, so the result is the stable order,
    whatever the number of threads.

    Returns:
        ``(n_inside, n_moving, bin_max)``: agents sorted (the first ``n_inside`` entries of ``order`` are
        valid), how many of them are moving, and the most agents in one bin.
    """
    n = pos.shape[0]
    bs = cs / split
    bnx = cnx * split
    bny = cny * split
    n_bins = bnx * bny
    n_chunks = chunk_counts.shape[0]
    per = (n + n_chunks - 1) // n_chunks
    moving = np.zeros(n_chunks, dtype=np.int64)
    # 1. bin every agent; count per chunk and bin
    for c in prange(n_chunks):
        counts = chunk_counts[c]
        counts[:] = 0
        n_mov = 0
        for i in range(c * per, min((c + 1) * per, n)):
            if status[i] >= SAFE:
                cell_of[i] = -1
                continue
            n_mov += status[i] == MOVING
            x = pos[i, 0] - x0
            y = pos[i, 1] - y0
            # the agent's neighbour-grid cell: walls are listed per cell of this grid (World.cell_seg_*)
            cx = min(max(int(x / cs), 0), cnx - 1)
            cy = min(max(int(y / cs), 0), cny - 1)
            cell_of[i] = cy * cnx + cx
            bx = min(max(int(x / bs), 0), bnx - 1)
            by = min(max(int(y / bs), 0), bny - 1)
            b = by * bnx + bx
            bin_of[i] = b
            counts[b] += 1
        moving[c] = n_mov
    # 2. offsets, bin by bin and within a bin chunk by chunk; chunk_counts becomes each chunk's cursor
    total = 0
    bin_max = 0
    for b in range(n_bins):
        bin_start[b] = total
        for c in range(n_chunks):
            k = chunk_counts[c, b]
            chunk_counts[c, b] = total
            total += k
        bin_max = max(bin_max, total - bin_start[b])
    bin_start[n_bins] = total
    # 3. scatter: every chunk writes its own slots
    for c in prange(n_chunks):
        cursor = chunk_counts[c]
        for i in range(c * per, min((c + 1) * per, n)):
            if cell_of[i] < 0:
                continue
            b = bin_of[i]
            k = cursor[b]
            cursor[b] = k + 1
            order[k] = i
            sorted_xyr[0, k] = pos[i, 0]
            sorted_xyr[1, k] = pos[i, 1]
            sorted_xyr[2, k] = radius[i]
    return total, moving.sum(), bin_max


def stripe_length(n_agents: int, bin_ny: int, reach: int) -> int:
    """Entries that :func:`build_stripes` needs at most: every agent in ``2 reach + 1`` stripes, plus padding."""
    return (2 * reach + 1) * n_agents + STRIPE_PAD * bin_ny


@njit(cache=True, parallel=True)
def build_stripes(
    bin_start: np.ndarray, bin_nx: int, bin_ny: int, reach: int, n_inside: int, order: np.ndarray,
    sorted_xyr: np.ndarray, heading: np.ndarray, x0: float, y0: float, column_prefix: np.ndarray,
    scratch: np.ndarray, stripe_start: np.ndarray, stripes: np.ndarray,
) -> int:
    """Neighbourhood stripes: every neighbourhood of ``(2 reach + 1)^2`` bins as one contiguous slice.

    Stripe ``r`` (one per row of bins) holds, column by column (``c = 0 .. bin_nx - 1``), the agents of the
    bins ``(c, r - reach) .. (c, r + reach)`` (lowest row first; within a bin in ``order``), then
    :data:`STRIPE_PAD` far entries. So the agents of the bins ``(c - reach .. c + reach, r - reach ..
    r + reach)`` around bin ``(c, r)`` are the slice ``stripe_start[r, max(c - reach, 0)] ..
    stripe_start[r, min(c + reach, bin_nx - 1) + 1]`` of ``stripes``, and a scan of it may run up to
    ``STRIPE_PAD`` entries further (into farther columns, or the padding). Each agent is in ``2 reach + 1``
    stripes: copying it there costs less than gathering ``2 reach + 1`` row slices for every bin.

    ``stripes`` (5, L) float32 gets x - ``x0``, y - ``y0`` (float32 keeps them to about 1e-5 m within
    100 m of the origin), radius, and the last walking direction ``heading`` (N, 2) of the first
    ``n_inside`` agents of ``order`` (positions and radii from ``sorted_xyr``; see :func:`sort_agents`);
    padding entries are :data:`STRIPE_FAR` away with radius and heading 0. ``stripe_start`` is
    (bin_ny, bin_nx + 1): column starts, and each stripe's end (before its padding) in the last column.
    ``column_prefix`` ((bin_ny + 1, bin_nx) int64) and ``scratch`` ((5, N) float32) are scratch. ``L`` must
    be at least :func:`stripe_length`. O(bins + agents): empty columns are skipped.

    Returns:
        The number of entries written (with padding).
    """
    # 0. the agents' entries in sorted order (float32), once
    agents = scratch
    n_chunks = sort_chunks(n_inside)
    per = (n_inside + n_chunks - 1) // n_chunks
    for ch in prange(n_chunks):
        for q in range(ch * per, min((ch + 1) * per, n_inside)):
            i = order[q]
            agents[0, q] = sorted_xyr[0, q] - x0
            agents[1, q] = sorted_xyr[1, q] - y0
            agents[2, q] = sorted_xyr[2, q]
            agents[3, q] = heading[i, 0]
            agents[4, q] = heading[i, 1]
    # 1. agents in the rows below each row, per column
    prefix = column_prefix
    prefix[0, :] = 0
    for rr in range(bin_ny):
        for c in range(bin_nx):
            b = rr * bin_nx + c
            prefix[rr + 1, c] = prefix[rr, c] + bin_start[b + 1] - bin_start[b]
    # 2. each stripe: where it and its columns start, its padding, then its entries
    row_first = np.empty(bin_ny + 1, dtype=np.int64)
    row_first[0] = 0
    for r in range(bin_ny):
        lo = max(r - reach, 0)
        hi = min(r + reach, bin_ny - 1) + 1
        row_first[r + 1] = row_first[r] + bin_start[hi * bin_nx] - bin_start[lo * bin_nx] + STRIPE_PAD
    far = np.float32(STRIPE_FAR)
    for r in prange(bin_ny):
        lo = max(r - reach, 0)
        hi = min(r + reach, bin_ny - 1) + 1
        k = row_first[r]
        for c in range(bin_nx):
            stripe_start[r, c] = k
            k += prefix[hi, c] - prefix[lo, c]
        stripe_start[r, bin_nx] = k
        for p in range(STRIPE_PAD):
            stripes[0, k + p] = far
            stripes[1, k + p] = far
            stripes[2, k + p] = 0.0
            stripes[3, k + p] = 0.0
            stripes[4, k + p] = 0.0
        # then its columns: each column's bins are runs of the sorted agents
        for c in range(bin_nx):
            k = stripe_start[r, c]
            if stripe_start[r, c + 1] == k:
                continue
            for rr in range(lo, hi):
                b = rr * bin_nx + c
                for q in range(bin_start[b], bin_start[b + 1]):
                    stripes[0, k] = agents[0, q]
                    stripes[1, k] = agents[1, q]
                    stripes[2, k] = agents[2, q]
                    stripes[3, k] = agents[3, q]
                    stripes[4, k] = agents[4, q]
                    k += 1
    return row_first[bin_ny]


@njit(cache=True)
def apply_crossings(
    crossed_exit: np.ndarray, crossed_frac: np.ndarray, t: float, dt: float, status: np.ndarray,
    exit_index: np.ndarray, t_exit: np.ndarray, vel: np.ndarray, n_exits: int,
) -> int:
    """Mark the agents that crossed an open exit this step (see :func:`integrate`) as safe.

    Openings ``0 .. n_exits - 1`` are exits (portals are handled by :func:`apply_portals`). Sets their
    status, exit index and crossing time ``t + frac * dt`` and zeroes their velocity. Returns how many crossed.
    """
    count = 0
    for i in range(crossed_exit.shape[0]):
        e = crossed_exit[i]
        if 0 <= e < n_exits:
            status[i] = SAFE
            exit_index[i] = e
            t_exit[i] = t + crossed_frac[i] * dt
            vel[i, 0] = 0.0
            vel[i, 1] = 0.0
            count += 1
    return count


@njit(cache=True)
def apply_portals(
    crossed: np.ndarray, crossed_frac: np.ndarray, pos_old: np.ndarray, pos_new: np.ndarray, vel: np.ndarray,
    heading: np.ndarray, radius: np.ndarray, target: np.ndarray, dist: np.ndarray, nav_x0: float, nav_y0: float,
    nav_h: float, dt: float, n_exits: int, lines: np.ndarray, inward: np.ndarray, partner: np.ndarray,
    flip: np.ndarray, connector: np.ndarray, tokens: np.ndarray, capacity: np.ndarray,
    sorted_xyr: np.ndarray, order: np.ndarray, bin_start: np.ndarray, bx0: float, by0: float, bsize: float,
    bnx: int, bny: int,
) -> int:
    """Carry the agents that crossed an open portal this step to its partner (onto or off a stair).

    The crossing point's position across the width (fraction u, or 1 - u where the partner runs the other
    way) is kept, at least one radius from either side; the rest of the step (at least half a radius)
    continues inward from the partner segment. Nobody is carried where the navigation distance to their
    exit would grow (a person pushed across a stair's mouth by others): for them the mouth is a wall, along
    which they slide. Stepping *onto* a connector whose ``capacity`` [P/s] is finite takes a token of that
    portal (``tokens``, refilled by the caller at capacity x dt per step). An agent is carried only if its
    landing place is free (no body there at the start of the step, found through the neighbour bins
    ``sorted_xyr / order / bin_start``, and none landed there this step), or else at the nearest free place
    across the width; with no free place, or without a token, it stays where it was this step and tries
    again. Agents are served in index order (sequential, so deterministic).

    Returns:
        How many agents were carried.
    """
    count = 0
    landed = np.empty((crossed.shape[0], 3))
    n_landed = 0
    for i in range(crossed.shape[0]):
        o = crossed[i]
        if o < n_exits:
            continue
        crossed[i] = -1
        c = connector[o]
        side = (o - n_exits) % 4
        entering = side == 0 or side == 3
        if entering and capacity[c] < np.inf and tokens[o] < 1.0:
            pos_new[i, 0] = pos_old[i, 0]
            pos_new[i, 1] = pos_old[i, 1]
            vel[i, 0] = 0.0
            vel[i, 1] = 0.0
            continue
        f = crossed_frac[i]
        mx = pos_new[i, 0] - pos_old[i, 0]
        my = pos_new[i, 1] - pos_old[i, 1]
        cx = pos_old[i, 0] + f * mx
        cy = pos_old[i, 1] + f * my
        ax, ay = lines[o, 0], lines[o, 1]
        tx, ty = lines[o, 2] - ax, lines[o, 3] - ay
        u = ((cx - ax) * tx + (cy - ay) * ty) / (tx * tx + ty * ty)
        p = partner[o]
        if flip[o]:
            u = 1.0 - u
        px, py = lines[p, 0], lines[p, 1]
        qx, qy = lines[p, 2] - px, lines[p, 3] - py
        length = math.sqrt(qx * qx + qy * qy)
        margin = min(radius[i] / length, 0.5)
        u = min(max(u, margin), 1.0 - margin)
        # land clear of the partner line (at least half a radius), so as not to drift back across it
        rest = max((1.0 - f) * math.sqrt(mx * mx + my * my), 0.5 * radius[i])
        lx = px + u * qx + rest * inward[p, 0]
        ly = py + u * qy + rest * inward[p, 1]
        # nobody is carried away from where they are going (e.g. pushed across a stair's mouth by others)
        tk = target[i]
        away = tk >= 0 and sample_distance(dist[tk], lx, ly, nav_x0, nav_y0, nav_h) >= sample_distance(
            dist[tk], pos_old[i, 0], pos_old[i, 1], nav_x0, nav_y0, nav_h
        )
        if away:
            # the mouth is a wall to them: keep the part of the move along it (short of the line)
            along = (mx * tx + my * ty) / (tx * tx + ty * ty)
            pos_new[i, 0] = pos_old[i, 0] + along * tx
            pos_new[i, 1] = pos_old[i, 1] + along * ty
            vel[i, 0] = along * tx / dt
            vel[i, 1] = along * ty / dt
            continue
        # the landing place, or else the nearest free one across the width (steps of half a radius)
        free = False
        step = 0.5 * radius[i] / length
        for k in range(int(1.0 / step) + 2):
            uk = u + (k + 1) // 2 * step * (1.0 if k % 2 == 0 else -1.0)
            if uk < margin or uk > 1.0 - margin:
                continue
            lx = px + uk * qx + rest * inward[p, 0]
            ly = py + uk * qy + rest * inward[p, 1]
            if _place_free(lx, ly, radius[i], i, landed, n_landed, sorted_xyr, order, bin_start, bx0, by0,
                           bsize, bnx, bny):
                free = True
                break
        if not free:
            pos_new[i, 0] = pos_old[i, 0]
            pos_new[i, 1] = pos_old[i, 1]
            vel[i, 0] = 0.0
            vel[i, 1] = 0.0
            continue
        if entering and capacity[c] < np.inf:
            tokens[o] -= 1.0
        landed[n_landed, 0] = lx
        landed[n_landed, 1] = ly
        landed[n_landed, 2] = radius[i]
        n_landed += 1
        pos_new[i, 0] = lx
        pos_new[i, 1] = ly
        speed = math.sqrt(vel[i, 0] ** 2 + vel[i, 1] ** 2)
        vel[i, 0] = speed * inward[p, 0]
        vel[i, 1] = speed * inward[p, 1]
        # the walking direction neighbours see: the strip and the level run different ways
        heading[i, 0] = inward[p, 0]
        heading[i, 1] = inward[p, 1]
        count += 1
    return count


@njit(cache=True)
def _place_free(
    x: float, y: float, r: float, me: int, landed: np.ndarray, n_landed: int, sorted_xyr: np.ndarray,
    order: np.ndarray, bin_start: np.ndarray, bx0: float, by0: float, bsize: float, bnx: int, bny: int,
) -> bool:
    """No body (other than agent ``me``) overlaps a body of radius ``r`` at ``(x, y)``."""
    for k in range(n_landed):
        if (landed[k, 0] - x) ** 2 + (landed[k, 1] - y) ** 2 < (landed[k, 2] + r) ** 2:
            return False
    ix = int((x - bx0) / bsize)
    iy = int((y - by0) / bsize)
    reach = int(math.ceil(2.5 * r / bsize))
    for jy in range(max(iy - reach, 0), min(iy + reach + 1, bny)):
        for jx in range(max(ix - reach, 0), min(ix + reach + 1, bnx)):
            b = jy * bnx + jx
            for k in range(bin_start[b], bin_start[b + 1]):
                if order[k] == me:
                    continue
                dx = sorted_xyr[0, k] - x
                dy = sorted_xyr[1, k] - y
                rr = sorted_xyr[2, k] + r
                if dx * dx + dy * dy < rr * rr:
                    return False
    return True


@njit(cache=True, parallel=True)
def desired_speeds(
    pos: np.ndarray, status: np.ndarray, target: np.ndarray, v_free: np.ndarray, v_up: np.ndarray,
    v_down: np.ndarray, cell_connector: np.ndarray, x0: float, y0: float, h: float, dist: np.ndarray,
    dirxy: np.ndarray, speed_factor: np.ndarray, belt: np.ndarray, belt_dir: np.ndarray,
    walking: np.ndarray, v0: np.ndarray,
) -> None:
    """Set each moving agent's desired speed ``v0`` for where it is.

    On the flat: its free speed. On a stair (or a stopped escalator): its own stair speed up or down (or
    ``speed_factor`` x free speed when the connector sets one), by the sign of its desired direction along
    the strip (+x is up). On a running escalator (``belt_dir`` +1 up, -1 down): the belt speed, plus the
    stair speed in the belt's direction if people walk on it.
    """
    ny, nx = cell_connector.shape
    for i in prange(pos.shape[0]):
        if status[i] != MOVING:
            continue
        ix = min(max(int((pos[i, 0] - x0) / h), 0), nx - 1)
        iy = min(max(int((pos[i, 1] - y0) / h), 0), ny - 1)
        c = cell_connector[iy, ix]
        if c < 0:
            v0[i] = v_free[i]
            continue
        if belt_dir[c] != 0:
            up = belt_dir[c] > 0
            v = belt[c]
            if walking[c]:
                v += v_up[i] if up else v_down[i]
            v0[i] = v
            continue
        k = target[i]
        if k < 0:
            v0[i] = v_up[i]
            continue
        ex, _ = sample_direction(dirxy[k], dist[k], pos[i, 0], pos[i, 1], x0, y0, h)
        if speed_factor[c] == speed_factor[c]:  # not NaN
            v0[i] = speed_factor[c] * v_free[i]
        else:
            v0[i] = v_up[i] if ex >= 0.0 else v_down[i]


@njit(cache=True, inline="always")
def closest_point(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> tuple[float, float]:
    """The point of segment ``a-b`` closest to ``p``."""
    dx = bx - ax
    dy = by - ay
    ll = dx * dx + dy * dy
    if ll <= 0.0:
        return ax, ay
    u = ((px - ax) * dx + (py - ay) * dy) / ll
    u = min(max(u, 0.0), 1.0)
    return ax + u * dx, ay + u * dy


@njit(cache=True, inline="always")
def segments_cross(
    px: float, py: float, qx: float, qy: float, ax: float, ay: float, bx: float, by: float
) -> float:
    """Fraction ``t`` in [0, 1] along ``p -> q`` where it crosses segment ``a-b``, or -1 if it does not."""
    rx = qx - px
    ry = qy - py
    sx = bx - ax
    sy = by - ay
    denom = rx * sy - ry * sx
    if abs(denom) < 1e-15:
        return -1.0
    wx = ax - px
    wy = ay - py
    t = (wx * sy - wy * sx) / denom
    u = (wx * ry - wy * rx) / denom
    if 0.0 <= t <= 1.0 and 0.0 <= u <= 1.0:
        return t
    return -1.0


@njit(cache=True, inline="always")
def _first_wall_crossed(
    px: float, py: float, qx: float, qy: float, c: int, segs: np.ndarray, seg_exit: np.ndarray,
    exit_open: np.ndarray, cseg_start: np.ndarray, cseg_items: np.ndarray,
) -> int:
    """Index of a wall (or closed exit) segment that the move ``p -> q`` crosses, or -1."""
    for k in range(cseg_start[c], cseg_start[c + 1]):
        m = cseg_items[k]
        e = seg_exit[m]
        if e >= 0 and exit_open[e]:
            continue
        if segments_cross(px, py, qx, qy, segs[m, 0], segs[m, 1], segs[m, 2], segs[m, 3]) >= 0.0:
            return m
    return -1


@njit(cache=True, parallel=True)
def integrate(
    pos: np.ndarray, vel: np.ndarray, status: np.ndarray, radius: np.ndarray, dt: float,
    cell_of: np.ndarray, segs: np.ndarray, seg_exit: np.ndarray, exit_open: np.ndarray,
    cseg_start: np.ndarray, cseg_items: np.ndarray, wall_fraction: float,
    new_pos: np.ndarray, crossed_exit: np.ndarray, crossed_frac: np.ndarray,
    contact_overlap: float, sorted_xyr: np.ndarray, order: np.ndarray, bin_start: np.ndarray, bx0: float,
    by0: float, bsize: float, bnx: int, bny: int,
) -> None:
    """Move every moving agent by ``vel * dt``, never through a wall, and detect exit crossings.

    A move that would cross a wall (or a closed exit) slides along it (or is cancelled); an agent that would
    end closer than ``wall_fraction * radius`` to a wall is pushed back to that distance, or to its
    distance before the move if it was already closer (unless that push itself would cross a wall). A move
    that crosses an open exit marks the agent safe: ``crossed_exit[i]`` gets the exit index and
    ``crossed_frac[i]`` the fraction of the step at which it crossed.

    A move changed by a wall (slid along it or pushed back) goes where the pedestrian model did not look:
    if ``contact_overlap >= 0``, it is cut short where it would use more than half the room between a
    neighbour and ``r_i + r_j - contact_overlap`` (positions at the start of the step, found through the
    neighbour bins ``sorted_xyr / order / bin_start``, origin ``bx0, by0``, side ``bsize``, ``bnx x bny``). The velocity
    of a changed move becomes the move made over ``dt``.
    """
    n = pos.shape[0]
    rmax = 0.0
    for i in range(n):
        rmax = max(rmax, radius[i])
    reach = int(math.ceil((2.0 * rmax + 5.0 * dt) / bsize))  # bins that can hold a body within reach
    for i in prange(n):
        crossed_exit[i] = -1
        crossed_frac[i] = 0.0
        px = pos[i, 0]
        py = pos[i, 1]
        if status[i] != MOVING:
            new_pos[i, 0] = px
            new_pos[i, 1] = py
            continue
        qx = px + dt * vel[i, 0]
        qy = py + dt * vel[i, 1]
        c = cell_of[i]
        # crossing an open exit: safe
        best = 2.0
        which = -1
        for k in range(cseg_start[c], cseg_start[c + 1]):
            m = cseg_items[k]
            e = seg_exit[m]
            if e < 0 or not exit_open[e]:
                continue
            t = segments_cross(px, py, qx, qy, segs[m, 0], segs[m, 1], segs[m, 2], segs[m, 3])
            if t >= 0.0 and t < best:
                best = t
                which = e
        if which >= 0:
            crossed_exit[i] = which
            crossed_frac[i] = best
            new_pos[i, 0] = qx
            new_pos[i, 1] = qy
            continue
        m = _first_wall_crossed(px, py, qx, qy, c, segs, seg_exit, exit_open, cseg_start, cseg_items)
        if m >= 0:
            # slide along the wall: keep the part of the move parallel to it, if that crosses nothing
            tx = segs[m, 2] - segs[m, 0]
            ty = segs[m, 3] - segs[m, 1]
            tl = math.hypot(tx, ty)
            along = ((qx - px) * tx + (qy - py) * ty) / (tl * tl)
            qx = px + along * tx
            qy = py + along * ty
            if _first_wall_crossed(px, py, qx, qy, c, segs, seg_exit, exit_open, cseg_start, cseg_items) >= 0:
                qx = px
                qy = py
        # keep a minimum distance from walls: a move may not end closer than dmin to a wall, or, for an
        # agent already closer (e.g. in a corner), closer than it was; the push-back never moves anyone
        # beyond that (pushing an agent at rest out of a corner, step after step, would make it creep)
        dmin = wall_fraction * radius[i]
        rx = qx
        ry = qy
        for k in range(cseg_start[c], cseg_start[c + 1]):
            m = cseg_items[k]
            e = seg_exit[m]
            if e >= 0 and exit_open[e]:
                continue
            cx, cy = closest_point(rx, ry, segs[m, 0], segs[m, 1], segs[m, 2], segs[m, 3])
            dx = rx - cx
            dy = ry - cy
            d = math.hypot(dx, dy)
            if 1e-12 < d < dmin:
                ox, oy = closest_point(px, py, segs[m, 0], segs[m, 1], segs[m, 2], segs[m, 3])
                keep = min(dmin, math.hypot(px - ox, py - oy))
                if d < keep:
                    rx = cx + dx / d * keep
                    ry = cy + dy / d * keep
        if (rx != qx or ry != qy) and _first_wall_crossed(
            px, py, rx, ry, c, segs, seg_exit, exit_open, cseg_start, cseg_items
        ) >= 0:
            rx = qx
            ry = qy
        if rx != px + dt * vel[i, 0] or ry != py + dt * vel[i, 1]:
            if contact_overlap >= 0.0:
                rx, ry = _clear_of_bodies(
                    i, px, py, rx, ry, radius[i], contact_overlap, reach, sorted_xyr, order, bin_start, bx0,
                    by0, bsize, bnx, bny,
                )
            # the velocity of the step is the move actually made
            vel[i, 0] = (rx - px) / dt
            vel[i, 1] = (ry - py) / dt
        new_pos[i, 0] = rx
        new_pos[i, 1] = ry


@njit(cache=True)
def _clear_of_bodies(
    i: int, px: float, py: float, qx: float, qy: float, ri: float, overlap: float, reach: int,
    sorted_xyr: np.ndarray, order: np.ndarray, bin_start: np.ndarray, bx0: float, by0: float, bsize: float,
    bnx: int, bny: int,
) -> tuple[float, float]:
    """The move ``p -> q`` of agent ``i``, cut short where it would come closer than ``r_i + r_j - overlap``
    to another agent's centre (positions at the start of the step, from the neighbour bins)."""
    mx = qx - px
    my = qy - py
    s = math.hypot(mx, my)
    if s < 1e-12:
        return qx, qy
    ux = mx / s
    uy = my / s
    smax = s
    bx = min(max(int((px - bx0) / bsize), 0), bnx - 1)
    by = min(max(int((py - by0) / bsize), 0), bny - 1)
    for row in range(max(by - reach, 0), min(by + reach, bny - 1) + 1):
        lo = bin_start[row * bnx + max(bx - reach, 0)]
        hi = bin_start[row * bnx + min(bx + reach, bnx - 1) + 1]
        for k in range(lo, hi):
            if order[k] == i:
                continue
            dx = sorted_xyr[0, k] - px
            dy = sorted_xyr[1, k] - py
            along = ux * dx + uy * dy
            if along <= 0.0:
                continue
            d2 = dx * dx + dy * dy
            lmin = 0.5 * (math.sqrt(d2) + ri + sorted_xyr[2, k] - overlap)  # half the room, as in the model
            disc = along * along - (d2 - lmin * lmin)
            if disc > 0.0:
                smax = min(smax, max(along - math.sqrt(disc), 0.0))
    return px + smax * ux, py + smax * uy


@njit(cache=True, parallel=True)
def exit_distances(
    pos: np.ndarray, status: np.ndarray, allowed: np.ndarray, dist: np.ndarray, x0: float, y0: float, h: float,
) -> np.ndarray:
    """(N, K) navigation distance [m] from each agent still inside to each allowed exit (inf otherwise)."""
    n = pos.shape[0]
    k_exits = dist.shape[0]
    out = np.full((n, k_exits), np.inf)
    for i in prange(n):
        if status[i] >= SAFE:
            continue
        for k in range(k_exits):
            if allowed[i, k]:
                d = sample_distance(dist[k], pos[i, 0], pos[i, 1], x0, y0, h)
                if d < 1e29:
                    out[i, k] = d
    return out
