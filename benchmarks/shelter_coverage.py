"""Shelter coverage benchmark: straight-line coverage at scale, walking coverage on the shipped district.

    .venv/bin/python benchmarks/shelter_coverage.py [--cells N] [--shelters M] [--repeat R] [--seed S]

Cases (set-up, i.e. generating or loading the data, is not timed; the best of ``--repeat`` runs is reported):

* ``euclidean_1M``: ``compute_coverage`` by straight-line distance for 1 000 000 population cells and 1 000
  shelters of the five classes (one k-d tree query per service distance) on a 40 km x 30 km area;
* ``network_riverside``: ``compute_coverage`` by walking distance on the Riverside district (18 249 cells,
  23 open shelters, 1 242-node street grid: one multi-source Dijkstra per service distance);
* ``assignment_riverside``: the capacity-constrained assignment there (walking distance, 50 m blocks).

Prints one JSON object: the machine and, per case, sizes, wall seconds and cells per second.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy

from sim.shelter import columns as C
from sim.shelter.assignment import compute_assignment
from sim.shelter.config import load_district
from sim.shelter.coverage import compute_coverage
from sim.shelter.schema import DEFAULT_PER_PERSON_AREA_M2, DEFAULT_SERVICE_DISTANCE_M, SHELTER_CLASSES, Population
from sim.shelter.tables import shelter_table

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DISTRICT = ROOT / "scenarios" / "districts" / "riverside_shelters.yaml"


def synthetic(cells: int, shelters: int, seed: int) -> tuple[Population, pd.DataFrame]:
    """Random cells and shelters on a 40 km x 30 km area (classes drawn 60/10/10/10/10 %)."""
    rng = np.random.default_rng(seed)
    pop = Population.from_arrays(
        x=rng.uniform(0, 40_000, cells), y=rng.uniform(0, 30_000, cells), persons=rng.poisson(10, cells)
    )
    cls = rng.choice(np.array(SHELTER_CLASSES), size=shelters, p=[0.6, 0.1, 0.1, 0.1, 0.1])
    area = rng.uniform(2_000, 50_000, shelters)
    per = np.array([DEFAULT_PER_PERSON_AREA_M2[c] for c in cls])
    table = pd.DataFrame(
        {
            C.SHELTER_ID: [f"s{i}" for i in range(shelters)],
            C.X: rng.uniform(0, 40_000, shelters),
            C.Y: rng.uniform(0, 30_000, shelters),
            C.CLASS: cls,
            C.AREA_M2: area,
            C.PER_PERSON_M2: per,
            C.CAPACITY: np.floor(area / per).astype(np.int64),
            C.SERVICE_DISTANCE_M: [DEFAULT_SERVICE_DISTANCE_M[c] for c in cls],
        }
    )
    return pop, table


def best_of(repeat: int, fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cells", type=int, default=1_000_000)
    ap.add_argument("--shelters", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    results = []

    pop, table = synthetic(args.cells, args.shelters, args.seed)
    wall, cov = best_of(args.repeat, lambda: compute_coverage(population=pop, shelters=table, distance="euclidean"))
    results.append(
        {
            "case": "euclidean_1M" if args.cells == 1_000_000 else f"euclidean_{args.cells}",
            "cells": args.cells,
            "shelters": args.shelters,
            "covered_fraction": round(float((cov[C.PERSONS] * cov[C.COVERED]).sum() / cov[C.PERSONS].sum()), 4),
            "wall_s": round(wall, 3),
            "cells_per_s": round(args.cells / wall),
        }
    )

    config = load_district(DISTRICT)
    sh = shelter_table(config)
    wall, cov = best_of(
        args.repeat,
        lambda: compute_coverage(population=config.population, shelters=sh, distance="network", network=config.network),
    )
    n = len(config.population)
    results.append(
        {
            "case": "network_riverside",
            "cells": n,
            "shelters": len(sh),
            "nodes": int(config.network.x.size) if config.network is not None else 0,
            "edges": int(config.network.u.size) if config.network is not None else 0,
            "covered_fraction": round(float((cov[C.PERSONS] * cov[C.COVERED]).sum() / cov[C.PERSONS].sum()), 4),
            "wall_s": round(wall, 3),
            "cells_per_s": round(n / wall),
        }
    )
    wall, _ = best_of(
        args.repeat,
        lambda: compute_assignment(
            population=config.population, shelters=sh, distance="network", network=config.network, aggregate_m=50.0
        ),
    )
    results.append(
        {"case": "assignment_riverside", "cells": n, "shelters": len(sh), "aggregate_m": 50.0, "wall_s": round(wall, 3)}
    )
    from benchmarks.machine import machine

    info = machine(python=platform.python_version(), numpy=np.__version__, scipy=scipy.__version__)
    print(json.dumps({"machine": info, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
