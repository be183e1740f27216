"""The ``machine`` entry of a benchmark's JSON result: what the numbers were measured on."""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path


def machine(*, host: bool = True, **details: object) -> dict[str, object]:
    """The host name (left out with ``host=False``), CPU model, LLVM's name for it, the widest SIMD, core count
    and the CPU numba compiles drillsim's kernels for, then ``details`` in the order given.

    The CPU model is the ``model name`` line of /proc/cpuinfo where there is one, else what :mod:`platform`
    reports. Virtual machines often say only "AMD EPYC" there: LLVM's name for the CPU (``znver3``,
    ``znver5``, ...) and the widest SIMD (``avx512``, ``avx2``) tell two such machines apart. ``details`` are
    what else a benchmark's numbers depend on: Python and library versions, numba threads, the load average.
    """
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import llvmlite.binding as ll

    from sim.jit import PORTABLE_CPU, target

    features = ll.get_host_cpu_features()
    simd = next((s for s in ("avx512f", "avx2", "avx", "neon") if features.get(s)), "none").removesuffix("f")
    head: dict[str, object] = {"host": socket.gethostname()} if host else {}
    return {
        **head, "cpu": cpu, "cpu_llvm": ll.get_host_cpu_name(), "simd": simd, "cores": os.cpu_count(),
        "kernels_for": f"{PORTABLE_CPU}, x86-64-v3" if target() == "portable" else target(), **details,
    }
