"""Groups that evacuate together: families and friends (a population's ``group_size`` / ``group_share``).

Up to about 70 % of pedestrians walk in groups (Moussaïd et al. 2010, PLoS ONE 5(4) e10047), and in
evacuations groups gather before they leave and stay together on the way (Bode et al. 2015, Safety Science
80; the "affiliation" behaviour of Sime 1983). The engine models that with four rules:

1. members start next to each other: a group is a person and its nearest neighbours of the same
   population at placement (:func:`form_groups`);
2. they start moving together, when the last of them is ready (the group's latest pre-movement time);
3. they walk at the pace of the slowest member (the group's lowest free and stair speeds) and head for
   the leader's exit (the leader is the member with the lowest index; exit choice follows it);
4. nobody runs ahead: a member more than :data:`SPREAD` metres of route ahead of the group's last member
   still inside slows down, to :data:`SLOWEST` of its speed :data:`SPREAD` metres further on, until the
   others catch up (:func:`cohesion`, every step). Members never stop outright: one standing in a door
   to wait would block the very people it waits for.

Route progress is the navigation distance to the group's exit, so "ahead" follows corridors and stairs.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.spatial import cKDTree

from sim.crowd.navigation import sample_distance

__all__ = ["form_groups", "join_groups", "cohesion", "SPREAD", "SLOWEST"]

MOVING = 1
SAFE = 2

#: Route distance [m] a member may be ahead of the group's last member before slowing down.
SPREAD = 1.0
#: Fraction of its speed a member keeps when it is ``2 * SPREAD`` or more ahead.
SLOWEST = 0.25


def form_groups(pos: np.ndarray, size: int, share: float, rng: np.random.Generator) -> np.ndarray:
    """Leaders of the persons of one population placed at ``pos`` (local indices; ``i`` for persons alone).

    ``round(share * n)`` persons are grouped: a random person not yet in a group founds one with its
    ``size - 1`` nearest neighbours not yet in a group (the last group may be smaller).
    """
    n = len(pos)
    leader = np.arange(n)
    grouped = min(n, int(round(share * n)))
    if size <= 1 or grouped < 2:
        return leader
    free = np.ones(n, dtype=bool)
    tree = cKDTree(pos)
    done = 0
    for i in rng.permutation(n):
        if done >= grouped:
            break
        if not free[i]:
            continue
        want = min(size, grouped - done)
        k = min(n, 4 * size + 8)
        while True:
            _, near = tree.query(pos[i], k=k)
            near = np.atleast_1d(near)
            near = near[(near < n) & free[near]]
            if len(near) >= want or k >= n:
                break
            k = min(n, 2 * k)
        members = near[:want]
        leader[members] = members.min()
        free[members] = False
        done += len(members)
    return leader


def join_groups(
    leader: np.ndarray, v_free: np.ndarray, v_up: np.ndarray, v_down: np.ndarray, t_start: np.ndarray
) -> None:
    """Rules 2 and 3 in place: members share the latest start and the lowest speeds of their group."""
    if (leader == np.arange(len(leader))).all():
        return
    for arr, reduce in ((v_free, np.minimum), (v_up, np.minimum), (v_down, np.minimum), (t_start, np.maximum)):
        group_value = arr.copy()
        reduce.at(group_value, leader, arr)
        arr[:] = group_value[leader]


@njit(cache=True)
def cohesion(
    pos: np.ndarray, status: np.ndarray, target: np.ndarray, leader: np.ndarray, v0: np.ndarray,
    dist: np.ndarray, x0: float, y0: float, h: float, spread: float, progress: np.ndarray, rear: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Rule 4: scale the desired speed ``v0`` of members who are ahead of their group's last member.

    ``progress`` (N,) and ``rear`` (N,) are scratch: each member's route distance to its exit, and per
    leader the largest such distance among the members still inside (waiting or moving).
    """
    n = pos.shape[0]
    for i in range(n):
        rear[i] = -1.0
    for i in range(n):
        progress[i] = -1.0
        if status[i] >= SAFE or target[i] < 0:
            continue
        d = sample_distance(dist[target[i]], pos[i, 0], pos[i, 1], x0, y0, h)
        if d >= 1e29:
            continue
        progress[i] = d
        g = leader[i]
        if d > rear[g]:
            rear[g] = d
    for i in range(n):
        if status[i] != MOVING or progress[i] < 0.0:
            continue
        ahead = rear[leader[i]] - progress[i]
        if ahead > spread:
            v0[i] *= max(SLOWEST, 1.0 - (1.0 - SLOWEST) * (ahead - spread) / spread)
