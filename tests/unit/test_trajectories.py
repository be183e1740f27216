"""Tests for sim.crowd.trajectories (JuPedSim SQLite trajectory writer)."""

from __future__ import annotations

import contextlib
import os
import pathlib
import sqlite3
import stat
from typing import Any

import numpy as np
import pedpy
import pytest

from sim.crowd import trajectories
from sim.crowd.trajectories import TrajectoryRecorder, write_trajectory_sqlite

FPS = 10.0
N_FRAMES = 20
WALKABLE = "POLYGON ((-1 -1, 12 -1, 12 10, -1 10, -1 -1))"
# agent id -> (start position in m, velocity in m/s): straight lines at constant speed
MOTION = {
    1: ((0.0, 0.0), (1.2, 0.0)),  # 1.2 m/s along +x
    2: ((0.0, 5.0), (0.0, -0.8)),  # 0.8 m/s along -y
    3: ((2.0, 2.0), (0.6, 0.8)),  # 1.0 m/s diagonally
}


def _position(agent: int, frame: int) -> tuple[float, float]:
    (x0, y0), (vx, vy) = MOTION[agent]
    t = frame / FPS
    return x0 + vx * t, y0 + vy * t


def _record_small(recorder: TrajectoryRecorder) -> None:
    """3 agents, 20 frames; ids given in descending order to exercise sorting."""
    ids = np.array(sorted(MOTION, reverse=True))
    for frame in range(N_FRAMES):
        pos = np.array([_position(int(a), frame) for a in ids])
        vel = np.array([MOTION[int(a)][1] for a in ids])
        recorder.record(frame=frame, agent_id=ids, x=pos[:, 0], y=pos[:, 1], ori_x=vel[:, 0], ori_y=vel[:, 1])


@pytest.fixture()
def small_file(tmp_path: pathlib.Path) -> pathlib.Path:
    recorder = TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE, metadata={"seed": "42", "scenario": "corridor"})
    _record_small(recorder)
    return recorder.write(tmp_path / "run.sqlite")


def _columns(n: int = 4) -> dict[str, Any]:
    return {
        "frame": np.arange(n),
        "agent_id": np.ones(n, dtype=int),
        "x": np.linspace(0.0, 1.0, n),
        "y": np.zeros(n),
        "ori_x": np.ones(n),
        "ori_y": np.zeros(n),
    }


# --------------------------------------------------------------------------
# round trip through PedPy


def test_pedpy_loads_frame_rate_rows_and_positions(small_file: pathlib.Path) -> None:
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=small_file)
    assert traj.frame_rate == FPS
    assert len(traj.data) == 3 * N_FRAMES
    row = traj.data[(traj.data.id == 3) & (traj.data.frame == 7)]
    assert len(row) == 1
    assert row.x.iloc[0] == pytest.approx(2.0 + 0.6 * 0.7)
    assert row.y.iloc[0] == pytest.approx(2.0 + 0.8 * 0.7)


def test_pedpy_walkable_area_bounds(small_file: pathlib.Path) -> None:
    area = pedpy.load_walkable_area_from_jupedsim_sqlite(trajectory_file=small_file)
    assert area.bounds == pytest.approx((-1.0, -1.0, 12.0, 10.0))


def test_pedpy_individual_speed_matches_known_motion(small_file: pathlib.Path) -> None:
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=small_file)
    speed = pedpy.compute_individual_speed(traj_data=traj, frame_step=3)
    for agent, (_, (vx, vy)) in MOTION.items():
        agent_speed = speed[speed.id == agent].speed
        # BORDER_EXCLUDE drops frame_step frames at each end.
        assert len(agent_speed) == N_FRAMES - 2 * 3
        assert agent_speed.to_numpy() == pytest.approx(np.hypot(vx, vy), rel=0.01)


def test_rows_are_stored_sorted_by_frame_then_id(small_file: pathlib.Path) -> None:
    with sqlite3.connect(small_file) as con:
        rows = con.execute("SELECT frame, id FROM trajectory_data").fetchall()
    assert rows == sorted(rows)
    assert rows[:3] == [(0, 1), (0, 2), (0, 3)]


def test_schema_metadata_and_index(small_file: pathlib.Path) -> None:
    with sqlite3.connect(small_file) as con:
        meta = dict(con.execute("SELECT key, value FROM metadata").fetchall())
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        indexes = {r[0]: r[1] for r in con.execute("SELECT name, tbl_name FROM sqlite_master WHERE type='index'")}
        frame_data = con.execute("SELECT frame FROM frame_data ORDER BY frame").fetchall()
        (geo_hash,) = con.execute("SELECT hash FROM geometry").fetchone()
        hashes = {r[0] for r in con.execute("SELECT geometry_hash FROM frame_data")}
    assert {"trajectory_data", "metadata", "geometry", "frame_data"} <= tables
    assert indexes.get("frame_id_idx") == "trajectory_data"
    assert meta["version"] == "2"
    assert float(meta["fps"]) == FPS
    assert (meta["xmin"], meta["ymin"], meta["xmax"], meta["ymax"]) == ("-1.0", "-1.0", "12.0", "10.0")
    assert meta["seed"] == "42"
    assert meta["scenario"] == "corridor"
    assert [f for (f,) in frame_data] == list(range(N_FRAMES))
    assert hashes == {geo_hash}


def test_all_rows_round_trip_across_batch_and_statement_boundaries(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1234 rows: 12 multi-row statements of 100 rows + 34 single-row ones,
    # converted in batches of 300 rows.
    monkeypatch.setattr(trajectories, "_ROWS_PER_BATCH", 300)
    rng = np.random.default_rng(7)
    n_agents, n_frames = 617, 2
    frame = np.repeat(np.arange(n_frames), n_agents)
    agent_id = np.tile(np.arange(n_agents), n_frames) + 1000
    x, y = rng.uniform(0, 10, frame.size), rng.uniform(0, 9, frame.size)
    angle = rng.uniform(-np.pi, np.pi, frame.size)
    path = write_trajectory_sqlite(
        tmp_path / "big.sqlite",
        frame=frame,
        agent_id=agent_id,
        x=x,
        y=y,
        ori_x=np.cos(angle),
        ori_y=np.sin(angle),
        fps=FPS,
        walkable_wkt=WALKABLE,
    )
    with sqlite3.connect(path) as con:
        stored = np.array(con.execute("SELECT frame, id, pos_x, pos_y, ori_x, ori_y FROM trajectory_data").fetchall())
    expected = np.column_stack([frame, agent_id, x, y, np.cos(angle), np.sin(angle)])
    assert stored.shape == (1234, 6)
    np.testing.assert_array_equal(stored[:, :4], expected[:, :4])  # exact, no rounding
    np.testing.assert_allclose(stored[:, 4:], expected[:, 4:], rtol=0, atol=1e-15)


def test_orientation_is_normalised_and_zero_becomes_unit_x(tmp_path: pathlib.Path) -> None:
    cols = _columns(3)
    cols["ori_x"] = np.array([3.0, 0.0, np.nan])
    cols["ori_y"] = np.array([4.0, 0.0, 1.0])
    path = write_trajectory_sqlite(tmp_path / "o.sqlite", fps=FPS, walkable_wkt=WALKABLE, **cols)
    with sqlite3.connect(path) as con:
        ori = con.execute("SELECT ori_x, ori_y FROM trajectory_data ORDER BY frame").fetchall()
    assert ori[0] == pytest.approx((0.6, 0.8))
    assert ori[1] == (1.0, 0.0)
    assert ori[2] == (1.0, 0.0)


def test_jupedsim_recording_reads_file(small_file: pathlib.Path) -> None:
    jupedsim = pytest.importorskip("jupedsim")
    rec = jupedsim.Recording(str(small_file))
    assert rec.fps == FPS
    assert rec.num_frames == N_FRAMES
    frame = rec.frame(5)
    assert [a.id for a in frame.agents] == [1, 2, 3]
    assert frame.agents[0].position == pytest.approx(_position(1, 5))
    assert frame.agents[2].orientation == pytest.approx((0.6, 0.8))
    assert rec.geometry().bounds == pytest.approx((-1.0, -1.0, 12.0, 10.0))


def test_recorder_counts_distinct_frames_and_copies_input(tmp_path: pathlib.Path) -> None:
    recorder = TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE)
    assert recorder.frames == 0
    x = np.array([1.0, 2.0])
    # same frame recorded in two calls (e.g. one per level) counts once
    recorder.record(frame=0, agent_id=np.array([1, 2]), x=x, y=np.zeros(2), ori_x=np.ones(2), ori_y=np.zeros(2))
    recorder.record(
        frame=0, agent_id=np.array([3]), x=np.array([3.0]), y=np.zeros(1), ori_x=np.ones(1), ori_y=np.zeros(1)
    )
    recorder.record(frame=1, agent_id=np.array([1, 2]), x=x + 0.1, y=np.zeros(2), ori_x=np.ones(2), ori_y=np.zeros(2))
    x[:] = 99.0  # the simulation reuses its buffers; the recording must not change
    assert recorder.frames == 2
    assert recorder.rows == 5
    path = recorder.write(tmp_path / "r.sqlite")
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=path)
    assert len(traj.data) == 5
    assert traj.data[(traj.data.id == 2) & (traj.data.frame == 0)].x.iloc[0] == 2.0


# --------------------------------------------------------------------------
# walkable area handling


def test_touching_multipolygon_is_merged_into_loadable_polygon(tmp_path: pathlib.Path) -> None:
    wkt = "MULTIPOLYGON (((0 0, 5 0, 5 5, 0 5, 0 0)), ((5 0, 10 0, 10 5, 5 5, 5 0)))"
    path = write_trajectory_sqlite(tmp_path / "m.sqlite", fps=FPS, walkable_wkt=wkt, **_columns())
    with sqlite3.connect(path) as con:
        (stored,) = con.execute("SELECT wkt FROM geometry").fetchone()
    assert stored.startswith("POLYGON")
    area = pedpy.load_walkable_area_from_jupedsim_sqlite(trajectory_file=path)
    assert area.area == pytest.approx(50.0)
    assert area.bounds == pytest.approx((0.0, 0.0, 10.0, 5.0))


def test_disjoint_multipolygon_is_kept_with_warning(tmp_path: pathlib.Path) -> None:
    wkt = "MULTIPOLYGON (((0 0, 5 0, 5 5, 0 5, 0 0)), ((20 0, 25 0, 25 5, 20 5, 20 0)))"
    with pytest.warns(UserWarning, match="disjoint"):
        path = write_trajectory_sqlite(tmp_path / "d.sqlite", fps=FPS, walkable_wkt=wkt, **_columns())
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=path)
    assert len(traj.data) == 4
    with sqlite3.connect(path) as con:
        meta = dict(con.execute("SELECT key, value FROM metadata").fetchall())
    assert float(meta["xmax"]) == 25.0
    with pytest.raises(pedpy.errors.GeometryError):
        pedpy.load_walkable_area_from_jupedsim_sqlite(trajectory_file=path)


@pytest.mark.parametrize(
    "wkt",
    ["", "LINESTRING (0 0, 1 1)", "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "not wkt at all"],
)
def test_bad_walkable_area_rejected_at_construction(wkt: str) -> None:
    with pytest.raises(ValueError, match="walkable_wkt"):
        TrajectoryRecorder(fps=FPS, walkable_wkt=wkt)


# --------------------------------------------------------------------------
# atomicity


def _dir_listing(directory: pathlib.Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_existing_file_replaced_only_after_complete_write(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "run.sqlite"
    old = b"previous run, must survive until the new file is complete"
    target.write_bytes(old)
    os.chmod(target, 0o640)
    seen: list[str] = []
    real_replace = os.replace

    def checking_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        src_path, dst_path = pathlib.Path(src), pathlib.Path(dst)
        assert dst_path == target
        assert src_path.parent == target.parent  # same directory -> atomic rename
        assert target.read_bytes() == old  # not touched before the new file is done
        complete = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=src_path)
        assert len(complete.data) == 3 * N_FRAMES
        seen.append(src_path.name)
        real_replace(src, dst)

    monkeypatch.setattr(trajectories.os, "replace", checking_replace)
    recorder = TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE)
    _record_small(recorder)
    result = recorder.write(target)

    assert len(seen) == 1
    assert result == target
    assert target.read_bytes() != old
    assert len(pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=target).data) == 3 * N_FRAMES
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # existing permissions kept
    assert _dir_listing(tmp_path) == ["run.sqlite"]  # no temp file left behind


def test_new_file_gets_normal_permissions(tmp_path: pathlib.Path) -> None:
    path = write_trajectory_sqlite(tmp_path / "n.sqlite", fps=FPS, walkable_wkt=WALKABLE, **_columns())
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_invalid_input_leaves_existing_file_identical(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "run.sqlite"
    recorder = TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE)
    _record_small(recorder)
    recorder.write(target)
    before = target.read_bytes()
    cols = _columns()
    cols["y"] = np.zeros(3)  # unequal length
    with pytest.raises(ValueError, match="equal length"):
        write_trajectory_sqlite(target, fps=FPS, walkable_wkt=WALKABLE, **cols)
    assert target.read_bytes() == before
    assert _dir_listing(tmp_path) == ["run.sqlite"]


@pytest.mark.parametrize("exc_type", [RuntimeError, KeyboardInterrupt])
def test_failure_mid_write_leaves_existing_file_identical(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, exc_type: type[BaseException]
) -> None:
    target = tmp_path / "run.sqlite"
    target.write_bytes(b"old")
    real_iter_params = trajectories._iter_params
    calls = []

    def failing_iter_params(*args: Any) -> Any:
        calls.append(args)
        for i, params in enumerate(real_iter_params(*args)):
            if i == 10:
                raise exc_type("interrupted")
            yield params

    monkeypatch.setattr(trajectories, "_iter_params", failing_iter_params)
    recorder = TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE)
    _record_small(recorder)
    with pytest.raises(exc_type):
        recorder.write(target)
    assert calls  # the failure really happened while inserting rows
    assert target.read_bytes() == b"old"
    assert _dir_listing(tmp_path) == ["run.sqlite"]


def test_failing_rename_leaves_existing_file_and_no_temp(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "run.sqlite"
    target.write_bytes(b"old")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(trajectories.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_trajectory_sqlite(target, fps=FPS, walkable_wkt=WALKABLE, **_columns())
    assert target.read_bytes() == b"old"
    assert _dir_listing(tmp_path) == ["run.sqlite"]


# --------------------------------------------------------------------------
# errors


def _assert_one_line(excinfo: pytest.ExceptionInfo[ValueError]) -> None:
    message = str(excinfo.value)
    assert message and "\n" not in message


def test_record_unequal_lengths_raises() -> None:
    recorder = TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE)
    with pytest.raises(ValueError, match=r"equal length.*x=2.*y=3") as excinfo:
        recorder.record(
            frame=0, agent_id=np.array([1, 2]), x=np.zeros(2), y=np.zeros(3), ori_x=np.ones(2), ori_y=np.zeros(2)
        )
    _assert_one_line(excinfo)
    assert recorder.frames == 0 and recorder.rows == 0


def test_write_unequal_lengths_raises(tmp_path: pathlib.Path) -> None:
    cols = _columns()
    cols["ori_y"] = np.zeros(5)
    with pytest.raises(ValueError, match="equal length") as excinfo:
        write_trajectory_sqlite(tmp_path / "x.sqlite", fps=FPS, walkable_wkt=WALKABLE, **cols)
    _assert_one_line(excinfo)
    assert not (tmp_path / "x.sqlite").exists()


@pytest.mark.parametrize("fps", [0.0, -10.0, float("nan"), float("inf")])
def test_bad_fps_raises(tmp_path: pathlib.Path, fps: float) -> None:
    with pytest.raises(ValueError, match="fps") as excinfo:
        TrajectoryRecorder(fps=fps, walkable_wkt=WALKABLE)
    _assert_one_line(excinfo)
    with pytest.raises(ValueError, match="fps"):
        write_trajectory_sqlite(tmp_path / "x.sqlite", fps=fps, walkable_wkt=WALKABLE, **_columns())


def test_empty_recording_raises(tmp_path: pathlib.Path) -> None:
    recorder = TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE)
    with pytest.raises(ValueError, match="empty recording") as excinfo:
        recorder.write(tmp_path / "x.sqlite")
    _assert_one_line(excinfo)
    # frames without agents (everyone evacuated) are still an empty recording
    recorder.record(
        frame=0,
        agent_id=np.array([], dtype=int),
        x=np.array([]),
        y=np.array([]),
        ori_x=np.array([]),
        ori_y=np.array([]),
    )
    assert recorder.frames == 1
    with pytest.raises(ValueError, match="empty recording"):
        recorder.write(tmp_path / "x.sqlite")
    with pytest.raises(ValueError, match="empty recording"):
        write_trajectory_sqlite(tmp_path / "x.sqlite", fps=FPS, walkable_wkt=WALKABLE, **_columns(0))
    assert _dir_listing(tmp_path) == []


def test_duplicate_frame_agent_rows_raise(tmp_path: pathlib.Path) -> None:
    cols = _columns()
    cols["frame"] = np.array([0, 1, 1, 2])
    with pytest.raises(ValueError, match="duplicate .*frame 1, agent 1") as excinfo:
        write_trajectory_sqlite(tmp_path / "x.sqlite", fps=FPS, walkable_wkt=WALKABLE, **cols)
    _assert_one_line(excinfo)


def test_non_finite_position_raises(tmp_path: pathlib.Path) -> None:
    recorder = TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE)
    with pytest.raises(ValueError, match="finite"):
        recorder.record(
            frame=0, agent_id=np.array([1]), x=np.array([np.nan]), y=np.zeros(1), ori_x=np.ones(1), ori_y=np.zeros(1)
        )


def test_reserved_metadata_key_raises() -> None:
    with pytest.raises(ValueError, match="reserved") as excinfo:
        TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE, metadata={"fps": "25"})
    _assert_one_line(excinfo)


def test_metadata_can_be_updated_before_write_and_is_validated(tmp_path: pathlib.Path) -> None:
    recorder = TrajectoryRecorder(fps=FPS, walkable_wkt=WALKABLE, metadata={"seed": "1"})
    _record_small(recorder)
    recorder.metadata.update({"code_version": "abc123"})
    path = recorder.write(tmp_path / "m.sqlite")
    with sqlite3.connect(path) as con:
        meta = dict(con.execute("SELECT key, value FROM metadata").fetchall())
    assert meta["code_version"] == "abc123"
    assert meta["seed"] == "1"
    recorder.metadata["version"] = "3"
    with pytest.raises(ValueError, match="reserved"):
        recorder.write(tmp_path / "m.sqlite")
    with contextlib.closing(sqlite3.connect(path)) as con:
        assert dict(con.execute("SELECT key, value FROM metadata").fetchall())["version"] == "2"
