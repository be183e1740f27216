"""Throughput of plan comparisons: replications per minute locally with W workers, and the Dask overhead.

The same replications (every plan of a shipped scenario x N seeds, common random numbers) run twice:

1. on the local executor (``ProcessPoolExecutor``, ``--workers W`` processes);
2. on a real Dask cluster on this machine: ``scripts/dask-local-cluster`` starts a scheduler and W worker
   processes on 127.0.0.1.

Set-up is not timed: starting the processes (interpreters, imports, numba's cached kernels) and one warm-up
replication per worker happen before the clock starts. The catalogue is not used (every replication runs).
Both runs must give identical metrics (checked). The overhead of the Dask path is reported as the ratio of
wall times and as the extra wall time per replication.

Usage::

    python benchmarks/plans_throughput.py                      # bottleneck, full population, 2 x 20 reps
    python benchmarks/plans_throughput.py --quick              # 60 persons, 2 x 6 reps (smoke test)
    python benchmarks/plans_throughput.py --scenario scenarios/large_room.yaml --agents 300 --reps 10

Prints one JSON object (the numbers and the machine) on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def timed(executor, reps) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    results = {r.replication.key: r.metrics for r in executor.map_unordered(reps)}
    return time.perf_counter() - t0, dict(sorted(results.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "bottleneck.yaml"))
    parser.add_argument("--agents", type=int, default=None, help="rescale to N persons (default: as shipped)")
    parser.add_argument("--reps", type=int, default=20, help="replications per plan (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes, local and Dask (default 2)")
    parser.add_argument("--quick", action="store_true", help="60 persons, 6 replications per plan")
    args = parser.parse_args(argv)
    if args.quick:
        args.agents, args.reps = 60, 6

    import dask
    import numba
    import numpy

    from benchmarks.machine import machine
    from sim.plans.replicate import DaskExecutor, LocalExecutor, replications
    from sim.scenario import load_scenario
    from sim.version import code_version

    sc = load_scenario(args.scenario)
    plans = [p.id for p in sc.plans] or ["base"]
    agents = sc.total_count if args.agents is None else args.agents
    common = dict(scenario_sha256=sc.sha256, plans=plans, agents=agents, calibration=sc.calibration)
    warm = replications(scenario_path=args.scenario, reps=args.workers, seed=10_000, **common)[: args.workers]
    reps = replications(scenario_path=args.scenario, reps=args.reps, seed=0, **common)

    local = LocalExecutor(args.workers)
    try:
        list(local.map_unordered(warm))  # start the processes, import, load kernels: not timed
        local_s, local_metrics = timed(local, reps)
    finally:
        local.close()

    cluster = subprocess.Popen(
        [str(ROOT / "scripts" / "dask-local-cluster"), "--workers", str(args.workers)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        address = cluster.stdout.readline().strip() if cluster.stdout else ""
        if not address.startswith("dask://"):
            print("plans_throughput: the local Dask cluster did not start", file=sys.stderr)
            return 1
        dask_exe = DaskExecutor(address)
        try:
            list(dask_exe.map_unordered(warm))
            dask_s, dask_metrics = timed(dask_exe, reps)
        finally:
            dask_exe.close()
    finally:
        cluster.send_signal(signal.SIGTERM)
        cluster.wait(timeout=60)

    n = len(reps)
    out = {
        "benchmark": "plans_throughput",
        "scenario": sc.name,
        "scenario_file": os.path.relpath(args.scenario, ROOT),
        "plans": plans,
        "reps_per_plan": args.reps,
        "replications": n,
        "agents": agents,
        "workers": args.workers,
        "local": {"wall_s": round(local_s, 3), "replications_per_min": round(60 * n / local_s, 1)},
        "dask": {"wall_s": round(dask_s, 3), "replications_per_min": round(60 * n / dask_s, 1)},
        "dask_overhead": {
            "wall_ratio": round(dask_s / local_s, 3),
            "extra_ms_per_replication": round(1000 * (dask_s - local_s) / n, 1),
        },
        "identical_results": local_metrics == dask_metrics,
        "machine": machine(
            load_average_1min=round(os.getloadavg()[0], 2),
            python=platform.python_version(),
            numpy=numpy.__version__,
            numba=numba.__version__,
            dask=dask.__version__,
            os=f"{platform.system()} {platform.release()}",
            code_version=code_version(),
        ),
    }
    print(json.dumps(out, indent=2))
    return 0 if out["identical_results"] else 1


if __name__ == "__main__":
    sys.exit(main())
