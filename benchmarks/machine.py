"""The ``machine`` entry of a benchmark's JSON result: what the numbers were measured on."""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path


def machine(*, host: bool = True, **details: object) -> dict[str, object]:
    """The host name (left out with ``host=False``), CPU model and core count, then ``details`` in the order given.

    The CPU model is the ``model name`` line of /proc/cpuinfo where there is one, else what :mod:`platform`
    reports. ``details`` are what else a benchmark's numbers depend on: Python and library versions, numba
    threads, the load average, ...
    """
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    head: dict[str, object] = {"host": socket.gethostname()} if host else {}
    return {**head, "cpu": cpu, "cores": os.cpu_count(), **details}
