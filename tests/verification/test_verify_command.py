"""``drillsim verify`` and the report writer, on a few fast tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sim.verification.report import write_report
from sim.verification.suite import run_suite

ROOT = Path(__file__).resolve().parents[2]


def drillsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"NUMBA_NUM_THREADS": "1", **__import__("os").environ},
    )


def test_verify_json_prints_one_object_and_exits_0_when_all_pass():
    proc = drillsim("verify", "--only", "1,2,4", "--calibration", "code", "--json", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["calibration"] == ["code"] and out["passed"] is True
    assert {"rows", "code_version", "machine", "counts"} <= set(out)
    tests = [r["test"] for r in out["rows"]]
    assert tests[:5] == ["1a", "1b", "1c", "2", "2b"]
    stairs = [r for r in out["rows"] if r["test"] in ("2", "2b")]
    assert [r["status"] for r in stairs] == ["pass", "pass"]  # up and down the 10 m stair


def test_verify_table_for_people():
    proc = drillsim("verify", "--only", "4", "--calibration", "empirical", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "pre-movement" in proc.stdout and "pass" in proc.stdout
    assert "3 passed, 0 failed" in proc.stdout  # test 4 and the suite-wide overlap and wall checks


def test_verify_unknown_test_is_one_line_and_exit_2():
    proc = drillsim("verify", "--only", "99")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--only" in proc.stderr


def test_report_writes_markdown_and_plots(tmp_path):
    result = run_suite(("code",), quick=True, only=("1", "7"))
    path = write_report(result, tmp_path, command="test")
    text = path.read_text()
    assert "| code | 7 |" in text and "Known deviations" in text
    assert (tmp_path / "img" / "verification_fd.png").stat().st_size > 1000
    assert (tmp_path / "img" / "verification_bottleneck.png").stat().st_size > 1000
