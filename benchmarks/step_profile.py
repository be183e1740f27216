"""Where a crowd step's time goes: the pedestrian model's velocity kernel against the rest, per agent-step.

Runs issue #2's benchmark rooms (:mod:`benchmarks.crowd_throughput`) over the same window of simulated time,
so that both sizes are compared at the same crowd state (about 4 P/m² at the start). Run it with one numba
thread for numbers that do not depend on the thread pool::

    NUMBA_NUM_THREADS=1 python benchmarks/step_profile.py [--start 5] [--span 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent)) if str(HERE.parent) not in sys.path else None

CASES = {"room50_10k": (50.0, 1, 2.0, 10_000), "room160_100k": (160.0, 2, 4.0, 100_000)}


def profile(name: str, start: float, span: float) -> dict[str, float]:
    """Run case ``name`` to ``start`` s, then time the step and its velocity kernel over ``span`` s."""
    import sim
    from benchmarks.scenarios import square_room
    from sim.crowd.model import CrowdModel

    side, per_wall, width, agents = CASES[name]
    sc = sim.scenario_from_dict(square_room(side=side, exits_per_wall=per_wall, exit_width=width, agents=agents))
    model = CrowdModel(sc, plan=sc.plan(None), seed=1)
    velocities = model.pedestrian_model.velocities
    in_kernel = [0.0]

    def timed(*args: object) -> None:
        t = time.perf_counter()
        velocities(*args)  # type: ignore[arg-type]
        in_kernel[0] += time.perf_counter() - t

    model.pedestrian_model.velocities = timed  # type: ignore[method-assign]
    while model.t < start - 1e-9:
        model.step()
    in_kernel[0] = 0.0
    steps0 = model.agent_steps
    t0 = time.perf_counter()
    while model.t < start + span - 1e-9 and model.inside:
        model.step()
    wall = time.perf_counter() - t0
    n = max(model.agent_steps - steps0, 1)
    return {"ns_per_agent_step": 1e9 * wall / n, "kernel_share": in_kernel[0] / wall}


def main() -> None:
    import numba

    import sim
    from benchmarks.machine import machine
    from benchmarks.scenarios import square_room
    from sim.crowd.model import CrowdModel

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--start", type=float, default=5.0, help="simulated time before the timed window [s]")
    ap.add_argument("--span", type=float, default=5.0, help="timed window [s of simulated time]")
    args = ap.parse_args()
    tiny = sim.scenario_from_dict(square_room(side=10.0, exits_per_wall=1, exit_width=2.0, agents=20))
    CrowdModel(tiny, plan=tiny.plan(None), seed=0).run_until_evacuated()  # compile every kernel first
    print(f"Machine: {machine(host=False, numba_threads=numba.get_num_threads())}\n")
    print(f"| case | ns per agent-step (t = {args.start:g}-{args.start + args.span:g} s) | velocity kernel share |")
    print("|---|---:|---:|")
    out = {}
    for name in CASES:
        out[name] = profile(name, args.start, args.span)
        print(f"| {name} | {out[name]['ns_per_agent_step']:.0f} | {100 * out[name]['kernel_share']:.0f} % |")
    ratio = out["room160_100k"]["ns_per_agent_step"] / out["room50_10k"]["ns_per_agent_step"]
    print(f"\nPer-agent step cost at 100 000 / at 10 000 agents, same window: {ratio:.2f}")


if __name__ == "__main__":
    main()
