"""Agent state as a struct of arrays, and placement of populations at the start of a run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree

from sim.crowd.groups import form_groups, join_groups
from sim.crowd.world import World
from sim.errors import ScenarioError
from sim.scenario.schema import STAIR_DOWN_FACTOR, STAIR_UP_FACTOR, Plan, Scenario
from sim.seeding import stream

__all__ = ["AgentState", "WAITING", "MOVING", "SAFE", "CASUALTY", "TRAPPED", "ABSENT", "place_agents"]

#: Status codes: waiting (pre-movement), moving, safe (crossed an exit); and two ends that are not safe:
#: casualty (hurt so badly, e.g. by a blast, that the person cannot move) and trapped (no open exit can be
#: reached any more). Codes >= SAFE take no further part in the crowd.
#: Absent: not there yet (a train still to arrive); counted as inside, but takes no part until it appears.
WAITING, MOVING, SAFE, CASUALTY, TRAPPED, ABSENT = (np.int8(k) for k in range(6))


@dataclass
class AgentState:
    """Per-agent arrays (row ``i`` is agent ``i``; agents leave by status, never by reindexing).

    Attributes:
        pos: (N, 2) position [m], world coordinates.
        vel: (N, 2) velocity of the last step [m/s].
        heading: (N, 2) walking direction chosen in the last step (unit vector; zero while not moving),
            also while blocked: what neighbours see of where someone is going (counterflow, see
            :mod:`sim.crowd.models.csm`).
        v0: (N,) desired speed where the agent is now [m/s]: ``v_free`` on the flat, the stair or escalator
            speed on a connector (updated every step when the scenario has connectors).
        v_free: (N,) free walking speed on the flat [m/s].
        v_up, v_down: (N,) free speed on stairs going up / down [m/s].
        radius: (N,) body radius [m].
        status: (N,) int8 ``WAITING`` / ``MOVING`` / ``SAFE`` / ``CASUALTY`` / ``TRAPPED``.
        t_start: (N,) time the agent starts moving (pre-movement time) [s].
        t_appear: (N,) time the agent appears (0 for people present from the start) [s].
        target: (N,) int32 index of the exit the agent heads for.
        allowed: (N, K) bool, exits the agent may use (plan assignment and closures).
        exit_index: (N,) int32 exit used, -1 while inside.
        t_exit: (N,) time the agent crossed its exit [s], NaN while inside.
        population: (N,) int32 index of the agent's population.
        leader: (N,) int64 index of the leader of the agent's group (the agent itself if alone; see
            :mod:`sim.crowd.groups`).
    """

    pos: np.ndarray
    vel: np.ndarray
    heading: np.ndarray
    v0: np.ndarray
    v_free: np.ndarray
    v_up: np.ndarray
    v_down: np.ndarray
    radius: np.ndarray
    status: np.ndarray
    t_start: np.ndarray
    t_appear: np.ndarray
    target: np.ndarray
    allowed: np.ndarray
    exit_index: np.ndarray
    t_exit: np.ndarray
    population: np.ndarray
    leader: np.ndarray

    @property
    def n(self) -> int:
        """Number of agents (including those already safe)."""
        return int(self.v0.shape[0])


def _hex_lattice(poly: shapely.Geometry, spacing: float, rng: np.random.Generator) -> np.ndarray:
    """Points of a randomly shifted and rotated hexagonal lattice inside ``poly``."""
    minx, miny, maxx, maxy = poly.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half = 0.5 * np.hypot(maxx - minx, maxy - miny) + spacing
    row = spacing * np.sqrt(3.0) / 2.0
    js = np.arange(-np.ceil(half / row), np.ceil(half / row) + 1)
    is_ = np.arange(-np.ceil(half / spacing) - 1, np.ceil(half / spacing) + 2)
    gi, gj = np.meshgrid(is_, js)
    x = (gi + 0.5 * (gj % 2)) * spacing
    y = gj * row
    angle = rng.uniform(0.0, np.pi / 3.0)
    shift = rng.uniform(0.0, spacing, 2)
    ca, sa = np.cos(angle), np.sin(angle)
    px = cx + ca * (x + shift[0]) - sa * (y + shift[1])
    py = cy + sa * (x + shift[0]) + ca * (y + shift[1])
    px, py = px.ravel(), py.ravel()
    inside = shapely.contains_xy(poly, px, py)
    return np.column_stack([px[inside], py[inside]])


def _add_random_points(
    poly: shapely.Geometry,
    sites: np.ndarray,
    want: int,
    min_dist: float,
    placed: np.ndarray,
    min_dist_placed: float,
    rng: np.random.Generator,
    tries: int = 200,
) -> np.ndarray:
    """Random sequential addition: uniform points in ``poly`` at least ``min_dist`` from every point so far."""
    pts = [tuple(p) for p in sites]
    if poly.is_empty or poly.area <= 0:
        return sites
    minx, miny, maxx, maxy = poly.bounds
    for _ in range(tries * want):
        if len(pts) >= want:
            break
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not shapely.contains_xy(poly, x, y):
            continue
        if pts and min(np.hypot(x - px, y - py) for px, py in pts) < min_dist:
            continue
        if len(placed) and np.hypot(placed[:, 0] - x, placed[:, 1] - y).min() < min_dist_placed:
            continue
        pts.append((x, y))
    return np.array(pts, dtype=float).reshape(-1, 2)


def place_agents(scenario: Scenario, plan: Plan, world: World, seed: int) -> AgentState:
    """Place every population in its area and draw speeds and pre-movement times.

    Persons are put on the sites of a randomly shifted and rotated hexagonal lattice inside the area (kept
    one radius from walls and obstacles), chosen at random among the sites, then jittered as far as the
    spacing allows; so placement is uniform over the area and no two bodies overlap, even at 4-5 P/m².

    Args:
        scenario: the validated scenario (counts possibly rescaled).
        plan: the plan in force (exit closures and assignments).
        world: the world built for the scenario.
        seed: the run's root seed.

    Returns:
        The initial agent state (targets not yet chosen).

    Raises:
        ScenarioError: an area cannot hold its count without overlap.
    """
    rng_place = stream(seed, "placement")
    rng_speed = stream(seed, "speeds")
    rng_pre = stream(seed, "premovement")
    rng_stairs = stream(seed, "stair_speeds")
    rng_groups = stream(seed, "groups")
    exits = {e: k for k, e in enumerate(world.exit_ids)}
    open_mask = np.array([e not in plan.close_exits for e in world.exit_ids])
    pos_l, v0_l, r_l, pre_l, pop_l, allowed_l, up_l, down_l, app_l, lead_l = [], [], [], [], [], [], [], [], [], []
    placed = np.empty((0, 2))
    placed_r = np.empty(0)
    for pi, pop in enumerate(scenario.populations):
        if pop.count == 0:
            continue
        profile = scenario.profiles[pop.profile]
        r = profile.radius
        li = world.level_ids.index(pop.level)
        off = world.level_offsets[li]
        usable = pop.area.intersection(scenario.level(pop.level).free_space).buffer(-(r + 0.01))
        usable = shapely.affinity.translate(usable, off[0], off[1])
        min_spacing = 2 * r + 0.02
        spacing = max(min_spacing, np.sqrt(2.0 * usable.area / (np.sqrt(3.0) * pop.count / 0.75)))
        while True:
            sites = _hex_lattice(usable, spacing, rng_place) if usable.area > 0 else np.empty((0, 2))
            if len(placed):
                d, _ = cKDTree(placed).query(sites, k=1) if len(sites) else (np.empty(0), None)
                sites = sites[d >= r + placed_r.max() + 0.01]
            if len(sites) >= pop.count:
                break
            if spacing <= min_spacing:
                # thin or tiny areas hold fewer lattice sites than they could: add random points
                sites = _add_random_points(
                    usable, sites, pop.count, min_spacing, placed, r + placed_r.max(initial=r) + 0.01, rng_place
                )
                if len(sites) >= pop.count:
                    break
                raise ScenarioError(
                    f"area too small for its count: only {len(sites)} of {pop.count} persons of radius {r:g} m "
                    f"fit without overlap ({usable.area:.1f} m² usable, "
                    f"{pop.count / max(usable.area, 1e-9):.1f} P/m² asked)",
                    file=scenario.source,
                    field=f"populations[{pi}].count",
                    value=pop.count,
                    fix=f"enlarge the area or give a count <= {len(sites)}",
                )
            spacing = max(min_spacing, spacing * 0.95)
        chosen = sites[rng_place.choice(len(sites), size=pop.count, replace=False)]
        jitter_r = max(0.0, (spacing - 2 * r - 0.02) / 2.0)
        ang = rng_place.uniform(0, 2 * np.pi, pop.count)
        rad = jitter_r * np.sqrt(rng_place.uniform(0, 1, pop.count))
        moved = chosen + np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])
        ok = shapely.contains_xy(usable, moved[:, 0], moved[:, 1])
        if len(placed):
            d, _ = cKDTree(placed).query(moved, k=1)
            ok &= d >= r + placed_r.max() + 0.01
        chosen = np.where(ok[:, None], moved, chosen)
        pos_l.append(chosen)
        lead_l.append(len(placed) + form_groups(chosen, pop.group_size, pop.group_share, rng_groups))
        placed = np.vstack([placed, chosen])
        placed_r = np.concatenate([placed_r, np.full(pop.count, r)])
        v0_l.append(profile.speed.sample(rng_speed, pop.count))
        up = profile.stair_up.sample(rng_stairs, pop.count) if profile.stair_up else STAIR_UP_FACTOR * v0_l[-1]
        down = profile.stair_down.sample(rng_stairs, pop.count) if profile.stair_down else STAIR_DOWN_FACTOR * v0_l[-1]
        up_l.append(up)
        down_l.append(down)
        r_l.append(np.full(pop.count, r))
        pre_l.append(pop.appears_at + pop.premovement.sample(rng_pre, pop.count))
        app_l.append(np.full(pop.count, pop.appears_at))
        pop_l.append(np.full(pop.count, pi, dtype=np.int32))
        allow = open_mask.copy()
        if pop.id in plan.assign_exits:
            allow &= np.isin(np.arange(len(world.exit_ids)), [exits[e] for e in plan.assign_exits[pop.id]])
        allowed_l.append(np.repeat(allow[None, :], pop.count, axis=0))
    n = sum(len(p) for p in pos_l)
    k = len(world.exit_ids)
    t_start = np.concatenate(pre_l) if n else np.empty(0)
    t_appear = np.concatenate(app_l) if n else np.empty(0)
    v_free = np.concatenate(v0_l) if n else np.empty(0)
    v_up = np.concatenate(up_l) if n else np.empty(0)
    v_down = np.concatenate(down_l) if n else np.empty(0)
    leader = np.concatenate(lead_l).astype(np.int64) if n else np.empty(0, dtype=np.int64)
    join_groups(leader, v_free, v_up, v_down, t_start)
    return AgentState(
        pos=np.vstack(pos_l) if n else np.empty((0, 2)),
        vel=np.zeros((n, 2)),
        heading=np.zeros((n, 2)),
        v0=v_free.copy(),
        v_free=v_free,
        v_up=v_up,
        v_down=v_down,
        radius=np.concatenate(r_l) if n else np.empty(0),
        status=np.where(t_appear > 0.0, ABSENT, np.where(t_start <= 0.0, MOVING, WAITING)).astype(np.int8),
        t_start=t_start,
        t_appear=t_appear,
        target=np.full(n, -1, dtype=np.int32),
        allowed=np.vstack(allowed_l) if n else np.empty((0, k), dtype=bool),
        exit_index=np.full(n, -1, dtype=np.int32),
        t_exit=np.full(n, np.nan),
        population=np.concatenate(pop_l) if n else np.empty(0, dtype=np.int32),
        leader=leader,
    )
