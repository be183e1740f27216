"""Cost of one navigation update: the fields of every exit of each shipped scenario, recomputed.

This is what quickest-path routing (``simulation.routing: quickest``) does every ``routing_interval``
seconds (for the exits someone is heading for), and what any run does once at the start.

Usage::

    python benchmarks/navigation_fields.py [SCENARIO.yaml ...]   # default: every scenarios/*.yaml
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent)) if str(HERE.parent) not in sys.path else None


def main(argv: list[str]) -> None:
    import numpy as np

    from benchmarks.machine import machine
    from sim.crowd.world import build_world, compute_fields, initial_openings
    from sim.scenario import load_scenario

    paths = [Path(p) for p in argv] or sorted((HERE.parent / "scenarios").glob("*.yaml"))
    print(f"Machine: {machine(host=False)}\n")
    print("| scenario | grid cells | walkable cells | exits | one update (best of 3) [s] |")
    print("|---|---:|---:|---:|---:|")
    for path in paths:
        sc = load_scenario(path)
        world = build_world(sc, cell_size=2.0)  # the neighbour grid's cell size does not matter here
        openings = initial_openings(world, sc)
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            compute_fields(world, openings)
            best = min(best, time.perf_counter() - t0)
        ny, nx = world.walkable.shape
        print(f"| {path.stem} | {ny * nx:,} | {int(world.walkable.sum()):,} | {len(world.exit_ids)} | {best:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
