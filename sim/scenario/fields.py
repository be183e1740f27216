"""Reading scenario data field by field, with errors that name the file and the field.

:class:`FieldReader` is what every section reader uses (the crowd sections in :mod:`sim.scenario.loader`,
and the ``hazards``, ``response`` and ``shelters`` sections in their engines' packages): each reader method
checks one value and raises a :class:`~sim.errors.ScenarioError` (or :class:`~sim.errors.GeometryError`)
whose one line names the file, the field path, the value received and the fix.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

import numpy as np
import shapely
from shapely.geometry import Polygon

from sim.errors import GeometryError, ScenarioError, format_value

__all__ = ["FieldReader", "key_name", "MAX_COORDINATE"]

#: Largest coordinate [m] accepted (room for projected coordinates such as UTM, not for overflow).
MAX_COORDINATE = 1e8


def key_name(key: Any) -> str:
    """A mapping key as it appears in a field path: short text as is, anything else as a short repr."""
    if isinstance(key, str) and len(key) <= 40 and key.isprintable() and key.strip() == key:
        return key
    return format_value(key, limit=40)


class FieldReader:
    """Where we are in the file: raises errors with the file name and field path filled in."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, field: str, problem: str, value: Any = ..., fix: str | None = None) -> NoReturn:
        raise ScenarioError(problem, file=self.file, field=field, value=value, fix=fix)

    def geometry_fail(self, field: str, problem: str, value: Any = ..., fix: str | None = None) -> NoReturn:
        raise GeometryError(problem, file=self.file, field=field, value=value, fix=fix)

    @contextlib.contextmanager
    def geometry_guard(self, field: str) -> Iterator[None]:
        """Turn a failure of the geometry library on an extreme (but valid) geometry into a GeometryError."""
        try:
            yield
        except shapely.errors.ShapelyError as exc:
            detail = " ".join(str(exc).split())[:100]
            self.geometry_fail(
                field,
                f"geometry cannot be processed ({detail})",
                fix="simplify the geometry: fewer corners, no near-touching edges, coordinates in metres",
            )

    # -- generic readers -------------------------------------------------------------------------------
    def mapping(self, value: Any, field: str, valid: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, Mapping):
            self.fail(
                field,
                "must be a mapping of keys to values",
                value,
                f"write it as 'key: value' lines ({', '.join(valid)})",
            )
        for k in value:
            if not isinstance(k, str) or k not in valid:
                name = key_name(k)
                self.fail(f"{field}.{name}" if field else name, "unknown key", k, f"valid keys are: {', '.join(valid)}")
        for k in required:
            if k not in value:
                self.fail(f"{field}.{k}" if field else k, "missing required key", fix=f"add '{k}:'")
        return dict(value)

    def seq(self, value: Any, field: str, *, min_len: int = 0) -> list:
        if not isinstance(value, (list, tuple)):
            self.fail(field, "must be a list", value, "write it as a YAML list ('- item' lines or [a, b])")
        if len(value) < min_len:
            self.fail(field, f"needs at least {min_len} item(s)", value, "add the missing items")
        return list(value)

    def ident(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
            self.fail(field, "must be a non-empty name without spaces", value, "use a name like 'exit_A'")
        return value

    def text(self, value: Any, field: str) -> str:
        if not isinstance(value, str):
            self.fail(field, "must be text", value, "quote it")
        return value

    def number(
        self,
        value: Any,
        field: str,
        *,
        min: float | None = None,
        max: float | None = None,
        strict_min: bool = False,
        unit: str = "",
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(field, "must be a number", value, f"give a number{' in ' + unit if unit else ''}")
        try:
            x = float(value)
        except OverflowError:  # an integer beyond the float range
            x = math.inf
        if not math.isfinite(x):
            self.fail(field, "must be a finite number", value, "give a finite number")
        if min is not None and (x < min or (strict_min and x <= min)):
            rel = ">" if strict_min else ">="
            self.fail(field, f"must be {rel} {min:g}", value, f"give a value {rel} {min:g}{' ' + unit if unit else ''}")
        if max is not None and x > max:
            self.fail(field, f"must be <= {max:g}", value, f"give a value <= {max:g}{' ' + unit if unit else ''}")
        return x

    def integer(self, value: Any, field: str, *, min: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer() and math.isfinite(value):
                value = int(value)
            else:
                self.fail(field, "must be a whole number", value, f"give an integer >= {min}")
        if value < min:
            self.fail(field, f"must be >= {min}", value, f"give an integer >= {min}")
        return int(value)

    def choice(self, value: Any, field: str, choices: tuple[str, ...]) -> str:
        if value not in choices:
            self.fail(field, "is not one of the allowed values", value, f"use one of: {', '.join(choices)}")
        return str(value)

    def ref(self, value: Any, field: str, known: Mapping[str, Any] | set[str], what: str) -> str:
        name = self.ident(value, field)
        if name not in known:
            valid = ", ".join(sorted(known)) or "(none defined)"
            self.fail(field, f"unknown {what}", value, f"use one of: {valid}")
        return name

    def unique(self, ids: list[str], field: str) -> None:
        seen: set[str] = set()
        for i, x in enumerate(ids):
            if x in seen:
                self.fail(f"{field}[{i}].id", "duplicate id", x, "give every item its own id")
            seen.add(x)

    # -- geometry --------------------------------------------------------------------------------------
    def point(self, value: Any, field: str) -> tuple[float, float]:
        pts = self.seq(value, field)
        if len(pts) != 2:
            self.fail(field, "a point must be [x, y]", value, "give two numbers in metres")
        lim = MAX_COORDINATE
        return (
            self.number(pts[0], f"{field}[0]", min=-lim, max=lim, unit="m"),
            self.number(pts[1], f"{field}[1]", min=-lim, max=lim, unit="m"),
        )

    def polygon(self, value: Any, field: str) -> Polygon:
        """A simple polygon from WKT text or a list of [x, y] points (the ring closes itself)."""
        example = "write e.g. 'POLYGON ((0 0, 10 0, 10 5, 0 5, 0 0))'"
        if isinstance(value, str):
            try:
                with np.errstate(all="ignore"):  # 'nan' / '1e400' in the text: reported below, not warned
                    geom = shapely.from_wkt(value)
            except (shapely.errors.ShapelyError, ValueError, TypeError) as exc:
                detail = str(exc).split("\n")[0]
                self.geometry_fail(field, f"invalid WKT ({detail})", value, example)
            if geom is None:
                self.geometry_fail(field, "invalid WKT (no geometry)", value, example)
        elif isinstance(value, (list, tuple)):
            coords = [self.point(p, f"{field}[{i}]") for i, p in enumerate(value)]
            if len(coords) < 3:
                self.geometry_fail(
                    field, "a polygon needs at least 3 points", value, "list the corners as [[x, y], ...]"
                )
            try:
                geom = Polygon(coords)
            except (ValueError, shapely.errors.ShapelyError) as exc:
                self.geometry_fail(field, f"not a polygon ({exc})", value, "list the corners as [[x, y], ...]")
        else:
            self.geometry_fail(field, "must be WKT text or a list of [x, y] points", value, example)
        if not isinstance(geom, Polygon):
            self.geometry_fail(
                field, f"must be a POLYGON, not a {geom.geom_type}", value, "give one polygon (holes allowed)"
            )
        geom = shapely.force_2d(geom)
        xy = shapely.get_coordinates(geom)  # all rings, holes included
        if not np.isfinite(xy).all():
            self.geometry_fail(field, "coordinates must be finite", value, "give finite coordinates in metres")
        if xy.size and np.abs(xy).max() > MAX_COORDINATE:
            self.geometry_fail(
                field, f"coordinates must be within +-{MAX_COORDINATE:g} m", value, "give coordinates in metres"
            )
        if geom.is_empty:
            self.geometry_fail(
                field, "polygon is empty", value, "give at least 3 distinct corners that enclose an area"
            )
        # validity before area: the signed parts of a self-intersecting 'bow tie' cancel out to no area
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            self.geometry_fail(
                field,
                f"polygon is not valid: {reason}",
                value,
                "remove self-intersections and repeated or crossing edges",
            )
        if geom.area <= 0:
            self.geometry_fail(
                field, "polygon has no area", value, "give at least 3 distinct corners that enclose an area"
            )
        return geom
