"""Pure parts of the dashboard: trajectories to replay frames and safety tables, figure builders, reports."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from dashboard import analysis
from dashboard.figures.layout import (
    figure_distributions,
    figure_metro_check,
    figure_replay,
    figure_scenario_layout,
)
from dashboard.reports import example_observations, scorecard_html, scorecard_rows
from sim import load_scenario

SCENARIOS = analysis.shipped_scenarios()


def agents_table() -> pd.DataFrame:
    return pd.DataFrame({
        "agent_id": [0, 1, 2, 3],
        "outcome": ["safe", "safe", "casualty", "trapped"],
        "premovement_s": [0.0, 10.0, 0.0, 0.0],
        "exit_time_s": [5.0, 30.0, np.nan, np.nan],
    })


def test_shipped_scenarios_include_the_metro_station_and_the_gas_street():
    assert {"metro_station", "underground_street_gas", "bottleneck"} <= set(SCENARIOS)
    assert "scenarios/underground_street_gas.yaml" in analysis.files_with_section("response")
    assert "scenarios/metro_station.yaml" not in analysis.files_with_section("response")


def test_agent_states_follow_premovement_exit_and_blast():
    ag = agents_table()
    assert list(analysis.agent_states(2.0, ag, alarm_s=0.0)) == ["moving", "waiting", "moving", "moving"]
    assert list(analysis.agent_states(12.0, ag, alarm_s=0.0)) == ["safe", "moving", "moving", "moving"]
    # the alarm delays the start of the pre-movement clock; the blast marks casualties and the trapped
    assert list(analysis.agent_states(12.0, ag, alarm_s=5.0, ignition_s=11.0)) == [
        "safe", "waiting", "casualty", "trapped"]


def test_replay_frames_sample_every_few_seconds_and_cap_the_frame_count():
    fps = 4.0
    frames = np.repeat(np.arange(0, 400), 2)  # 100 s at 4 frames/s, two agents
    rows = pd.DataFrame({"frame": frames, "id": np.tile([1, 2], 400), "x": 1.0, "y": 2.0})
    out = analysis.replay_frames(rows, fps=fps, agents=agents_table(), every_s=2.0, max_frames=150)
    times = sorted(out["t_s"].unique())
    assert times[:3] == [0.0, 2.0, 4.0] and times[-1] == pytest.approx(399 / fps)
    capped = analysis.replay_frames(rows, fps=fps, agents=agents_table(), every_s=0.25, max_frames=20)
    assert capped["t_s"].nunique() <= 21
    assert set(out.columns) == {"t_s", "agent_id", "x_m", "y_m", "state"}
    assert out.loc[(out["agent_id"] == 1) & (out["t_s"] == 4.0), "state"].item() == "waiting"


def test_level_offsets_are_read_from_the_trajectory_metadata():
    off = analysis.level_offsets({"level_offsets": "platform:0,0;concourse:130,-0;street:260,5"},
                                 ["platform", "concourse", "street", "other"])
    assert off.tolist() == [[0, 0], [130, 0], [260, 5], [0, 0]]


def test_safety_tables_count_density_from_positions(tmp_path):
    sc = load_scenario(SCENARIOS["bottleneck"])
    # 8 persons standing in one 2 m cell of the room for 10 s
    rows = pd.DataFrame({"frame": np.repeat(np.arange(40), 8), "id": np.tile(np.arange(8), 40),
                         "x": np.tile(np.linspace(2.2, 3.8, 8), 40), "y": 2.5})
    tables = analysis.safety_tables(rows, fps=4.0, scenario=sc, offsets=np.zeros((1, 2)))
    cells = tables["cells"]
    assert cells["max_density_p_m2"].max() == pytest.approx(2.0)  # 8 persons / 4 m²
    assert cells["time_above_2_p_m2_s"].max() == 0.0  # "above" is strict
    assert not tables["frames"].empty


def test_read_trajectories_of_a_file(tmp_path):
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE trajectory_data (frame INT, id INT, pos_x REAL, pos_y REAL, ori_x REAL, ori_y REAL)")
        conn.execute("CREATE TABLE metadata (key TEXT, value TEXT)")
        conn.executemany("INSERT INTO trajectory_data VALUES (?,?,?,?,0,0)", [(0, 1, 1.0, 2.0), (1, 1, 1.5, 2.0)])
        conn.executemany("INSERT INTO metadata VALUES (?,?)", [("fps", "4"), ("level_offsets", "a:0,0")])
    rows, meta = analysis.read_trajectories(path)
    assert rows["x"].tolist() == [1.0, 1.5] and meta["fps"] == "4"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_layout_draws_every_level_exit_and_population(name):
    sc = load_scenario(SCENARIOS[name])
    fig = figure_scenario_layout(sc, lang="en")
    texts = [a.text for a in fig.layout.annotations]
    for lv in sc.levels:
        assert f"Level {lv.id}" in texts
    for e in sc.exits:
        assert e.id in texts
    for p in sc.populations:
        assert f"{p.id} ({p.count})" in texts
    assert fig.layout.yaxis.scaleanchor == "x"  # to scale


def test_layout_marks_what_a_plan_closes_and_the_hazard():
    metro = load_scenario(SCENARIOS["metro_station"])
    fig = figure_scenario_layout(metro, lang="zh", closed=("esc_2",))
    assert any(a.text.startswith("esc_2→") and a.text.endswith("✕") for a in fig.layout.annotations)
    assert any(tr.name == "出口" for tr in fig.data)
    gas = load_scenario(SCENARIOS["underground_street_gas"])
    stars = [tr for tr in figure_scenario_layout(gas, closed=("N1",)).data if tr.name == "Hazard"]
    assert stars and stars[0].text == ("kitchen_gas",)
    assert any(tr.name == "Closed exits" for tr in figure_scenario_layout(gas, closed=("N1",)).data)


def test_replay_figure_has_one_frame_per_time_and_a_slider():
    frames = pd.DataFrame({"t_s": [0.0, 0.0, 2.0], "agent_id": [0, 1, 0], "x_m": [1.0, 2.0, 1.5],
                           "y_m": [1.0, 1.0, 1.0], "state": ["waiting", "moving", "moving"]})
    fig = figure_replay(frames, lang="en")
    assert [f.name for f in fig.frames] == ["0", "2"]
    assert len(fig.layout.sliders[0].steps) == 2
    first = {tr.name: len(tr.x) for tr in fig.data[1:]}
    assert first["Waiting (pre-movement)"] == 1 and first["Moving"] == 1 and first["Trapped"] == 0


def test_distribution_and_metro_figures():
    runs = pd.DataFrame({"plan": ["A", "A", "B", "B"], "value": [10.0, 12.0, 20.0, 22.0]})
    assert [tr.type for tr in figure_distributions(runs, metric_label="T").data] == ["box", "box"]
    assert [tr.type for tr in figure_distributions(runs, metric_label="T", kind="violin").data] == ["violin"] * 2
    metro = {"formula_time_min": 5.0, "platform_clear_s": 300.0, "safe_area_s": None}
    bars = figure_metro_check(metro).data[0]
    assert list(bars.marker.color) == ["#2ca02c", "#d62728", "#d62728"]  # 5 <= 6 meets; 5 min > 4 fails; not reached


CARD = {
    "scenario": "S", "plan": "A", "reps": 2, "agents": 60, "rubric": "R", "rubric_zh": "标准", "score": 70.0,
    "band": "pass", "band_zh": "合格", "assessed": 1, "code_version": "x", "facts": {"drill.interval_months": 6.0},
    "criteria": [
        {"id": "evac", "title": "Everyone out <fast>", "title_zh": "全部疏散", "weight": 2.0, "assessed": True,
         "rating": "S", "evidence": {"metric": "evacuation_time_s", "statistic": "p90", "runs": 2, "from_fact": False,
                                     "value": 321.0, "unit": " s", "thresholds": {"P": 300, "S": 360, "M": 480},
                                     "rule": "S: value <= 360 s", "source": "GB 51298"}},
        {"id": "fire", "title": "Fire unit", "title_zh": "", "weight": 1.0, "assessed": False, "rating": None,
         "reason": "not produced by the scenario nor given as a fact: response.first_unit_p90_s"},
    ],
    "improvements": [{"id": "evac", "rating": "S", "points_lost": 16.67, "action": "Widen the stair",
                      "action_zh": "加宽楼梯"}],
}


def test_scorecard_rows_and_html_report_carry_the_evidence():
    rows = scorecard_rows(CARD, "en")
    assert rows[0]["evidence"] == "evacuation_time_s: p90 over 2 runs; S: value <= 360 s; GB 51298"
    assert rows[1]["rating"] == "—" and "not produced" in rows[1]["evidence"]
    page = scorecard_html(CARD, "en")
    assert "70.0 / 100" in page and "Everyone out &lt;fast&gt;" in page and "Widen the stair" in page
    zh = scorecard_html(CARD, "zh")
    assert "准备度评分卡" in zh and "全部疏散" in zh and "加宽楼梯" in zh and "合格" in zh


def test_example_observations_rate_one_inject_late():
    injects = [{"inject_id": "I01", "target_p50_s": None, "target_p90_s": None, "inject_type": "event"},
               {"inject_id": "I02", "target_p50_s": 100.0, "target_p90_s": 150.0, "inject_type": "information"},
               {"inject_id": "I03", "target_p50_s": 200.0, "target_p90_s": 250.0, "inject_type": "information"},
               {"inject_id": "I04", "target_p50_s": 300.0, "target_p90_s": 350.0, "inject_type": "contingency"}]
    lines = example_observations(injects).splitlines()
    assert lines == ["inject_id,observed_time_s,notes", "I02,180,example", "I03,220,example"]
