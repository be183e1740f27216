"""The static world of a crowd run: levels and stairs laid side by side in one plane, walls, openings, grids.

Levels are placed next to each other along x (each shifted by its own offset) so that one set of arrays,
one neighbour grid and one navigation grid serve every level; nothing can cross between levels except
through connectors. Each connector (stair or escalator) is a strip of its own, ``length`` long (along +x,
from its lower end to its upper end) and as wide as its ends, laid out after the levels.

**Openings** are the segments people may cross: exits (indices ``0 .. K-1``; crossing one means safe) and
the four *portals* of each connector (``K + 4c + 0..3``): the lower end's line on its level (crossing it
steps onto the strip), the strip's lower edge (crossing it steps off onto that level), the strip's upper
edge, and the upper end's line on its level. A portal carries a person to its partner segment (same
position across the width, same remaining step). Each opening is open or closed; a closed opening is a wall.
Which portals are open follows the connector's direction (see :func:`portal_states`).

Walls are the boundary segments of each level's and strip's free space, minus the openings; openings are
kept in the same segment list with their opening index (``segment_exit``; -1 for walls).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry import LineString, Polygon

from sim.crowd.navigation import UNREACHABLE, descent_direction, fast_marching
from sim.scenario.schema import Plan, Scenario

__all__ = [
    "World", "ExitFields", "build_world", "compute_fields", "initial_openings", "portal_states", "LEVEL_GAP",
    "STAIR_NAV_COST",
]

#: Gap [m] between levels laid side by side.
LEVEL_GAP = 10.0
#: Depth [m] of the target strip beyond each exit in the navigation grid.
EXIT_APRON = 0.6
#: Near walls the navigation cost rises linearly from 1 (at CLEARANCE metres) to 1 + WALL_COST (at the wall):
#: paths keep off walls and corners, but not so strongly that everyone in a narrow passage heads for its
#: centre line (see the calibration notes in :mod:`sim.crowd.calibration`).
CLEARANCE = 0.6
WALL_COST = 0.5
#: Margin [m] around a neighbour cell within which wall segments are listed for it.
WALL_MARGIN = 0.8
#: Navigation cost per metre on stairs: walking there takes about 1 / 0.55 times longer than on the flat
#: (stair speeds 0.5-0.6 x the free speed, see ``sim.scenario.schema.STAIR_UP_FACTOR``).
STAIR_NAV_COST = 1.0 / 0.55
#: Free speed [m/s] that converts an escalator's speed into a navigation cost (Weidmann's mean free speed).
NAV_FREE_SPEED = 1.34


@dataclass(frozen=True)
class ExitFields:
    """Navigation fields of every exit: travel-cost distance and unit descent direction.

    Attributes:
        dist: (K, ny, nx) float32 distance [m]; ``UNREACHABLE`` where the exit cannot be reached.
        dirxy: (K, ny, nx, 2) float32 unit direction towards the exit, (0, 0) where it cannot be reached.
            The two components of a cell sit side by side, so an agent's 2 x 2 cells take two cache lines.
    """

    dist: np.ndarray
    dirxy: np.ndarray

    @property
    def dirx(self) -> np.ndarray:
        """(K, ny, nx) x components (a view)."""
        return self.dirxy[..., 0]

    @property
    def diry(self) -> np.ndarray:
        """(K, ny, nx) y components (a view)."""
        return self.dirxy[..., 1]


@dataclass(frozen=True)
class World:
    """Arrays describing the geometry, in world coordinates (level-local + level offset).

    Attributes:
        level_ids: level ids in order.
        level_offsets: (L, 2) offset added to level-local coordinates [m].
        level_geoms: each level's free space in world coordinates.
        strip_geoms: each connector's strip in world coordinates.
        strip_x0: (C,) x of each strip's lower edge [m] (the strip runs along +x, upwards).
        connector_ids: connector ids in order (index = connector index).
        connector_kind: (C,) 0 stair, 1 escalator.
        connector_length: (C,) length along the slope [m].
        connector_speed_factor: (C,) speed = factor x free speed; NaN: each person's stair speeds.
        connector_belt: (C,) escalator belt speed [m/s] (0 for stairs).
        connector_walking: (C,) 1 if people walk on the running escalator.
        connector_capacity: (C,) most persons per second stepping on at one end (inf: no limit).
        opening_line: (O, 4) segment of each opening (exits first, then 4 portals per connector).
        opening_inward: (O, 2) unit normal into the region the opening belongs to.
        opening_partner: (O,) the portal a portal leads to (-1 for exits).
        opening_flip: (O,) 1 if the position across the width maps u -> 1 - u on the partner.
        opening_connector: (O,) connector of a portal (-1 for exits).
        cell_connector: (ny, nx) int16 connector whose strip holds the navigation cell, -1 on levels.
        exit_target_cells: per exit, the flat navigation cells just outside it where its field is 0.
        segments: (M, 4) wall and opening segments ``x1, y1, x2, y2`` [m].
        segment_exit: (M,) opening index of each segment (exits and portals), -1 for walls.
        exit_ids: exit ids in order (index = exit index).
        exit_level: (K,) level index of each exit.
        exit_width: (K,) clear width [m].
        exit_lines: (K, 4) exit segments.
        nav_x0, nav_y0, nav_h: origin and cell size of the navigation grid [m].
        walkable: (ny, nx) bool navigation mask (cell centre in free space).
        cost: (ny, nx) navigation cost per metre (``inf`` outside).
        wall_distance: (ny, nx) distance from cell centre to the nearest non-walkable cell [m].
        cell_x0, cell_y0, cell_size, cell_nx, cell_ny: the neighbour grid [m].
        cell_seg_start, cell_seg_items: CSR list of segments near each neighbour cell.
        cell_walkable_area: (cell_ny * cell_nx,) walkable area of each neighbour cell [m²].
        fields: navigation fields of every exit.
    """

    level_ids: tuple[str, ...]
    level_offsets: np.ndarray
    level_geoms: tuple[shapely.Geometry, ...]
    strip_geoms: tuple[shapely.Geometry, ...]
    strip_x0: np.ndarray
    connector_ids: tuple[str, ...]
    connector_kind: np.ndarray
    connector_length: np.ndarray
    connector_speed_factor: np.ndarray
    connector_belt: np.ndarray
    connector_walking: np.ndarray
    connector_capacity: np.ndarray
    opening_line: np.ndarray
    opening_inward: np.ndarray
    opening_partner: np.ndarray
    opening_flip: np.ndarray
    opening_connector: np.ndarray
    cell_connector: np.ndarray
    exit_target_cells: tuple[np.ndarray, ...]
    segments: np.ndarray
    segment_exit: np.ndarray
    exit_ids: tuple[str, ...]
    exit_level: np.ndarray
    exit_width: np.ndarray
    exit_lines: np.ndarray
    nav_x0: float
    nav_y0: float
    nav_h: float
    walkable: np.ndarray
    cost: np.ndarray
    wall_distance: np.ndarray
    cell_x0: float
    cell_y0: float
    cell_size: float
    cell_nx: int
    cell_ny: int
    cell_seg_start: np.ndarray
    cell_seg_items: np.ndarray
    cell_walkable_area: np.ndarray
    fields: ExitFields

    def to_world(self, level: str, xy: np.ndarray) -> np.ndarray:
        """Level-local coordinates (n, 2) -> world coordinates."""
        return np.asarray(xy, dtype=float) + self.level_offsets[self.level_ids.index(level)]



def _segments_of(geom: shapely.Geometry) -> list[tuple[float, float, float, float]]:
    out = []
    for line in getattr(geom, "geoms", [geom]):
        if line.is_empty:
            continue
        c = np.asarray(line.coords)
        for a, b in zip(c[:-1], c[1:], strict=True):
            if np.hypot(*(b - a)) > 1e-9:
                out.append((float(a[0]), float(a[1]), float(b[0]), float(b[1])))
    return out


def _outward_normal(free: shapely.Geometry, line: LineString) -> np.ndarray:
    (x1, y1), (x2, y2) = line.coords
    n = np.array([y2 - y1, -(x2 - x1)]) / line.length
    mid = np.array(line.interpolate(0.5, normalized=True).coords[0])
    probe = shapely.Point(*(mid + 0.05 * n))
    return n if not free.contains(probe) else -n


def _cells_beside(
    line: np.ndarray, inward: np.ndarray, walkable: np.ndarray, x0: float, y0: float, h: float
) -> tuple[np.ndarray, np.ndarray]:
    """Walkable navigation cells just inside an opening, sampled every h/2 along it.

    Returns ``(u, cell)``: the fraction along the line and the flat index of the first walkable cell found
    stepping inward from it (up to 3 cells), for the samples where one was found.
    """
    ny, nx = walkable.shape
    p1, p2 = line[:2], line[2:]
    samples = max(int(float(np.hypot(*(p2 - p1))) / (0.5 * h)), 1)
    out_u, out_c = [], []
    for u in (np.arange(samples) + 0.5) / samples:
        p = p1 + u * (p2 - p1)
        for depth in (0.5, 1.0, 1.5, 2.0, 3.0):
            q = p + depth * h * inward
            ix, iy = int((q[0] - x0) // h), int((q[1] - y0) // h)
            if 0 <= ix < nx and 0 <= iy < ny and walkable[iy, ix]:
                out_u.append(u)
                out_c.append(iy * nx + ix)
                break
    return np.array(out_u), np.array(out_c, dtype=np.int64)


def compute_fields(
    world: World, opening_open: np.ndarray, cost: np.ndarray | None = None, exits: np.ndarray | None = None
) -> ExitFields:
    """Navigation fields of every exit, through the portals that are open.

    A person may step from the cells beside an open portal to the cells beside its partner; the fast
    marching front crosses the same way, backwards (from the exit). Beside a portal through which the
    shortest way to the exit leads, the direction points straight through it.

    Args:
        world: the world (its own ``fields`` are used only for the exits that ``exits`` leaves out).
        opening_open: (O,) 1 where an opening is open.
        cost: navigation cost per metre (default ``world.cost``; quickest-path routing passes its own).
        exits: (K,) bool, the exits whose fields to compute; the others are copied from ``world.fields``.

    Returns:
        The fields of every exit.
    """
    h = world.nav_h
    ny, nx = world.walkable.shape
    n_exits = len(world.exit_ids)
    src_parts, dst_parts, beside = [], [], []
    grid = (world.walkable, world.nav_x0, world.nav_y0, h)
    for o in range(n_exits, len(world.opening_line)):
        if not opening_open[o]:
            continue
        p = world.opening_partner[o]
        u_o, c_o = _cells_beside(world.opening_line[o], world.opening_inward[o], *grid)
        u_p, c_p = _cells_beside(world.opening_line[p], world.opening_inward[p], *grid)
        if not len(u_o) or not len(u_p):
            continue
        mapped = 1.0 - u_o if world.opening_flip[o] else u_o
        far = c_p[np.abs(mapped[:, None] - u_p[None, :]).argmin(axis=1)]
        src_parts.append(far)  # the front reaches the far side first ...
        dst_parts.append(c_o)  # ... and crosses back to this side
        beside.append((o, c_o, far))
    links = (np.concatenate(src_parts), np.concatenate(dst_parts)) if src_parts else None
    if cost is None:
        cost = world.cost
    flat_cost = cost.ravel()
    dist = np.empty((n_exits, ny, nx), dtype=np.float32)
    dirxy = np.empty((n_exits, ny, nx, 2), dtype=np.float32)
    for k in range(n_exits):
        if exits is not None and not exits[k]:
            dist[k], dirxy[k] = world.fields.dist[k], world.fields.dirxy[k]
            continue
        target = np.zeros(ny * nx, dtype=bool)
        target[world.exit_target_cells[k]] = True
        target = target.reshape(ny, nx)
        d = fast_marching(np.where(target, 1.0, cost), target, h, links)
        dx, dy = descent_direction(d, h)
        out = -world.opening_inward[k]
        dx[target] = out[0]
        dy[target] = out[1]
        flat_d = d.ravel()
        for o, cells, far in beside:
            through = flat_d[far] + flat_cost[cells] * h <= flat_d[cells] + 1e-6
            out = -world.opening_inward[o]
            iy, ix = np.divmod(cells[through], nx)
            dx[iy, ix] = out[0]
            dy[iy, ix] = out[1]
        dist[k] = np.where(np.isfinite(d), d, UNREACHABLE)
        dirxy[k, :, :, 0] = dx
        dirxy[k, :, :, 1] = dy
    return ExitFields(dist=dist, dirxy=dirxy)


def _flip(line_o: np.ndarray, inward_o: np.ndarray, line_p: np.ndarray, inward_p: np.ndarray) -> bool:
    """Whether crossing ``o`` onto ``p`` maps the position across the width u -> 1 - u (keeps left left)."""
    t_o = line_o[2:] - line_o[:2]
    t_p = line_p[2:] - line_p[:2]
    d_o = -inward_o  # direction of travel when crossing o (out of its region)
    d_p = inward_p  # direction of travel after arriving at p (into its region)
    side_o = d_o[0] * t_o[1] - d_o[1] * t_o[0]
    side_p = d_p[0] * t_p[1] - d_p[1] * t_p[0]
    return bool(side_o * side_p < 0)


def portal_states(direction: str, closed: bool) -> tuple[int, int, int, int]:
    """Open (1) or closed (0) state of a connector's four portals (see the module docstring).

    ``up``: step on at the lower end, off at the upper end; ``down``: the reverse; ``both`` / ``stopped``:
    everywhere. A closed connector lets nobody on, but whoever is on it may step off at either end.
    """
    if closed:
        return 0, 1, 1, 0
    if direction == "up":
        return 1, 0, 1, 0
    if direction == "down":
        return 0, 1, 0, 1
    return 1, 1, 1, 1


def initial_openings(world: World, scenario: Scenario, plan: Plan | None = None) -> np.ndarray:
    """(O,) uint8 open state of every opening as a plan starts (exits it closes, connectors it closes or turns)."""
    state = np.ones(len(world.opening_line), dtype=np.uint8)
    n_exits = len(world.exit_ids)
    if plan is not None:
        for k, e in enumerate(world.exit_ids):
            state[k] = e not in plan.close_exits
    for ci, c in enumerate(scenario.connectors):
        direction = plan.connector_direction.get(c.id, c.direction) if plan is not None else c.direction
        closed = plan is not None and c.id in plan.close_connectors
        state[n_exits + 4 * ci : n_exits + 4 * ci + 4] = portal_states(direction, closed)
    return state


def build_world(scenario: Scenario, *, cell_size: float) -> World:
    """Lay out levels and stairs, extract walls and openings, rasterise the navigation grid, compute fields.

    Args:
        scenario: the validated scenario.
        cell_size: neighbour-grid cell size [m] (the pedestrian model's interaction cut-off).

    Returns:
        The world arrays, with a navigation field for every exit (every connector in its scenario direction;
        a plan or event that changes openings recomputes them with :func:`compute_fields`).
    """
    h = scenario.simulation.grid_cell
    # -- lay out levels, then connector strips, side by side ---------------------------------------------
    offsets = []
    geoms = []
    x_cursor = 0.0
    for lv in scenario.levels:
        minx, miny, maxx, _ = lv.walkable.bounds
        off = np.array([x_cursor - minx, -miny])
        offsets.append(off)
        geoms.append(shapely.affinity.translate(lv.free_space, off[0], off[1]))
        x_cursor += (maxx - minx) + LEVEL_GAP
    strips = []
    strip_x0 = []
    for c in scenario.connectors:
        strips.append(shapely.box(x_cursor, 0.0, x_cursor + c.length, c.width))
        strip_x0.append(x_cursor)
        x_cursor += c.length + LEVEL_GAP
    level_ids = tuple(lv.id for lv in scenario.levels)
    level_index = {lid: i for i, lid in enumerate(level_ids)}
    regions = geoms + strips

    # -- openings: exits, then four portals per connector ------------------------------------------------
    def on_level(level: str, line: tuple) -> tuple[float, float, float, float]:
        off = offsets[level_index[level]]
        (x1, y1), (x2, y2) = line
        return (x1 + off[0], y1 + off[1], x2 + off[0], y2 + off[1])

    opening_lines: list[tuple[float, float, float, float]] = []
    opening_region: list[int] = []
    for e in scenario.exits:
        opening_lines.append(on_level(e.level, e.line))
        opening_region.append(level_index[e.level])
    n_exits = len(opening_lines)
    n_levels = len(geoms)
    for ci, (c, sx) in enumerate(zip(scenario.connectors, strip_x0, strict=True)):
        opening_lines += [
            on_level(c.from_level, c.from_line),
            (sx, 0.0, sx, c.width),
            (sx + c.length, 0.0, sx + c.length, c.width),
            on_level(c.to_level, c.to_line),
        ]
        opening_region += [level_index[c.from_level], n_levels + ci, n_levels + ci, level_index[c.to_level]]
    opening_arr = np.array(opening_lines, dtype=float).reshape(-1, 4)
    n_open = len(opening_arr)
    inward = np.zeros((n_open, 2))
    for o in range(n_open):
        inward[o] = -_outward_normal(regions[opening_region[o]], LineString(opening_arr[o].reshape(2, 2)))
    partner = np.full(n_open, -1, dtype=np.int32)
    connector_of = np.full(n_open, -1, dtype=np.int32)
    for ci in range(len(scenario.connectors)):
        b = n_exits + 4 * ci
        partner[b : b + 4] = (b + 1, b, b + 3, b + 2)
        connector_of[b : b + 4] = ci
    flip = np.zeros(n_open, dtype=np.uint8)
    for o in range(n_exits, n_open):
        p = partner[o]
        flip[o] = _flip(opening_arr[o], inward[o], opening_arr[p], inward[p])

    # -- walls: region boundaries minus the openings -------------------------------------------------------
    segs: list[tuple[float, float, float, float]] = []
    seg_exit: list[int] = []
    for ri, g in enumerate(regions):
        boundary = g.boundary
        holes = [LineString(opening_arr[o].reshape(2, 2)) for o in range(n_open) if opening_region[o] == ri]
        if holes:
            boundary = boundary.difference(shapely.union_all(holes).buffer(1e-6, cap_style="flat"))
        walls = _segments_of(shapely.line_merge(boundary) if not boundary.is_empty else boundary)
        segs += walls
        seg_exit += [-1] * len(walls)
    for o in range(n_open):
        segs.append(tuple(opening_arr[o]))
        seg_exit.append(o)
    segments = np.array(segs, dtype=float).reshape(-1, 4)
    segment_exit = np.array(seg_exit, dtype=np.int32)

    # -- navigation grid -----------------------------------------------------------------------------------
    allg = shapely.union_all(regions)
    minx, miny, maxx, maxy = allg.bounds
    pad = EXIT_APRON + 2 * h
    x0, y0 = minx - pad, miny - pad
    nx = int(math.ceil((maxx - minx + 2 * pad) / h))
    ny = int(math.ceil((maxy - miny + 2 * pad) / h))
    xs = x0 + (np.arange(nx) + 0.5) * h
    ys = y0 + (np.arange(ny) + 0.5) * h
    gx, gy = np.meshgrid(xs, ys)
    walkable = shapely.contains_xy(allg, gx, gy)
    wall_distance = ndimage.distance_transform_edt(walkable) * h
    base_cost = np.ones((ny, nx))
    cell_connector = np.full((ny, nx), -1, dtype=np.int16)
    for ci, (c, strip) in enumerate(zip(scenario.connectors, strips, strict=True)):
        on = shapely.contains_xy(strip, gx, gy)
        cell_connector[on] = ci
        if c.kind == "escalator" and c.direction != "stopped":
            base_cost[on] = NAV_FREE_SPEED / (c.belt_speed + (0.55 * NAV_FREE_SPEED if c.walking else 0.0))
        else:
            base_cost[on] = STAIR_NAV_COST if c.speed_factor is None else 1.0 / c.speed_factor
    near_wall = 1.0 + WALL_COST * np.clip(1.0 - wall_distance / CLEARANCE, 0.0, 1.0)
    cost = np.where(walkable, base_cost * near_wall, np.inf)

    # exit targets: a strip (apron) just outside each exit
    target_cells = []
    for k in range(n_exits):
        n = -inward[k]
        p1 = opening_arr[k, :2]
        p2 = opening_arr[k, 2:]
        apron = Polygon([p1 - 0.5 * h * n, p2 - 0.5 * h * n, p2 + EXIT_APRON * n, p1 + EXIT_APRON * n])
        target = shapely.contains_xy(apron, gx, gy) & ~walkable
        # the apron must touch the walkable cells; widen by a cell if the exit is narrower than the grid
        if not target.any():
            target = shapely.contains_xy(apron.buffer(h), gx, gy) & ~walkable
        target_cells.append(np.flatnonzero(target))

    # -- neighbour grid and the walls near each of its cells ---------------------------------------------
    cs = float(cell_size)
    cx0, cy0 = x0, y0
    cnx = int(math.ceil(nx * h / cs)) + 1
    cny = int(math.ceil(ny * h / cs)) + 1
    buckets: list[list[int]] = [[] for _ in range(cnx * cny)]
    for m, (ax, ay, bx, by) in enumerate(segments):
        ix0 = max(int((min(ax, bx) - WALL_MARGIN - cx0) // cs), 0)
        ix1 = min(int((max(ax, bx) + WALL_MARGIN - cx0) // cs), cnx - 1)
        iy0 = max(int((min(ay, by) - WALL_MARGIN - cy0) // cs), 0)
        iy1 = min(int((max(ay, by) + WALL_MARGIN - cy0) // cs), cny - 1)
        for iy in range(iy0, iy1 + 1):
            for ix in range(ix0, ix1 + 1):
                buckets[iy * cnx + ix].append(m)
    start = np.zeros(cnx * cny + 1, dtype=np.int64)
    start[1:] = np.cumsum([len(b) for b in buckets])
    items = np.array([m for b in buckets for m in b], dtype=np.int64)
    # walkable area per neighbour cell, from the navigation mask
    cix = np.minimum(((gx - cx0) // cs).astype(np.int64), cnx - 1)
    ciy = np.minimum(((gy - cy0) // cs).astype(np.int64), cny - 1)
    area = np.bincount((ciy * cnx + cix)[walkable], minlength=cnx * cny) * h * h

    conns = scenario.connectors
    no_fields = np.empty((0, ny, nx), dtype=np.float32)
    world = World(
        level_ids=level_ids,
        level_offsets=np.array(offsets),
        level_geoms=tuple(geoms),
        strip_geoms=tuple(strips),
        strip_x0=np.array(strip_x0, dtype=float),
        connector_ids=tuple(c.id for c in conns),
        connector_kind=np.array([c.kind == "escalator" for c in conns], dtype=np.int8),
        connector_length=np.array([c.length for c in conns], dtype=float),
        connector_speed_factor=np.array([np.nan if c.speed_factor is None else c.speed_factor for c in conns]),
        connector_belt=np.array([c.belt_speed for c in conns], dtype=float),
        connector_walking=np.array([c.walking for c in conns], dtype=np.int8),
        connector_capacity=np.array([np.inf if c.capacity is None else c.capacity for c in conns], dtype=float),
        opening_line=opening_arr,
        opening_inward=inward,
        opening_partner=partner,
        opening_flip=flip,
        opening_connector=connector_of,
        cell_connector=cell_connector,
        exit_target_cells=tuple(target_cells),
        segments=segments,
        segment_exit=segment_exit,
        exit_ids=tuple(e.id for e in scenario.exits),
        exit_level=np.array([level_index[e.level] for e in scenario.exits], dtype=np.int32),
        exit_width=np.array([e.width for e in scenario.exits]),
        exit_lines=opening_arr[:n_exits],
        nav_x0=float(x0),
        nav_y0=float(y0),
        nav_h=float(h),
        walkable=walkable,
        cost=cost,
        wall_distance=wall_distance,
        cell_x0=float(cx0),
        cell_y0=float(cy0),
        cell_size=cs,
        cell_nx=cnx,
        cell_ny=cny,
        cell_seg_start=start,
        cell_seg_items=items,
        cell_walkable_area=area.astype(float),
        fields=ExitFields(dist=no_fields, dirxy=np.zeros((0, 1, 1, 2), dtype=np.float32)),
    )
    return dataclasses.replace(world, fields=compute_fields(world, initial_openings(world, scenario)))
