"""``drillsim compare`` end to end: local processes, a real local Dask cluster, the catalogue, resumption.

Acceptance of issue 8: two plans x 10 replications of the bottleneck (60 persons, to stay quick) give the same
numbers locally, on a Dask cluster (a scheduler and 2 worker processes on loopback started by
``scripts/dask-local-cluster``), and when rerun (served from the catalogue without new runs); a comparison
killed midway finishes only the missing replications and leaves the catalogue intact.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
BOTTLENECK = str(ROOT / "scenarios" / "bottleneck.yaml")
ARGS = ("compare", BOTTLENECK, "--plans", "A,B", "--reps", "10", "--agents", "60", "--json", "--no-progress")
#: Parts of the JSON that are the numbers (the rest says where and how they were made).
NUMBERS = ("metrics", "pairwise", "ranking", "runs")


def cli(*args: str) -> tuple[int, str, str]:
    """``drillsim ARGS`` in this process (the same code path as the console script, without a new interpreter)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


def db_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT plan, seed, recorded_at FROM runs ORDER BY plan, seed").fetchall()


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    db = tmp_path_factory.mktemp("local") / "catalogue.sqlite"
    status, out, err = cli(*ARGS, "--db", str(db))  # default executor: 2 local worker processes
    assert status == 0, err
    return db, json.loads(out)


def test_local_comparison_reports_every_statistic(local):
    _, out = local
    assert out["executed"] == 20 and out["from_catalogue"] == 0 and out["seeds"] == list(range(10))
    evac = out["metrics"]["evacuation_time_s"]
    assert evac["direction"] == "lower"
    for plan in ("A", "B"):
        st = evac["plans"][plan]
        assert st["n"] == 10 and st["ci95"][0] < st["mean"] < st["ci95"][1] and st["p5"] <= st["p50"] <= st["p95"]
    # the side door (plan B) makes the room empty faster on every seed: B beats A with certainty
    diff = out["pairwise"]["evacuation_time_s"][0]
    assert (diff["a"], diff["b"]) == ("A", "B") and diff["ci95"][0] > 0 and diff["p_better_seeds"] == 0.0
    assert out["ranking"]["order"] == ["B", "A"] and 0.9 <= out["ranking"]["stability"] <= 1.0
    # plan A closes the side door: its flow there is not available, and nothing crashed
    assert out["metrics"]["exit_flow_p_per_s.side_door"]["plans"]["A"]["available"] is False
    assert [(r["plan"], r["seed"]) for r in out["runs"]] == [(p, s) for p in "AB" for s in range(10)]


def test_rerun_is_served_from_the_catalogue(local):
    db, first = local
    before = db_rows(db)
    status, text, err = cli(*ARGS, "--db", str(db))
    assert status == 0, err
    again = json.loads(text)
    assert again["executed"] == 0 and again["from_catalogue"] == 20
    assert db_rows(db) == before  # no new row, no row rewritten
    assert {k: again[k] for k in NUMBERS} == {k: first[k] for k in NUMBERS}
    with sqlite3.connect(db) as conn:
        statuses = [r[0] for r in conn.execute("SELECT status FROM comparisons ORDER BY id")]
    assert statuses[-2:] == ["finished", "finished"]
    status, table, _ = cli(*[a for a in ARGS if a != "--json"], "--db", str(db))  # people get tables
    assert status == 0 and "ranking by mean evacuation_time_s, best first: B, A" in table
    assert "0 executed" in table and "20 from the catalogue" in table


def test_dask_cluster_gives_the_same_numbers(local, tmp_path):
    _, reference = local
    cluster = subprocess.Popen(
        [str(ROOT / "scripts" / "dask-local-cluster"), "--workers", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        address = cluster.stdout.readline().strip()  # printed once the scheduler and both workers are up
        assert address.startswith("dask://127.0.0.1:"), cluster.stderr.read() if cluster.poll() else address
        status, text, err = cli(*ARGS, "--db", str(tmp_path / "dask.sqlite"), "--executor", address)
        assert status == 0, err
        out = json.loads(text)
        assert out["executor"].startswith("dask:tcp://127.0.0.1:") and out["executed"] == 20
        assert {k: out[k] for k in NUMBERS} == {k: reference[k] for k in NUMBERS}
        with sqlite3.connect(tmp_path / "dask.sqlite") as conn:
            executors = {r[0] for r in conn.execute("SELECT executor FROM runs")}
        assert executors == {out["executor"]}
    finally:
        cluster.send_signal(signal.SIGTERM)
        status = cluster.wait(timeout=60)
    assert status == 0
    assert "stopped" in cluster.stderr.read()


def test_a_killed_comparison_resumes_with_only_the_missing_runs(local, tmp_path):
    _, reference = local
    db = tmp_path / "killed.sqlite"
    victim = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *ARGS, "--db", str(db), "--workers", "1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    done = 0
    while time.monotonic() < deadline and victim.poll() is None:
        if db.exists():
            try:
                done = len(db_rows(db))
            except sqlite3.OperationalError:  # tables not created yet
                done = 0
            if done >= 3:
                break
        time.sleep(0.02)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        assert conn.execute("SELECT status FROM comparisons").fetchall() == [("running",)]
    assert 3 <= kept < 20, f"the kill came too late ({kept} runs finished)"
    status, text, err = cli(*ARGS, "--db", str(db), "--workers", "1")  # in this process: no interpreters to start
    assert status == 0, err
    out = json.loads(text)
    with sqlite3.connect(db) as conn:
        versions = {r[0] for r in conn.execute("SELECT code_version FROM runs")}
    assert versions == {out["code_version"]}, "the code version changed under the test (someone edited the tree)"
    assert (out["executed"], out["from_catalogue"]) == (20 - kept, kept)
    assert {k: out[k] for k in NUMBERS} == {k: reference[k] for k in NUMBERS}
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 20


def test_runs_lists_and_exports(local, tmp_path):
    db, _ = local
    status, text, err = cli("runs", "--db", str(db), "--scenario", "Bottleneck room", "--plan", "B", "--json",
                            "--export", str(tmp_path / "runs.csv"))
    assert status == 0, err
    out = json.loads(text)
    assert out["count"] == 10 and {r["plan"] for r in out["runs"]} == {"B"}
    assert all(r["scenario_sha256"] and r["code_version"] and r["agents"] == 60 for r in out["runs"])
    lines = (tmp_path / "runs.csv").read_text().splitlines()
    assert len(lines) == 11 and "metric.evacuation_time_s" in lines[0]
    status, text, _ = cli("runs", "--db", str(db))
    assert status == 0 and "20 runs in" in text


def test_bad_input_is_one_line_and_status_2(tmp_path):
    status, _, err = cli("compare", BOTTLENECK, "--plans", "A,Z", "--db", str(tmp_path / "x.sqlite"))
    assert status == 2
    assert err.count("\n") == 1 and "no such plan" in err and "A, B" in err
    status, _, err = cli("compare", BOTTLENECK, "--executor", "spark://x:1", "--db", str(tmp_path / "x.sqlite"))
    assert status == 2 and "unknown executor" in err


def test_api_writes_run_outputs_and_records_their_paths(tmp_path):
    from sim.plans import Catalogue, compare

    with Catalogue(tmp_path / "c.sqlite") as cat:
        result = compare(BOTTLENECK, plans=["B"], reps=2, seed=5, agents=20, workers=1, catalogue=cat,
                         out_dir=tmp_path / "out")
        runs = cat.runs()
    assert result["executed"] == 2 and [r["seed"] for r in result["runs"]] == [5, 6]
    assert len(runs) == 2 and all(len(r["outputs"]) == 3 for r in runs)
    summary = json.loads((tmp_path / "out" / "B" / "seed-6" / "summary.json").read_text())
    assert summary["seed"] == 6 and summary["agents"] == 20
    assert runs[1]["metrics"]["evacuation_time_s"] == summary["evacuation_time_s"]
