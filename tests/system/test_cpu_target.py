"""The same seed gives the same numbers on every x86-64 machine (sim.cpu_target), not only on one CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cpu_target import X86_64_V3, target

ROOT = Path(__file__).resolve().parents[2]

portable = pytest.mark.skipif(target() != "portable", reason="kernels compiled for this CPU (not x86-64-v3)")


def _in_subprocess(code: str, **env: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


_PROBE = """
import json, sim
from numba.core import config
from sim.cpu_target import target
from sim.version import code_version
print(json.dumps({"target": target(), "cpu": config.CPU_NAME, "features": config.CPU_FEATURES,
                  "version": code_version()}))
"""


@portable
def test_pinned_to_the_portable_instruction_set():
    """``import sim`` sets numba's target: znver3's cost model, x86-64-v3 instructions only."""
    got = _in_subprocess(_PROBE)
    assert got["target"] == "portable" and got["cpu"] == "znver3"
    flags = dict((f[1:], f[0]) for f in got["features"].split(","))
    assert all(flags[f] == "+" for f in X86_64_V3 if f in flags)
    # nothing beyond it: no AVX-512 (wider SIMD sums round differently), no AMD-only instructions
    for f in ("avx512f", "avx512vl", "sse4a", "clzero", "fma4", "xop"):
        assert flags[f] == "-"
    assert "native" not in got["version"]


def test_native_on_request_and_said_in_the_code_version():
    got = _in_subprocess(_PROBE, DRILLSIM_NATIVE_CPU="1")
    assert got["target"].startswith("native-")
    assert got["version"].endswith("." + got["target"])


_BENCH_1K = """
import json, sim
from benchmarks.scenarios import square_room
from sim.crowd.model import CrowdModel
sc = sim.scenario_from_dict(square_room(side=50.0, exits_per_wall=1, exit_width=2.0, agents=1000))
m = CrowdModel(sc, plan=sc.plan(None), seed=1)
m.run_until_evacuated()
print(json.dumps({"steps": m.steps, "agent_steps": m.agent_steps}))
"""


@portable
def test_numbers_of_another_machine_reproduced():
    """The benchmark's 1 000-agent room, seed 1, as computed on the development VM of November 2026 (an AMD
    EPYC without AVX-512; ``benchmarks/results/vm.json``): the same number of steps and of agent-steps here,
    whatever this CPU is. Any change to the crowd engine's arithmetic moves these like a new seed: then
    record the new values (``python benchmarks/crowd_throughput.py --cases room50_1k``)."""
    got = _in_subprocess(_BENCH_1K)
    assert (got["steps"], got["agent_steps"]) == (947, 436856)


def test_pin_after_numba_compiled_is_refused_not_half_done():
    """Imported after numba compiled something, drillsim cannot choose the target: it says so (native)."""
    got = _in_subprocess("import numba\nnumba.njit(lambda x: x + 1)(1)\n" + _PROBE)
    assert got["target"].startswith("native-") and got["cpu"] is None
