"""The one exception family of drillsim.

Every error a user can cause by what they give us (a scenario file, a command-line option) is a
:class:`SimError`. Its message is one line that names the file, the field, the value received, what was
expected and how to fix it, so that the command line can print it without a traceback and exit with
status 2.
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["SimError", "ScenarioError", "GeometryError", "format_value"]


class _ShortRepr(reprlib.Repr):
    """``repr`` with bounded depth and length: safe for huge, deeply nested or self-referencing values."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.maxlevel = 4
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdeque = 12
        self.maxdict = 8
        self.maxstring = limit + 1
        self.maxother = limit + 1

    def repr_str(self, x: str, level: int) -> str:
        # keep the start of long text (the reader finds it in the file), not the start and the end
        return repr(x[: self.maxstring])

    def repr_int(self, x: int, level: int) -> str:
        try:
            return super().repr_int(x, level)
        except ValueError:  # more digits than Python converts to text
            return f"<integer of about {int(x.bit_length() * 0.30103)} digits>"


def format_value(value: Any, limit: int = 60) -> str:
    """Render a received value for an error message: one line, at most ``limit`` characters.

    Long, deeply nested or self-referencing values are cut short (never expanded in full).
    """
    text = _ShortRepr(limit).repr(value)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


class SimError(Exception):
    """Base class of every error drillsim reports to its users."""


class ScenarioError(SimError, ValueError):
    """A scenario (file, plan or option) is invalid.

    Args:
        problem: what is wrong, e.g. ``"must be a positive number"``.
        file: the scenario file (or ``"<dict>"`` for scenarios built in code).
        field: the dotted path of the offending field, e.g. ``"populations[0].count"``.
        value: the value received (omitted from the message when ``...``).
        fix: how to fix it, e.g. ``"give a count of at least 1"``.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        field: str | None = None,
        value: Any = ...,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.field = field
        self.value = value
        self.fix = fix
        parts = []
        if file:
            parts.append(str(file))
        if field:
            parts.append(field)
        head = ": ".join(parts)
        msg = problem if not head else f"{head}: {problem}"
        if value is not ...:
            msg += f" (got {format_value(value)})"
        if fix:
            msg += f"; fix: {fix}"
        super().__init__(" ".join(msg.split()))


class GeometryError(ScenarioError):
    """A geometry in a scenario is invalid (bad WKT, self-intersection, exit off the boundary, ...)."""
