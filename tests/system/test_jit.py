"""How numba compiles the kernels (sim.jit): the same numbers on every x86-64 machine, and a disk cache that
is never stale and gives the numbers of a fresh compile."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sim.jit import KEEP_DAYS, X86_64_V3, target

ROOT = Path(__file__).resolve().parents[2]

portable = pytest.mark.skipif(target() != "portable", reason="kernels compiled for this CPU (not x86-64-v3)")


def _in_subprocess(code: str, **env: str) -> Any:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


_PROBE = """
import json, sim
from numba.core import config
from sim.jit import target
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


def _cache_files(d: Path) -> dict[str, int]:
    return {str(f): f.stat().st_mtime_ns for f in d.rglob("*") if f.suffix in (".nbi", ".nbc")}


def _drillsim_run(out: Path, cache: Path) -> str:
    """``drillsim run`` of the bottleneck scenario into ``out`` with numba's cache under ``cache``; its stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", "scenarios/bottleneck.yaml", "--seed", "1", "--out", str(out)],
        cwd=ROOT, env={**os.environ, "NUMBA_CACHE_DIR": str(cache)}, capture_output=True, text=True, check=True,
    )
    return proc.stderr


def test_kernels_loaded_from_the_cache_give_the_numbers_of_a_fresh_compile(tmp_path):
    """A first run compiles and caches (under NUMBA_CACHE_DIR, in a directory for this source) and says so
    on stderr; a second loads every kernel from there, compiling nothing, and writes the same per-agent
    results, byte for byte."""
    cache = tmp_path / "cache"
    first = _drillsim_run(tmp_path / "fresh", cache)
    assert "compiling the crowd engine's kernels" in first
    (here,) = cache.glob("drillsim-*")
    files = _cache_files(here)
    assert any("csm._csm_velocities" in f for f in files)  # the CSM kernel is cached too
    second = _drillsim_run(tmp_path / "cached", cache)
    assert "compiling" not in second
    assert _cache_files(here) == files  # nothing compiled again
    for name in ("agents.csv", "timeseries.csv"):
        assert (tmp_path / "fresh" / name).read_bytes() == (tmp_path / "cached" / name).read_bytes()


def test_changed_source_gets_its_own_cache_directory(tmp_path):
    """numba's own key (the caller's file time stamp) misses a change in a function called from another
    module; the directory name is a hash of every source file, so any change means a fresh cache."""
    from sim.jit import _source_hash

    copy = tmp_path / "sim"
    shutil.copytree(ROOT / "sim", copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert _source_hash(copy) == _source_hash()
    with (copy / "crowd" / "kernels.py").open("a") as f:
        f.write("\n# an edit\n")
    assert _source_hash(copy) != _source_hash()


def test_unused_cache_directories_of_other_versions_are_pruned(tmp_path):
    old, recent, other = tmp_path / "drillsim-0123456789abcdef", tmp_path / "drillsim-fedcba9876543210", tmp_path / "x"
    for d in (old, recent, other):
        d.mkdir()
        (d / "f.nbi").write_bytes(b"")
    stale = time.time() - (KEEP_DAYS + 1) * 86400
    os.utime(old, (stale, stale))
    os.utime(other, (stale, stale))
    got = _in_subprocess(_PROBE + "from sim.jit import cache_dir\nprint(json.dumps(str(cache_dir())))",
                         NUMBA_CACHE_DIR=str(tmp_path))
    assert Path(got).is_dir() and not old.exists()
    assert recent.exists() and other.exists()  # in use lately / not ours
