"""Drill designer (MSEL from milestones) and drill evaluation (P/S/M/U against targets), without simulating."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.errors import ScenarioError
from sim.plans.drill import MSEL_COLUMNS, Drill, build_injects, read_msel, write_msel
from sim.plans.evaluate import evaluate_drill, rate_observation
from sim.plans.metrics import timeline_metrics
from sim.results import RunResult

RUNS = [
    {"timeline.first_out_s": 5.0 + i, "timeline.t50_s": 30.0 + i, "t95_s": 50.0 + i, "evacuation_time_s": 60.0 + 2 * i,
     "max_density_p_m2": 3.0}
    for i in range(5)
]


def _drill(exercise_type: str = "tabletop") -> Drill:
    injects = build_injects(RUNS, plan="B", closed_exits=("side_door",), exercise_type=exercise_type)
    return Drill({"scenario": "Room", "scenario_file": "room.yaml", "scenario_sha256": "ab" * 32, "plan": "B",
                  "exercise_type": exercise_type, "reps": 5, "seeds": [0, 4], "agents": 60, "code_version": "v",
                  "injects": injects})


def test_injects_follow_the_simulated_timeline_with_percentile_targets():
    injects = _drill().injects
    times = [r["scenario_time_s"] for r in injects]
    assert times == sorted(times) and [r["seq"] for r in injects] == list(range(1, len(injects) + 1))
    last = next(r for r in injects if r["notes"] == "simulated milestone: evacuation_time_s"
                and r["inject_type"] != "contingency")
    assert last["target_p50_s"] == 64.0 and last["target_p90_s"] == pytest.approx(67.2)
    assert last["scenario_time_s"] == 64.0 and last["scenario_time"] == "T+01:04"
    assert any("side_door" in r["description_en"] and "side_door" in r["description_zh"] for r in injects)
    contingency = [r for r in injects if r["inject_type"] == "contingency"]
    assert len(contingency) == 1 and contingency[0]["target_p50_s"] is None
    assert all(r["description_zh"] and r["expected_action_zh"] and r["objective_zh"] for r in injects)
    assert not any("response" in r["notes"] for r in injects)  # no response metrics: no response injects
    with_response = build_injects([{**r, "response.first_unit_p90_s": 300.0} for r in RUNS], plan="B")
    assert any(r["notes"].endswith("response.first_unit_p90_s") for r in with_response)


def test_delivery_depends_on_the_exercise_type():
    assert _drill("tabletop").injects[0]["delivery"] != _drill("full-scale").injects[0]["delivery"]


def test_msel_round_trips_through_csv_and_markdown(tmp_path):
    paths = write_msel(_drill(), tmp_path / "msel.csv")
    assert [p.name for p in paths] == ["msel.csv", "msel.md"]
    header = paths[0].read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header) == MSEL_COLUMNS
    rows = read_msel(paths[0])
    assert [r["inject_id"] for r in rows] == [r["inject_id"] for r in _drill().injects]
    md = paths[1].read_text(encoding="utf-8")
    assert "演练脚本" in md and "T+01:04" in md


@pytest.mark.parametrize(("observed", "rating"), [(40, "P"), (50, "P"), (55, "S"), (60, "S"), (90, "M"), (91, "U"),
                                                  (None, "U")])
def test_rating_of_an_observation(observed, rating):
    assert rate_observation(observed, 50.0, 60.0) == rating


def test_evaluation_rates_objectives_scores_and_writes_a_report(tmp_path):
    msel = write_msel(_drill(), tmp_path / "msel")[0]
    ids = {r["notes"].split(": ")[-1]: r["inject_id"] for r in read_msel(msel) if r["inject_type"] != "contingency"}
    obs = tmp_path / "observed.csv"
    obs.write_text(
        "inject_id,observed_time_s,notes\n"
        f"{ids['timeline.first_out_s']},4,fast\n"          # <= p50 7 -> P
        f"{ids['evacuation_time_s']},01:50,slow sweep\n"   # 110 s > 1.5 x p90 (100.8) -> U
        f"{ids['t95_s']},,not done\n",                     # not performed -> U
        encoding="utf-8",
    )
    ev = evaluate_drill(msel, obs, report=tmp_path / "aar.md")
    by_id = {r["inject_id"]: r for r in ev["injects"]}
    assert by_id[ids["timeline.first_out_s"]]["rating"] == "P"
    assert by_id[ids["evacuation_time_s"]]["rating"] == "U" and by_id[ids["evacuation_time_s"]]["observed_s"] == 110
    assert by_id[ids["t95_s"]]["rating"] == "U"
    assert by_id[ids["timeline.t50_s"]]["status"] == "not observed"
    assert ev["rated"] == 3 and ev["score"] == pytest.approx(100 / 3, abs=0.01) and ev["band"] == "fail"
    report = (tmp_path / "aar.md").read_text(encoding="utf-8")
    assert "Improvement plan" in report and "110 s" in report and "纠正行动" in report
    bad = tmp_path / "bad.csv"
    bad.write_text("inject_id,observed_time_s\nI99,10\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not in the MSEL"):
        evaluate_drill(msel, bad)
    bad.write_text("inject_id,observed_time_s\nI01,soon\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not a time"):
        evaluate_drill(msel, bad)


def test_timeline_metrics_of_a_run():
    agents = pd.DataFrame({"agent_id": [0, 1, 2, 3], "population": ["p"] * 4, "level": ["g"] * 4,
                           "exit": ["a", "b", "a", ""], "v0_m_s": [1.3] * 4, "premovement_s": [1.0, 2.0, 3.0, 4.0],
                           "exit_time_s": [10.0, 4.0, 12.0, float("nan")]})
    ts = pd.DataFrame({"t_s": [0.0, 1.0, 2.0], "max_density_p_m2": [1.0, 3.0, 2.0]})
    m = timeline_metrics(RunResult(summary={}, agents=agents, timeseries=ts))
    assert m["timeline.first_out_s"] == 4.0 and m["timeline.t50_s"] == 10.0
    assert m["timeline.exit_first_s.a"] == 10.0 and m["timeline.exit_first_s.b"] == 4.0
    assert m["timeline.peak_density_t_s"] == 1.0 and m["timeline.premovement_p90_s"] == pytest.approx(3.7)
