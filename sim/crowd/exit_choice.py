"""Exit choice: each agent heads for the allowed exit with the least estimated time to get out.

The estimate for agent i and exit k is

    T_ik = max( D_k(x_i) / v0_i ,  Q_ik / C_k ),

the larger of the walking time (navigation distance over free speed) and the time for the people ahead of
it at that exit to pass (Q_ik = agents heading for k that are closer to it than i; C_k = exit width x
``SPECIFIC_FLOW``). Whichever is longer governs: a near exit with a long queue loses to a farther free one.
At the start, agents choose in order of their distance to the nearest exit, each seeing the choices made
before it (so the first choice already spreads the crowd); the nearest exit is the default, and another is
chosen only if it gains what a later switch must gain. In both, an exit other than the agent's nearest
counts with ``max(MIN_GAIN_S, HYSTERESIS x T)`` added: people prefer the nearest exit (RiMEA test 11: most
use the nearer of two exits, some the other). Afterwards, every ``interval`` seconds a random
half of the agents (seeded stream ``exit_choice``) re-evaluate and switch only if the gain exceeds
``HYSTERESIS`` (relative) and 2 s, which keeps the choice from oscillating.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.crowd.kernels import exit_distances
from sim.crowd.state import SAFE, AgentState
from sim.crowd.world import World

__all__ = ["initial_choice", "update_choice", "SPECIFIC_FLOW", "HYSTERESIS"]

#: Specific flow used to convert a queue into a waiting time [P/(m·s)] (SFPE / design-code value).
SPECIFIC_FLOW = 1.3
#: Relative gain in estimated time needed to switch exits.
HYSTERESIS = 0.15
#: Absolute gain [s] needed to switch exits.
MIN_GAIN_S = 2.0


def _capacity(world: World) -> np.ndarray:
    return np.maximum(world.exit_width * SPECIFIC_FLOW, 0.1)


@njit(cache=True)
def _greedy(
    walk: np.ndarray, order: np.ndarray, capacity: np.ndarray, hysteresis: float, min_gain: float
) -> np.ndarray:
    n, k_exits = walk.shape
    counts = np.zeros(k_exits)
    choice = np.full(n, -1, dtype=np.int32)
    for idx in range(order.shape[0]):
        i = order[idx]
        # the nearest exit is the default; another one is taken only if it gains what a switch must gain
        near = -1
        for k in range(k_exits):
            if np.isfinite(walk[i, k]) and (near < 0 or walk[i, k] < walk[i, near]):
                near = k
        if near < 0:
            continue
        t_near = max(walk[i, near], counts[near] / capacity[near])
        best = t_near - max(min_gain, hysteresis * t_near)
        bk = near
        for k in range(k_exits):
            if k == near or not np.isfinite(walk[i, k]):
                continue
            t = max(walk[i, k], counts[k] / capacity[k])
            if t < best:
                best = t
                bk = k
        choice[i] = bk
        if bk >= 0:
            counts[bk] += 1.0
    return choice


def _walk_times(state: AgentState, world: World, exit_open: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    allowed = state.allowed & exit_open.astype(bool)[None, :]
    f = world.fields
    d = exit_distances(state.pos, state.status, allowed, f.dist, world.nav_x0, world.nav_y0, world.nav_h)
    return d, d / state.v_free[:, None]


def initial_choice(state: AgentState, world: World, exit_open: np.ndarray) -> np.ndarray:
    """Sequential greedy choice at the start (see module docstring).

    Returns:
        (N,) int32 exit index per agent (-1 for agents with no reachable allowed exit).
    """
    _, walk = _walk_times(state, world, exit_open)
    nearest = walk.min(axis=1) if walk.shape[1] else np.full(state.n, np.inf)
    order = np.argsort(nearest, kind="stable")
    choice = _greedy(walk, order, _capacity(world), HYSTERESIS, MIN_GAIN_S)
    return choice[state.leader]  # groups follow their leader


def update_choice(
    state: AgentState, world: World, exit_open: np.ndarray, rng: np.random.Generator, *, fraction: float = 0.5
) -> int:
    """Re-evaluate the exits of a random ``fraction`` of the agents still inside; switch where it pays.

    Agents whose target exit has closed always re-choose. Updates ``state.target`` in place.

    Returns:
        Number of agents that switched exits.
    """
    inside = np.flatnonzero(state.status < SAFE)  # only those inside are re-evaluated: rows of them only
    if not inside.size:
        return 0
    draw = rng.random(state.n) < fraction  # for everyone, so the stream does not depend on who is inside
    dist, walk = _walk_times(state, world, exit_open)
    dist = dist[inside]
    walk = walk[inside]
    target = state.target[inside]
    n, k_exits = walk.shape
    cap = _capacity(world)
    # queue ahead: agents heading for k that are closer to k
    queue = np.full_like(walk, np.inf)
    for k in range(k_exits):
        dk = np.sort(dist[target == k, k])
        ok = np.isfinite(dist[:, k])
        queue[ok, k] = np.searchsorted(dk, dist[ok, k], side="left") / cap[k]
    est = np.maximum(walk, queue)
    # people prefer their nearest exit: any other must gain max(MIN_GAIN_S, HYSTERESIS x its time) over it
    nearest = np.argmin(np.where(np.isfinite(walk), walk, np.inf), axis=1) if k_exits else np.zeros(n, int)
    other = np.arange(k_exits)[None, :] != nearest[:, None]
    with np.errstate(invalid="ignore"):
        est = est + np.where(other & np.isfinite(est), np.maximum(MIN_GAIN_S, HYSTERESIS * est), 0.0)
    best = np.argmin(est, axis=1)
    best_t = est[np.arange(n), best]
    cur_ok = (target >= 0) & exit_open.astype(bool)[np.clip(target, 0, None)] if k_exits else np.zeros(n, bool)
    cur_t = np.where(cur_ok, est[np.arange(n), np.clip(target, 0, None)], np.inf)
    with np.errstate(invalid="ignore"):
        gain = np.where(np.isfinite(cur_t), cur_t - best_t, np.inf)
    switch = np.isfinite(best_t) & (
        ~np.isfinite(cur_t) | (draw[inside] & (gain > np.maximum(MIN_GAIN_S, HYSTERESIS * cur_t)))
    )
    state.target[inside[switch]] = best[switch]
    state.target[:] = state.target[state.leader]  # groups follow their leader
    return int(switch.sum())
