"""Crowd-safety measures: densities on hand-made configurations, threshold times, Fruin LOS boundaries,
warning timelines, queue counts (sim.crowd.safety)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sim.crowd import safety as sf
from sim.errors import GeometryError

ROOM = "POLYGON ((0 0, 10 0, 10 4, 0 4, 0 0))"
ONE_M = sf.SafetySettings(grid=sf.DensityGrid(cell_size_m=1.0))


def cells_1m(poly: str = ROOM, **kw) -> sf.DensityCells:
    return sf.build_density_cells(levels=[poly], grid=sf.DensityGrid(cell_size_m=1.0), **kw)


def density_at(cells: sf.DensityCells, density: np.ndarray, ix: int, iy: int, level: int = 0) -> float:
    j = np.flatnonzero((cells.cell_ix == ix) & (cells.cell_iy == iy) & (cells.cell_level == level))
    assert j.size == 1, f"cell ({ix}, {iy}) of level {level} is not reported"
    return float(density[j[0]])


# -- density ---------------------------------------------------------------------------------------------
def test_eight_persons_in_one_square_metre_is_eight_per_m2():
    cells = cells_1m()
    rng = np.random.default_rng(1)
    x, y = rng.uniform(3.05, 3.95, 8), rng.uniform(1.05, 1.95, 8)
    d = sf.compute_cell_density(cells=cells, x=x, y=y)
    assert cells.n_cells == 40
    assert density_at(cells, d, 3, 1) == pytest.approx(8.0)
    assert d.sum() == pytest.approx(8.0)  # nobody elsewhere


def test_half_walkable_cell_doubles_the_density():
    """Cells cut by the wall at y = 3.5 have 0.5 m² walkable: two persons there are 4 P/m², not 2."""
    cells = cells_1m("POLYGON ((0 0, 10 0, 10 3.5, 0 3.5, 0 0))")
    x = np.array([0.5, 0.6, 5.5, 5.6])
    y = np.array([3.2, 3.3, 1.5, 1.6])
    d = sf.compute_cell_density(cells=cells, x=x, y=y)
    assert density_at(cells, d, 0, 3) == pytest.approx(4.0)
    assert density_at(cells, d, 5, 1) == pytest.approx(2.0)


def test_a_sliver_cell_is_merged_into_its_neighbour():
    """Top row only 0.2 walkable (< 25 %): it merges with the cell below, both report N / 1.2 m²."""
    cells = cells_1m("POLYGON ((0 0, 10 0, 10 3.2, 0 3.2, 0 0))")
    x = np.array([0.5, 0.5, 0.5])
    y = np.array([3.1, 2.5, 2.4])
    d = sf.compute_cell_density(cells=cells, x=x, y=y)
    assert density_at(cells, d, 0, 3) == pytest.approx(3 / 1.2)
    assert density_at(cells, d, 0, 2) == pytest.approx(3 / 1.2)
    assert density_at(cells, d, 1, 2) == 0.0


def test_walkable_area_excludes_obstacles():
    room = shapely.difference(shapely.from_wkt(ROOM), shapely.box(2, 1, 2.5, 2))  # half of cell (2, 1) blocked
    cells = sf.build_density_cells(levels=[room], grid=sf.DensityGrid(cell_size_m=1.0))
    assert cells.cell_area_m2.sum() == pytest.approx(39.5)
    d = sf.compute_cell_density(cells=cells, x=np.array([2.7]), y=np.array([1.5]))
    assert density_at(cells, d, 2, 1) == pytest.approx(2.0)


def test_persons_outside_every_grid_or_nan_are_not_counted():
    cells = cells_1m()
    d = sf.compute_cell_density(cells=cells, x=np.array([-5.0, 50.0, np.nan, 1.5]), y=np.array([1, 1, 1, 1.5]))
    assert d.sum() == pytest.approx(1.0)


def test_levels_found_by_position_match_explicit_levels():
    cells = sf.build_density_cells(
        levels=[ROOM, ROOM], level_ids=["a", "b"], offsets=[[0, 0], [20, 0]], grid=sf.DensityGrid(cell_size_m=2.0)
    )
    x = np.array([1.0, 1.5, 21.0, 29.0])
    y = np.array([1.0, 1.5, 1.0, 3.0])
    explicit = sf.compute_cell_density(cells=cells, x=x, y=y, level=np.array([0, 0, 1, 1]))
    found = sf.compute_cell_density(cells=cells, x=x, y=y)
    np.testing.assert_array_equal(explicit, found)
    assert density_at(cells, found, 0, 0, level=0) == pytest.approx(0.5)  # 2 persons / 4 m²
    assert density_at(cells, found, 4, 1, level=1) == pytest.approx(0.25)  # level-local (9, 3)


def test_overlapping_levels_need_explicit_level_indices():
    cells = sf.build_density_cells(levels=[ROOM, ROOM])  # no offsets: both grids at the same place
    with pytest.raises(ValueError, match="pass level="):
        sf.compute_cell_density(cells=cells, x=np.array([1.0]), y=np.array([1.0]))
    d = sf.compute_cell_density(cells=cells, x=np.array([1.0]), y=np.array([1.0]), level=np.array([1]))
    assert density_at(cells, d, 0, 0, level=1) == pytest.approx(0.25)


# -- thresholds and level of service -------------------------------------------------------------------
T = np.array([0.0, 1.0, 2.0, 4.0, 5.0, 8.0])
RHO = np.array([0.0, 3.0, 5.0, 6.0, 2.0, 0.0])


def test_time_above_thresholds_on_a_known_sequence():
    """Sample and hold: > 2 during [1, 5) = 4 s, > 4 during [2, 5) = 3 s, > 5.5 during [4, 5) = 1 s."""
    got = sf.compute_time_above(t=T, density=RHO)
    np.testing.assert_allclose(got, [4.0, 3.0, 1.0])
    two_cells = sf.compute_time_above(t=T, density=np.column_stack([RHO, RHO * 0]))
    np.testing.assert_allclose(two_cells[:, 1], 0.0)


def test_recorder_times_above_match_the_known_sequence():
    rec = sf.SafetyRecorder(levels=[ROOM], settings=ONE_M)
    for t, rho in zip(T, RHO, strict=True):
        n = int(rho)
        rec.record(t=t, x=np.full(n, 4.5), y=np.full(n, 2.5))
    s = rec.summary()
    assert s["max_density_p_m2"] == 6.0
    assert (s["time_above_2_p_m2_s"], s["time_above_4_p_m2_s"], s["time_above_5_5_p_m2_s"]) == (4.0, 3.0, 1.0)
    assert s["area_time_above_4_p_m2_m2s"] == 3.0  # one 1 m² cell
    cell = rec.cell_table().query("ix == 4 and iy == 2").iloc[0]
    assert cell["time_above_5_5_p_m2_s"] == 1.0
    assert cell["worst_los"] == "F"
    assert cell["time_los_f_s"] == 4.0  # 3, 5, 6 and 2 P/m² are all F (> 2.17)


@pytest.mark.parametrize("k", range(5))
def test_los_boundaries_belong_to_the_better_level(k):
    bound = sf.FRUIN_WALKWAY_M2_PER_P[k]
    at = 1.0 / bound
    los = sf.compute_level_of_service(density=np.array([at, np.nextafter(at, np.inf)]))
    assert los.tolist() == [k, k + 1]


def test_los_of_typical_densities():
    los = sf.compute_level_of_service(density=np.array([0.0, 0.3, 0.5, 1.0, 2.0, 2.2, 5.5]))
    assert [sf.LOS_NAMES[i] for i in los] == ["A", "A", "C", "D", "E", "F", "F"]


def test_warning_levels_at_thresholds():
    lv = sf.compute_warning_level(density=np.array([0.0, 1.99, 2.0, 4.0, 4.99, 5.0, 7.0, 9.0]))
    assert lv.tolist() == [0, 0, 1, 2, 2, 3, 4, 4]


def test_warning_timeline_from_levels():
    t = np.arange(6.0)
    levels = np.array([[0, 1], [1, 1], [1, 0], [2, 0], [0, 0], [3, 4]])
    tl = sf.compute_warning_timeline(t=t, levels=levels, area_ids=["a", "b"])
    rows = [tuple(r) for r in tl.itertuples(index=False)]
    assert rows == [
        ("a", "blue", 1.0, 3.0),
        ("a", "yellow", 3.0, 4.0),
        ("a", "orange", 5.0, 5.0),  # still on at the last recording
        ("b", "blue", 0.0, 2.0),
        ("b", "red", 5.0, 5.0),
    ]


# -- monitoring areas ----------------------------------------------------------------------------------
AREA = "POLYGON ((0.5 0.5, 2.5 0.5, 2.5 2.5, 0.5 2.5, 0.5 0.5))"  # 4 m², not aligned with the 1 m cells


def test_warning_timeline_on_a_density_ramp():
    """Persons = 2 t in a 4 m² area: density t / 2 reaches 2 / 4 / 5 / 7 P/m² at t = 4 / 8 / 10 / 14 s."""
    rec = sf.SafetyRecorder(
        levels=[ROOM],
        settings=ONE_M,
        monitoring_areas=[sf.MonitoringArea(id="gate", level=0, polygon=AREA)],
    )
    rng = np.random.default_rng(7)
    for t in range(18):
        n = 2 * t if t < 17 else 0
        x = np.concatenate([rng.uniform(0.51, 2.49, n), rng.uniform(2.55, 3.5, 5)])  # 5 just outside
        y = np.concatenate([rng.uniform(0.51, 2.49, n), rng.uniform(0.6, 2.4, 5)])
        rec.record(t=float(t), x=x, y=y)
    series = rec.area_series()
    assert series["persons"].tolist() == [2 * t for t in range(17)] + [0]
    tl = rec.warning_timeline()
    assert [tuple(r) for r in tl.itertuples(index=False)] == [
        ("gate", "blue", 4.0, 8.0),
        ("gate", "yellow", 8.0, 10.0),
        ("gate", "orange", 10.0, 14.0),
        ("gate", "red", 14.0, 17.0),
    ]
    assert rec.summary()["warnings"] == {"blue": 1, "yellow": 1, "orange": 1, "red": 1}


def test_monitoring_area_count_is_exact_point_in_polygon():
    poly = "POLYGON ((1.3 0.2, 7.7 1.1, 6.2 3.6, 0.4 2.9, 1.3 0.2))"
    rec = sf.SafetyRecorder(levels=[ROOM], monitoring_areas=[sf.MonitoringArea(id="m", level=0, polygon=poly)])
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 10, 3000), rng.uniform(0, 4, 3000)
    rec.record(t=0.0, x=x, y=y)
    expected = int(shapely.contains_xy(shapely.from_wkt(poly), x, y).sum())
    assert rec.area_series()["persons"].iloc[0] == expected


def test_monitoring_area_off_the_free_space_is_an_error():
    with pytest.raises(GeometryError, match="no walkable area"):
        sf.SafetyRecorder(
            levels=[ROOM],
            monitoring_areas=[sf.MonitoringArea(id="m", level=0, polygon="POLYGON ((20 0, 22 0, 22 2, 20 0))")],
        )


# -- queues --------------------------------------------------------------------------------------------
EXIT = sf.QueueLine(id="exit_A", level=0, line=((10, 1), (10, 3)))


def test_queue_counts_slow_persons_near_the_exit_segment():
    cells = cells_1m()
    x = np.array([9.0, 9.0, 6.5, 7.2, 7.2])
    y = np.array([2.0, 2.0, 2.0, 0.5, 3.9])
    speed = np.array([0.1, 1.0, 0.0, 0.2, 0.29])
    # in: (9, 2) slow; (7.2, 0.5) at 2.84 m; (7.2, 3.9) at 2.94 m. Out: fast one; (6.5, 2) at 3.5 m
    q = sf.compute_queue_lengths(cells=cells, lines=[EXIT], x=x, y=y, speed=speed)
    assert q.tolist() == [3]
    q_all = sf.compute_queue_lengths(cells=cells, lines=[EXIT], x=x, y=y)
    assert q_all.tolist() == [4]  # without speeds: everyone within 3 m


def test_queue_counts_match_brute_force():
    cells = sf.build_density_cells(levels=[ROOM])  # 2 m cells: candidate cells must cover the 3 m radius
    rng = np.random.default_rng(11)
    x, y, v = rng.uniform(0, 10, 2000), rng.uniform(0, 4, 2000), rng.uniform(0, 1, 2000)
    lines = [EXIT, sf.QueueLine(id="stair", level=0, line=(0, 0, 0, 4))]
    q = sf.compute_queue_lengths(cells=cells, lines=lines, x=x, y=y, speed=v)
    for k, ln in enumerate(lines):
        seg = shapely.LineString(np.asarray(ln.line, dtype=float).reshape(2, 2))
        near = shapely.distance(seg, shapely.points(x, y)) <= 3.0
        assert q[k] == int((near & (v < 0.3)).sum())


def test_recorder_summary_has_the_contract_keys_and_max_queue():
    rec = sf.SafetyRecorder(levels=[ROOM], level_ids=["hall"], queue_lines=[EXIT])
    rec.record(t=0.0, x=np.array([9.5, 9.6]), y=np.array([2.0, 2.2]), speed=np.array([0.0, 0.1]))
    rec.record(t=1.0, x=np.array([9.5]), y=np.array([2.0]), speed=np.array([0.0]))
    s = rec.summary()
    for key in ("max_density_p_m2", "time_above_2_p_m2_s", "time_above_4_p_m2_s", "time_above_5_5_p_m2_s"):
        assert key in s
    assert s["max_queue"] == {"exit_A": 2}
    assert rec.queue_series()["queue"].tolist() == [2, 1]
    with pytest.raises(ValueError, match="must not decrease"):
        rec.record(t=0.5, x=np.array([1.0]), y=np.array([1.0]))


def test_los_timeline_and_density_frames():
    rec = sf.SafetyRecorder(levels=[ROOM], settings=sf.SafetySettings(frame_interval_s=2.0))
    for t in range(5):
        rec.record(t=float(t), x=np.full(9, 1.0), y=np.full(9, 1.0))  # 9 persons / 4 m² = 2.25 P/m² (F)
    los = rec.los_timeline()
    assert (los.groupby("t_s")["cells"].sum() == rec.cells.n_cells).all()
    first = los[los["t_s"] == 0.0].set_index("los")["cells"]
    assert first["F"] == 1 and first["A"] == rec.cells.n_cells - 1
    frames = rec.density_frames()
    assert frames["t_s"].tolist() == [0.0, 2.0, 4.0]
    assert frames["density_p_m2"].tolist() == [2.25] * 3
    assert list(frames.columns) == list(sf.DENSITY_FRAME_COLUMNS)
