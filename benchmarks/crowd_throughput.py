"""Throughput of the crowd engine (issue #2's benchmark), optionally side by side with JuPedSim.

Cases (from the issue): a 50 m x 50 m room with four 2 m exits (one centred in each wall) holding 1 000 and
10 000 agents, run until everyone is out, and a 160 m x 160 m room with eight 4 m exits holding 100 000
agents, timed over its first 300 simulated seconds. Set-up (geometry, navigation fields, placement, JIT
compilation) is excluded from the timed part; each case runs in a fresh process so that its peak memory is
its own.

Usage::

    python benchmarks/crowd_throughput.py            # full run, prints a markdown table
    python benchmarks/crowd_throughput.py --quick    # shorter spans, for a smoke test
    python benchmarks/crowd_throughput.py --peer     # also JuPedSim's CSM on the same agents (extra 'bench')

Results are also written as JSON to ``benchmarks/results/<hostname>.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent)) if str(HERE.parent) not in sys.path else None

CASES = {
    # name: (side, exits per wall, exit width, agents, simulated span [s] or None = until all are out)
    "room50_1k": (50.0, 1, 2.0, 1_000, None),
    "room50_10k": (50.0, 1, 2.0, 10_000, None),
    "room160_100k": (160.0, 2, 4.0, 100_000, 300.0),
}
QUICK = {"room50_1k": None, "room50_10k": 60.0, "room160_100k": 20.0}
#: JuPedSim is ~20-100x slower: it runs the same agents over at most this simulated span [s].
PEER_SPAN = {"room50_1k": None, "room50_10k": 60.0, "room160_100k": 10.0}


def machine() -> dict[str, object]:
    """What the numbers were measured on (:func:`benchmarks.machine.machine` plus numba's threads)."""
    import numba

    from benchmarks.machine import machine as base

    return base(python=platform.python_version(), numba=numba.__version__, numba_threads=numba.get_num_threads())


def run_case(name: str, span: float | None, peer_span: float | None | str) -> dict[str, object]:
    """Run one case in this process and return its measurements."""
    import numpy as np

    import sim
    from benchmarks.scenarios import square_room
    from sim.crowd.model import CrowdModel

    side, per_wall, width, agents, _ = CASES[name]
    data = square_room(side=side, exits_per_wall=per_wall, exit_width=width, agents=agents)
    # warm-up: compile every kernel on a tiny copy (numba also caches them on disk)
    tiny = sim.scenario_from_dict(square_room(side=10.0, exits_per_wall=1, exit_width=2.0, agents=20))
    CrowdModel(tiny, plan=tiny.plan(None), seed=0).run_until_evacuated()

    t0 = time.perf_counter()
    sc = sim.scenario_from_dict(data)
    model = CrowdModel(sc, plan=sc.plan(None), seed=1)
    setup_s = time.perf_counter() - t0
    limit = span if span is not None else sc.simulation.max_time
    t0 = time.perf_counter()
    while model.inside > 0 and model.t < limit - 1e-9:
        model.step()
    wall = time.perf_counter() - t0
    out: dict[str, object] = {
        "case": name,
        "agents": agents,
        "setup_s": round(setup_s, 2),
        "sim_time_s": round(model.t, 2),
        "all_out": model.inside == 0,
        "wall_s": round(wall, 2),
        "agent_steps": model.agent_steps,
        "agent_steps_per_s": round(model.agent_steps / wall),
        "real_time_factor": round(model.t / wall, 2),
        "steps": model.steps,
        "us_per_agent_step": round(1e6 * wall / max(model.agent_steps, 1), 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if peer_span != "skip":
        try:
            from benchmarks.peer_jupedsim import run_jupedsim_csm
        except ImportError:  # pragma: no cover
            return out
        fresh = CrowdModel(sc, plan=sc.plan(None), seed=1)  # the same initial positions and speeds
        p_limit = peer_span if peer_span is not None else limit
        try:
            peer = run_jupedsim_csm(
                walkable_wkt=sc.levels[0].walkable.wkt,
                exits=[tuple(map(tuple, e.line)) for e in sc.exits],  # type: ignore[misc]
                positions=fresh.state.pos - fresh.world.level_offsets[0],
                v0=fresh.state.v0,
                radius=0.2,
                dt=sc.simulation.dt,
                max_time_s=float(p_limit),
            )
        except ImportError:
            return out
        # our own wall time over the same simulated span, for a like-for-like ratio
        ours = CrowdModel(sc, plan=sc.plan(None), seed=1)
        t0 = time.perf_counter()
        while ours.inside > 0 and ours.t < peer["sim_time_s"] - 1e-9:
            ours.step()
        ours_wall = time.perf_counter() - t0
        out["peer"] = {
            "tool": "jupedsim CollisionFreeSpeedModel",
            "sim_time_s": round(float(peer["sim_time_s"]), 2),
            "wall_s": round(float(peer["wall_s"]), 2),
            "agent_steps_per_s": round(float(peer["agent_steps_per_s"])),
            "drillsim_wall_s_same_span": round(ours_wall, 3),
            "wall_time_ratio": round(float(peer["wall_s"]) / max(ours_wall, 1e-9), 1),
        }
        del np
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="shorter simulated spans (smoke test)")
    ap.add_argument("--peer", action="store_true", help="also run JuPedSim (optional extra 'bench')")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one case in this process
    ap.add_argument("--span", type=float, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--peer-span", default="skip", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        peer_span: float | None | str = (
            args.peer_span
            if args.peer_span in ("skip",)
            else (None if args.peer_span == "all" else float(args.peer_span))
        )
        print(json.dumps(run_case(args.one, args.span, peer_span)))
        return 0
    results = []
    for name in args.cases.split(","):
        span = QUICK[name] if args.quick else CASES[name][4]
        ps = PEER_SPAN[name]
        cmd = [
            sys.executable,
            __file__,
            "--one",
            name,
            "--peer-span",
            ("all" if ps is None else str(ps)) if args.peer else "skip",
        ]
        if span is not None:
            cmd += ["--span", str(span)]
        print(f"running {name} ...", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    info = machine()
    by = {r["case"]: r for r in results}
    if "room50_10k" in by and "room160_100k" in by:
        info["per_agent_cost_ratio_100k_vs_10k"] = round(
            by["room160_100k"]["us_per_agent_step"] / by["room50_10k"]["us_per_agent_step"], 2
        )  # type: ignore[operator]
    report = {"machine": info, "quick": args.quick, "results": results}
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"{socket.gethostname()}{'-quick' if args.quick else ''}.json").write_text(
        json.dumps(report, indent=2) + "\n"
    )
    print(
        f"Machine: {info['cpu']} ({info['cpu_llvm']}, {info['simd']}), {info['cores']} cores, Python "
        f"{info['python']}, numba {info['numba']} ({info['numba_threads']} threads, kernels compiled for "
        f"{info['kernels_for']})\n"
    )
    print(
        "| case | agents | simulated s | wall s | agent-steps/s | real-time factor | peak RSS MiB "
        "| JuPedSim wall s (same span) | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        peer = r.get("peer") or {}
        pw = f"{peer['wall_s']} ({peer['sim_time_s']} s)" if peer else "—"
        ratio = f"{peer['wall_time_ratio']}x" if peer else "—"
        print(
            f"| {r['case']} | {r['agents']:,} | {r['sim_time_s']}{'' if r['all_out'] else ' (cut)'} | {r['wall_s']} | "
            f"{r['agent_steps_per_s']:,} | {r['real_time_factor']} | {r['peak_rss_mib']} | {pw} | {ratio} |"
        )
    if "per_agent_cost_ratio_100k_vs_10k" in info:
        print(f"\nPer-agent step cost at 100 000 / at 10 000 agents: {info['per_agent_cost_ratio_100k_vs_10k']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
