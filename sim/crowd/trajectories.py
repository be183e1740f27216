"""Write agent trajectories as JuPedSim SQLite trajectory files.

The files written here use the JuPedSim SQLite trajectory format, database
version 2 (the newest version written by JuPedSim 1.x and read by PedPy 1.5),
so they can be analysed directly with::

    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=path)
    area = pedpy.load_walkable_area_from_jupedsim_sqlite(trajectory_file=path)

and replayed with ``jupedsim.Recording`` / the JuPedSim visualizer.

Schema (version 2)::

    trajectory_data(frame INTEGER NOT NULL, id INTEGER NOT NULL,
                    pos_x REAL NOT NULL, pos_y REAL NOT NULL,
                    ori_x REAL NOT NULL, ori_y REAL NOT NULL)
    metadata(key TEXT NOT NULL UNIQUE PRIMARY KEY, value TEXT NOT NULL)
    geometry(hash INTEGER NOT NULL, wkt TEXT NOT NULL)
    frame_data(frame INTEGER NOT NULL, geometry_hash INTEGER NOT NULL)
    INDEX frame_id_idx ON trajectory_data(frame, id)
    UNIQUE INDEX geometry_hash ON geometry(hash)

``metadata`` always holds ``version`` (``"2"``), ``fps`` and the walkable
area bounds ``xmin``, ``xmax``, ``ymin``, ``ymax`` (metres); caller-supplied
metadata is stored next to them as text. Rows of ``trajectory_data`` are
stored sorted by ``(frame, id)``: PedPy reads the table without ``ORDER BY``
and its speed computations assume each agent's rows are in frame order.
``geometry`` holds one row (the walkable area) and ``frame_data`` maps every
frame that has at least one agent row to it; the geometry hash is a
deterministic 64-bit value derived from SHA-256 of the WKT (JuPedSim uses
Python's per-process salted ``hash``, so only uniqueness matters).

Units: positions in metres (m), orientation as a dimensionless unit vector,
frame rate in frames per second (1/s).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import pathlib
import sqlite3
import stat
import tempfile
import warnings
from collections.abc import Iterator, Mapping

import numpy as np
import numpy.typing as npt
import shapely

__all__ = [
    "JUPEDSIM_SQLITE_VERSION",
    "RESERVED_METADATA_KEYS",
    "TrajectoryRecorder",
    "write_trajectory_sqlite",
]

JUPEDSIM_SQLITE_VERSION = 2
"""JuPedSim SQLite database version written by this module."""

RESERVED_METADATA_KEYS = frozenset({"version", "fps", "xmin", "xmax", "ymin", "ymax"})
"""Metadata keys written by the format itself; callers may not override them."""

_ROWS_PER_BATCH = 65_536
"""Rows converted to Python objects at a time (bounds peak memory of a write)."""

_ROWS_PER_STATEMENT = 100
"""Rows per multi-row INSERT (600 parameters, below SQLite's historic limit of 999).

One ``executemany`` item then binds 100 rows, which is 2-3x faster than one
statement execution per row.
"""

_NEW_FILE_MODE = 0o644
"""Permission bits of a newly created trajectory file (an existing file keeps its own)."""

_SCHEMA = (
    "CREATE TABLE trajectory_data ("
    " frame INTEGER NOT NULL,"
    " id INTEGER NOT NULL,"
    " pos_x REAL NOT NULL,"
    " pos_y REAL NOT NULL,"
    " ori_x REAL NOT NULL,"
    " ori_y REAL NOT NULL)",
    "CREATE TABLE metadata(key TEXT NOT NULL UNIQUE PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE geometry(hash INTEGER NOT NULL, wkt TEXT NOT NULL)",
    "CREATE UNIQUE INDEX geometry_hash ON geometry(hash)",
    "CREATE TABLE frame_data(frame INTEGER NOT NULL, geometry_hash INTEGER NOT NULL)",
)
_INDEXES = ("CREATE INDEX frame_id_idx ON trajectory_data(frame, id)",)


def write_trajectory_sqlite(
    path: str | os.PathLike[str],
    *,
    frame: npt.ArrayLike,
    agent_id: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    ori_x: npt.ArrayLike,
    ori_y: npt.ArrayLike,
    fps: float,
    walkable_wkt: str,
    metadata: Mapping[str, str] | None = None,
) -> pathlib.Path:
    """Write trajectories atomically as a JuPedSim SQLite (version 2) file.

    All arrays are 1-D, of equal length, one entry per (frame, agent) sample.
    The rows are sorted by ``(frame, id)`` before writing. The file is first
    written completely to a temporary file in the directory of ``path``,
    flushed to disk and then moved onto ``path`` with :func:`os.replace`: an
    existing file at ``path`` stays untouched until the new one is complete,
    and a failed or interrupted write leaves no partial file behind.

    Walkable area: a ``POLYGON`` is stored verbatim. The parts of a
    ``MULTIPOLYGON`` are merged with a union; if they merge into one polygon
    (parts touching or overlapping) that polygon is stored, which is what
    ``pedpy.load_walkable_area_from_jupedsim_sqlite`` needs. If the parts are
    disjoint (e.g. building levels laid side by side), the multipolygon is
    stored unchanged and a :class:`UserWarning` is emitted: the trajectories
    still load with ``pedpy.load_trajectory_from_jupedsim_sqlite``, but
    PedPy's walkable-area loader will refuse the geometry, so build one
    ``pedpy.WalkableArea`` per part yourself.

    Args:
        path: Target file, e.g. ``"run.sqlite"``. Its directory must exist.
        frame: Frame number of each row (integers, frame ``k`` is at time
            ``k / fps`` seconds).
        agent_id: Agent id of each row (integers).
        x: x position of each row in metres (m), finite.
        y: y position of each row in metres (m), finite.
        ori_x: x component of the agent orientation (e.g. walking
            direction); normalised to unit length on writing.
        ori_y: y component of the agent orientation. Rows whose orientation
            is zero or not finite are written as ``(1, 0)``.
        fps: Frame rate of ``frame`` in frames per second (1/s), > 0.
        walkable_wkt: Walkable area as a shapely ``POLYGON`` or
            ``MULTIPOLYGON`` WKT, coordinates in metres (m).
        metadata: Extra key/value pairs (e.g. seed, code version, scenario
            name, level offsets) stored as text in the ``metadata`` table.
            Keys must not be one of :data:`RESERVED_METADATA_KEYS`.

    Returns:
        The absolute path of the written file.

    Raises:
        ValueError: On arrays of unequal length or wrong shape/type,
            non-finite positions, duplicate ``(frame, id)`` rows, ``fps <= 0``,
            an empty recording, an unusable walkable area, or metadata keys
            that collide with the format's own keys.
    """
    fps_value = _validate_fps(fps)
    stored_wkt, bounds = _normalise_walkable_wkt(walkable_wkt)
    meta_rows = _metadata_rows(fps=fps_value, bounds=bounds, metadata=metadata)
    columns = _validate_columns(frame=frame, agent_id=agent_id, x=x, y=y, ori_x=ori_x, ori_y=ori_y)
    frames, ids, xs, ys, oxs, oys = _sort_and_check_unique(*columns)
    oxs, oys = _normalise_orientation(oxs, oys)

    target = pathlib.Path(os.fspath(path)).absolute()
    geometry_hash = _geometry_hash(stored_wkt)
    distinct_frames = np.unique(frames)

    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = pathlib.Path(tmp_name)
    try:
        con = sqlite3.connect(tmp_path, isolation_level=None)
        try:
            # Durability and crash safety come from the temporary file plus
            # fsync + os.replace below, so SQLite's journal is not needed.
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            cur = con.cursor()
            cur.execute("BEGIN")
            for statement in _SCHEMA:
                cur.execute(statement)
            cur.executemany("INSERT INTO metadata(key, value) VALUES(?, ?)", meta_rows)
            cur.execute("INSERT INTO geometry(hash, wkt) VALUES(?, ?)", (geometry_hash, stored_wkt))
            cur.executemany(
                "INSERT INTO frame_data(frame, geometry_hash) VALUES(?, ?)",
                ((f, geometry_hash) for f in distinct_frames.tolist()),
            )
            _insert_trajectory_rows(cur, (frames, ids, xs, ys, oxs, oys))
            # Building the index once after the bulk insert is much faster
            # than maintaining it row by row.
            for statement in _INDEXES:
                cur.execute(statement)
            cur.execute("COMMIT")
        finally:
            con.close()
        _set_file_mode(tmp_path, target)
        _fsync_file(tmp_path)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise
    _fsync_directory(target.parent)
    return target


class TrajectoryRecorder:
    """Collects frames during a run (numpy chunks, never row-by-row DataFrames) and writes them once.

    Each :meth:`record` call copies one frame's arrays into an in-memory
    chunk (the caller may reuse its buffers afterwards); :meth:`write`
    concatenates the chunks and hands them to :func:`write_trajectory_sqlite`.
    The same frame number may be recorded more than once (e.g. one call per
    building level) as long as no ``(frame, agent_id)`` pair repeats.

    Example::

        rec = TrajectoryRecorder(fps=10.0, walkable_wkt=area.wkt, metadata={"seed": "42"})
        for k in range(n_frames):
            ...  # advance the simulation
            rec.record(frame=k, agent_id=ids, x=px, y=py, ori_x=vx, ori_y=vy)
        rec.write("out/run.sqlite")
    """

    def __init__(
        self,
        *,
        fps: float,
        walkable_wkt: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Create an empty recorder; the inputs are validated here, before the run.

        Args:
            fps: Rate at which frames are recorded, in frames per second (1/s), > 0.
            walkable_wkt: Walkable area as ``POLYGON`` or ``MULTIPOLYGON`` WKT
                in metres (m); see :func:`write_trajectory_sqlite` for how a
                multipolygon is stored.
            metadata: Extra key/value pairs stored as text in the file's
                ``metadata`` table (e.g. seed, code version, scenario name).

        Raises:
            ValueError: If ``fps <= 0``, the walkable area is not a valid
                polygonal WKT, or a metadata key is reserved by the format.
        """
        self._fps = _validate_fps(fps)
        _normalise_walkable_wkt(walkable_wkt)
        self._walkable_wkt = walkable_wkt
        self._metadata = {str(k): str(v) for k, v in (metadata or {}).items()}
        _metadata_rows(fps=self._fps, bounds=(0.0, 0.0, 0.0, 0.0), metadata=self._metadata)
        self._frame_numbers: list[int] = []
        self._frame_counts: list[int] = []
        self._distinct_frames: set[int] = set()
        self._chunks: list[tuple[np.ndarray, ...]] = []
        self._rows = 0

    @property
    def fps(self) -> float:
        """Recording frame rate in frames per second (1/s)."""
        return self._fps

    @property
    def metadata(self) -> dict[str, str]:
        """Extra metadata written with the file; a live dict that may be updated before :meth:`write`.

        Keys are validated (not in :data:`RESERVED_METADATA_KEYS`) when writing.
        """
        return self._metadata

    @property
    def frames(self) -> int:
        """Number of distinct frame numbers recorded so far (frames with zero agents included)."""
        return len(self._distinct_frames)

    @property
    def rows(self) -> int:
        """Number of (frame, agent) samples recorded so far."""
        return self._rows

    def record(
        self,
        *,
        frame: int,
        agent_id: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        ori_x: np.ndarray,
        ori_y: np.ndarray,
    ) -> None:
        """Record the state of the agents at one frame.

        Args:
            frame: Frame number (integer; time ``frame / fps`` seconds).
            agent_id: Ids of the agents present in this frame (integers).
            x: x positions in metres (m), finite.
            y: y positions in metres (m), finite.
            ori_x: x components of the agents' orientation (e.g. walking
                direction); any length, normalised when written.
            ori_y: y components of the agents' orientation; zero vectors are
                written as ``(1, 0)``.

        Raises:
            ValueError: If the arrays differ in length or are not 1-D, the
                ids are not integers, positions are not finite, or
                ``frame`` is not an integer.
        """
        if isinstance(frame, (bool, np.bool_)) or not isinstance(frame, (int, np.integer)):
            raise ValueError(f"frame must be an integer, got {frame!r}")
        ids, xs, ys, oxs, oys = _validate_columns(agent_id=agent_id, x=x, y=y, ori_x=ori_x, ori_y=ori_y)
        # Copies: the simulation typically updates its arrays in place.
        self._chunks.append((ids.copy(), xs.copy(), ys.copy(), oxs.copy(), oys.copy()))
        self._frame_numbers.append(int(frame))
        self._frame_counts.append(ids.shape[0])
        self._distinct_frames.add(int(frame))
        self._rows += ids.shape[0]

    def write(self, path: str | os.PathLike[str]) -> pathlib.Path:
        """Write everything recorded so far atomically to ``path``.

        The recorder keeps its data, so it can be written again later.

        Args:
            path: Target SQLite file; an existing file is replaced only once
                the new file is complete.

        Returns:
            The absolute path of the written file.

        Raises:
            ValueError: If nothing (no agent rows) was recorded, or on
                duplicate ``(frame, agent_id)`` rows.
        """
        if self._rows == 0:
            raise ValueError("cannot write an empty recording: no agent rows were recorded")
        frame = np.repeat(
            np.asarray(self._frame_numbers, dtype=np.int64),
            np.asarray(self._frame_counts, dtype=np.int64),
        )
        ids, xs, ys, oxs, oys = (np.concatenate([chunk[i] for chunk in self._chunks]) for i in range(5))
        return write_trajectory_sqlite(
            path,
            frame=frame,
            agent_id=ids,
            x=xs,
            y=ys,
            ori_x=oxs,
            ori_y=oys,
            fps=self._fps,
            walkable_wkt=self._walkable_wkt,
            metadata=self._metadata,
        )


# --------------------------------------------------------------------------
# helpers


def _validate_fps(fps: float) -> float:
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise ValueError(f"fps must be a number > 0 (frames per second), got {fps!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"fps must be a finite number > 0 (frames per second), got {fps!r}")
    return value


def _normalise_walkable_wkt(walkable_wkt: str) -> tuple[str, tuple[float, float, float, float]]:
    """Return the WKT to store and its bounds (xmin, ymin, xmax, ymax) in metres."""
    if not isinstance(walkable_wkt, str) or not walkable_wkt.strip():
        raise ValueError("walkable_wkt must be a non-empty POLYGON or MULTIPOLYGON WKT string")
    try:
        geometry = shapely.from_wkt(walkable_wkt)
    except shapely.errors.GEOSException as exc:
        raise ValueError(f"walkable_wkt is not valid WKT: {exc}") from None
    if not isinstance(geometry, (shapely.Polygon, shapely.MultiPolygon)):
        raise ValueError(f"walkable_wkt must be a POLYGON or MULTIPOLYGON, got {geometry.geom_type.upper()}")
    if geometry.is_empty or geometry.area <= 0:
        raise ValueError("walkable_wkt must cover a non-zero area")
    # Parts of a MULTIPOLYGON may share edges (rooms meeting at a wall line):
    # not OGC-valid as a whole, but PedPy unions the parts, so check each part.
    parts = [geometry] if isinstance(geometry, shapely.Polygon) else list(geometry.geoms)
    for part in parts:
        if not part.is_valid:
            raise ValueError(f"walkable_wkt is not a valid polygon: {shapely.is_valid_reason(part)}")
    if isinstance(geometry, shapely.Polygon):
        return walkable_wkt.strip(), geometry.bounds
    merged = shapely.union_all(parts)
    if isinstance(merged, shapely.Polygon):
        return shapely.to_wkt(merged, rounding_precision=-1), merged.bounds
    warnings.warn(
        f"walkable_wkt is a MULTIPOLYGON of {len(geometry.geoms)} disjoint parts: it is stored "
        "unchanged, trajectories load with pedpy, but "
        "pedpy.load_walkable_area_from_jupedsim_sqlite will reject it",
        UserWarning,
        stacklevel=3,
    )
    return walkable_wkt.strip(), geometry.bounds


def _metadata_rows(
    *,
    fps: float,
    bounds: tuple[float, float, float, float],
    metadata: Mapping[str, str] | None,
) -> list[tuple[str, str]]:
    xmin, ymin, xmax, ymax = bounds
    rows = [
        ("version", str(JUPEDSIM_SQLITE_VERSION)),
        ("fps", repr(fps)),
        ("xmin", repr(float(xmin))),
        ("xmax", repr(float(xmax))),
        ("ymin", repr(float(ymin))),
        ("ymax", repr(float(ymax))),
    ]
    for key, value in (metadata or {}).items():
        key_text = str(key)
        if key_text in RESERVED_METADATA_KEYS:
            raise ValueError(
                f"metadata key {key_text!r} is reserved by the JuPedSim format "
                f"(reserved: {', '.join(sorted(RESERVED_METADATA_KEYS))})"
            )
        rows.append((key_text, str(value)))
    return rows


def _as_column(name: str, values: npt.ArrayLike, *, integer: bool) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {array.shape}")
    if integer:
        if array.dtype.kind in "iu":
            if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
                raise ValueError(f"{name} values must fit into a signed 64-bit integer")
            return array.astype(np.int64, copy=False)
        if array.dtype.kind == "f" and array.size and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
            return array.astype(np.int64)
        if array.size == 0:
            return array.astype(np.int64)
        raise ValueError(f"{name} must hold integers, got dtype {array.dtype}")
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be numeric, got dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def _validate_columns(**columns: npt.ArrayLike) -> tuple[np.ndarray, ...]:
    """Validate named columns (in the given order) and return them as arrays."""
    arrays = {name: _as_column(name, values, integer=name in ("frame", "agent_id")) for name, values in columns.items()}
    lengths = {name: array.shape[0] for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name}={length}" for name, length in lengths.items())
        raise ValueError(f"arrays must have equal length, got {detail}")
    for name in ("x", "y"):
        if name in arrays and not np.all(np.isfinite(arrays[name])):
            raise ValueError(f"{name} positions must be finite (no NaN or inf)")
    return tuple(arrays.values())


def _sort_and_check_unique(frame: np.ndarray, agent_id: np.ndarray, *rest: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sort rows by (frame, id) unless already sorted; reject duplicate pairs."""
    if frame.shape[0] == 0:
        raise ValueError("cannot write an empty recording: no agent rows given")
    same_frame = frame[1:] == frame[:-1]
    ordered = (frame[1:] > frame[:-1]) | (same_frame & (agent_id[1:] > agent_id[:-1]))
    if not np.all(ordered):
        order = np.lexsort((agent_id, frame))
        frame, agent_id = frame[order], agent_id[order]
        rest = tuple(column[order] for column in rest)
        duplicate = (frame[1:] == frame[:-1]) & (agent_id[1:] == agent_id[:-1])
        if np.any(duplicate):
            first = int(np.argmax(duplicate))
            raise ValueError(
                f"duplicate (frame, agent_id) rows, e.g. frame {int(frame[first])}, agent {int(agent_id[first])}"
            )
    return (frame, agent_id, *rest)


def _normalise_orientation(ori_x: np.ndarray, ori_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale orientations to unit length; zero/non-finite vectors become (1, 0)."""
    with np.errstate(invalid="ignore", over="ignore"):
        norm = np.hypot(ori_x, ori_y)
        usable = np.isfinite(norm) & (norm > 1e-12)
        safe_norm = np.where(usable, norm, 1.0)
        unit_x = np.where(usable, ori_x / safe_norm, 1.0)
        unit_y = np.where(usable, ori_y / safe_norm, 0.0)
    return unit_x, unit_y


def _insert_trajectory_rows(cur: sqlite3.Cursor, columns: tuple[np.ndarray, ...]) -> None:
    """Insert the columns (frame, id, pos_x, pos_y, ori_x, ori_y) in row order."""
    n_rows = columns[0].shape[0]
    n_grouped = n_rows - n_rows % _ROWS_PER_STATEMENT
    row = "(" + ", ".join("?" * len(columns)) + ")"
    cur.executemany(
        "INSERT INTO trajectory_data VALUES " + ", ".join([row] * _ROWS_PER_STATEMENT),
        _iter_params(columns, 0, n_grouped, _ROWS_PER_STATEMENT),
    )
    cur.executemany(
        "INSERT INTO trajectory_data VALUES " + row,
        _iter_params(columns, n_grouped, n_rows, 1),
    )


def _iter_params(
    columns: tuple[np.ndarray, ...], start: int, stop: int, rows_per_item: int
) -> Iterator[list[int | float]]:
    """Yield flat parameter lists of ``rows_per_item`` rows for rows ``[start, stop)``.

    ``stop - start`` must be a multiple of ``rows_per_item``. Columns are
    converted with ``tolist`` batch-wise (bounded memory, no numpy scalars).
    """
    n_cols = len(columns)
    width = n_cols * rows_per_item
    batch = rows_per_item * max(1, _ROWS_PER_BATCH // rows_per_item)
    for lo in range(start, stop, batch):
        hi = min(lo + batch, stop)
        flat: list[int | float] = [0] * (n_cols * (hi - lo))
        for j, column in enumerate(columns):
            flat[j::n_cols] = column[lo:hi].tolist()
        for i in range(0, len(flat), width):
            yield flat[i : i + width]


def _geometry_hash(wkt: str) -> int:
    """Deterministic signed 64-bit id of a WKT (JuPedSim uses Python's salted ``hash``)."""
    return int.from_bytes(hashlib.sha256(wkt.encode("utf-8")).digest()[:8], "big", signed=True)


def _set_file_mode(tmp_path: pathlib.Path, target: pathlib.Path) -> None:
    """Give the new file the existing target's permissions (mkstemp creates 0600)."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = _NEW_FILE_MODE
    os.chmod(tmp_path, mode)


def _fsync_file(path: pathlib.Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: pathlib.Path) -> None:
    """Persist the rename; best effort (not supported on every platform)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
