"""The run catalogue: unique runs, transactions, listing and export."""

from __future__ import annotations

import json
import sqlite3

import pytest

from sim.errors import ScenarioError
from sim.plans.catalogue import Catalogue, default_db_path
from sim.plans.replicate import Replication, ReplicationResult


def _result(plan: str = "A", seed: int = 0, t: float = 40.0) -> ReplicationResult:
    rep = Replication(scenario_path="/x/s.yaml", scenario_sha256="abc123", plan=plan, seed=seed, agents=60,
                      calibration="empirical")
    summary = {"scenario": "Room", "plan": plan, "seed": seed, "evacuation_time_s": t}
    return ReplicationResult(replication=rep, summary=summary, metrics={"evacuation_time_s": t}, outputs=(),
                             started_at="2026-01-01T00:00:00", finished_at="2026-01-01T00:00:01", wall_s=1.0,
                             code_version="v1")


def test_a_run_is_recorded_once_and_found_by_its_key(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as cat:
        first = cat.record_run(_result(t=40.0))
        again = cat.record_run(_result(t=99.0))  # same key: the first stays
        assert first == again and cat.count_runs() == 1
        found = cat.find_run(_result().replication, "v1")
        assert found is not None and found["metrics"] == {"evacuation_time_s": 40.0}
        assert cat.find_run(_result().replication, "v2") is None  # another code version is another run
        cat.record_run(_result(plan="B"))
        assert [r["plan"] for r in cat.runs(scenario="Room")] == ["A", "B"]
        assert cat.runs(scenario="s.yaml", plan="B")[0]["plan"] == "B"
        assert cat.runs(scenario="other") == []
        assert cat.integrity_check() == "ok"
        mode = cat._conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_a_failed_transaction_leaves_nothing_behind(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as cat:
        with pytest.raises(RuntimeError), cat._transaction() as conn:
            conn.execute("INSERT INTO comparisons (scenario, scenario_path, scenario_sha256, plans, reps, seed, "
                         "agents, code_version, calibration, executor, status, started_at) "
                         "VALUES ('s','p','h','[]',1,0,1,'v','e','local','running','t')")
            raise RuntimeError("killed half-way")
        assert cat.comparisons() == []


def test_comparisons_are_recorded_with_status_and_runs(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as cat:
        cid = cat.start_comparison(scenario="Room", scenario_path="/x/s.yaml", scenario_sha256="abc123",
                                   plans=["A", "B"], reps=1, seed=0, agents=60, code_version="v1",
                                   calibration="empirical", executor="local:2")
        assert cat.comparisons()[0]["status"] == "running"
        cat.record_run(_result(), comparison_id=cid)
        cat.finish_comparison(cid, result={"ok": 1}, executed=1, from_catalogue=0)
        c = cat.comparisons()[0]
        assert c["status"] == "finished" and c["plans"] == ["A", "B"] and c["executed"] == 1
        assert cat.comparison_result(cid) == {"ok": 1}
        n = cat._conn.execute("SELECT COUNT(*) FROM comparison_runs WHERE comparison_id=?", (cid,)).fetchone()[0]
        assert n == 1


def test_export_csv_and_json(tmp_path):
    with Catalogue(tmp_path / "c.sqlite") as cat:
        cat.record_run(_result(seed=0, t=40.0))
        cat.record_run(_result(seed=1, t=41.5))
        rows = cat.runs()
        csv_text = cat.export(tmp_path / "runs.csv", rows).read_text()
        header = csv_text.splitlines()[0].split(",")
        assert "metric.evacuation_time_s" in header and "summary" not in header
        assert csv_text.splitlines()[2].endswith(",41.5")
        data = json.loads(cat.export(tmp_path / "runs.json", rows).read_text())
        assert [r["seed"] for r in data] == [0, 1]
        with pytest.raises(ScenarioError, match="--export"):
            cat.export(tmp_path / "runs.xlsx", rows)


def test_default_path_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DRILLSIM_DB", str(tmp_path / "env.sqlite"))
    assert default_db_path() == tmp_path / "env.sqlite"
    with Catalogue() as cat:
        assert cat.path == tmp_path / "env.sqlite"
    monkeypatch.delenv("DRILLSIM_DB")
    assert default_db_path().name == "catalogue.sqlite" and "drillsim" in str(default_db_path())


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ScenarioError, match="--db"):
        Catalogue(bad)
    assert sqlite3.sqlite_version
