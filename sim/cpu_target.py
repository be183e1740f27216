"""The CPU that numba compiles drillsim's kernels for: the same on every x86-64 machine, so the same seed
gives the same numbers everywhere.

The crowd kernels sum in SIMD loops with fast-math (the vectoriser may reorder sums). Which order it picks
depends on the CPU LLVM compiles for: its instruction set (AVX2 with 8 float32 lanes, AVX-512 with 16) and
its cost model. Compiled for the host, a run on a Zen 5 and a run on a Zen 3 round differently and drift
apart like two seeds (the 10 000-agent benchmark room: 407.7 s against 410.5 s to empty). Plans replicated
on a Dask cluster of mixed machines, a verification report regenerated elsewhere, a result checked by a
colleague would all disagree.

So on x86-64, before anything is compiled, :func:`pin` sets numba's target to :data:`PORTABLE_CPU`'s cost
model restricted to the x86-64-v3 instruction set (AVX2, FMA, BMI: every x86-64 CPU since 2013-2015), with
every other feature switched off so that no instruction a smaller CPU lacks can be emitted. Measured on a
Zen 5 (AVX-512): no slower than compiling for the host (`benchmarks/crowd_throughput.py`, see the README).

Not pinned (compiled for the host, results reproducible only on that CPU model, and ``code_version`` says
so): when ``DRILLSIM_NATIVE_CPU=1``, when the user set ``NUMBA_CPU_NAME`` themselves, on other
architectures, and on x86-64 CPUs without x86-64-v3.
"""

from __future__ import annotations

import os
import platform
from typing import Any

__all__ = ["PORTABLE_CPU", "X86_64_V3", "pin", "target"]

#: LLVM CPU whose cost model the kernels are compiled with: it reproduces bit for bit the numbers drillsim's
#: verification report and README tables were first computed with, on a host-compiled AVX2 EPYC
PORTABLE_CPU = "znver3"
#: LLVM's names of the x86-64-v3 features (psABI micro-architecture level 3): the only ones enabled
X86_64_V3 = frozenset({
    "64bit", "cmov", "cx8", "fxsr", "mmx", "sse", "sse2",                                   # x86-64
    "cx16", "sahf", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3", "crc32",                 # v2
    "avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe", "xsave",                 # v3
})
#: what znver3 has beyond x86-64-v3 (LLVM's X86.td), switched off even where the host's list lacks them
_ZNVER3_EXTRA = frozenset({
    "adx", "aes", "clflushopt", "clwb", "clzero", "fsgsbase", "invpcid", "mwaitx", "pclmul", "pku", "prfchw",
    "rdpid", "rdpru", "rdrnd", "rdseed", "sha", "shstk", "sse4a", "vaes", "vpclmulqdq", "wbnoinvd", "xsavec",
    "xsaveopt", "xsaves",
})

_target: str | None = None


def pin() -> str:
    """Set numba's compilation target (see the module docstring) unless told not to; return :func:`target`.

    Must run before numba compiles anything in the process (``import sim`` calls it first); later calls
    change nothing.
    """
    global _target
    if _target is None:
        _target = _choose()
    return _target


def _choose() -> str:
    from numba.core import config as numba_config
    from numba.core.registry import cpu_target

    config: Any = numba_config  # its settings are made at run time: mypy does not see them
    compiled = "_toplevel_target_context" in vars(cpu_target)  # numba compiled already: too late to choose
    native = os.environ.get("DRILLSIM_NATIVE_CPU", "") not in ("", "0")
    if compiled or native or config.CPU_NAME is not None or platform.machine().lower() not in ("x86_64", "amd64"):
        return _native(config.CPU_NAME)
    import llvmlite.binding as ll

    host = ll.get_host_cpu_features()
    if not all(host.get(f, False) for f in X86_64_V3 - {"crc32"}):  # (LLVM before 18 folds crc32 into sse4.2)
        return _native(None)
    config.CPU_NAME = PORTABLE_CPU
    config.CPU_FEATURES = ",".join(
        ("+" if f in X86_64_V3 else "-") + f for f in sorted(set(host) | _ZNVER3_EXTRA)
    )
    return "portable"


def _native(name: str | None) -> str:
    import llvmlite.binding as ll

    return f"native-{name or ll.get_host_cpu_name()}"


def target() -> str:
    """``"portable"`` when pinned, else ``"native-<cpu>"``: what the numbers are reproducible across."""
    return pin()
