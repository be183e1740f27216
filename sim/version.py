"""The code version stored with every result: package version plus the git commit when run from a checkout."""

from __future__ import annotations

import functools
import subprocess
from importlib import metadata
from pathlib import Path

__all__ = ["__version__", "code_version"]

try:
    __version__ = metadata.version("drillsim")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"


@functools.cache
def code_version() -> str:
    """``"<version>"`` or ``"<version>+g<commit>[.dirty]"`` when the package lives in a git checkout, with
    ``.native-<cpu>`` appended when the kernels were compiled for this CPU rather than the portable target
    (their numbers then reproduce only on that CPU model; see :mod:`sim.jit`)."""
    from sim.jit import target

    native = "" if target() == "portable" else "." + target()
    return _checkout_version() + native


def _checkout_version() -> str:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=10"],
            cwd=here, capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{out.replace('-dirty', '.dirty')}" if out else __version__
