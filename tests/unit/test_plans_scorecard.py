"""Readiness scorecard: rubric validation, ratings with evidence, weights, not-assessed criteria."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from sim.errors import ScenarioError
from sim.plans.scorecard import assess, load_rubric, rate, rubric_from_dict, scorecard, shipped_rubrics

RUNS = [{"evacuation_time_s": t, "max_density_p_m2": d} for t, d in [(200, 3.0), (250, 3.5), (300, 4.5), (220, 2.0)]]
BASE = {
    "name": "test",
    "ratings": {"P": 100, "S": 75, "M": 40, "U": 0},
    "bands": [{"min": 90, "label": "excellent"}, {"min": 60, "label": "pass"}, {"min": 0, "label": "fail"}],
    "criteria": [
        {"id": "evac", "metric": "evacuation_time_s", "thresholds": {"P": 240, "S": 300, "M": 360}, "weight": 3,
         "source": "test source"},
        {"id": "density", "metric": "max_density_p_m2", "thresholds": {"P": 2, "S": 4, "M": 5.5}, "weight": 1},
        {"id": "fire", "metric": "response.targets.fire_5min.p90_s", "thresholds": {"P": 300, "S": 360, "M": 480},
         "weight": 5},
    ],
}


def test_shipped_rubrics_load_and_cite_the_codes():
    assert {"default", "china"} <= set(shipped_rubrics())
    china = load_rubric("china")
    by_id = {c.id: c for c in china.criteria}
    assert by_id["metro_platform_4min"].thresholds["P"] == 240
    assert by_id["metro_safe_area_6min"].thresholds["P"] == 360
    assert by_id["first_fire_unit_5min"].thresholds["P"] == 300
    assert "GB 51298" in by_id["metro_platform_4min"].source
    assert all(c.source for c in china.criteria) and all(c.title_zh for c in china.criteria)
    assert [b[2] for b in china.bands] == ["优秀", "良好", "合格", "不合格"]
    assert load_rubric("default").criteria


def test_rate_follows_direction_and_bounds_are_inclusive():
    rub = rubric_from_dict(BASE)
    evac = rub.criteria[0]
    assert [rate(evac, v) for v in (240, 240.01, 300, 360, 361)] == ["P", "S", "S", "M", "U"]
    cover = rubric_from_dict({**BASE, "criteria": [
        {"id": "c", "metric": "x", "direction": "higher", "thresholds": {"P": 0.9, "S": 0.8, "M": 0.5}}]}).criteria[0]
    assert [rate(cover, v) for v in (0.95, 0.9, 0.85, 0.5, 0.2)] == ["P", "P", "S", "M", "U"]
    assert cover.percentile == 10  # higher is better: judged on the low tail by default


def test_evidence_traces_the_rating_to_a_measured_value_and_threshold():
    rub = rubric_from_dict(BASE)
    r = assess(rub.criteria[0], RUNS)
    e = r["evidence"]
    expected = float(np.percentile([200, 250, 300, 220], 90))
    assert e["value"] == pytest.approx(expected) and e["statistic"] == "p90" and e["percentile"] == 90
    assert e["metric"] == "evacuation_time_s" and e["runs"] == 4 and e["thresholds"] == {"P": 240, "S": 300, "M": 360}
    assert e["source"] == "test source" and r["rating"] == rate(rub.criteria[0], expected) == "S"


def test_changing_a_threshold_changes_the_rating():
    before = scorecard(rubric_from_dict(BASE), RUNS)
    stricter = copy.deepcopy(BASE)
    stricter["criteria"][0]["thresholds"] = {"P": 200, "S": 220, "M": 250}
    after = scorecard(rubric_from_dict(stricter), RUNS)
    assert before["criteria"][0]["rating"] == "S" and after["criteria"][0]["rating"] == "U"
    assert after["score"] < before["score"]


def test_unproduced_metrics_are_not_assessed_and_leave_the_weight():
    card = scorecard(rubric_from_dict(BASE), RUNS)
    fire = card["criteria"][2]
    assert fire["rating"] is None and fire["assessed"] is False and "fire_5min" in fire["reason"]
    # evac S (75) x 3 and density M? p90 of [3, 3.5, 4.5, 2] = 4.2 -> M (40) x 1; fire's weight 5 left out
    assert card["criteria"][1]["rating"] == "M"
    assert card["score"] == pytest.approx((3 * 75 + 1 * 40) / 4)
    assert card["weight_assessed"] == 4 and card["band"] == "pass"
    assert [i["id"] for i in card["improvements"]] == ["evac", "density"]  # most points lost first


def test_a_run_that_did_not_get_everyone_out_counts_as_failure_when_asked():
    runs = RUNS[:3] + [{"max_density_p_m2": 2.0}]  # evacuation_time_s missing: not everyone out
    data = copy.deepcopy(BASE)
    data["criteria"][0]["missing_is_failure"] = True
    r = assess(rubric_from_dict(data).criteria[0], runs)
    assert r["rating"] == "U" and r["evidence"]["value"] is None and r["evidence"]["missing_runs"] == 1
    lenient = assess(rubric_from_dict(BASE).criteria[0], runs)
    assert lenient["rating"] in ("P", "S", "M") and lenient["evidence"]["runs"] == 4


def test_facts_and_ratios():
    data = {**BASE, "criteria": [
        {"id": "drills", "metric": "drill.interval_months", "statistic": "max",
         "thresholds": {"P": 6, "S": 9, "M": 12}},
        {"id": "rset", "metric": "evacuation_time_s", "ratio_to": "aset_s",
         "thresholds": {"P": 0.67, "S": 0.83, "M": 1}},
    ]}
    card = scorecard(rubric_from_dict(data), RUNS, facts={"drill.interval_months": 10, "aset_s": 400})
    drills, rset = card["criteria"]
    assert drills["rating"] == "M" and drills["evidence"]["from_fact"] is True
    assert rset["evidence"]["value"] == pytest.approx(np.percentile([0.5, 0.625, 0.75, 0.55], 90))
    assert rset["rating"] == "S"
    assert scorecard(rubric_from_dict(data), RUNS)["assessed"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["criteria"][0].update(thresholds={"P": 300, "S": 240, "M": 360}), "criteria[0].thresholds"),
        (lambda d: d["criteria"][0].update(colour="red"), "criteria[0].colour"),
        (lambda d: d["criteria"][1].update(id="evac"), "criteria[1].id"),
        (lambda d: d["criteria"][0].update(weight=0), "criteria[0].weight"),
        (lambda d: d.update(bands=[{"min": 50, "label": "x"}]), "bands"),
    ],
)
def test_invalid_rubrics_name_the_field(change, field):
    data = copy.deepcopy(BASE)
    change(data)
    with pytest.raises(ScenarioError, match=field.replace("[", r"\[").replace("]", r"\]")):
        rubric_from_dict(data, source="r.yaml")


def test_rubric_files(tmp_path):
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(BASE))
    assert load_rubric(tmp_path / "r.yaml").name == "test"
    (tmp_path / "bad.yaml").write_text("name: [unclosed")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_rubric(tmp_path / "bad.yaml")
    with pytest.raises(ScenarioError, match="default, china|china, default"):
        load_rubric(tmp_path / "missing.yaml")
