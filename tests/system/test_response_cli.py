"""``drillsim response`` as users run it: output, plans, and bad input as one line with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from tests.unit.test_response_engine import section, write_network

ROOT = Path(__file__).resolve().parents[2]
RIVERSIDE = "scenarios/districts/riverside_response.yaml"


def test_json_is_one_object_with_confidence_intervals():
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "response", RIVERSIDE, "--reps", "5", "--seed", "3", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["plan"] == "base" and out["reps"] == 5 and out["seed"] == 3
    m = out["metrics"]["fire_5min_p90_s"]
    assert m["n"] == 5 and m["ci_low"] <= m["mean"] <= m["ci_high"]
    first = out["first_replication"]
    assert set(first["first_unit_s"]) == {"metro_gas_fire", "shopping_street_fire"}
    assert first["casualties"] == 12 and first["finished"] is True


def test_table_output_and_plan_comparison(capsys):
    assert main(["response", RIVERSIDE, "--reps", "5", "--plan", "more_ambulances"]) == 0
    text = capsys.readouterr().out
    assert "more_ambulances" in text and "95 % CI" in text and "ems_12min_share_met" in text
    assert main(["response", RIVERSIDE, "--reps", "5", "--json"]) == 0
    base = json.loads(capsys.readouterr().out)["metrics"]
    assert main(["response", RIVERSIDE, "--reps", "5", "--json", "--plan", "more_ambulances"]) == 0
    more = json.loads(capsys.readouterr().out)["metrics"]
    # with four more ambulances the competing call no longer waits for one to come free
    assert base["ems_12min_share_met"]["mean"] == 0.5
    assert more["ems_12min_share_met"]["mean"] == 1.0
    assert more["ems_12min_p90_s"]["ci_high"] < base["ems_12min_p90_s"]["ci_low"]


def bad_file(tmp_path: Path, **change) -> Path:  # type: ignore[no-untyped-def]
    write_network(tmp_path)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"response": section(**change)}))
    return path


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"stations": [{"id": "S", "kind": "fire", "node": "99", "teams": {"engine": 1}}]},
            "response.stations[0].node: station node is not in the road network",
        ),
        (
            {"incidents": [{"id": "I", "node": "Z", "tasks": [{"id": "t", "team": "engine", "duration": 1}]}]},
            "incident site cannot be reached",
        ),
        (
            {"incidents": [{"id": "I", "node": "X", "tasks": [{"id": "t", "team": "foam", "duration": 1}]}]},
            "response.incidents[0].tasks[0].team: no station has this team type (got 'foam')",
        ),
    ],
)
def test_bad_response_section_is_one_line_and_exit_status_2(tmp_path, capsys, change, message):
    path = bad_file(tmp_path, **change)
    assert main(["response", str(path), "--reps", "2"]) == 2
    err = capsys.readouterr()
    assert err.out == ""
    assert message in err.err and err.err.count("\n") == 1 and err.err.startswith("drillsim: error:")


def test_missing_file_plan_or_section_is_exit_status_2(tmp_path, capsys):
    assert main(["response", "scenarios/nope.yaml"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["response", RIVERSIDE, "--plan", "Z"]) == 2
    assert "no such plan" in capsys.readouterr().err
    other = tmp_path / "x.yaml"
    other.write_text("name: no response here\n")
    assert main(["response", str(other)]) == 2
    assert "missing required section" in capsys.readouterr().err
