"""Scenario mappings for the verification tests and the validation runs (built in code, never from files).

Every function returns a plain scenario mapping for :func:`sim.scenario_from_dict`; dimensions follow
RiMEA 3.0 / IMO MSC.1/Circ.1533 (see ../shared/reference/pedestrian.md, section 4).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["ring", "bottleneck", "room_with_door", "corridor", "l_corner"]


def _sim(dt: float = 0.05, max_time: float = 900.0, grid_cell: float = 0.1) -> dict[str, Any]:
    return {"dt": dt, "max_time": max_time, "grid_cell": grid_cell}


def ring(
    *,
    density: float,
    width: float = 2.0,
    inner_radius: float = 8.0,
    calibration: str = "empirical",
    segments: int = 128,
) -> dict[str, Any]:
    """An annulus of ``width`` filled at ``density`` P/m²: a periodic corridor without ends.

    People walk round it counter-clockwise (the verification code replaces the navigation field by the
    tangential direction); the one "exit" is closed, so nobody leaves.
    """
    ro = inner_radius + width
    outer = [
        (ro * math.cos(2 * math.pi * k / segments), ro * math.sin(2 * math.pi * k / segments)) for k in range(segments)
    ]
    inner = [
        (inner_radius * math.cos(2 * math.pi * k / segments), inner_radius * math.sin(2 * math.pi * k / segments))
        for k in range(segments)
    ][::-1]
    ring_wkt = (
        "POLYGON (("
        + ", ".join(f"{x:.6f} {y:.6f}" for x, y in outer + outer[:1])
        + "), ("
        + ", ".join(f"{x:.6f} {y:.6f}" for x, y in inner + inner[:1])
        + "))"
    )
    area = math.pi * (ro**2 - inner_radius**2) * (math.sin(2 * math.pi / segments) * segments / (2 * math.pi))
    count = max(1, round(density * area))
    return {
        "name": f"ring {density:g} P/m2",
        "calibration": calibration,
        "levels": [{"id": "ring", "walkable": ring_wkt}],
        "exits": [{"id": "closed", "line": [list(outer[0]), list(outer[1])]}],
        "populations": [{"id": "walkers", "area": ring_wkt, "count": count, "premovement": 0}],
        "simulation": _sim(max_time=10_000.0),
    }


def bottleneck(
    *, width: float, count: int = 200, length: float = 4.0, calibration: str = "empirical"
) -> dict[str, Any]:
    """Seyfried et al. (2009)-style bottleneck: a 10 m x 10 m waiting room, a corridor ``width`` x ``length``.

    The people start in the back 6 m of the room; crossing the corridor's far end is the exit.
    """
    c = 5.0
    a, b = c - width / 2, c + width / 2
    walk = [[0, 0], [10, 0], [10, a], [10 + length, a], [10 + length, b], [10, b], [10, 10], [0, 10]]
    return {
        "name": f"bottleneck {width:g} m",
        "calibration": calibration,
        "levels": [{"id": "lab", "walkable": walk}],
        "exits": [{"id": "end", "line": [[10 + length, a], [10 + length, b]]}],
        "populations": [
            {"id": "p", "area": [[0.3, 0.3], [7.0, 0.3], [7.0, 9.7], [0.3, 9.7]], "count": count, "premovement": 0}
        ],
        "simulation": _sim(),
    }


def room_with_door(
    *,
    width: float = 8.0,
    depth: float = 5.0,
    door: float = 1.0,
    count: int = 100,
    premovement: Any = 0,
    calibration: str = "empirical",
) -> dict[str, Any]:
    """RiMEA tests 4 and 7: a ``width`` x ``depth`` room, a ``door`` centred in the right (short) wall."""
    c = depth / 2
    return {
        "name": f"room {width:g} x {depth:g} m, {door:g} m door",
        "calibration": calibration,
        "levels": [{"id": "room", "walkable": [[0, 0], [width, 0], [width, depth], [0, depth]]}],
        "exits": [{"id": "door", "line": [[width, c - door / 2], [width, c + door / 2]]}],
        "populations": [
            {
                "id": "p",
                "area": [[0.3, 0.3], [width - 1.0, 0.3], [width - 1.0, depth - 0.3], [0.3, depth - 0.3]],
                "count": count,
                "premovement": premovement,
            }
        ],
        "simulation": _sim(),
    }


def corridor(
    *, length: float = 40.0, width: float = 2.0, speed: float = 1.33, calibration: str = "empirical"
) -> dict[str, Any]:
    """RiMEA test 1: one person walks a ``length`` m corridor at ``speed``; the exit is the far end."""
    return {
        "name": f"corridor {length:g} m",
        "calibration": calibration,
        "levels": [{"id": "c", "walkable": [[-1.0, 0], [length, 0], [length, width], [-1.0, width]]}],
        "exits": [{"id": "end", "line": [[length, 0], [length, width]]}],
        "populations": [
            {
                "id": "p",
                "area": [
                    [-0.3, width / 2 - 0.3],
                    [0.3, width / 2 - 0.3],
                    [0.3, width / 2 + 0.3],
                    [-0.3, width / 2 + 0.3],
                ],
                "count": 1,
                "profile": "walker",
                "premovement": 0,
            }
        ],
        "profiles": {"walker": {"speed": speed, "radius": 0.2}},
        "simulation": _sim(max_time=300.0),
    }


def l_corner(*, count: int = 20, width: float = 2.0, calibration: str = "empirical") -> dict[str, Any]:
    """RiMEA test 5: an L-shaped corridor ``width`` wide turning left after 12 m; 20 people in the first leg."""
    w = width
    return {
        "name": "left corner",
        "calibration": calibration,
        "levels": [{"id": "l", "walkable": [[0, 0], [12, 0], [12, 12], [12 - w, 12], [12 - w, w], [0, w]]}],
        "exits": [{"id": "top", "line": [[12, 12], [12 - w, 12]]}],
        "populations": [
            {"id": "p", "area": [[0.2, 0.2], [5, 0.2], [5, w - 0.2], [0.2, w - 0.2]], "count": count, "premovement": 0}
        ],
        "simulation": _sim(max_time=300.0),
    }
