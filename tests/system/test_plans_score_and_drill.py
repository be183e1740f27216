"""``drillsim score``, ``drill`` and ``evaluate`` on a shipped scenario (3 small runs, shared by the tests)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.plans.scorecard import shipped_rubrics

ROOT = Path(__file__).resolve().parents[2]
BOTTLENECK = str(ROOT / "scenarios" / "bottleneck.yaml")


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return str(tmp_path_factory.mktemp("catalogue") / "c.sqlite")


def test_score_rates_with_evidence_and_follows_the_rubric_file(tmp_path, db):
    common = ("score", BOTTLENECK, "--plan", "A", "--reps", "3", "--agents", "60", "--workers", "1", "--db", db,
              "--no-progress")
    status, text, err = cli(*common, "--rubric", "china", "--fact", "drill.interval_months=6", "--json")
    assert status == 0, err
    card = json.loads(text)
    by_id = {c["id"]: c for c in card["criteria"]}
    six = by_id["metro_safe_area_6min"]
    assert six["assessed"] and six["rating"] == "P"  # 60 people leave the room in well under 6 min
    assert six["evidence"]["metric"] == "evacuation_time_s" and six["evidence"]["runs"] == 3
    assert 30 < six["evidence"]["value"] < 360 and six["evidence"]["thresholds"]["P"] == 360
    assert "GB 51298" in six["evidence"]["source"]
    assert by_id["first_fire_unit_5min"]["assessed"] is False  # no response section in this scenario
    assert by_id["drill_frequency"]["rating"] == "P" and by_id["drill_frequency"]["evidence"]["from_fact"]
    assert 0 <= card["score"] <= 100 and card["band_zh"] in ("优秀", "良好", "合格", "不合格")

    # the same rubric with the 6-minute threshold tightened below the measured value: the rating drops
    data = yaml.safe_load(shipped_rubrics()["china"].read_text(encoding="utf-8"))
    measured = six["evidence"]["value"]
    for c in data["criteria"]:
        if c["id"] == "metro_safe_area_6min":
            c["thresholds"] = {"P": measured / 3, "S": measured / 2, "M": measured * 0.9}
    strict = tmp_path / "strict.yaml"
    strict.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    status, text, err = cli(*common, "--rubric", str(strict), "--fact", "drill.interval_months=6", "--json")
    assert status == 0, err
    card2 = json.loads(text)
    six2 = next(c for c in card2["criteria"] if c["id"] == "metro_safe_area_6min")
    assert six2["rating"] == "U" and six2["evidence"]["value"] == measured  # same runs, served from the catalogue
    assert card2["score"] < card["score"]
    assert any(i["id"] == "metro_safe_area_6min" for i in card2["improvements"])

    status, text, _ = cli(*common)  # people get a table
    assert status == 0 and "not assessed" in text and "score" in text
    status, _, err = cli(*common, "--fact", "drills=often")
    assert status == 2 and "--fact" in err


def test_drill_script_then_evaluation(tmp_path, db):
    status, text, err = cli("drill", BOTTLENECK, "--plan", "A", "--type", "tabletop", "--reps", "3", "--agents", "60",
                            "--workers", "1", "--db", db, "--out", str(tmp_path / "msel.csv"), "--no-progress",
                            "--json")
    assert status == 0, err
    msel = json.loads(text)
    assert msel["files"] == [str(tmp_path / "msel.csv"), str(tmp_path / "msel.md")]
    last = next(r for r in msel["injects"] if r["notes"].endswith(": evacuation_time_s") and r["target_p50_s"])
    assert 30 < last["target_p50_s"] <= last["target_p90_s"] < 120
    obs = tmp_path / "observed.csv"
    obs.write_text(f"inject_id,observed_time_s,notes\n{last['inject_id']},{last['target_p50_s'] - 1},good\n")
    status, text, err = cli("evaluate", str(tmp_path / "msel.csv"), "--observed", str(obs), "--json")
    assert status == 0, err
    ev = json.loads(text)
    assert ev["score"] == 100.0 and ev["band"] == "excellent" and ev["rated"] == 1
    assert (tmp_path / "observed.aar.md").read_text(encoding="utf-8").startswith("# After-action report")
    status, _, err = cli("drill", BOTTLENECK, "--plan", "Z", "--out", str(tmp_path / "x"), "--db", db)
    assert status == 2 and "no such plan" in err
