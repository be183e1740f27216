"""Crowd-safety figure builders build from the recorder's tables, in English and Chinese
(dashboard.figures.crowd)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard.figures import crowd as fc
from sim.crowd import safety as sf

ROOM = "POLYGON ((0 0, 10 0, 10 4, 0 4, 0 0))"
PILLAR = shapely.box(4, 1, 5, 2)


@pytest.fixture(scope="module")
def recorder() -> sf.SafetyRecorder:
    free = shapely.difference(shapely.from_wkt(ROOM), PILLAR)
    rec = sf.SafetyRecorder(
        levels=[free],
        level_ids=["hall"],
        monitoring_areas=[
            sf.MonitoringArea(id="gate", level="hall", polygon="POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))"),
            sf.MonitoringArea(id="quiet", level="hall", polygon="POLYGON ((6 2, 8 2, 8 4, 6 4, 6 2))"),
        ],
        settings=sf.SafetySettings(grid=sf.DensityGrid(cell_size_m=1.0), frame_interval_s=1.0),
    )
    for t, n in enumerate([0, 3, 6, 9, 0]):  # persons in cell (0, 0): 0, 3, 6, 9, 0 P/m²
        rec.record(t=float(t), x=np.full(n, 0.5), y=np.full(n, 0.5))
    return rec


def test_density_map_shows_cell_maximum_and_outlines(recorder):
    fig = fc.figure_density_map(cells=recorder.cell_table(), outlines=[PILLAR])
    heat, walls = fig.data
    assert heat.type == "heatmap" and walls.type == "scatter"
    z = np.asarray(heat.z, dtype=float)
    assert z.shape == (4, 10)
    assert z[0, 0] == 9.0
    assert np.isnan(z[1, 4])  # the pillar's cell is not walkable
    assert fig.layout.title.text.startswith("Maximum density")
    zh = fc.figure_density_map(cells=recorder.cell_table(), lang="zh")
    assert zh.layout.title.text.startswith("最大密度")
    assert zh.data[0].colorbar.title.text == "密度 [人/m²]"


def test_density_map_of_one_frame(recorder):
    fig = fc.figure_density_map(cells=recorder.cell_table(), frames=recorder.density_frames(), t_s=2.2)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z[0, 0] == 6.0 and np.nansum(z) == 6.0
    assert "t = 2 s" in fig.layout.title.text


def test_los_map_is_categorical_a_to_f(recorder):
    fig = fc.figure_los_map(cells=recorder.cell_table())
    heat = fig.data[0]
    assert list(heat.colorbar.ticktext) == list(sf.LOS_NAMES)
    z = np.asarray(heat.z, dtype=float)
    assert z[0, 0] == 5  # F
    assert z[3, 9] == 0  # A
    at_t1 = fc.figure_los_map(cells=recorder.cell_table(), frames=recorder.density_frames(), t_s=1.0, lang="zh")
    assert np.asarray(at_t1.data[0].z, dtype=float)[0, 0] == 5  # 3 P/m² is F
    assert "服务水平" in at_t1.layout.title.text


def test_evacuation_curve_counts_everyone_out():
    agents = pd.DataFrame(
        {"exit": ["A", "B", "A", ""], "exit_time_s": [12.0, 5.0, 20.0, np.nan]},
    )
    fig = fc.figure_evacuation_curve(agents=agents, per_exit=True)
    assert [tr.name for tr in fig.data] == ["All exits", "A", "B"]
    total = fig.data[0]
    assert list(total.x) == [0.0, 5.0, 12.0, 20.0] and list(total.y) == [0, 1, 2, 3]
    assert list(fig.data[1].y) == [0, 1, 2]  # exit A
    zh = fc.figure_evacuation_curve(agents=agents, lang="zh")
    assert len(zh.data) == 1 and zh.layout.title.text == "疏散曲线" and zh.layout.yaxis.title.text == "已疏散人数"


def test_warning_timeline_bars(recorder):
    tl = recorder.warning_timeline()
    # gate (4 m²): 0, 0.75, 1.5, 2.25, 0 P/m² -> blue from t = 3 to 4
    assert [tuple(r) for r in tl.itertuples(index=False)] == [("gate", "blue", 3.0, 4.0)]
    fig = fc.figure_warning_timeline(timeline=tl, areas=["gate", "quiet"])
    assert [tr.name for tr in fig.data] == ["Blue", "Yellow", "Orange", "Red"]
    blue = fig.data[0]
    assert list(blue.base) == [3.0] and list(blue.x) == [1.0] and list(blue.y) == ["gate"]
    assert list(fig.layout.yaxis.categoryarray) == ["quiet", "gate"]
    zh = fc.figure_warning_timeline(timeline=tl, lang="zh")
    assert [tr.name for tr in zh.data] == ["蓝色", "黄色", "橙色", "红色"]
    assert zh.layout.title.text == "预警时间线"


def test_unknown_language_is_refused(recorder):
    with pytest.raises(ValueError, match="unknown language"):
        fc.figure_density_map(cells=recorder.cell_table(), lang="fr")
