"""How numba compiles drillsim's kernels: for which CPU (the same numbers on every x86-64 machine) and where
the compiled code is cached (one directory per version of the source, so a cached kernel is never stale).
``import sim`` calls :func:`configure` before anything is compiled.

**Target.** The crowd kernels sum in SIMD loops with fast-math (the vectoriser may reorder sums). Which
order it picks depends on the CPU LLVM compiles for: its instruction set (AVX2 with 8 float32 lanes,
AVX-512 with 16) and its cost model. Compiled for the host, a run on a Zen 5 and a run on a Zen 3 round
differently and drift apart like two seeds (the 10 000-agent benchmark room: 407.7 s against 410.5 s to
empty). Plans replicated on a Dask cluster of mixed machines, a verification report regenerated elsewhere,
a result checked by a colleague would all disagree. So on x86-64 numba's target is :data:`PORTABLE_CPU`'s
cost model restricted to the x86-64-v3 instruction set (AVX2, FMA, BMI: every x86-64 CPU since 2013-2015),
with every other feature switched off so that no instruction a smaller CPU lacks can be emitted. Measured
on a Zen 5 (AVX-512): no slower than compiling for the host (see the README's performance section).

Not pinned (compiled for the host, results reproducible only on that CPU model, and ``code_version`` says
so): when ``DRILLSIM_NATIVE_CPU=1``, when the user set ``NUMBA_CPU_NAME`` themselves, on other
architectures, on x86-64 CPUs without x86-64-v3, and when numba compiled something before ``import sim``.

**Cache.** numba keys a function's disk cache on its own source file's time stamp only, so a kernel that
calls functions of other modules (the CSM kernel calls :mod:`sim.crowd.kernels` and
:mod:`sim.crowd.navigation`) would be loaded stale after only those changed. The cache lives in
``<base>/drillsim-<hash of every .py file of the package>``: changed source, fresh directory. ``<base>``
is ``NUMBA_CACHE_DIR`` when set, else the user cache directory (``~/.cache/drillsim/numba`` on Linux).
Directories of other source versions not used for :data:`KEEP_DAYS` days are removed.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import time
from pathlib import Path
from typing import Any

__all__ = ["KEEP_DAYS", "PORTABLE_CPU", "X86_64_V3", "cache_dir", "cold", "configure", "target"]

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

#: cache directories of other source versions are removed after this many days without use
KEEP_DAYS = 30

_target: str | None = None
_cache_dir: Path | None = None


def configure() -> str:
    """Set numba's compilation target and cache directory (see the module docstring); return :func:`target`.

    Must run before numba compiles anything in the process and before the kernels' modules are imported
    (``import sim`` calls it first); later calls change nothing.
    """
    global _target, _cache_dir
    if _target is None:
        _target = _choose()
        _cache_dir = _use_cache_dir()
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
    return configure()


def cache_dir() -> Path | None:
    """Where numba caches the compiled kernels (None: numba's default, next to the sources)."""
    configure()
    return _cache_dir


def cold(kernel: str = "csm._csm_velocities") -> bool:
    """True when ``kernel`` (``module.function``) has not been compiled and cached for this source version
    yet: the next run compiles it first. (Another checkout of the very same source shares the directory,
    in a subdirectory of its own: its cache also counts, so the answer can be "warm" once too often.)"""
    d = cache_dir()
    return d is not None and not any(d.rglob(f"*{kernel}-*.nbi"))


def _source_hash(root: Path | None = None) -> str:
    """Hash of every ``.py`` file (names and contents) under ``root``, by default this package."""
    h = hashlib.sha256()
    root = root or Path(__file__).resolve().parent
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _use_cache_dir() -> Path | None:
    from numba.core import config as numba_config

    config: Any = numba_config
    if config.CACHE_DIR:
        base = Path(config.CACHE_DIR)
    else:
        import platformdirs

        base = Path(platformdirs.user_cache_dir("drillsim")) / "numba"
    here = base / f"drillsim-{_source_hash()}"
    try:
        here.mkdir(parents=True, exist_ok=True)
        os.utime(here)  # in use: not pruned
    except OSError:  # not writable: numba's default (next to the sources, or in memory only)
        return None
    config.CACHE_DIR = str(here)
    old = time.time() - KEEP_DAYS * 86400
    for other in base.glob("drillsim-*"):
        try:
            if other != here and other.is_dir() and other.stat().st_mtime < old:
                shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass
    return here
