"""Evacuation of the stadium bowl (``scenarios/arena.yaml``): set-up and run timed separately.

The scenario's default plan (``all_gates``: 21 000 spectators, 24 vomitory stairs, 12 gates) runs until
everyone is out. Set-up (loading the file, laying out the levels and stairs, rasterising the navigation grid,
the navigation fields of every gate, placing the agents) is timed apart from the run (the time steps). A tiny
copy of the scenario is run first so that numba's JIT compilation (or loading its disk cache) is in neither.

Usage::

    python benchmarks/arena_evacuation.py                 # the full scenario (21 000 agents)
    python benchmarks/arena_evacuation.py --quick         # 2 000 agents
    python benchmarks/arena_evacuation.py --agents 5000   # any number (counts rescaled proportionally)

Prints one JSON object and writes it to ``benchmarks/results/arena.json`` (the full scenario) or
``benchmarks/results/arena_<N>agents.json`` (scaled down, so a smoke test never overwrites the full result);
``--out`` to change.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCENARIO = ROOT / "scenarios" / "arena.yaml"
QUICK_AGENTS = 2000


def bench(agents: int | None, seed: int, plan: str | None) -> dict[str, object]:
    """Build and run the arena once; return the measurements."""
    import numba

    import sim
    from benchmarks.machine import machine
    from sim.crowd.model import CrowdModel

    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on every platform
        load = None
    # warm-up: compile (or load from numba's cache) every kernel on a tiny copy
    tiny = sim.load_scenario(SCENARIO).scaled(50)
    warm = CrowdModel(tiny, plan=tiny.plan(plan), seed=0)
    for _ in range(20):
        warm.step()
    del warm

    t0 = time.perf_counter()
    sc = sim.load_scenario(SCENARIO)
    full = sc.total_count
    if agents is not None:
        sc = sc.scaled(agents)
    chosen = sc.plan(plan)
    model = CrowdModel(sc, plan=chosen, seed=seed)
    setup_s = time.perf_counter() - t0

    max_time = sc.simulation.max_time
    t0 = time.perf_counter()
    while model.inside > 0 and model.t < max_time - 1e-9:
        model.step()
    wall = time.perf_counter() - t0

    from sim.crowd.state import SAFE

    st = model.state
    safe = st.status == SAFE
    evac_time = float(st.t_exit[safe].max()) if safe.all() and st.n else None
    out: dict[str, object] = {
        "scenario": str(SCENARIO.relative_to(ROOT)),
        "plan": chosen.id,
        "seed": seed,
        "agents": int(st.n),
        "scenario_agents": full,
        "evacuated": int(safe.sum()),
        "all_out": bool(safe.all()),
        "evacuation_time_s": None if evac_time is None else round(evac_time, 2),
        "sim_time_s": round(model.t, 2),
        "setup_s": round(setup_s, 2),
        "run_wall_s": round(wall, 2),
        "steps": int(model.steps),
        "agent_steps": int(model.agent_steps),
        "agent_steps_per_s": round(model.agent_steps / wall) if wall > 0 else None,
        "real_time_factor": round(model.t / wall, 3) if wall > 0 else None,
        "navigation_cells": int(model.world.walkable.size),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": machine(
            host=False,
            python=platform.python_version(),
            numba=numba.__version__,
            numba_threads=numba.get_num_threads(),
            load_average_at_start=load,
        ),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", type=int, default=None, help="rescale the populations to N persons in total")
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_AGENTS} agents (a smoke test)")
    ap.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    ap.add_argument("--plan", default=None, help="plan id (default: the scenario's first plan, all_gates)")
    ap.add_argument("--out", type=Path, default=None, help="where to write the JSON (default: see above)")
    args = ap.parse_args(argv)
    if args.agents is not None and args.agents < 1:
        ap.error("--agents must be at least 1")
    agents = args.agents if args.agents is not None else (QUICK_AGENTS if args.quick else None)
    result = bench(agents, args.seed, args.plan)
    result["scaled_down"] = agents is not None
    text = json.dumps(result, indent=2)
    print(text)
    out = args.out
    if out is None:
        name = "arena.json" if agents is None else f"arena_{result['agents']}agents.json"
        out = HERE / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
