"""The collision-free speed model (CSM).

Tordeux, A., Chraibi, M., Seyfried, A. (2016). *Collision-free speed model for pedestrian dynamics.* In:
Traffic and Granular Flow '15, Springer, pp. 225-232. arXiv:1512.05597.

A first-order model: each agent's direction is its desired direction (from the navigation field) plus
exponential repulsion from neighbours and walls, normalised,

    e_i = N( e0_i + sum_j a exp((l_ij - s_ij) / D) n_ji + sum_w b exp((r_i - s_iw) / D_w) n_wi ),

and its speed is the optimal-velocity function of the distance to the closest agent ahead in a corridor
of width ``l_ij = r_i + r_j`` along ``e_i`` ("anticipation"),

    v_i = min( v0_i, max( 0, (s_min - l) / T ) ).

The default parameters are those of the paper and of JuPedSim's implementation (T = 1 s, a = 8,
D = 0.1 m, b = 5, D_w = 0.02 m).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from sim.crowd.kernels import MOVING, closest_point
from sim.crowd.models.base import PedestrianModel, StepContext
from sim.crowd.navigation import sample_direction
from sim.crowd.state import AgentState

__all__ = ["CollisionFreeSpeedModel", "CSMParameters"]


@dataclass(frozen=True, kw_only=True)
class CSMParameters:
    """Parameters of the collision-free speed model.

    Attributes:
        time_gap: T, the time gap to the agent ahead [s].
        neighbour_strength: a, strength of the repulsion between agents [-].
        neighbour_range: D, range of the repulsion between agents [m].
        wall_strength: b, strength of the repulsion from walls [-].
        wall_range: D_w, range of the repulsion from walls [m].
        cutoff: neighbours farther than this are ignored [m].
    """

    time_gap: float = 1.0
    neighbour_strength: float = 8.0
    neighbour_range: float = 0.1
    wall_strength: float = 5.0
    wall_range: float = 0.02
    cutoff: float = 2.0


@njit(cache=True, parallel=True, fastmath=True)
def _csm_velocities(
    pos, v0, radius, status, target,
    cell_of, cell_start, cell_items, cnx, cny,
    segs, seg_exit, exit_open, cseg_start, cseg_items,
    dist, dirx, diry, nav_x0, nav_y0, nav_h,
    time_gap, a_n, d_n, a_w, d_w, cutoff, out,
):  # pragma: no cover - compiled
    n = pos.shape[0]
    cut2 = cutoff * cutoff
    for i in prange(n):
        out[i, 0] = 0.0
        out[i, 1] = 0.0
        if status[i] != MOVING:
            continue
        xi = pos[i, 0]
        yi = pos[i, 1]
        ri = radius[i]
        k = target[i]
        e0x, e0y = sample_direction(dirx[k], diry[k], dist[k], xi, yi, nav_x0, nav_y0, nav_h)
        c = cell_of[i]
        ccx = c % cnx
        ccy = c // cnx
        # repulsion from neighbours
        rx = 0.0
        ry = 0.0
        for oy in range(-1, 2):
            cy = ccy + oy
            if cy < 0 or cy >= cny:
                continue
            for ox in range(-1, 2):
                cx = ccx + ox
                if cx < 0 or cx >= cnx:
                    continue
                cc = cy * cnx + cx
                for kk in range(cell_start[cc], cell_start[cc + 1]):
                    j = cell_items[kk]
                    if j == i:
                        continue
                    dx = xi - pos[j, 0]
                    dy = yi - pos[j, 1]
                    d2 = dx * dx + dy * dy
                    if d2 >= cut2 or d2 <= 1e-18:
                        continue
                    d = math.sqrt(d2)
                    # anticipation: neighbours ahead (along e0) repel fully, those behind not at all
                    w = 0.5 * (1.0 - (e0x * dx + e0y * dy) / d)
                    s = w * a_n * math.exp((ri + radius[j] - d) / d_n) / d
                    rx += s * dx
                    ry += s * dy
        # repulsion from walls (and closed exits)
        wx = 0.0
        wy = 0.0
        for kk in range(cseg_start[c], cseg_start[c + 1]):
            m = cseg_items[kk]
            e = seg_exit[m]
            if e >= 0 and exit_open[e]:
                continue
            px, py = closest_point(xi, yi, segs[m, 0], segs[m, 1], segs[m, 2], segs[m, 3])
            dx = xi - px
            dy = yi - py
            d = math.sqrt(dx * dx + dy * dy)
            if d <= 1e-9 or d >= cutoff:
                continue
            s = a_w * math.exp((ri - d) / d_w) / d
            wx += s * dx
            wy += s * dy
        ex = e0x + rx
        ey = e0y + ry
        # walls: remove (in proportion to their repulsion, at most fully) the part of the direction that
        # points into them, so walls deflect people along themselves but never turn them back
        wn = math.sqrt(wx * wx + wy * wy)
        if wn > 1e-12:
            nx_ = wx / wn
            ny_ = wy / wn
            into = ex * nx_ + ey * ny_
            if into < 0.0:
                f = min(wn, 1.0)
                ex -= f * into * nx_
                ey -= f * into * ny_
        norm = math.sqrt(ex * ex + ey * ey)
        if norm < 1e-12:
            continue
        ex /= norm
        ey /= norm
        # speed: distance to the closest agent ahead within the corridor of width l
        smin = 1e30
        for oy in range(-1, 2):
            cy = ccy + oy
            if cy < 0 or cy >= cny:
                continue
            for ox in range(-1, 2):
                cx = ccx + ox
                if cx < 0 or cx >= cnx:
                    continue
                cc = cy * cnx + cx
                for kk in range(cell_start[cc], cell_start[cc + 1]):
                    j = cell_items[kk]
                    if j == i:
                        continue
                    dx = pos[j, 0] - xi
                    dy = pos[j, 1] - yi
                    ahead = ex * dx + ey * dy
                    if ahead <= 0.0:
                        continue
                    l = ri + radius[j]
                    if abs(ex * dy - ey * dx) >= l:
                        continue
                    d2 = dx * dx + dy * dy
                    if d2 >= cut2:
                        continue
                    gap = math.sqrt(d2) - l
                    if gap < smin:
                        smin = gap
        v = v0[i]
        if smin < 1e29:
            v = min(v, max(0.0, smin / time_gap))
        out[i, 0] = v * ex
        out[i, 1] = v * ey


class CollisionFreeSpeedModel(PedestrianModel):
    """Tordeux et al. (2016) collision-free speed model; see the module docstring for the equations.

    Args:
        parameters: model parameters (defaults from the paper).
    """

    id = "csm"

    def __init__(self, parameters: CSMParameters | None = None) -> None:
        self.parameters = parameters if parameters is not None else CSMParameters()

    @property
    def cutoff(self) -> float:
        return self.parameters.cutoff

    def velocities(self, state: AgentState, ctx: StepContext, out: np.ndarray) -> None:
        w = ctx.world
        p = self.parameters
        f = w.fields
        _csm_velocities(
            state.pos, state.v0, state.radius, state.status, state.target,
            ctx.cell_of, ctx.cell_start, ctx.cell_items, w.cell_nx, w.cell_ny,
            w.segments, w.segment_exit, ctx.exit_open, w.cell_seg_start, w.cell_seg_items,
            f.dist, f.dirx, f.diry, w.nav_x0, w.nav_y0, w.nav_h,
            p.time_gap, p.neighbour_strength, p.neighbour_range, p.wall_strength, p.wall_range, p.cutoff, out,
        )
