"""Helpers for tests: rotating a scenario mapping, checking points against a geometry.

The verification geometries themselves (corridor, corner, room with a door) live in
:mod:`sim.verification.geometries`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely import affinity


def rotate_scenario(data: dict[str, Any], angle_deg: float, origin: tuple[float, float] = (0.0, 0.0)) -> dict[str, Any]:
    """The same scenario with every geometry rotated by ``angle_deg`` about ``origin``."""
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)

    def pt(p: list[float]) -> list[float]:
        x, y = p[0] - origin[0], p[1] - origin[1]
        return [origin[0] + ca * x - sa * y, origin[1] + sa * x + ca * y]

    def poly(g: Any) -> Any:
        if isinstance(g, str):
            return affinity.rotate(shapely.from_wkt(g), angle_deg, origin=origin).wkt
        return [pt(p) for p in g]

    out = {**data}
    out["levels"] = [
        {
            **lv,
            "walkable": poly(lv["walkable"]),
            **({"obstacles": [poly(o) for o in lv["obstacles"]]} if "obstacles" in lv else {}),
        }
        for lv in data["levels"]
    ]
    out["exits"] = [{**e, "line": [pt(p) for p in e["line"]]} for e in data["exits"]]
    out["populations"] = [{**p, "area": poly(p["area"])} for p in data["populations"]]
    return out


def inside_fraction(geom: shapely.Geometry, xy: np.ndarray) -> float:
    """Share of points inside ``geom`` (boundary counts as inside)."""
    return float(shapely.intersects_xy(geom, xy[:, 0], xy[:, 1]).mean()) if len(xy) else 1.0
