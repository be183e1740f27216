"""Command-line verbs of this package (registered by :mod:`sim.cli`)."""

from __future__ import annotations

import argparse


def register(verbs: argparse._SubParsersAction) -> None:
    """Add this package's verbs to the ``drillsim`` command line (none yet)."""
