"""Scenario dicts built in code for tests (geometries of the verification tests)."""

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


def corridor(
    *,
    length: float = 40.0,
    width: float = 2.0,
    speed: float = 1.33,
    count: int = 1,
    start: tuple[float, float] = (0.0, 1.0),
) -> dict[str, Any]:
    """RiMEA test 1: a ``width`` x ``length`` corridor, exit at the far end, people starting near x = 0."""
    x0, y0 = start
    area = (
        [[x0, y0 - 0.3], [x0 + 0.6, y0 - 0.3], [x0 + 0.6, y0 + 0.3], [x0, y0 + 0.3]]
        if count == 1
        else [[0.3, 0.3], [4.0, 0.3], [4.0, width - 0.3], [0.3, width - 0.3]]
    )
    return {
        "name": "corridor",
        "levels": [{"id": "c", "walkable": [[-1.0, 0], [length, 0], [length, width], [-1.0, width]]}],
        "exits": [{"id": "end", "line": [[length, 0], [length, width]]}],
        "populations": [{"id": "p", "area": area, "count": count, "profile": "walker", "premovement": 0}],
        "profiles": {"walker": {"speed": speed, "radius": 0.2}},
        "simulation": {"dt": 0.05, "max_time": 300},
    }


def l_corner(*, count: int = 20, width: float = 2.0) -> dict[str, Any]:
    """RiMEA test 5: an L-shaped corridor of ``width`` turning left; start in the first leg."""
    w = width
    return {
        "name": "left corner",
        "levels": [{"id": "l", "walkable": [[0, 0], [12, 0], [12, 12], [12 - w, 12], [12 - w, w], [0, w]]}],
        "exits": [{"id": "top", "line": [[12, 12], [12 - w, 12]]}],
        "populations": [
            {"id": "p", "area": [[0.2, 0.2], [5, 0.2], [5, w - 0.2], [0.2, w - 0.2]], "count": count, "premovement": 0}
        ],
        "simulation": {"dt": 0.05, "max_time": 300},
    }


def room(
    *, width: float = 8.0, depth: float = 5.0, door: float = 1.0, count: int = 10, premovement: Any = 0
) -> dict[str, Any]:
    """RiMEA test 4 / 7: a ``width`` x ``depth`` room, a ``door`` centred in the right wall."""
    c = depth / 2
    return {
        "name": "room",
        "levels": [{"id": "r", "walkable": [[0, 0], [width, 0], [width, depth], [0, depth]]}],
        "exits": [{"id": "door", "line": [[width, c - door / 2], [width, c + door / 2]]}],
        "populations": [
            {
                "id": "p",
                "area": [[0.5, 0.5], [width - 2, 0.5], [width - 2, depth - 0.5], [0.5, depth - 0.5]],
                "count": count,
                "premovement": premovement,
            }
        ],
        "simulation": {"dt": 0.05, "max_time": 600},
    }


def inside_fraction(geom: shapely.Geometry, xy: np.ndarray) -> float:
    """Share of points inside ``geom`` (boundary counts as inside)."""
    return float(shapely.intersects_xy(geom, xy[:, 0], xy[:, 1]).mean()) if len(xy) else 1.0
