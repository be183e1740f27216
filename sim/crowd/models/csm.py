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
D = 0.1 m, b = 5, D_w = 0.02 m). Options (all off by default; the calibration profiles in
:mod:`sim.crowd.calibration` say which they use and why):

* ``smooth_speed``: ``v_i = v0_i (1 - exp(-s / (v0_i T)))`` with ``s = s_min - l`` -- Weidmann's (1993,
  after Kladek) exponential speed-density relation written in the gap: the same slope ``1/T`` at small
  gaps, but people slow down gradually rather than only below a gap of ``v0 T``.
* ``lane_fraction`` k: the look-ahead corridor is ``k l_ij`` wide instead of ``l_ij``, so staggered lanes
  ("zipper", Hoogendoorn & Daamen 2005) can form in doors; with ``touch_margin`` m > 0 a neighbour within
  ``m`` of contact and within the cone ``cos >= touch_cos`` around ``e_i`` still counts, so bodies do not
  walk into each other.
* ``side_bias``: neighbours ahead also push ``side_bias`` times their repulsion to the right of the
  desired direction (a passing side, Moussaid et al. 2009), faded out in dense crowds (9 neighbours within
  0.3 m of contact); it resolves head-on deadlocks in narrow corridors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from sim.crowd.kernels import MOVING, STRIPE_FAR, STRIPE_PAD, closest_point
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
        cutoff: neighbours farther than this are ignored [m]; also the side of the neighbour grid's cells.
            It bounds the repulsion (a neighbour at the cut-off adds at most ``a exp((l - cutoff) / D)``,
            about 1e-6 at 2 m) and what an agent sees ahead: the speed ``min(v0, gap / T)`` saturates at
            ``(cutoff - l) / T`` (1.6 m/s at 2 m), so a smaller cut-off lets agents faster than that walk
            at ``v0`` behind someone farther than the cut-off. The work per step grows with the area
            searched, about ``cutoff**2``.
        anticipation: beta in [0, 1]: neighbours behind repel with weight ``1 - beta`` (those ahead with 1,
            linear in the cosine between), as people mostly react to whom they see. 0 is the original model.
        no_backward: people side-step but never walk against their desired direction (the part of the
            direction opposite to it is removed), which keeps dense crowds from drifting backwards.
        lane_fraction: k in (0, 1]: a neighbour counts as "ahead" for the speed if its sideways offset is
            below ``k (r_i + r_j)``; 1 is the original model (see the module docstring).
        smooth_speed: use Weidmann's exponential speed function of the gap instead of ``min(v0, s / T)``.
        touch_margin: a neighbour closer than this to contact [m], within the cone ``touch_cos``, counts as
            ahead whatever its sideways offset (0: off).
        touch_cos: cosine of the half-angle of that cone around the walking direction [-].
        side_bias: strength of the push to the right from neighbours ahead, relative to their repulsion
            [-] (0: off).
        side_bias_opposing: strength of a push to the right from oncoming neighbours ahead (those whose last
            walking direction opposes the agent's desired one, weighted by how much), per neighbour at
            contact, falling linearly to 0 at a gap of ``side_range_opposing``; *not* faded out in dense
            crowds: people keep right well before meeting oncoming people, and those waiting to enter a
            corridor step aside for those coming out of it [-] (0: off).
        side_range_opposing: gap [m] from which oncoming people are avoided (up to the cut-off).
        step_overlap: the largest overlap [m] of two bodies that steps may create: an agent's step is
            cut short where its straight path would use more than half the room between a neighbour's
            centre (at the start of the step) and ``r_i + r_j - step_overlap`` (the neighbour may close
            the other half). A hard limit on top of the model's speed function, which only sees
            neighbours in its look-ahead lane (negative: off).
    """

    time_gap: float = 1.0
    neighbour_strength: float = 8.0
    neighbour_range: float = 0.1
    wall_strength: float = 5.0
    wall_range: float = 0.02
    cutoff: float = 2.0
    anticipation: float = 0.0
    no_backward: bool = True
    lane_fraction: float = 1.0
    smooth_speed: bool = False
    touch_margin: float = 0.0
    touch_cos: float = 0.5
    side_bias: float = 0.0
    side_bias_opposing: float = 0.0
    side_range_opposing: float = 1.0
    step_overlap: float = -1.0


# -- vectorisable building blocks -------------------------------------------------------------------------
# The neighbour loops below are written so that LLVM turns them into SIMD loops: no branches inside (masks
# instead), no library calls, and float32 arithmetic (8 lanes per AVX2 instruction instead of 4 doubles).
# ``math.exp`` is a libm call that LLVM cannot vectorise (numba has no SVML here), and Python's ``min`` of
# floats is not recognised as a min-reduction; the helpers below fill these gaps.


@intrinsic
def _prefetch(typingctx, arr, index):  # pragma: no cover - compiled
    """Ask the CPU to fetch the cache line of ``arr.flat[index]`` (a hint: no effect on results)."""
    sig = types.void(arr, index)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        ptr = builder.bitcast(builder.gep(data, [args[1]]), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32]), "llvm.prefetch.p0"
        )
        builder.call(fn, [ptr, i32(0), i32(3), i32(1)])  # read, keep in all cache levels, data
        return context.get_dummy_value()

    return sig, codegen


_f4 = np.float32
# float32 constants for the neighbour loops: a Python float (float64) operand would promote the arithmetic
# of a whole SIMD loop to float64 (half the lanes), so every operand there is float32
_F_ZERO = _f4(0.0)
_F_HALF = _f4(0.5)
_F_ONE = _f4(1.0)
_F_NEAR = _f4(0.3)
_F_TINY_D = _f4(1e-9)
_F_TINY_D2 = _f4(1e-18)
_F_BIG = _f4(1e30)
_F_NINE = _f4(9.0)
_F_LOG2E = _f4(1.4426950408889634)
_F_LN2_HI = _f4(0.693359375)  # ln 2 = _F_LN2_HI + _F_LN2_LO; k * _F_LN2_HI is exact (Cody & Waite, as Cephes expf)
_F_LN2_LO = _f4(-2.12194440e-4)
_F_EXP_LO = _f4(-87.0)
_F_EXP_HI = _f4(88.0)
# Cephes expf: exp(r) = 1 + r + r^2 P(r) on |r| <= ln2 / 2, relative error about 1e-7 (float32 rounding)
_F_P0, _F_P1, _F_P2, _F_P3, _F_P4, _F_P5 = (
    _f4(c) for c in (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1,
                     5.0000001201e-1)
)


@intrinsic
def _pow2_f4(typingctx, k):  # pragma: no cover - compiled
    """``2**k`` for an integral float32 ``k`` in [-126, 127], built directly in the exponent bits."""
    sig = types.float32(types.float32)

    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        ki = builder.fptosi(args[0], i32)
        bits = builder.shl(builder.add(ki, i32(127)), i32(23))
        return builder.bitcast(bits, ir.FloatType())

    return sig, codegen


@intrinsic
def _fmin_f4(typingctx, a, b):  # pragma: no cover - compiled
    """``min(a, b)`` of float32 as LLVM's ``minnum`` (a SIMD min-reduction for the loop vectoriser)."""
    sig = types.float32(types.float32, types.float32)

    def codegen(context, builder, signature, args):
        f = ir.FloatType()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(f, [f, f]), "llvm.minnum.f32")
        return builder.call(fn, args, fastmath=("fast",))

    return sig, codegen


@njit(cache=True, fastmath={"nnan", "ninf", "nsz", "arcp", "contract", "afn"})
def _exp_f4(x):  # pragma: no cover - compiled
    """``exp(x)`` of a float32 to float32 precision (Cephes ``expf``), clamped to [-87, 88]; vectorisable."""
    x = min(max(x, _F_EXP_LO), _F_EXP_HI)
    k = np.floor(x * _F_LOG2E + _F_HALF)
    r = (x - k * _F_LN2_HI) - k * _F_LN2_LO
    r2 = r * r
    p = ((((_F_P0 * r + _F_P1) * r + _F_P2) * r + _F_P3) * r + _F_P4) * r + _F_P5
    return (p * r2 + r + _F_ONE) * _pow2_f4(k)  # type: ignore[call-arg]


#: Agents (in bin order) per parallel work item: a thread handles agents close in space, which share
#: their neighbourhoods, and each work item sets up its scratch buffers once.
BLOCK = 256
#: float32 lanes of an AVX2 vector: neighbourhood scans are rounded up to a multiple of this.
_LANES = 8
assert _LANES <= STRIPE_PAD


# Cached on disk in a directory per source version (sim/jit.py). numba's own cache, keyed on this file
# alone, can serve a kernel compiled against older versions of the functions it calls from other modules:
# the likely cause of the cached-versus-fresh difference that once kept this kernel out of the cache.
@njit(cache=True)
def _free_end(
    sg: int, col: int, segs: np.ndarray, seg_exit: np.ndarray, exit_open: np.ndarray, cseg_start: np.ndarray,
    cseg_items: np.ndarray, c: int,
) -> bool:  # pragma: no cover - compiled
    """No other wall (or closed opening) near cell ``c`` ends where segment ``sg``'s start (``col`` 0) or end
    (``col`` 2) is: past that end there is room to walk round."""
    x = segs[sg, col]
    y = segs[sg, col + 1]
    for kk in range(cseg_start[c], cseg_start[c + 1]):
        o = cseg_items[kk]
        if o == sg:
            continue
        e = seg_exit[o]
        if e >= 0 and exit_open[e]:
            continue
        for oc in range(0, 4, 2):
            if abs(segs[o, oc] - x) < 1e-6 and abs(segs[o, oc + 1] - y) < 1e-6:
                return False
    return True


@njit(cache=True, parallel=True, fastmath=True)
def _csm_velocities(
    v0, status, target, n_inside, order, sorted_xyr, heading_out,
    bin_start, bin_nx, bin_max, cell_of, stripes, stripe_start, reach, stripe_x0, stripe_y0,
    segs, seg_exit, exit_open, cseg_start, cseg_items,
    dist, dirxy, nav_x0, nav_y0, nav_h,
    time_gap, a_n, d_n, a_w, d_w, cutoff, beta, no_backward, lane, touch, touch_cos, smooth, side_bias,
    side_opp, opp_range, step_overlap, dt, out,
):  # pragma: no cover - compiled
    """Velocity of every agent (rows of ``out``); zero for agents not moving.

    Agents are visited in bin order (``order``, see :class:`StepContext`), in blocks of ``BLOCK``. The
    agents of the bins around an agent's bin that can hold neighbours within the cut-off are one
    contiguous slice of the neighbourhood stripes (``stripes``, see :func:`sim.crowd.kernels.build_stripes`);
    the agent scans that slice, rounded up to whole SIMD vectors, twice with branch-free (masked) SIMD
    loops: first the repulsion sum, then the closest agent ahead. The neighbour set is exactly that of the
    model (every other agent closer than the cut-off, up to rounding at exactly the cut-off distance, as
    with any cell list). The two neighbour loops compute in float32 (the stripes' positions keep about
    1e-5 m within 100 m of their origin; ``exp`` is :func:`_exp_f4`, within float32 rounding); the rest in
    float64. Only the rounding differs from a plain float64 loop.

    Each agent's row is computed from the old state only, in an order fixed by the data, so the result
    does not depend on the number of threads.
    """
    n = status.shape[0]
    cut2 = cutoff * cutoff
    # the neighbour loops run in float32 (8 SIMD lanes instead of 4): their parameters as float32
    cut2_f = _f4(cut2)
    inv_dn_f = _f4(1.0 / d_n)
    inv_opp_f = _f4(1.0 / opp_range)
    beta_half_f = _f4(0.5 * beta)
    lane_f = _f4(lane)
    touch_f = _f4(touch)
    touch_cos_f = _f4(touch_cos)
    overlap_f = _f4(step_overlap)
    far_f = _f4(STRIPE_FAR)
    cut_f = _f4(cutoff)
    ln_a_f = _f4(math.log(a_n)) if a_n > 0.0 else _f4(-87.0)
    sx = sorted_xyr[0]
    sy = sorted_xyr[1]
    sr = sorted_xyr[2]
    # scratch for the distances of a scan: it holds at most (2 reach + 1)^2 bins of agents, plus rounding
    cap = min((2 * reach + 1) ** 2 * bin_max, n_inside) + _LANES

    # agents not moving (waiting, or safe and thus not in ``order``) stand still
    for i in prange(n):
        if status[i] != MOVING:
            out[i, 0] = 0.0
            out[i, 1] = 0.0
            heading_out[i, 0] = 0.0
            heading_out[i, 1] = 0.0

    fny = dist.shape[1]
    fnx = dist.shape[2]
    dirxy_flat = dirxy.reshape(dirxy.size)
    n_blocks = (n_inside + BLOCK - 1) // BLOCK
    for blk in prange(n_blocks):
        k0 = blk * BLOCK
        k1 = min(k0 + BLOCK, n_inside)
        # distance to each entry of the scan (far_f if not a neighbour), from the first loop to the second
        nd_ = np.empty(cap, dtype=np.float32)
        e0 = np.empty((2, BLOCK))
        # Desired directions first, in their own loops. The navigation fields are large (tens of MB for big
        # floors) and each agent reads 2 x 2 cells (two cache lines of the interleaved directions): first
        # request the cache lines of the whole block, then interpolate, so that the memory latencies overlap
        # instead of stalling each agent's computation in turn.
        for k in range(k0, k1):
            i = order[k]
            if status[i] == MOVING:
                ix = min(max(int((sx[k] - nav_x0) / nav_h - 0.5), 0), fnx - 2)
                iy = min(max(int((sy[k] - nav_y0) / nav_h - 0.5), 0), fny - 2)
                at = 2 * ((target[i] * fny + iy) * fnx + ix)
                _prefetch(dirxy_flat, at)  # type: ignore[call-arg]
                _prefetch(dirxy_flat, at + 2 * fnx)
        for k in range(k0, k1):
            i = order[k]
            if status[i] == MOVING:
                tk = target[i]
                e0[0, k - k0], e0[1, k - k0] = sample_direction(
                    dirxy[tk], dist[tk], sx[k], sy[k], nav_x0, nav_y0, nav_h
                )
        b = np.searchsorted(bin_start, k0, side="right") - 1  # the bin of agent k0
        scanned = -1  # the bin whose neighbourhood slice [lo, lo + m) is set
        lo = 0
        m = 0
        for k in range(k0, k1):
            while bin_start[b + 1] <= k:
                b += 1
            i = order[k]
            if status[i] != MOVING:
                continue
            if scanned != b:
                scanned = b  # type: ignore[assignment]
                bx = b % bin_nx
                by = b // bin_nx
                lo = stripe_start[by, max(bx - reach, 0)]
                hi = stripe_start[by, min(bx + reach, bin_nx - 1) + 1]
                # whole SIMD vectors: what lies beyond hi (farther columns, or padding) is out of reach
                m = ((hi - lo + _LANES - 1) // _LANES) * _LANES
            nx_ = stripes[0, lo:lo + m]
            ny_ = stripes[1, lo:lo + m]
            nr_ = stripes[2, lo:lo + m]
            nhx_ = stripes[3, lo:lo + m]
            nhy_ = stripes[4, lo:lo + m]
            xi = sx[k]
            yi = sy[k]
            ri = sr[k]
            e0x = e0[0, k - k0]
            e0y = e0[1, k - k0]
            # the agent's own entry in the stripes holds exactly these values (and so is at distance 0)
            xi_f = _f4(xi - stripe_x0)
            yi_f = _f4(yi - stripe_y0)
            ri_f = _f4(ri)
            e0x_f = _f4(e0x)
            e0y_f = _f4(e0y)
            # -- repulsion from neighbours: every other agent closer than the cut-off ---------------------
            # (masked: entries beyond the cut-off, the agent itself and padding contribute exactly 0)
            # (float32 throughout: every operand, literals included, is float32; see _F_*)
            rx_f = _F_ZERO
            ry_f = _F_ZERO
            side_f = _F_ZERO
            opp_f = _F_ZERO
            crowd_f = _F_ZERO
            for p in range(m):
                dx = xi_f - nx_[p]
                dy = yi_f - ny_[p]
                d2 = dx * dx + dy * dy
                d = math.sqrt(d2)
                near = (d2 < cut2_f) & (d2 > _F_TINY_D2)
                nd_[p] = d if near else far_f
                gap = d - (ri_f + nr_[p])
                inv_d = _F_ONE / max(d, _F_TINY_D)  # type: ignore[operator]
                # anticipation: neighbours ahead (along e0) repel fully, those behind by (1 - beta)
                cos_behind = (e0x_f * dx + e0y_f * dy) * inv_d  # +1: neighbour straight behind, -1: ahead
                ahead_w = max(-cos_behind, _F_ZERO)
                rep = _exp_f4(ln_a_f - gap * inv_dn_f) if near else _F_ZERO  # a exp((l - d) / D)
                rep *= _F_ONE - beta_half_f * (_F_ONE + cos_behind)
                s = rep * inv_d
                rx_f += s * dx
                ry_f += s * dy
                # passing side: a neighbour ahead also pushes to the right of the desired direction
                side_f += rep * ahead_w
                # oncoming people ahead (walking against the agent) are passed on the right from farther
                # away, unfaded: a push growing linearly from 0 at a gap of opp_range to 1 at contact,
                # weighted by how much they are ahead and how much they walk against the agent
                opp = (ahead_w * max(-(e0x_f * nhx_[p] + e0y_f * nhy_[p]), _F_ZERO)
                       * max(_F_ZERO, _F_ONE - gap * inv_opp_f))
                opp_f += opp if near else _F_ZERO
                crowd_f += _F_ONE if near & (gap < _F_NEAR) else _F_ZERO
            rx = float(rx_f)
            ry = float(ry_f)
            px_ = float(side_f) * e0y
            py_ = -float(side_f) * e0x
            qx_ = float(opp_f) * e0y
            qy_ = -float(opp_f) * e0x
            crowd = float(crowd_f)
            # -- repulsion from walls (and closed exits) -------------------------------------------------
            c = cell_of[i]
            wx = 0.0
            wy = 0.0
            strongest = 0.0  # the wall pushing hardest: its segment, and whether the push comes off an end
            s_seg = -1
            s_tt = 0.0
            for kk in range(cseg_start[c], cseg_start[c + 1]):
                sg = cseg_items[kk]
                e = seg_exit[sg]
                if e >= 0 and exit_open[e]:
                    continue
                px, py = closest_point(xi, yi, segs[sg, 0], segs[sg, 1], segs[sg, 2], segs[sg, 3])
                dx = xi - px
                dy = yi - py
                d = math.sqrt(dx * dx + dy * dy)
                if d <= 1e-9 or d >= cutoff:
                    continue
                s = a_w * math.exp((ri - d) / d_w) / d
                wx += s * dx
                wy += s * dy
                if s > strongest:
                    strongest = s
                    s_seg = sg
                    # which part of the segment is closest: its start (-1), its end (+1) or between (0)
                    sx_ = segs[sg, 2] - segs[sg, 0]
                    sy_ = segs[sg, 3] - segs[sg, 1]
                    s_tt = ((xi - segs[sg, 0]) * sx_ + (yi - segs[sg, 1]) * sy_) / max(sx_ * sx_ + sy_ * sy_, 1e-12)
            # keeping to one side is for crowds with room to step aside: it fades out by 9 close neighbours
            # (bodies within 0.3 m), where it would only press everyone sideways
            fade = side_bias * max(1.0 - crowd / 9.0, 0.0)
            ex = e0x + rx + fade * px_ + side_opp * qx_
            ey = e0y + ry + fade * py_ + side_opp * qy_
            # walls: remove (in proportion to their repulsion, at most fully) the part of the direction
            # that points into them, so walls deflect people along themselves but never turn them back
            wn = math.sqrt(wx * wx + wy * wy)
            if wn > 1e-12:
                wnx = wx / wn
                wny = wy / wn
                into = ex * wnx + ey * wny
                if into < 0.0:
                    before = math.sqrt(ex * ex + ey * ey)
                    f = min(wn, 1.0)
                    ex -= f * into * wnx
                    ey -= f * into * wny
                    if math.sqrt(ex * ex + ey * ey) < 0.1 * before and s_seg >= 0:
                        # walking (almost) head-on into a wall, typically its end (a corner): go along
                        # it, round the end it pushes off (or a free end the body already reaches past,
                        # e.g. where a wall meets a doorway), or else to the right; without this the
                        # direction is what little is left, noise that can point anywhere
                        tx = segs[s_seg, 2] - segs[s_seg, 0]
                        ty = segs[s_seg, 3] - segs[s_seg, 1]
                        tl = math.sqrt(tx * tx + ty * ty)
                        if s_tt <= 1e-6 or (
                            s_tt * tl < ri and _free_end(s_seg, 0, segs, seg_exit, exit_open, cseg_start, cseg_items, c)
                        ):
                            sign = -1.0
                        elif s_tt >= 1.0 - 1e-6 or (
                            (1.0 - s_tt) * tl < ri
                            and _free_end(s_seg, 2, segs, seg_exit, exit_open, cseg_start, cseg_items, c)
                        ):
                            sign = 1.0
                        else:
                            sign = 1.0 if e0y * tx - e0x * ty >= 0.0 else -1.0
                        ex = sign * tx / tl
                        ey = sign * ty / tl
            # people side-step but do not walk backwards against their desired direction
            back = ex * e0x + ey * e0y
            if back < 0.0 and no_backward:
                ex -= back * e0x
                ey -= back * e0y
            norm = math.sqrt(ex * ex + ey * ey)
            if norm < 1e-12:
                out[i, 0] = 0.0
                out[i, 1] = 0.0
                heading_out[i, 0] = e0x
                heading_out[i, 1] = e0y
                continue
            ex /= norm
            ey /= norm
            heading_out[i, 0] = ex
            heading_out[i, 1] = ey
            # hard contact: the step may use at most half the room between a neighbour's centre and the
            # closest allowed distance l - step_overlap (the neighbour may use the other half); along the
            # ray s e, |rel - s e|^2 = lmin^2 at s = along -+ sqrt(disc)
            contact = step_overlap >= 0.0
            ex_f = _f4(ex)
            ey_f = _f4(ey)
            smax_f = _F_BIG
            # a neighbour blocks only if a full step would bring the two closer: one beside the agent
            # (along < half a step), even touching, is left behind by the step, so the two can slide apart
            # (without this, people at the contact limit side by side could not move along each other)
            half_step_f = _f4(0.5 * v0[i] * dt)
            # -- speed: distance to the closest agent ahead within the corridor of width l --------------
            smin_f = _F_BIG
            for p in range(m):
                nd = nd_[p]
                dx = nx_[p] - xi_f
                dy = ny_[p] - yi_f
                l = ri_f + nr_[p]
                along = ex_f * dx + ey_f * dy
                side = ex_f * dy - ey_f * dx
                gap = nd - l
                # in the agent's lane (half-width lane * l), or about to touch it (a body in the way);
                # nd_ is far_f for entries not within the cut-off (and the agent itself)
                front = (along > half_step_f) & (nd < cut_f)
                in_lane = abs(side) < lane_f * l
                touching = (abs(side) < l) & (gap < touch_f) & (along > touch_cos_f * nd)
                ahead = front & (in_lane | touching)
                smin_f = _fmin_f4(smin_f, gap if ahead else _F_BIG)  # type: ignore[call-arg]
                # half the room to lmin each: the neighbour may be closing in at the same time; along the
                # unit direction e, d2 - along^2 = side^2, so disc = lmin^2 - side^2 (well conditioned in
                # float32, unlike the difference of the squares of distances)
                # (one beyond the cut-off leaves more than half of cut-off - l: far more than a step)
                lmin = _F_HALF * (nd + l - overlap_f)
                disc = (lmin - side) * (lmin + side)
                hit = contact & front & (disc > _F_ZERO)
                smax_f = _fmin_f4(smax_f, along - math.sqrt(max(disc, _F_ZERO)) if hit else _F_BIG)  # type: ignore[call-arg]
            smin = float(smin_f)
            smax = float(smax_f)
            v = v0[i]
            if smin < 1e29:
                if smooth:
                    v = v * (1.0 - math.exp(-max(0.0, smin) / (v * time_gap))) if v > 0.0 else 0.0
                else:
                    v = min(v, max(0.0, smin / time_gap))
            if smax < 1e29:
                v = min(v, max(smax, 0.0) / dt)
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

    @property
    def contact_overlap(self) -> float:
        return self.parameters.step_overlap

    def velocities(self, state: AgentState, ctx: StepContext, out: np.ndarray) -> None:
        w = ctx.world
        p = self.parameters
        f = w.fields
        _csm_velocities(
            state.v0, state.status, state.target, ctx.n_inside, ctx.order, ctx.sorted_xyr, ctx.heading_out,
            ctx.bin_start, ctx.bin_nx, ctx.bin_max, ctx.cell_of, ctx.stripes, ctx.stripe_start, ctx.stripe_reach,
            ctx.stripe_x0, ctx.stripe_y0,
            w.segments, w.segment_exit, ctx.exit_open, w.cell_seg_start, w.cell_seg_items,
            f.dist, f.dirxy, w.nav_x0, w.nav_y0, w.nav_h,
            p.time_gap, p.neighbour_strength, p.neighbour_range, p.wall_strength, p.wall_range, p.cutoff,
            p.anticipation, p.no_backward, p.lane_fraction, p.touch_margin, p.touch_cos, p.smooth_speed,
            p.side_bias, p.side_bias_opposing, p.side_range_opposing, p.step_overlap, ctx.dt, out,
        )
