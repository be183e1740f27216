"""Throughput of the response engine: SimPy events per second on a day of calls in the Riverside district.

A day (24 h) of Poisson calls (default 300) at random sites of the district road network
(``scenarios/districts/riverside_roads.graphml``), answered by the stations of
``scenarios/districts/riverside_response.yaml`` (base plan): 70 % medical calls (one ambulance, one casualty),
20 % fires (two engines, an ambulance for one casualty), 10 % gas leaks (gas crew and an engine).
Stochastic travel times. Set-up (reading the network, building the day) is excluded from the timed part.

Usage::

    python benchmarks/response_events.py              # prints one JSON object
    python benchmarks/response_events.py --calls 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESPONSE_FILE = ROOT / "scenarios" / "districts" / "riverside_response.yaml"


def day_of_calls(config, *, calls: int, seed: int):  # type: ignore[no-untyped-def]
    """``calls`` incidents over 24 h (Poisson arrivals, uniform sites), mixed medical / fire / gas."""
    import numpy as np

    from sim.distributions import Distribution
    from sim.response.config import CasualtySpec, Incident, Task, Transport

    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0.0, 86_400.0, calls))  # Poisson process conditioned on the count
    kinds = rng.choice(3, size=calls, p=[0.7, 0.2, 0.1])
    geo = config.geography
    incidents = []
    for k, (t, kind) in enumerate(zip(times, kinds, strict=True)):
        place = geo.place_at(float(rng.uniform(0, 4000)), float(rng.uniform(0, 3000)))
        ambulance = Transport(team="ambulance", teams=1, load=Distribution.fixed(300.0))
        if kind == 0:
            inc = Incident(
                id=f"call{k}",
                place=place,
                call_s=float(t),
                priority=2,
                transport=ambulance,
                casualties=CasualtySpec(count=1),
            )
        elif kind == 1:
            fire = Task(
                id="suppress_fire",
                team="engine",
                teams=2,
                duration=Distribution(dist="uniform", params={"low": 600.0, "high": 2400.0}),
            )
            inc = Incident(
                id=f"call{k}",
                place=place,
                call_s=float(t),
                priority=1,
                tasks=(fire,),
                transport=ambulance,
                casualties=CasualtySpec(count=1),
            )
        else:
            gas = Task(id="isolate_gas", team="gas_crew", teams=1, duration=Distribution.fixed(900.0))
            fire = Task(id="stand_by", team="engine", teams=1, duration=Distribution.fixed(900.0))
            inc = Incident(id=f"call{k}", place=place, call_s=float(t), priority=1, tasks=(gas, fire))
        incidents.append(inc)
    return replace(config, incidents=tuple(incidents))


def run(calls: int, seed: int) -> dict[str, object]:
    import simpy

    from sim.response.commands import load_response_section
    from sim.response.engine import simulate_response
    from sim.response.metrics import summary
    from sim.seeding import stream

    class CountingEnvironment(simpy.Environment):
        """A SimPy environment that counts the events it processes."""

        events = 0

        def step(self) -> None:
            self.events += 1
            super().step()

    base = load_response_section(RESPONSE_FILE, "base")
    base = replace(base, travel=replace(base.travel, model="stochastic"))
    config = day_of_calls(base, calls=calls, seed=seed)
    env = CountingEnvironment()
    t0 = time.perf_counter()
    result = simulate_response(config, env=env, alarm_time_s=0.0, rng=stream(seed, "response"), seed=seed)
    env.run()
    wall = time.perf_counter() - t0
    s = summary(result)
    return {
        "calls": calls,
        "seed": seed,
        "events": env.events,
        "sim_time_s": round(env.now, 1),
        "wall_s": round(wall, 4),
        "events_per_s": round(env.events / wall, 1),
        "units": s["units"],
        "units_sent": s["units_sent"],
        "finished": s["finished"],
        "first_unit_p90_s": s["first_unit_p90_s"],
        "utilisation": s["utilisation"]["all"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="incidents in the day (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported (default 3)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT)) if str(ROOT) not in sys.path else None
    import simpy

    from benchmarks.machine import machine

    runs = [run(args.calls, args.seed) for _ in range(args.repeat)]
    best = max(runs, key=lambda r: float(r["events_per_s"]))  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "benchmark": "response_events",
                "machine": machine(python=platform.python_version(), simpy=simpy.__version__),
                "best": best,
                "events_per_s_all": [r["events_per_s"] for r in runs],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
