"""The static world of a crowd run: levels laid side by side in one plane, walls, exits and grids.

Levels are placed next to each other along x (each shifted by its own offset) so that one set of arrays,
one neighbour grid and one navigation grid serve every level; nothing can cross between levels except
through connectors. Walls are the boundary segments of each level's free space, minus the exit openings.
Exit segments are kept in the same segment list with their exit index: an open exit is a line to cross
(crossing it means safe), a closed exit behaves as a wall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry import LineString, Polygon

from sim.crowd.navigation import UNREACHABLE, descent_direction, fast_marching
from sim.scenario.schema import Scenario

__all__ = ["World", "ExitFields", "build_world", "LEVEL_GAP"]

#: Gap [m] between levels laid side by side.
LEVEL_GAP = 10.0
#: Depth [m] of the target strip beyond each exit in the navigation grid.
EXIT_APRON = 0.6
#: Near walls the navigation cost rises linearly from 1 (at CLEARANCE metres) to 1 + WALL_COST (at the wall).
CLEARANCE = 0.6
WALL_COST = 3.0
#: Margin [m] around a neighbour cell within which wall segments are listed for it.
WALL_MARGIN = 0.8


@dataclass(frozen=True)
class ExitFields:
    """Navigation fields of every exit: travel-cost distance and unit descent direction.

    Attributes:
        dist: (K, ny, nx) float32 distance [m]; ``UNREACHABLE`` where the exit cannot be reached.
        dirx, diry: (K, ny, nx) float32 unit direction towards the exit.
    """

    dist: np.ndarray
    dirx: np.ndarray
    diry: np.ndarray


@dataclass(frozen=True)
class World:
    """Arrays describing the geometry, in world coordinates (level-local + level offset).

    Attributes:
        level_ids: level ids in order.
        level_offsets: (L, 2) offset added to level-local coordinates [m].
        level_geoms: each level's free space in world coordinates.
        segments: (M, 4) wall and exit segments ``x1, y1, x2, y2`` [m].
        segment_exit: (M,) exit index of each segment, -1 for walls.
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


def build_world(scenario: Scenario, *, cell_size: float) -> World:
    """Lay out the levels, extract walls and exits, rasterise the navigation grid, compute exit fields.

    Args:
        scenario: the validated scenario.
        cell_size: neighbour-grid cell size [m] (the pedestrian model's interaction cut-off).

    Returns:
        The world arrays, with a navigation field for every exit.
    """
    h = scenario.simulation.grid_cell
    # -- lay out levels side by side -------------------------------------------------------------------
    offsets = []
    geoms = []
    x_cursor = 0.0
    for lv in scenario.levels:
        minx, miny, maxx, _ = lv.walkable.bounds
        off = np.array([x_cursor - minx, -miny])
        offsets.append(off)
        geoms.append(shapely.affinity.translate(lv.free_space, off[0], off[1]))
        x_cursor += (maxx - minx) + LEVEL_GAP
    level_ids = tuple(lv.id for lv in scenario.levels)
    level_index = {lid: i for i, lid in enumerate(level_ids)}

    # -- exits and walls ---------------------------------------------------------------------------------
    exit_lines = []
    exit_level = []
    for e in scenario.exits:
        off = offsets[level_index[e.level]]
        (x1, y1), (x2, y2) = e.line
        exit_lines.append((x1 + off[0], y1 + off[1], x2 + off[0], y2 + off[1]))
        exit_level.append(level_index[e.level])
    exit_arr = np.array(exit_lines, dtype=float).reshape(-1, 4)
    segs: list[tuple[float, float, float, float]] = []
    seg_exit: list[int] = []
    for li, g in enumerate(geoms):
        boundary = g.boundary
        holes = [LineString(exit_arr[k].reshape(2, 2)) for k in range(len(exit_arr)) if exit_level[k] == li]
        if holes:
            boundary = boundary.difference(shapely.union_all(holes).buffer(1e-6, cap_style="flat"))
        walls = _segments_of(shapely.line_merge(boundary) if not boundary.is_empty else boundary)
        segs += walls
        seg_exit += [-1] * len(walls)
    for k in range(len(exit_arr)):
        segs.append(tuple(exit_arr[k]))
        seg_exit.append(k)
    segments = np.array(segs, dtype=float).reshape(-1, 4)
    segment_exit = np.array(seg_exit, dtype=np.int32)

    # -- navigation grid -----------------------------------------------------------------------------------
    allg = shapely.union_all(geoms)
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
    cost = np.where(walkable, 1.0 + WALL_COST * np.clip(1.0 - wall_distance / CLEARANCE, 0.0, 1.0), np.inf)

    dist = np.empty((len(exit_arr), ny, nx), dtype=np.float32)
    dirx = np.empty_like(dist)
    diry = np.empty_like(dist)
    for k in range(len(exit_arr)):
        line = LineString(exit_arr[k].reshape(2, 2))
        n = _outward_normal(geoms[exit_level[k]], line)
        p1 = exit_arr[k, :2]
        p2 = exit_arr[k, 2:]
        apron = Polygon([p1 - 0.5 * h * n, p2 - 0.5 * h * n, p2 + EXIT_APRON * n, p1 + EXIT_APRON * n])
        target = shapely.contains_xy(apron, gx, gy) & ~walkable
        # the apron must touch the walkable cells; widen by a cell if the exit is narrower than the grid
        if not target.any():
            target = shapely.contains_xy(apron.buffer(h), gx, gy) & ~walkable
        cost_k = np.where(target, 1.0, cost)
        d = fast_marching(cost_k, target, h)
        dx, dy = descent_direction(d, h)
        # inside the apron, head straight out through the exit
        dx[target] = n[0]
        dy[target] = n[1]
        dist[k] = np.where(np.isfinite(d), d, UNREACHABLE)
        dirx[k] = dx
        diry[k] = dy

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

    return World(
        level_ids=level_ids,
        level_offsets=np.array(offsets),
        level_geoms=tuple(geoms),
        segments=segments,
        segment_exit=segment_exit,
        exit_ids=tuple(e.id for e in scenario.exits),
        exit_level=np.array(exit_level, dtype=np.int32),
        exit_width=np.array([e.width for e in scenario.exits]),
        exit_lines=exit_arr,
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
        fields=ExitFields(dist=dist, dirx=dirx, diry=diry),
    )
