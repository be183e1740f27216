"""Replications of a scenario and the executors that run them: local processes or a Dask cluster.

A replication is one run: a scenario file (path and SHA-256 of its bytes), a plan, a root seed and a number
of persons. It is a small frozen value that pickles cheaply, so it can be shipped to another process or
machine, which loads the scenario itself and checks that its bytes have the recorded hash.

**Common random numbers.** Replication ``i`` (``i = 0 .. N-1``) of *every* plan uses the root seed
``S + i``. Since each run splits its seed into named streams (placement, speeds, pre-movement, ...), the same
seed gives the same people, in the same places, with the same speeds and reaction times, under every plan;
differences between plans at the same seed come from the plan, not from luck. Comparisons pair plans by seed.

**Executors.** :class:`LocalExecutor` uses a ``ProcessPoolExecutor`` (spawned processes); :class:`DaskExecutor`
submits to a ``distributed.Client`` connected to a scheduler address (``dask://HOST:PORT`` or
``tcp://HOST:PORT``). Both yield results in completion order; callers key them by :attr:`Replication.key` and
order them by ``(plan, seed)``, so the numbers never depend on the executor or on timing. Each run uses one
numba thread (one replication per core is the unit of parallelism) and runs are deterministic per seed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import as_completed as futures_as_completed
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sim.errors import ScenarioError, SimError
from sim.plans.metrics import collect_metrics, timeline_metrics

__all__ = [
    "Replication",
    "ReplicationResult",
    "replications",
    "run_replication",
    "Executor",
    "LocalExecutor",
    "DaskExecutor",
    "make_executor",
    "default_workers",
    "run_all",
    "file_sha256",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Replication:
    """One run to make.

    Attributes:
        scenario_path: absolute path of the scenario file (as seen by the worker).
        scenario_sha256: SHA-256 of the file's bytes; the worker refuses a file that changed.
        plan: plan id.
        seed: root seed of the run.
        agents: number of persons (the populations are rescaled to this total) [persons].
        calibration: ``empirical`` or ``code`` (overrides the scenario's own setting when it differs).
        out_dir: if given, the run writes ``summary.json``, ``agents.csv``, ``timeseries.csv`` there.
    """

    scenario_path: str
    scenario_sha256: str
    plan: str
    seed: int
    agents: int
    calibration: str
    out_dir: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        """``(plan, seed)``: how results are keyed and ordered within one comparison."""
        return (self.plan, self.seed)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReplicationResult:
    """What one replication produced.

    Attributes:
        replication: the replication that was run.
        summary: the run summary (``RunResult.summary``).
        metrics: the numeric metrics (:func:`sim.plans.metrics.collect_metrics`) plus the run's milestones
            (:func:`sim.plans.metrics.timeline_metrics`, ``timeline.*``).
        outputs: files written (empty unless ``out_dir`` was given).
        started_at, finished_at: UTC timestamps (ISO 8601) of the run on the worker.
        wall_s: wall time of the run on the worker [s].
        code_version: code version of the worker that ran it.
    """

    replication: Replication
    summary: dict[str, Any]
    metrics: dict[str, float]
    outputs: tuple[str, ...]
    started_at: str
    finished_at: str
    wall_s: float
    code_version: str


def default_workers() -> int:
    """``min(2, number of CPUs)``: the default number of local worker processes."""
    return max(1, min(2, os.cpu_count() or 1))


def replications(
    *,
    scenario_path: str | os.PathLike[str],
    scenario_sha256: str,
    plans: Sequence[str],
    reps: int,
    seed: int,
    agents: int,
    calibration: str,
    out_dir: str | os.PathLike[str] | None = None,
) -> list[Replication]:
    """Every plan x ``reps`` seeds, with common random numbers: replication ``i`` of each plan uses ``seed + i``.

    Returns:
        The replications ordered by ``(plan order, seed)``.
    """
    path = str(Path(scenario_path).resolve())
    out = []
    for plan in plans:
        for i in range(reps):
            run_dir = None if out_dir is None else str(Path(out_dir).resolve() / plan / f"seed-{seed + i}")
            out.append(
                Replication(
                    scenario_path=path,
                    scenario_sha256=scenario_sha256,
                    plan=plan,
                    seed=seed + i,
                    agents=agents,
                    calibration=calibration,
                    out_dir=run_dir,
                )
            )
    return out


@functools.lru_cache(maxsize=8)
def _load(path: str, sha256: str) -> Any:
    from sim.scenario import load_scenario

    scenario = load_scenario(path)
    if scenario.sha256 != sha256:
        raise ScenarioError(
            "the scenario file changed since the comparison started",
            file=path,
            value=scenario.sha256[:12],
            fix=f"restore the file (expected sha256 {sha256[:12]}...) or start the comparison again",
        )
    return scenario


def run_replication(rep: Replication, threads: int = 1) -> ReplicationResult:
    """Run one replication (in whatever process calls it: a pool worker, a Dask worker, or this one).

    Args:
        rep: the replication.
        threads: numba threads for this run (one per run: replications are the unit of parallelism).

    Returns:
        Its result.

    Raises:
        ScenarioError: the file is missing, invalid, or no longer has the recorded hash; the plan is unknown.
    """
    from sim.run import run
    from sim.version import code_version

    try:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]
    except (ImportError, ValueError):  # pragma: no cover - numba is a dependency
        pass
    scenario = _load(rep.scenario_path, rep.scenario_sha256)
    if scenario.calibration != rep.calibration:
        scenario = dataclasses.replace(scenario, calibration=rep.calibration)
    started = _now()
    t0 = time.perf_counter()
    result = run(scenario, plan=rep.plan, seed=rep.seed, agents=rep.agents)
    outputs: tuple[str, ...] = ()
    if rep.out_dir is not None:
        outputs = tuple(str(p) for p in result.write(rep.out_dir))
    wall = time.perf_counter() - t0
    return ReplicationResult(
        replication=rep,
        summary=result.summary,
        metrics={**collect_metrics(result.summary), **timeline_metrics(result)},
        outputs=outputs,
        started_at=started,
        finished_at=_now(),
        wall_s=round(wall, 4),
        code_version=code_version(),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes (the same hash :func:`sim.load_scenario` stores)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Executor(Protocol):
    """Runs replications somewhere and yields their results as they finish (in any order)."""

    name: str

    def map_unordered(self, reps: Sequence[Replication]) -> Iterator[ReplicationResult]:
        """Run ``reps``; yield each result as soon as it is ready."""
        ...

    def close(self) -> None:
        """Release workers and connections."""
        ...


class LocalExecutor:
    """Replications in local worker processes (``concurrent.futures.ProcessPoolExecutor``, spawn start method).

    Args:
        workers: number of processes (default :func:`default_workers`).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else int(workers)
        if self.workers < 1:
            raise ScenarioError("must be at least 1", field="--workers", value=workers, fix="give --workers 1 or more")
        self.name = f"local:{self.workers}"
        self._pool: ProcessPoolExecutor | None = None

    def map_unordered(self, reps: Sequence[Replication]) -> Iterator[ReplicationResult]:
        if not reps:
            return
        if self.workers == 1:  # no processes to start: run here (also what a debugger wants)
            for rep in reps:
                yield run_replication(rep)
            return
        import multiprocessing

        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=min(self.workers, len(reps)),
                mp_context=multiprocessing.get_context("spawn"),
            )
        futures: list[Future[ReplicationResult]] = [self._pool.submit(run_replication, rep) for rep in reps]
        try:
            for fut in futures_as_completed(futures):
                yield fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Replications on a Dask cluster (``distributed.Client`` connected to a running scheduler).

    Args:
        address: ``dask://HOST:PORT`` or ``tcp://HOST:PORT`` (or ``HOST:PORT``).
        timeout: seconds to wait for the scheduler [s].
    """

    def __init__(self, address: str, timeout: float = 20.0) -> None:
        self.address = _dask_address(address)
        self.name = f"dask:{self.address}"
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
            raise SimError("the Dask executor needs dask[distributed]; fix: pip install 'dask[distributed]'") from exc
        try:
            self._client = Client(self.address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ScenarioError(
                "cannot reach the Dask scheduler",
                field="--executor",
                value=address,
                fix="start one (scripts/dask-local-cluster) or check HOST:PORT",
            ) from exc

    def map_unordered(self, reps: Sequence[Replication]) -> Iterator[ReplicationResult]:
        if not reps:
            return
        from distributed import as_completed

        futures = [
            self._client.submit(run_replication, rep, key=f"drillsim-{rep.plan}-{rep.seed}-{_short(rep)}", pure=False)
            for rep in reps
        ]
        try:
            for fut in as_completed(futures, loop=self._client.loop):
                yield fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        self._client.close()


def _short(rep: Replication) -> str:
    text = f"{rep.scenario_sha256}|{rep.plan}|{rep.seed}|{rep.agents}|{rep.calibration}|{time.time_ns()}"
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _dask_address(text: str) -> str:
    address = text.strip()
    if address.startswith("dask://"):
        address = "tcp://" + address[len("dask://") :]
    elif "://" not in address:
        address = "tcp://" + address
    host_port = address.split("://", 1)[1]
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        raise ScenarioError(
            "is not a scheduler address", field="--executor", value=text, fix="give dask://HOST:PORT, e.g. dask://127.0.0.1:8786"
        )
    return address


def make_executor(spec: str | None, *, workers: int | None = None) -> Executor:
    """The executor named by ``spec``: ``None`` or ``"local"`` -> :class:`LocalExecutor`; ``dask://HOST:PORT``
    -> :class:`DaskExecutor`.

    Raises:
        ScenarioError: an unknown executor or an unreachable scheduler.
    """
    if spec is None or spec == "local":
        return LocalExecutor(workers)
    if spec.startswith(("dask://", "tcp://")):
        return DaskExecutor(spec)
    raise ScenarioError(
        "unknown executor", field="--executor", value=spec, fix="use 'local' or 'dask://HOST:PORT'"
    )


def run_all(
    reps: Iterable[Replication],
    executor: Executor,
    on_result: Callable[[ReplicationResult], None] | None = None,
) -> dict[tuple[str, int], ReplicationResult]:
    """Run every replication on ``executor``; results keyed by ``(plan, seed)`` (completion order is irrelevant).

    ``on_result`` is called in this process as each result arrives (e.g. to record it in the catalogue at once,
    so an interrupted sweep keeps what finished).
    """
    out: dict[tuple[str, int], ReplicationResult] = {}
    for res in executor.map_unordered(list(reps)):
        out[res.replication.key] = res
        if on_result is not None:
            on_result(res)
    return dict(sorted(out.items()))
