"""One root seed per run, split into named, independent random generators.

``streams(seed)["placement"]`` is the generator for placing agents, ``["speeds"]`` for free speeds, and so
on. Each name maps to its own child of ``numpy.random.SeedSequence(seed)`` (keyed by a stable hash of the
name), so adding a new stream never changes the numbers drawn by existing ones. numpy's global state is
never touched.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["stream", "STREAMS"]

#: The named streams in use (others may be added freely).
STREAMS = ("placement", "speeds", "premovement", "exit_choice", "hazard", "response")


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator for one named purpose within a run with root seed ``seed``.

    Args:
        seed: the run's root seed (a non-negative integer).
        name: what the numbers are for, e.g. ``"placement"``.

    Returns:
        A fresh ``numpy.random.Generator``; the same ``(seed, name)`` always gives the same sequence.
    """
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=(zlib.crc32(name.encode("utf-8")),))
    return np.random.default_rng(ss)
