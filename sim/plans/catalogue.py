"""The run catalogue: every run and comparison, recorded in an embedded SQLite database.

Where: ``--db PATH``, else the environment variable ``DRILLSIM_DB``, else
``platformdirs.user_data_dir("drillsim")/catalogue.sqlite``.

Tables:

``runs``
    one row per finished run: scenario name, path and SHA-256, plan, seed, agents, code version,
    calibration, metrics (JSON), the full summary (JSON), output paths (JSON), started / finished time (UTC,
    ISO 8601), wall time, executor. Unique key ``(scenario_sha256, plan, seed, agents, code_version,
    calibration)``: a run is made once; a comparison that is resumed finds its finished runs here.
``comparisons``
    one row per ``drillsim compare`` invocation: its parameters, status (``running`` / ``finished``), how many
    runs it executed and how many it found in the catalogue, and the result (JSON) once finished.
``comparison_runs``
    which runs a comparison used.

Safety: WAL journal, one transaction per write (a run row is inserted whole or not at all), foreign keys on,
a busy timeout for concurrent writers. A process killed at any moment leaves the database consistent: SQLite
rolls back an unfinished transaction on the next open.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.plans.replicate import Replication, ReplicationResult

__all__ = ["Catalogue", "default_db_path", "RUN_COLUMNS", "ENV_VAR", "METRICS_SCHEMA"]

#: Version of what :mod:`sim.plans.metrics` collects from a run. A catalogued run with an older version is not
#: served (it lacks metrics added since) and is replaced when the replication is run again. Raise it whenever
#: the collected metrics change: a dirty checkout's code version does not change with edits.
METRICS_SCHEMA = 2

#: Environment variable that overrides the default catalogue path.
ENV_VAR = "DRILLSIM_DB"

#: Columns of ``runs`` as listed and exported (in this order).
RUN_COLUMNS = (
    "id",
    "scenario",
    "scenario_path",
    "scenario_sha256",
    "plan",
    "seed",
    "agents",
    "code_version",
    "calibration",
    "metrics",
    "outputs",
    "started_at",
    "finished_at",
    "wall_s",
    "executor",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id              INTEGER PRIMARY KEY,
    scenario        TEXT NOT NULL,
    scenario_path   TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL,
    plan            TEXT NOT NULL,
    seed            INTEGER NOT NULL,
    agents          INTEGER NOT NULL,
    code_version    TEXT NOT NULL,
    calibration     TEXT NOT NULL,
    metrics         TEXT NOT NULL,
    summary         TEXT NOT NULL,
    outputs         TEXT NOT NULL DEFAULT '[]',
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    wall_s          REAL NOT NULL,
    executor        TEXT NOT NULL DEFAULT '',
    metrics_schema  INTEGER NOT NULL DEFAULT 1,
    UNIQUE (scenario_sha256, plan, seed, agents, code_version, calibration)
);
CREATE INDEX IF NOT EXISTS runs_by_scenario ON runs (scenario, plan, seed);
CREATE TABLE IF NOT EXISTS comparisons (
    id              INTEGER PRIMARY KEY,
    scenario        TEXT NOT NULL,
    scenario_path   TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL,
    plans           TEXT NOT NULL,
    reps            INTEGER NOT NULL,
    seed            INTEGER NOT NULL,
    agents          INTEGER NOT NULL,
    code_version    TEXT NOT NULL,
    calibration     TEXT NOT NULL,
    executor        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    executed        INTEGER NOT NULL DEFAULT 0,
    from_catalogue  INTEGER NOT NULL DEFAULT 0,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    result          TEXT
);
CREATE TABLE IF NOT EXISTS comparison_runs (
    comparison_id   INTEGER NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,
    run_id          INTEGER NOT NULL REFERENCES runs (id),
    PRIMARY KEY (comparison_id, run_id)
);
"""


def default_db_path() -> Path:
    """``$DRILLSIM_DB`` if set, else ``user_data_dir("drillsim")/catalogue.sqlite``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("drillsim")) / "catalogue.sqlite"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Catalogue:
    """The run catalogue in one SQLite file (created with its folder if missing).

    Args:
        path: database file; ``None`` for :func:`default_db_path`.

    Raises:
        ScenarioError: the file cannot be opened or is not a drillsim catalogue.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_db_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: a killed process never corrupts
            self._conn.execute("PRAGMA foreign_keys=ON")
            with self._transaction():
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        self._conn.execute(stmt)
                cols = {r[1] for r in self._conn.execute("PRAGMA table_info(runs)")}
                if "metrics_schema" not in cols:  # a catalogue written before the column existed
                    self._conn.execute("ALTER TABLE runs ADD COLUMN metrics_schema INTEGER NOT NULL DEFAULT 1")
        except (sqlite3.DatabaseError, OSError) as exc:
            raise ScenarioError(
                f"cannot open the run catalogue ({exc})",
                field="--db",
                value=str(self.path),
                fix="give a writable path with --db or DRILLSIM_DB (a new file is created)",
            ) from None

    # -- plumbing -------------------------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole at the end, rolled back on any error."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs -----------------------------------------------------------------------------------------------
    def find_run(self, rep: Replication, code_version: str) -> dict[str, Any] | None:
        """The finished run of this replication under this code version, or ``None``."""
        row = self._conn.execute(
            "SELECT * FROM runs WHERE scenario_sha256=? AND plan=? AND seed=? AND agents=? AND code_version=? "
            "AND calibration=? AND metrics_schema>=?",
            (rep.scenario_sha256, rep.plan, rep.seed, rep.agents, code_version, rep.calibration, METRICS_SCHEMA),
        ).fetchone()
        return None if row is None else _run_dict(row)

    def record_run(self, res: ReplicationResult, *, executor: str = "", comparison_id: int | None = None) -> int:
        """Insert one finished run (one transaction) and link it to a comparison; returns its row id.

        A run already present under the same unique key is kept as is (the first result wins; runs are
        deterministic, so a repeat has the same numbers), unless it was recorded with an older
        :data:`METRICS_SCHEMA`: then it is replaced in the same transaction.
        """
        rep = res.replication
        s = res.summary
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM comparison_runs WHERE run_id IN (SELECT id FROM runs WHERE scenario_sha256=? AND plan=? "
                "AND seed=? AND agents=? AND code_version=? AND calibration=? AND metrics_schema<?)",
                (rep.scenario_sha256, rep.plan, rep.seed, rep.agents, res.code_version, rep.calibration,
                 METRICS_SCHEMA),
            )
            conn.execute(
                "DELETE FROM runs WHERE scenario_sha256=? AND plan=? AND seed=? AND agents=? AND code_version=? "
                "AND calibration=? AND metrics_schema<?",
                (rep.scenario_sha256, rep.plan, rep.seed, rep.agents, res.code_version, rep.calibration,
                 METRICS_SCHEMA),
            )
            conn.execute(
                "INSERT OR IGNORE INTO runs (scenario, scenario_path, scenario_sha256, plan, seed, agents, "
                "code_version, calibration, metrics, summary, outputs, started_at, finished_at, recorded_at, wall_s,"
                " executor, metrics_schema) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    str(s.get("scenario", "")),
                    rep.scenario_path,
                    rep.scenario_sha256,
                    rep.plan,
                    rep.seed,
                    rep.agents,
                    res.code_version,
                    rep.calibration,
                    json.dumps(res.metrics, sort_keys=True),
                    json.dumps(s, sort_keys=True, default=str),
                    json.dumps(list(res.outputs)),
                    res.started_at,
                    res.finished_at,
                    _now(),
                    res.wall_s,
                    executor,
                    METRICS_SCHEMA,
                ),
            )
            run_id = conn.execute(
                "SELECT id FROM runs WHERE scenario_sha256=? AND plan=? AND seed=? AND agents=? AND code_version=? "
                "AND calibration=?",
                (rep.scenario_sha256, rep.plan, rep.seed, rep.agents, res.code_version, rep.calibration),
            ).fetchone()[0]
            if comparison_id is not None:
                conn.execute(
                    "INSERT OR IGNORE INTO comparison_runs (comparison_id, run_id) VALUES (?, ?)",
                    (comparison_id, run_id),
                )
        return int(run_id)

    def link_runs(self, comparison_id: int, run_ids: Sequence[int]) -> None:
        """Record that a comparison used these (already catalogued) runs."""
        with self._transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO comparison_runs (comparison_id, run_id) VALUES (?, ?)",
                [(comparison_id, r) for r in run_ids],
            )

    def runs(self, *, scenario: str | None = None, plan: str | None = None) -> list[dict[str, Any]]:
        """Catalogued runs, oldest first; ``scenario`` matches the scenario's name, file path or hash prefix."""
        sql = "SELECT * FROM runs"
        where: list[str] = []
        params: list[Any] = []
        if scenario is not None:
            where.append("(scenario = ? OR scenario_path = ? OR scenario_path LIKE ? OR scenario_sha256 LIKE ?)")
            params += [scenario, str(Path(scenario).resolve()), f"%/{Path(scenario).name}", f"{scenario}%"]
        if plan is not None:
            where.append("plan = ?")
            params.append(plan)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        return [_run_dict(r) for r in self._conn.execute(sql, params)]

    def count_runs(self) -> int:
        """Number of runs in the catalogue."""
        return int(self._conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    # -- comparisons ----------------------------------------------------------------------------------------
    def start_comparison(
        self,
        *,
        scenario: str,
        scenario_path: str,
        scenario_sha256: str,
        plans: Sequence[str],
        reps: int,
        seed: int,
        agents: int,
        code_version: str,
        calibration: str,
        executor: str,
    ) -> int:
        """Insert a comparison with status ``running``; returns its id."""
        with self._transaction() as conn:
            cur = conn.execute(
                "INSERT INTO comparisons (scenario, scenario_path, scenario_sha256, plans, reps, seed, agents, "
                "code_version, calibration, executor, status, started_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    scenario,
                    scenario_path,
                    scenario_sha256,
                    json.dumps(list(plans)),
                    reps,
                    seed,
                    agents,
                    code_version,
                    calibration,
                    executor,
                    "running",
                    _now(),
                ),
            )
            return int(cur.lastrowid or 0)

    def finish_comparison(
        self,
        comparison_id: int,
        *,
        result: dict[str, Any],
        executed: int,
        from_catalogue: int,
        status: str = "finished",
    ) -> None:
        """Mark a comparison finished (or failed) and store its result."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE comparisons SET status=?, finished_at=?, result=?, executed=?, from_catalogue=? WHERE id=?",
                (status, _now(), json.dumps(result, allow_nan=False), executed, from_catalogue, comparison_id),
            )

    def comparisons(self) -> list[dict[str, Any]]:
        """Every comparison, oldest first (without the stored result)."""
        rows = self._conn.execute(
            "SELECT id, scenario, scenario_sha256, plans, reps, seed, agents, code_version, calibration, executor, "
            "status, executed, from_catalogue, started_at, finished_at FROM comparisons ORDER BY id"
        )
        out = []
        for r in rows:
            d = dict(r)
            d["plans"] = json.loads(d["plans"])
            out.append(d)
        return out

    def comparison_result(self, comparison_id: int) -> dict[str, Any] | None:
        """The stored result of a finished comparison."""
        row = self._conn.execute("SELECT result FROM comparisons WHERE id=?", (comparison_id,)).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: ``"ok"`` for a sound database."""
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    # -- export ---------------------------------------------------------------------------------------------
    def export(self, path: str | os.PathLike[str], rows: list[dict[str, Any]]) -> Path:
        """Write runs to ``path``: CSV (one column per metric, ``metric.<name>``) or JSON (by the suffix)."""
        out = Path(path)
        suffix = out.suffix.lower()
        if suffix == ".json":
            text = json.dumps(rows, indent=2, allow_nan=False) + "\n"
        elif suffix == ".csv":
            text = runs_to_csv(rows)
        else:
            raise ScenarioError(
                "unknown export format",
                field="--export",
                value=str(path),
                fix="give a file name ending in .csv or .json",
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
        return out


def runs_to_csv(rows: list[dict[str, Any]]) -> str:
    """Runs as CSV: the fixed columns then one ``metric.<name>`` column per metric seen in any row."""
    metric_names = sorted({m for r in rows for m in r["metrics"]})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    fixed = [c for c in RUN_COLUMNS if c != "metrics"]
    w.writerow(fixed + [f"metric.{m}" for m in metric_names])
    for r in rows:
        w.writerow(
            [json.dumps(r[c]) if c == "outputs" else r[c] for c in fixed]
            + [r["metrics"].get(m, "") for m in metric_names]
        )
    return buf.getvalue()


def _run_dict(row: sqlite3.Row) -> dict[str, Any]:
    d = {c: row[c] for c in RUN_COLUMNS}
    d["metrics"] = json.loads(d["metrics"])
    d["outputs"] = json.loads(d["outputs"])
    d["summary"] = json.loads(row["summary"])
    return d
