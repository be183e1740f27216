"""Crowd-safety measures: density maps, Fruin level of service, time above density thresholds, four-colour
warnings for monitoring areas, and queues at exits and connectors (issue 4, item 4).

Everything here is post-processing of agent positions: pure functions ``compute_<quantity>(*, ...)`` plus
:class:`SafetyRecorder`, which the crowd model calls once per recording time and which accumulates the
per-cell and per-area statistics in O(N + cells) per call (one numba pass over the agents).

**Density method** (the "classic" counting method of PedPy, applied to a regular grid): the free space of
each level is covered by square cells of side :attr:`DensityGrid.cell_size_m`; the density of a cell is the
number of persons whose centre lies in the cell divided by the cell's *walkable* area [P/m²]. The walkable
area (cell ∩ free space, computed once with shapely) is used instead of the full cell area so that cells cut
by walls and obstacles are not under-estimated. Cells with less than ``min_walkable_fraction`` of their area
walkable ("slivers") are merged into the neighbouring cell (of the 8) with the largest walkable area among
the non-sliver ones: persons in a sliver count towards that cell and the merged unit's density is its
persons over its combined walkable area (both cells then report the same density). A sliver with no
non-sliver neighbour (a passage narrower than ``min_walkable_fraction`` x cell size) is ignored: use smaller
cells to resolve such passages. Cells straddling a thin wall are merged without checking that the two sides
connect.

The default cell is 2 m (4 m²), the measurement area of RiMEA test 3 and of ``sim.crowd.model.DENSITY_CELL``:
a count in 1 m² cells is quantised in steps of 1 P/m² and its maximum over many cells is biased upwards by
counting noise (at a true 2 P/m² one cell in six already reads 4 P/m² or more), which would overstate the
time above 4 and 5.5 P/m². 1 m cells remain available for finer maps.

**Time convention**: sample and hold. The state observed at recording time t_k holds until t_{k+1}; the last
recording contributes no time. Durations are therefore left Riemann sums over the recording times.

Sources of the thresholds (all data, overridable in :class:`SafetySettings`): reference/pedestrian.md §2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from numba import njit

from sim.errors import GeometryError, ScenarioError

__all__ = [
    "DensityGrid",
    "DensityCells",
    "MonitoringArea",
    "QueueLine",
    "SafetySettings",
    "SafetyRecorder",
    "build_density_cells",
    "compute_cell_density",
    "compute_level_of_service",
    "compute_warning_level",
    "compute_time_above",
    "compute_warning_timeline",
    "compute_queue_lengths",
    "density_key",
    "time_above_column",
    "FRUIN_WALKWAY_M2_PER_P",
    "LOS_NAMES",
    "WARNING_THRESHOLDS_P_M2",
    "WARNING_NAMES",
    "DENSITY_THRESHOLDS_P_M2",
]

# -- thresholds (data) ---------------------------------------------------------------------------------
#: Fruin (1971) walkway level of service, lower bounds of area per person [m²/P] for A, B, C, D, E; below the
#: last bound is F. From reference/pedestrian.md §2 (Fruin's 35 / 25 / 15 / 10 / 5 ft² rounded to m²).
FRUIN_WALKWAY_M2_PER_P = (3.25, 2.3, 1.4, 0.93, 0.46)
#: Level-of-service names, index = LOS code returned by :func:`compute_level_of_service`.
LOS_NAMES = ("A", "B", "C", "D", "E", "F")
#: Density thresholds for the "time above" measures [P/m²] (issue 4: 2 comfortable limit, 4 manage,
#: 5.5 Fruin's potentially dangerous crowd forces; reference/pedestrian.md §2).
DENSITY_THRESHOLDS_P_M2 = (2.0, 4.0, 5.5)
#: Lower bounds [P/m²] of the blue / yellow / orange / red warning levels: the practitioners' 2 / 4 / 5 / 7 P/m²
#: bands "comfortable / manage / intervene / dangerous" of reference/pedestrian.md §2 (7 P/m² is also
#: Fruin's critical standing density). The colours are China's four-level warning scheme (Emergency
#: Response Law art. 42: IV blue, III yellow, II orange, I red) as used for large-passenger-flow warnings;
#: no national numeric density threshold is known, so these are data.
WARNING_THRESHOLDS_P_M2 = (2.0, 4.0, 5.0, 7.0)
#: Warning level names, index = level code (0 = no warning).
WARNING_NAMES = ("none", "blue", "yellow", "orange", "red")

# -- column names (one place) --------------------------------------------------------------------------
T_S = "t_s"
LEVEL = "level"
IX = "ix"
IY = "iy"
X_M = "x_m"
Y_M = "y_m"
AREA_M2 = "area_m2"
DENSITY = "density_p_m2"
MAX_DENSITY = "max_density_p_m2"
WORST_LOS = "worst_los"
TIME_LOS_E = "time_los_e_s"
TIME_LOS_F = "time_los_f_s"
LOS = "los"
CELLS = "cells"
AREA = "area"
PERSONS = "persons"
WARNING = "warning"
START_S = "start_s"
END_S = "end_s"
LINE = "line"
QUEUE = "queue"

#: Sparse density frames (only cells with persons).
DENSITY_FRAME_COLUMNS = (T_S, LEVEL, IX, IY, X_M, Y_M, DENSITY)
#: Level-of-service timeline: per recording time, level and LOS, the number and walkable area of cells.
LOS_TIMELINE_COLUMNS = (T_S, LEVEL, LOS, CELLS, AREA_M2)
#: Warning timeline: one row per episode of constant warning level (above "none") in a monitoring area.
WARNING_TIMELINE_COLUMNS = (AREA, WARNING, START_S, END_S)
#: Monitoring-area time series.
AREA_SERIES_COLUMNS = (T_S, AREA, PERSONS, DENSITY, WARNING)
#: Queue time series.
QUEUE_COLUMNS = (T_S, LINE, QUEUE)


def density_key(threshold: float) -> str:
    """Text form of a density threshold for keys and columns: ``5.5 -> "5_5"``, ``2.0 -> "2"``."""
    return f"{threshold:g}".replace(".", "_").replace("-", "m")


def time_above_column(threshold: float) -> str:
    """Column / summary key of the time above ``threshold``: ``time_above_<k>_p_m2_s``."""
    return f"time_above_{density_key(threshold)}_p_m2_s"


#: Per-cell table columns with the default thresholds (the time-above columns follow the settings).
CELL_COLUMNS = (
    LEVEL, IX, IY, X_M, Y_M, AREA_M2, MAX_DENSITY,
    *(time_above_column(t) for t in DENSITY_THRESHOLDS_P_M2),
    WORST_LOS, TIME_LOS_E, TIME_LOS_F,
)  # fmt: skip


# -- settings ------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class DensityGrid:
    """How density is measured (see the module docstring for the method).

    Attributes:
        cell_size_m: side of the square cells [m].
        min_walkable_fraction: cells with a smaller walkable fraction of their area are merged into a
            neighbour (or ignored if none qualifies) [-].
    """

    cell_size_m: float = 2.0
    min_walkable_fraction: float = 0.25

    def __post_init__(self) -> None:
        if not (self.cell_size_m > 0 and np.isfinite(self.cell_size_m)):
            raise ScenarioError(
                "must be a positive number of metres",
                field="density.cell_size_m",
                value=self.cell_size_m,
                fix="use e.g. 2.0 (RiMEA measurement area) or 1.0 for finer maps",
            )
        if not 0.0 <= self.min_walkable_fraction < 1.0:
            raise ScenarioError(
                "must lie in [0, 1)",
                field="density.min_walkable_fraction",
                value=self.min_walkable_fraction,
                fix="use e.g. 0.25",
            )


@dataclass(frozen=True, kw_only=True)
class MonitoringArea:
    """A user-defined area whose density is monitored for large-passenger-flow warnings.

    Attributes:
        id: name shown in tables and figures.
        level: level index or level id.
        polygon: the area, shapely geometry or WKT, in level-local coordinates [m].
    """

    id: str
    level: int | str
    polygon: shapely.Geometry | str


@dataclass(frozen=True, kw_only=True)
class QueueLine:
    """An exit or connector end at which queues are counted.

    Attributes:
        id: name shown in tables and figures (e.g. the exit id, or ``"stair_1:from"``).
        level: level index or level id.
        line: the segment ``((x1, y1), (x2, y2))`` or ``(x1, y1, x2, y2)`` in level-local coordinates [m].
    """

    id: str
    level: int | str
    line: Sequence[float] | Sequence[Sequence[float]]


@dataclass(frozen=True, kw_only=True)
class SafetySettings:
    """Settings of :class:`SafetyRecorder`.

    Attributes:
        grid: the density grid.
        density_thresholds_p_m2: thresholds of the "time above" measures [P/m²] (strictly above).
        los_bounds_m2_per_p: Fruin LOS lower bounds of area per person for A..E [m²/P].
        warning_thresholds_p_m2: lower bounds of blue, yellow, orange, red [P/m²] (reached = at or above).
        queue_radius_m: a person within this distance of a queue line's segment may be queuing [m].
        queue_max_speed_m_s: ... and is queuing if slower than this [m/s]. 0.3 m/s is the Weidmann speed at
            about 3 P/m² (v(3) = 0.33 m/s, reference §1): walking has turned into shuffling.
        frame_interval_s: store a sparse density frame at most every this many seconds (``None``: never) [s].
    """

    grid: DensityGrid = field(default_factory=DensityGrid)
    density_thresholds_p_m2: tuple[float, ...] = DENSITY_THRESHOLDS_P_M2
    los_bounds_m2_per_p: tuple[float, ...] = FRUIN_WALKWAY_M2_PER_P
    warning_thresholds_p_m2: tuple[float, ...] = WARNING_THRESHOLDS_P_M2
    queue_radius_m: float = 3.0
    queue_max_speed_m_s: float = 0.3
    frame_interval_s: float | None = 5.0

    def __post_init__(self) -> None:
        for name, vals, n in (
            ("los_bounds_m2_per_p", self.los_bounds_m2_per_p, len(LOS_NAMES) - 1),
            ("warning_thresholds_p_m2", self.warning_thresholds_p_m2, len(WARNING_NAMES) - 1),
        ):
            if len(vals) != n:
                raise ScenarioError(f"needs {n} values", field=f"safety.{name}", value=vals)
        if list(self.los_bounds_m2_per_p) != sorted(self.los_bounds_m2_per_p, reverse=True):
            raise ScenarioError("must decrease", field="safety.los_bounds_m2_per_p", value=self.los_bounds_m2_per_p)
        if list(self.warning_thresholds_p_m2) != sorted(self.warning_thresholds_p_m2):
            raise ScenarioError(
                "must increase", field="safety.warning_thresholds_p_m2", value=self.warning_thresholds_p_m2
            )
        if self.queue_radius_m <= 0:
            raise ScenarioError("must be positive", field="safety.queue_radius_m", value=self.queue_radius_m)


# -- the grid ------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False)
class DensityCells:
    """The density grid of a venue, computed once by :func:`build_density_cells`.

    Raw cells are numbered level by level, row-major (``start[l] + iy * nx[l] + ix``). The *reported* cells
    (``cell_*`` arrays, index ``j``) are the raw cells with walkable area whose persons are counted.

    Attributes:
        cell_size_m: cell side [m].
        level_ids: level ids.
        x0, y0: (L,) level-local origin of each level's grid [m].
        offset: (L, 2) offset added to level-local coordinates to get the coordinates agents are given in [m].
        nx, ny: (L,) columns and rows per level; start: (L + 1,) first raw cell of each level.
        raw_area_m2: (R,) walkable area of each raw cell [m²].
        raw_unit: (R,) raw cell whose density a raw cell reports (itself, the cell a sliver merged into,
            or -1 if ignored).
        unit_inv_area: (R,) 1 / walkable area of the merged unit at unit cells, 0 elsewhere [1/m²].
        raw_cell: (C,) raw index of each reported cell.
        cell_level, cell_ix, cell_iy: (C,) level index and column / row of each reported cell.
        cell_x, cell_y: (C,) level-local centre [m]; cell_area_m2: (C,) walkable area [m²].
        geoms: free space of each level (level-local).
    """

    cell_size_m: float
    level_ids: tuple[str, ...]
    x0: np.ndarray
    y0: np.ndarray
    offset: np.ndarray
    nx: np.ndarray
    ny: np.ndarray
    start: np.ndarray
    raw_area_m2: np.ndarray
    raw_unit: np.ndarray
    unit_inv_area: np.ndarray
    raw_cell: np.ndarray
    cell_level: np.ndarray
    cell_ix: np.ndarray
    cell_iy: np.ndarray
    cell_x: np.ndarray
    cell_y: np.ndarray
    cell_area_m2: np.ndarray
    geoms: tuple[shapely.Geometry, ...]

    @property
    def n_cells(self) -> int:
        """Number of reported cells."""
        return int(self.raw_cell.shape[0])

    @property
    def n_raw(self) -> int:
        """Number of raw cells over all levels."""
        return int(self.start[-1])

    def level_index(self, level: int | str) -> int:
        """Index of a level given by index or id."""
        if isinstance(level, str):
            if level not in self.level_ids:
                raise ScenarioError("unknown level", field="level", value=level, fix=f"use one of {self.level_ids}")
            return self.level_ids.index(level)
        if not 0 <= int(level) < len(self.level_ids):
            raise ScenarioError("level index out of range", field="level", value=level)
        return int(level)

    @property
    def levels_apart(self) -> bool:
        """Whether the levels' grids are disjoint in the agents' coordinates (levels can be found by position)."""
        lo = np.column_stack([self.x0, self.y0]) + self.offset
        hi = lo + self.cell_size_m * np.column_stack([self.nx, self.ny])
        overlap = (lo[:, None] < hi[None]) & (lo[None] < hi[:, None])  # (L, L, 2)
        both = overlap.all(axis=2)
        np.fill_diagonal(both, False)
        return not bool(both.any())

    def raw_boxes(self, level: int) -> np.ndarray:
        """Shapely boxes of the raw cells of ``level`` (level-local), in raw order."""
        cs = self.cell_size_m
        iy, ix = np.divmod(np.arange(int(self.nx[level] * self.ny[level])), int(self.nx[level]))
        x = self.x0[level] + ix * cs
        y = self.y0[level] + iy * cs
        return shapely.box(x, y, x + cs, y + cs)


def _as_geom(g: shapely.Geometry | str, what: str) -> shapely.Geometry:
    geom = shapely.from_wkt(g) if isinstance(g, str) else g
    if geom is None or geom.is_empty or geom.area <= 0:
        raise GeometryError("must be a polygon with positive area", field=what, value=g)
    return geom


def build_density_cells(
    *,
    levels: Sequence[shapely.Geometry | str],
    grid: DensityGrid | None = None,
    level_ids: Sequence[str] | None = None,
    offsets: Sequence[Sequence[float]] | np.ndarray | None = None,
) -> DensityCells:
    """Lay the density grid over each level and compute the walkable area of every cell (once per run).

    Each level's grid is aligned to multiples of the cell size. Walkable area = area(cell ∩ free space),
    exact for cells cut by the boundary, ``cell_size²`` for cells inside. Slivers are merged as described in
    the module docstring.

    Args:
        levels: free space of each level (walkable minus obstacles), shapely or WKT, level-local [m].
        grid: density settings (default :class:`DensityGrid`).
        level_ids: level ids (default ``"0", "1", ...``).
        offsets: (L, 2) offset added to level-local coordinates to get the coordinates in which agent
            positions will be given (e.g. ``World.level_offsets``); default zero.

    Returns:
        The grid.

    Raises:
        GeometryError: a level has no area.
    """
    grid = DensityGrid() if grid is None else grid
    geoms = tuple(_as_geom(g, f"levels[{i}]") for i, g in enumerate(levels))
    n_lv = len(geoms)
    ids = tuple(str(i) for i in range(n_lv)) if level_ids is None else tuple(level_ids)
    if len(ids) != n_lv:
        raise ScenarioError("needs one id per level", field="level_ids", value=ids)
    off = np.zeros((n_lv, 2)) if offsets is None else np.asarray(offsets, dtype=float).reshape(n_lv, 2)
    cs = grid.cell_size_m
    x0 = np.empty(n_lv)
    y0 = np.empty(n_lv)
    nx = np.empty(n_lv, dtype=np.int64)
    ny = np.empty(n_lv, dtype=np.int64)
    for i, g in enumerate(geoms):
        minx, miny, maxx, maxy = g.bounds
        x0[i] = np.floor(minx / cs) * cs
        y0[i] = np.floor(miny / cs) * cs
        nx[i] = max(1, int(np.ceil((maxx - x0[i]) / cs - 1e-9)))
        ny[i] = max(1, int(np.ceil((maxy - y0[i]) / cs - 1e-9)))
    start = np.concatenate([[0], np.cumsum(nx * ny)]).astype(np.int64)
    raw_area = np.zeros(int(start[-1]))
    raw_unit = np.full(int(start[-1]), -1, dtype=np.int64)
    full = cs * cs
    proto = DensityCells(
        cell_size_m=cs, level_ids=ids, x0=x0, y0=y0, offset=off, nx=nx, ny=ny, start=start,
        raw_area_m2=raw_area, raw_unit=raw_unit, unit_inv_area=np.zeros(0), raw_cell=np.zeros(0, dtype=np.int64),
        cell_level=np.zeros(0, dtype=np.int64), cell_ix=np.zeros(0, dtype=np.int64),
        cell_iy=np.zeros(0, dtype=np.int64), cell_x=np.zeros(0), cell_y=np.zeros(0), cell_area_m2=np.zeros(0),
        geoms=geoms,
    )  # fmt: skip
    for lv, g in enumerate(geoms):
        boxes = proto.raw_boxes(lv)
        shapely.prepare(g)
        inside = shapely.contains_properly(g, boxes)
        touch = shapely.intersects(g, boxes) & ~inside
        area = np.where(inside, full, 0.0)
        area[touch] = shapely.area(shapely.intersection(boxes[touch], g))
        s, e = int(start[lv]), int(start[lv + 1])
        raw_area[s:e] = area
        raw_unit[s:e] = _merge_slivers(area.reshape(int(ny[lv]), int(nx[lv])), grid.min_walkable_fraction * full) + s
    raw_unit[raw_unit < 0] = -1  # the "+ s" above shifted the ignored marker
    unit_area = np.bincount(raw_unit[raw_unit >= 0], weights=raw_area[raw_unit >= 0], minlength=raw_area.size)
    unit_inv = np.divide(1.0, unit_area, out=np.zeros_like(unit_area), where=unit_area > 0)
    reported = np.flatnonzero((raw_area > 0) & (raw_unit >= 0))
    cell_level = np.searchsorted(start, reported, side="right") - 1
    local = reported - start[cell_level]
    iy, ix = np.divmod(local, nx[cell_level])
    return DensityCells(
        cell_size_m=cs, level_ids=ids, x0=x0, y0=y0, offset=off, nx=nx, ny=ny, start=start,
        raw_area_m2=raw_area, raw_unit=raw_unit, unit_inv_area=unit_inv, raw_cell=reported,
        cell_level=cell_level, cell_ix=ix, cell_iy=iy, cell_x=x0[cell_level] + (ix + 0.5) * cs,
        cell_y=y0[cell_level] + (iy + 0.5) * cs, cell_area_m2=raw_area[reported], geoms=geoms,
    )  # fmt: skip


def _merge_slivers(area: np.ndarray, min_area: float) -> np.ndarray:
    """Unit (flat index within the level) of each cell: itself, the largest non-sliver of its 8 neighbours
    for a sliver (4-neighbours win ties), or a negative number if none qualifies."""
    ny, nx = area.shape
    flat = np.arange(ny * nx).reshape(ny, nx)
    ok = area >= min_area
    cand = np.where(ok, area, -1.0)
    pad = np.pad(cand, 1, constant_values=-1.0)
    pad_idx = np.pad(flat, 1, constant_values=-1)
    shifts = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1))
    nb_area = np.stack([pad[1 + dy : 1 + dy + ny, 1 + dx : 1 + dx + nx] for dy, dx in shifts])
    nb_idx = np.stack([pad_idx[1 + dy : 1 + dy + ny, 1 + dx : 1 + dx + nx] for dy, dx in shifts])
    best = np.argmax(nb_area, axis=0)  # first maximum: 4-neighbours come first
    best_area = np.take_along_axis(nb_area, best[None], axis=0)[0]
    best_idx = np.take_along_axis(nb_idx, best[None], axis=0)[0]
    unit = np.where(ok, flat, np.where(best_area >= min_area, best_idx, -(10**15)))
    return unit.ravel().astype(np.int64)


# -- kernels -------------------------------------------------------------------------------------------
@njit(cache=True)
def _bin_agents(  # type: ignore[no-untyped-def]
    x, y, level, has_level, lx0, ly0, lnx, lny, start, inv_cs, raw_unit, raw_counts, unit_counts, cell_of
):
    """One pass over the agents: raw cell of each agent (-1 outside every grid) and counts per raw cell and
    per merged unit. ``lx0, ly0`` are the grid origins in the agents' coordinates."""
    n_lv = lx0.shape[0]
    for i in range(x.shape[0]):
        cell_of[i] = -1
        lv = -1
        fx = 0.0
        fy = 0.0
        if has_level:
            k = level[i]
            if 0 <= k < n_lv:
                fx = (x[i] - lx0[k]) * inv_cs
                fy = (y[i] - ly0[k]) * inv_cs
                if fx >= 0.0 and fx < lnx[k] and fy >= 0.0 and fy < lny[k]:
                    lv = k
        else:
            for k in range(n_lv):
                fx = (x[i] - lx0[k]) * inv_cs
                fy = (y[i] - ly0[k]) * inv_cs
                if fx >= 0.0 and fx < lnx[k] and fy >= 0.0 and fy < lny[k]:
                    lv = k
                    break
        if lv < 0:
            continue
        c = start[lv] + min(int(fy), lny[lv] - 1) * lnx[lv] + min(int(fx), lnx[lv] - 1)
        cell_of[i] = c
        raw_counts[c] += 1
        u = raw_unit[c]
        if u >= 0:
            unit_counts[u] += 1


@njit(cache=True)
def _queue_kernel(  # type: ignore[no-untyped-def]
    x, y, speed, has_speed, vmax, cell_of, line_start, line_items, seg, r2, out
):
    """Count agents within sqrt(r2) of each segment (candidate lines listed per raw cell) slower than vmax."""
    for i in range(x.shape[0]):
        c = cell_of[i]
        if c < 0:
            continue
        if has_speed and not speed[i] < vmax:
            continue
        for p in range(line_start[c], line_start[c + 1]):
            k = line_items[p]
            ax, ay, bx, by = seg[k, 0], seg[k, 1], seg[k, 2], seg[k, 3]
            dx, dy = bx - ax, by - ay
            ll = dx * dx + dy * dy
            s = 0.0
            if ll > 0.0:
                s = ((x[i] - ax) * dx + (y[i] - ay) * dy) / ll
                s = min(max(s, 0.0), 1.0)
            ex = x[i] - ax - s * dx
            ey = y[i] - ay - s * dy
            if ex * ex + ey * ey <= r2:
                out[k] += 1


def _level_array(level: np.ndarray | None, n: int) -> tuple[np.ndarray, bool]:
    if level is None:
        return np.zeros(0, dtype=np.int64), False
    lv = np.asarray(level)
    if lv.shape != (n,):
        raise ValueError(f"level has shape {lv.shape}, expected ({n},) like x; pass one level index per agent")
    return lv.astype(np.int64, copy=False), True


def _bin(cells: DensityCells, x: np.ndarray, y: np.ndarray, level: np.ndarray | None):  # type: ignore[no-untyped-def]
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of equal length (got {x.shape} and {y.shape})")
    lv, has = _level_array(level, x.shape[0])
    if not has and len(cells.level_ids) > 1 and not cells.levels_apart:
        raise ValueError("the levels' grids overlap, so a person's level cannot be found from x, y; pass level=")
    raw_counts = np.zeros(cells.n_raw, dtype=np.int32)  # int32: half the memory traffic of int64
    unit_counts = np.zeros(cells.n_raw, dtype=np.int32)
    cell_of = np.empty(x.shape[0], dtype=np.int64)
    _bin_agents(
        x, y, lv, has, cells.x0 + cells.offset[:, 0], cells.y0 + cells.offset[:, 1], cells.nx, cells.ny,
        cells.start, 1.0 / cells.cell_size_m, cells.raw_unit, raw_counts, unit_counts, cell_of,
    )  # fmt: skip
    return x, y, raw_counts, unit_counts, cell_of


def _density_from_units(cells: DensityCells, unit_counts: np.ndarray) -> np.ndarray:
    unit_density = unit_counts * cells.unit_inv_area
    return unit_density[cells.raw_unit[cells.raw_cell]]


# -- pure functions ------------------------------------------------------------------------------------
def compute_cell_density(
    *, cells: DensityCells, x: np.ndarray, y: np.ndarray, level: np.ndarray | None = None
) -> np.ndarray:
    """Density of every reported cell [P/m²]: persons in the cell (its merged unit) / walkable area.

    ρ_j = N_u / A_u, with N_u the persons whose centre lies in the unit u of cell j and A_u its walkable
    area (PedPy's classic method on a grid, see the module docstring). O(N + cells).

    Args:
        cells: the grid from :func:`build_density_cells`.
        x, y: positions of the persons still inside [m], in the coordinates of ``offsets``.
        level: level index of each person; ``None`` finds it from the grids' extents (requires levels laid
            out apart, as in ``World``; the first level whose grid contains the point wins).

    Returns:
        (C,) density per reported cell, aligned with ``cells.cell_*`` [P/m²].
    """
    _, _, _, unit_counts, _ = _bin(cells, x, y, level)
    return _density_from_units(cells, unit_counts)


def compute_level_of_service(
    *, density: np.ndarray, bounds_m2_per_p: Sequence[float] = FRUIN_WALKWAY_M2_PER_P
) -> np.ndarray:
    """Fruin walkway level of service of each density: 0 = A ... 5 = F (:data:`LOS_NAMES`).

    LOS A if the area per person 1/ρ ≥ 3.25 m², B if ≥ 2.3, C if ≥ 1.4, D if ≥ 0.93, E if ≥ 0.46, else F
    (Fruin 1971, reference/pedestrian.md §2). A boundary value belongs to the better level; ρ = 0 is A.

    Args:
        density: densities [P/m²], any shape.
        bounds_m2_per_p: lower bounds of area per person for A..E [m²/P], decreasing.

    Returns:
        int8 array of LOS codes, same shape.
    """
    thr = 1.0 / np.asarray(bounds_m2_per_p, dtype=float)  # increasing density bounds
    return np.searchsorted(thr, np.asarray(density, dtype=float), side="left").astype(np.int8)


def compute_warning_level(
    *, density: np.ndarray, thresholds_p_m2: Sequence[float] | np.ndarray = WARNING_THRESHOLDS_P_M2
) -> np.ndarray:
    """Four-colour warning level of each density: 0 none, 1 blue, 2 yellow, 3 orange, 4 red.

    Level k is reached when ρ ≥ threshold k (defaults 2 / 4 / 5 / 7 P/m², see
    :data:`WARNING_THRESHOLDS_P_M2`); simple classification, without hysteresis.

    Args:
        density: densities [P/m²], any shape.
        thresholds_p_m2: increasing lower bounds of blue, yellow, orange, red [P/m²].

    Returns:
        int8 array of warning levels, same shape.
    """
    return np.searchsorted(np.asarray(thresholds_p_m2, float), np.asarray(density, float), side="right").astype(np.int8)


def _hold_durations(t: np.ndarray) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    if t.ndim != 1 or (t.size > 1 and np.any(np.diff(t) < 0)):
        raise ValueError("t must be a 1-D array of non-decreasing times [s]")
    return np.diff(t, append=t[-1] if t.size else 0.0)


def compute_time_above(
    *, t: np.ndarray, density: np.ndarray, thresholds_p_m2: Sequence[float] = DENSITY_THRESHOLDS_P_M2
) -> np.ndarray:
    """Time during which each series is strictly above each threshold [s] (sample and hold).

    T_k = Σ_i (t_{i+1} − t_i) · [ρ_i > θ_k]; the last sample contributes nothing.

    Args:
        t: (T,) recording times [s], non-decreasing.
        density: (T,) or (T, C) densities [P/m²].
        thresholds_p_m2: thresholds θ_k [P/m²].

    Returns:
        (K,) or (K, C) times [s].
    """
    dt = _hold_durations(t)
    d = np.asarray(density, dtype=float)
    if d.ndim not in (1, 2) or d.shape[0] != dt.size:
        raise ValueError(f"density has shape {d.shape}, expected ({dt.size},) or ({dt.size}, C) like t")
    thr = np.asarray(thresholds_p_m2, dtype=float)
    above = (d.reshape(dt.size, -1)[None] > thr[:, None, None]).astype(float)  # (K, T, C)
    out = np.einsum("ktc,t->kc", above, dt)
    return out[:, 0] if d.ndim == 1 else out


def compute_warning_timeline(*, t: np.ndarray, levels: np.ndarray, area_ids: Sequence[str]) -> pd.DataFrame:
    """Episodes of constant warning level per monitoring area (levels above "none" only).

    An episode starts at the first recording time at a level and ends at the first recording time at
    another level (sample and hold), or at the last recording time if it lasts until then.

    Args:
        t: (T,) recording times [s], non-decreasing.
        levels: (T, A) warning levels (:func:`compute_warning_level`).
        area_ids: (A,) area names.

    Returns:
        Columns :data:`WARNING_TIMELINE_COLUMNS` (``warning`` is the colour name), sorted by area then start.
    """
    t = np.asarray(t, dtype=float)
    lv = np.asarray(levels).reshape(t.size, len(area_ids))
    _hold_durations(t)
    if t.size == 0:
        return pd.DataFrame({c: [] for c in WARNING_TIMELINE_COLUMNS})
    padded = np.vstack([np.zeros((1, lv.shape[1]), lv.dtype), lv, np.zeros((1, lv.shape[1]), lv.dtype)])
    change = padded[1:] != padded[:-1]  # (T + 1, A): change[i] = level differs between i-1 and i
    rows_a, rows_s, rows_e, rows_l = [], [], [], []
    for a in range(lv.shape[1]):
        edges = np.flatnonzero(change[:, a])
        starts, ends = edges[:-1], edges[1:]
        level = lv[starts, a] if starts.size else np.zeros(0, lv.dtype)
        keep = level > 0
        rows_a.append(np.full(int(keep.sum()), a))
        rows_s.append(t[starts[keep]])
        rows_e.append(t[np.minimum(ends[keep], t.size - 1)])
        rows_l.append(level[keep])
    names = np.asarray(WARNING_NAMES, dtype=object)
    ids = np.asarray(list(area_ids), dtype=object)
    return pd.DataFrame(
        {
            AREA: ids[np.concatenate(rows_a).astype(int)] if rows_a else [],
            WARNING: names[np.concatenate(rows_l).astype(int)] if rows_l else [],
            START_S: np.concatenate(rows_s) if rows_s else [],
            END_S: np.concatenate(rows_e) if rows_e else [],
        },
        columns=list(WARNING_TIMELINE_COLUMNS),
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class _QueueIndex:
    ids: tuple[str, ...]
    seg: np.ndarray  # (K, 4) in agents' coordinates
    line_start: np.ndarray  # (R + 1,) CSR over raw cells
    line_items: np.ndarray
    r2: float


def _queue_index(cells: DensityCells, lines: Sequence[QueueLine], radius: float) -> _QueueIndex:
    seg = np.zeros((len(lines), 4))
    pairs_c, pairs_k = [], []
    for k, q in enumerate(lines):
        lv = cells.level_index(q.level)
        coords = np.asarray(q.line, dtype=float).reshape(4)
        seg[k] = coords + np.tile(cells.offset[lv], 2)
        zone = shapely.LineString(coords.reshape(2, 2)).buffer(radius)
        s = int(cells.start[lv])
        hit = np.flatnonzero(shapely.intersects(zone, cells.raw_boxes(lv))) + s
        pairs_c.append(hit)
        pairs_k.append(np.full(hit.size, k))
    c = np.concatenate(pairs_c) if pairs_c else np.zeros(0, np.int64)
    kk = np.concatenate(pairs_k) if pairs_k else np.zeros(0, np.int64)
    order = np.argsort(c, kind="stable")
    line_start = np.concatenate([[0], np.cumsum(np.bincount(c, minlength=cells.n_raw))]).astype(np.int64)
    return _QueueIndex(
        ids=tuple(q.id for q in lines), seg=seg, line_start=line_start,
        line_items=kk[order].astype(np.int64), r2=radius * radius,
    )  # fmt: skip


def compute_queue_lengths(
    *,
    cells: DensityCells,
    lines: Sequence[QueueLine],
    x: np.ndarray,
    y: np.ndarray,
    level: np.ndarray | None = None,
    speed: np.ndarray | None = None,
    radius_m: float = 3.0,
    max_speed_m_s: float = 0.3,
) -> np.ndarray:
    """Queue length at each line: persons within ``radius_m`` of the segment and slower than ``max_speed_m_s``.

    Q_k = #{i : dist(p_i, segment_k) ≤ r and |v_i| < v_q}, on the same level. Without ``speed`` every person
    near the line counts (a crowding count, not a queue). A person near two lines counts at both.

    Args:
        cells: the grid (used to find the persons near each line cheaply).
        lines: exits / connector ends.
        x, y: positions of the persons inside [m]; level: level index per person (see
            :func:`compute_cell_density`).
        speed: speed of each person over the last step [m/s], optional.
        radius_m: queue radius r [m]; max_speed_m_s: queue speed v_q [m/s].

    Returns:
        (K,) int64 persons queuing per line.
    """
    x, y, _, _, cell_of = _bin(cells, x, y, level)
    return _queue_counts(_queue_index(cells, lines, radius_m), x, y, cell_of, speed, max_speed_m_s)


def _queue_counts(
    idx: _QueueIndex, x: np.ndarray, y: np.ndarray, cell_of: np.ndarray, speed: np.ndarray | None, vmax: float
) -> np.ndarray:
    out = np.zeros(len(idx.ids), dtype=np.int64)
    if not idx.ids:
        return out
    has = speed is not None
    sp = np.ascontiguousarray(speed, dtype=np.float64) if has else np.zeros(0)
    if has and sp.shape != x.shape:
        raise ValueError(f"speed has shape {sp.shape}, expected {x.shape} like x")
    _queue_kernel(x, y, sp, has, vmax, cell_of, idx.line_start, idx.line_items, idx.seg, idx.r2, out)
    return out


# -- the recorder --------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False)
class _AreaIndex:
    ids: tuple[str, ...]
    level: np.ndarray  # (A,)
    polys: tuple[shapely.Geometry, ...]  # level-local
    walk_m2: np.ndarray  # (A,) walkable area inside each area
    inside_cells: tuple[np.ndarray, ...]  # raw cells fully inside each area
    boundary: np.ndarray  # (A, R + 1) bool: raw cell cut by the area's boundary; last column False (cell -1)
    boundary_any: np.ndarray  # (R + 1,)


def _area_index(cells: DensityCells, areas: Sequence[MonitoringArea]) -> _AreaIndex:
    n_raw = cells.n_raw
    boundary = np.zeros((len(areas), n_raw + 1), dtype=bool)
    inside_cells, levels, polys, walk = [], [], [], []
    for a, m in enumerate(areas):
        lv = cells.level_index(m.level)
        poly = _as_geom(m.polygon, f"monitoring_areas[{a}].polygon")
        shapely.prepare(poly)
        free = shapely.intersection(poly, cells.geoms[lv]).area
        if free <= 0:
            raise GeometryError(
                f"monitoring area '{m.id}' has no walkable area on level '{cells.level_ids[lv]}'",
                field=f"monitoring_areas[{a}].polygon", value=m.polygon,
                fix="draw the area over the level's free space, in level-local coordinates",
            )  # fmt: skip
        boxes = cells.raw_boxes(lv)
        s = int(cells.start[lv])
        full = shapely.contains(poly, boxes)
        cut = shapely.intersects(poly, boxes) & ~full
        inside_cells.append(np.flatnonzero(full) + s)
        boundary[a, np.flatnonzero(cut) + s] = True
        levels.append(lv)
        polys.append(poly)
        walk.append(free)
    return _AreaIndex(
        ids=tuple(m.id for m in areas), level=np.asarray(levels, dtype=np.int64), polys=tuple(polys),
        walk_m2=np.asarray(walk, dtype=float), inside_cells=tuple(inside_cells), boundary=boundary,
        boundary_any=np.asarray(boundary.any(axis=0), dtype=bool),
    )  # fmt: skip


class SafetyRecorder:
    """Accumulates the crowd-safety measures of one run; call :meth:`record` at every recording time.

    Per call the cost is one numba pass over the agents, O(cells) numpy work, and a point-in-polygon test
    only for the agents in cells cut by a monitoring area's boundary.

    Args:
        levels: free space of each level (walkable minus obstacles), shapely or WKT, level-local [m].
        level_ids: level ids (default ``"0", "1", ...``).
        offsets: (L, 2) offset from level-local coordinates to the coordinates of the positions given to
            :meth:`record` (e.g. ``World.level_offsets``); default zero.
        monitoring_areas: areas for the four-colour warnings.
        queue_lines: exits and connector ends at which queues are counted.
        settings: thresholds and grid (default :class:`SafetySettings`).
    """

    def __init__(
        self,
        *,
        levels: Sequence[shapely.Geometry | str],
        level_ids: Sequence[str] | None = None,
        offsets: Sequence[Sequence[float]] | np.ndarray | None = None,
        monitoring_areas: Sequence[MonitoringArea] = (),
        queue_lines: Sequence[QueueLine] = (),
        settings: SafetySettings | None = None,
    ) -> None:
        self.settings = SafetySettings() if settings is None else settings
        s = self.settings
        self.cells = build_density_cells(levels=levels, grid=s.grid, level_ids=level_ids, offsets=offsets)
        self._areas = _area_index(self.cells, monitoring_areas)
        self._queues = _queue_index(self.cells, queue_lines, s.queue_radius_m)
        c = self.cells.n_cells
        n_lv = len(self.cells.level_ids)
        self._thr = np.asarray(s.density_thresholds_p_m2, dtype=float)
        self._los_thr = 1.0 / np.asarray(s.los_bounds_m2_per_p, dtype=float)
        self._warn_thr = np.asarray(s.warning_thresholds_p_m2, dtype=float)
        self._n_los = len(LOS_NAMES)
        self._los_bin = self.cells.cell_level * self._n_los  # offset of each cell's (level, LOS) bin
        self._n_lv = n_lv
        # per-cell accumulators
        self.max_density = np.zeros(c)
        self.time_above = np.zeros((self._thr.size, c))
        self.worst_los = np.zeros(c, dtype=np.int8)
        self.time_los = np.zeros((2, c))  # E, F
        self.venue_time_above = np.zeros(self._thr.size)
        # previous frame (sample and hold)
        self._t_prev: float | None = None
        self._prev_above: np.ndarray | None = None
        self._prev_los_ef: np.ndarray | None = None
        self._prev_max = 0.0
        # compact series
        self._t: list[float] = []
        self._los_cells: list[np.ndarray] = []
        self._los_area: list[np.ndarray] = []
        self._area_persons: list[np.ndarray] = []
        self._queue: list[np.ndarray] = []
        self._frames: list[tuple[float, np.ndarray, np.ndarray]] = []
        self._next_frame_t = -np.inf

    # -- recording ------------------------------------------------------------------------------------
    def record(
        self,
        *,
        t: float,
        x: np.ndarray,
        y: np.ndarray,
        level: np.ndarray | None = None,
        speed: np.ndarray | None = None,
    ) -> np.ndarray:
        """Add the state at time ``t``.

        Args:
            t: simulated time [s], non-decreasing between calls.
            x, y: positions of the persons still inside [m] (coordinates of ``offsets``).
            level: level index per person, or ``None`` to locate levels by position (see
                :func:`compute_cell_density`).
            speed: speed per person [m/s] for the queue counts; without it every person near a line counts.

        Returns:
            (C,) the density per reported cell at ``t`` [P/m²] (e.g. for the live dashboard).
        """
        t = float(t)
        if self._t_prev is not None and t < self._t_prev:
            raise ValueError(f"record() called with t = {t} s after t = {self._t_prev} s; times must not decrease")
        x, y, raw_counts, unit_counts, cell_of = _bin(self.cells, x, y, level)
        dens = _density_from_units(self.cells, unit_counts)
        # durations of the previous frame (sample and hold)
        if self._t_prev is not None and self._prev_above is not None and self._prev_los_ef is not None:
            dt = t - self._t_prev
            if dt > 0:
                self.time_above += dt * self._prev_above
                self.time_los += dt * self._prev_los_ef
                self.venue_time_above += dt * (self._prev_max > self._thr)
        np.maximum(self.max_density, dens, out=self.max_density)
        self._prev_above = dens[None, :] > self._thr[:, None]
        self._prev_max = float(dens.max()) if dens.size else 0.0
        los = np.searchsorted(self._los_thr, dens, side="left").astype(np.int8)
        np.maximum(self.worst_los, los, out=self.worst_los)
        self._prev_los_ef = np.stack([los == 4, los == 5])
        binned = self._los_bin + los
        size = self._n_lv * self._n_los
        self._los_cells.append(np.bincount(binned, minlength=size).astype(np.int32))
        self._los_area.append(np.bincount(binned, weights=self.cells.cell_area_m2, minlength=size))
        self._area_persons.append(self._count_areas(x, y, raw_counts, cell_of))
        self._queue.append(_queue_counts(self._queues, x, y, cell_of, speed, self.settings.queue_max_speed_m_s))
        fi = self.settings.frame_interval_s
        if fi is not None and t >= self._next_frame_t - 1e-9:
            nz = np.flatnonzero(dens > 0)
            self._frames.append((t, nz.astype(np.int32), dens[nz].astype(np.float32)))
            self._next_frame_t = t + fi
        self._t.append(t)
        self._t_prev = t
        return dens

    def _count_areas(self, x: np.ndarray, y: np.ndarray, raw_counts: np.ndarray, cell_of: np.ndarray) -> np.ndarray:
        ar = self._areas
        out = np.zeros(len(ar.ids), dtype=np.int64)
        if not ar.ids:
            return out
        near = np.flatnonzero(ar.boundary_any[cell_of])  # cell -1 -> last column, always False
        c_near = cell_of[near]
        for a, poly in enumerate(ar.polys):
            n_in = int(raw_counts[ar.inside_cells[a]].sum())
            sel = near[ar.boundary[a, c_near]]
            if sel.size:
                off = self.cells.offset[ar.level[a]]
                n_in += int(shapely.contains_xy(poly, x[sel] - off[0], y[sel] - off[1]).sum())
            out[a] = n_in
        return out

    # -- results -----------------------------------------------------------------------------------------
    @property
    def times(self) -> np.ndarray:
        """Recording times [s]."""
        return np.asarray(self._t, dtype=float)

    def area_series(self) -> pd.DataFrame:
        """Persons, density and warning level of every monitoring area at every recording time.

        Density = persons inside the area / walkable area of the area [P/m²] (exact point-in-polygon count).

        Returns:
            Columns :data:`AREA_SERIES_COLUMNS`, ``warning`` as colour name.
        """
        ar = self._areas
        t = self.times
        persons = np.asarray(self._area_persons, dtype=float).reshape(t.size, len(ar.ids))
        dens = persons / ar.walk_m2 if ar.ids else persons
        warn = compute_warning_level(density=dens, thresholds_p_m2=self._warn_thr)
        names = np.asarray(WARNING_NAMES, dtype=object)
        return pd.DataFrame(
            {
                T_S: np.repeat(t, len(ar.ids)),
                AREA: np.tile(np.asarray(ar.ids, dtype=object), t.size),
                PERSONS: persons.ravel().astype(np.int64),
                DENSITY: dens.ravel(),
                WARNING: names[warn.ravel()],
            },
            columns=list(AREA_SERIES_COLUMNS),
        )

    def warning_timeline(self) -> pd.DataFrame:
        """Warning episodes per monitoring area (:func:`compute_warning_timeline`)."""
        ar = self._areas
        t = self.times
        persons = np.asarray(self._area_persons, dtype=float).reshape(t.size, len(ar.ids))
        dens = persons / ar.walk_m2 if ar.ids else persons
        levels = compute_warning_level(density=dens, thresholds_p_m2=self._warn_thr)
        return compute_warning_timeline(t=t, levels=levels, area_ids=ar.ids)

    def los_timeline(self) -> pd.DataFrame:
        """Number and walkable area of the cells in each Fruin LOS, per level, at every recording time."""
        t = self.times
        n_lv, n_los = self._n_lv, self._n_los
        cells = np.asarray(self._los_cells).reshape(t.size, n_lv * n_los)
        area = np.asarray(self._los_area).reshape(t.size, n_lv * n_los)
        return pd.DataFrame(
            {
                T_S: np.repeat(t, n_lv * n_los),
                LEVEL: np.tile(np.repeat(np.asarray(self.cells.level_ids, dtype=object), n_los), t.size),
                LOS: np.tile(np.asarray(LOS_NAMES * n_lv, dtype=object), t.size),
                CELLS: cells.ravel().astype(np.int64),
                AREA_M2: area.ravel(),
            },
            columns=list(LOS_TIMELINE_COLUMNS),
        )

    def queue_series(self) -> pd.DataFrame:
        """Queue length at every queue line and recording time."""
        t = self.times
        k = len(self._queues.ids)
        q = np.asarray(self._queue, dtype=np.int64).reshape(t.size, k)
        return pd.DataFrame(
            {T_S: np.repeat(t, k), LINE: np.tile(np.asarray(self._queues.ids, dtype=object), t.size), QUEUE: q.ravel()},
            columns=list(QUEUE_COLUMNS),
        )

    def density_frames(self) -> pd.DataFrame:
        """Stored density frames (every ``frame_interval_s``), sparse: only cells with persons."""
        c = self.cells
        if not self._frames:
            return pd.DataFrame({col: [] for col in DENSITY_FRAME_COLUMNS})
        idx = np.concatenate([f[1] for f in self._frames]).astype(np.int64)
        t = np.concatenate([np.full(f[1].size, f[0]) for f in self._frames])
        return pd.DataFrame(
            {
                T_S: t,
                LEVEL: np.asarray(c.level_ids, dtype=object)[c.cell_level[idx]],
                IX: c.cell_ix[idx],
                IY: c.cell_iy[idx],
                X_M: c.cell_x[idx],
                Y_M: c.cell_y[idx],
                DENSITY: np.concatenate([f[2] for f in self._frames]).astype(float),
            },
            columns=list(DENSITY_FRAME_COLUMNS),
        )

    def cell_table(self) -> pd.DataFrame:
        """Every reported cell with its maximum density, time above each threshold, worst LOS (name) and
        time in LOS E and F [s]."""
        c = self.cells
        data: dict[str, np.ndarray] = {
            LEVEL: np.asarray(c.level_ids, dtype=object)[c.cell_level],
            IX: c.cell_ix,
            IY: c.cell_iy,
            X_M: c.cell_x,
            Y_M: c.cell_y,
            AREA_M2: c.cell_area_m2,
            MAX_DENSITY: self.max_density.copy(),
        }
        for k, thr in enumerate(self._thr):
            data[time_above_column(float(thr))] = self.time_above[k].copy()
        data[WORST_LOS] = np.asarray(LOS_NAMES, dtype=object)[self.worst_los]
        data[TIME_LOS_E] = self.time_los[0].copy()
        data[TIME_LOS_F] = self.time_los[1].copy()
        return pd.DataFrame(data)

    def summary(self) -> dict[str, object]:
        """Keys for the run's JSON summary.

        ``max_density_p_m2`` (over cells and time), ``time_above_<θ>_p_m2_s`` (time during which at least one
        cell is above θ), ``area_time_above_<θ>_p_m2_m2s`` (Σ cell area x time above θ [m²·s]), ``max_queue``
        (line id -> persons), ``warnings`` (colour -> number of episodes), ``density_cell_m``.
        """
        out: dict[str, object] = {"max_density_p_m2": round(float(self.max_density.max(initial=0.0)), 3)}
        area_time = self.time_above @ self.cells.cell_area_m2
        for k, thr in enumerate(self._thr):
            out[time_above_column(float(thr))] = round(float(self.venue_time_above[k]), 3)
        for k, thr in enumerate(self._thr):
            out[f"area_time_above_{density_key(float(thr))}_p_m2_m2s"] = round(float(area_time[k]), 3)
        q = np.asarray(self._queue, dtype=np.int64).reshape(len(self._t), len(self._queues.ids))
        out["max_queue"] = {i: int(q[:, k].max(initial=0)) for k, i in enumerate(self._queues.ids)}
        tl = self.warning_timeline()
        counts = tl[WARNING].value_counts()
        out["warnings"] = {name: int(counts.get(name, 0)) for name in WARNING_NAMES[1:]}
        out["density_cell_m"] = self.cells.cell_size_m
        return out
