"""Scenario mappings for the verification tests and the validation runs (built in code, never from files).

Every function returns a plain scenario mapping for :func:`sim.scenario_from_dict`; dimensions follow
RiMEA 3.0 / IMO MSC.1/Circ.1533 (see ../shared/reference/pedestrian.md, section 4).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "ring",
    "bottleneck",
    "room_with_door",
    "corridor",
    "l_corner",
    "room_door_outside",
    "wide_corridor",
    "counterflow",
    "large_room",
    "exit_allocation",
    "exit_choice_room",
    "bottleneck_chain",
    "street_corner",
    "straight_street",
    "two_exit_room",
]


def _sim(dt: float = 0.05, max_time: float = 900.0, grid_cell: float = 0.1, **more: Any) -> dict[str, Any]:
    return {"dt": dt, "max_time": max_time, "grid_cell": grid_cell, **more}


def ring(
    *,
    density: float,
    width: float = 2.0,
    inner_radius: float = 8.0,
    calibration: str = "empirical",
    segments: int = 128,
    radius: float | None = None,
) -> dict[str, Any]:
    """An annulus of ``width`` filled at ``density`` P/m²: a periodic corridor without ends.

    People walk round it counter-clockwise (the verification code replaces the navigation field by the
    tangential direction); the one "exit" is closed, so nobody leaves. ``radius`` [m], if given, is the body
    radius of everyone (default: the adult profile's 0.2 m).
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
    data: dict[str, Any] = {
        "name": f"ring {density:g} P/m2",
        "calibration": calibration,
        "levels": [{"id": "ring", "walkable": ring_wkt}],
        "exits": [{"id": "closed", "line": [list(outer[0]), list(outer[1])]}],
        "populations": [{"id": "walkers", "area": ring_wkt, "count": count, "premovement": 0}],
        "simulation": _sim(max_time=10_000.0),
    }
    if radius is not None:
        data["profiles"] = {"walker": {"speed": {"dist": "normal", "mean": 1.34, "sd": 0.26, "min": 0.5, "max": 2.2},
                                       "radius": radius}}
        data["populations"][0]["profile"] = "walker"
    return data


def bottleneck(
    *, width: float, count: int = 200, length: float = 2.8, calibration: str = "empirical"
) -> dict[str, Any]:
    """Seyfried et al. (2009)'s bottleneck: a 10 m x 10 m waiting room, a corridor ``width`` x ``length``.

    The corridor is as long as in the experiment (2.8 m; Seyfried, Passon, Steffen, Boltes, Rupprecht,
    Klingsch 2009, Transportation Science 43(3)). A longer one carries less, as people follow each other
    inside it at the corridor's time gaps (1.2 m wide, parameters before the November 2026 calibration step:
    1.99 P/s at 4 m, 2.16 P/s at 2.8 m).
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


def _box(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def room_door_outside(
    *,
    width: float = 8.0,
    depth: float = 5.0,
    door: float = 1.0,
    count: int = 100,
    wall: float = 0.2,
    outside: float = 3.0,
    premovement: Any = 0,
    calibration: str = "empirical",
    slow: dict[str, float] | None = None,
) -> dict[str, Any]:
    """RiMEA test 7 (IMO test 10): a ``width`` x ``depth`` room, a ``door`` in the right wall, and the outside.

    The door is a passage through a wall ``wall`` thick; beyond it lies an open area ``outside`` m deep whose
    far side is the exit. The door's flow is counted where people leave the passage (``x = width + wall``),
    as in experiments: people keep walking after the door, so those behind still see them ahead (an exit
    line in the door itself would remove each person the moment it crosses, which no real door does).

    ``slow``, if given (``{"speed": .., "radius": ..}``), adds one person of that speed and radius at the
    back of the room (RiMEA test 16: reduced mobility).
    """
    c = depth / 2
    a, b = c - door / 2, c + door / 2
    x1 = width + wall
    x2 = x1 + outside
    walk = [
        [0, 0], [width, 0], [width, a], [x1, a], [x1, -1.0], [x2, -1.0], [x2, depth + 1.0], [x1, depth + 1.0],
        [x1, b], [width, b], [width, depth], [0, depth],
    ]
    pops: list[dict[str, Any]] = [
        {"id": "p", "area": _box(1.0 if slow else 0.3, 0.3, width - 1.0, depth - 0.3), "count": count,
         "premovement": premovement}
    ]
    data: dict[str, Any] = {
        "name": f"room {width:g} x {depth:g} m, {door:g} m door",
        "calibration": calibration,
        "levels": [{"id": "room", "walkable": walk}],
        "exits": [{"id": "outside", "line": [[x2, -1.0], [x2, depth + 1.0]]}],
        "populations": pops,
        "simulation": _sim(max_time=900.0),
    }
    if slow is not None:
        data["profiles"] = {"impaired": {"speed": slow["speed"], "radius": slow["radius"]}}
        pops.append({"id": "impaired", "area": _box(0.1, c - 0.6, 0.9, c + 0.6), "count": 1,
                     "profile": "impaired", "premovement": premovement})
    return data


def wide_corridor(
    *, count: int = 50, length: float = 60.0, width: float = 50.0, speed: Any = None, calibration: str = "empirical"
) -> dict[str, Any]:
    """RiMEA test 6 (demographics): ``count`` people spread thinly (0.1 P/m²) over the first 10 m of a 50 m
    wide corridor, so that each walks at its own speed with hardly anyone in the way."""
    data: dict[str, Any] = {
        "name": "demographics corridor",
        "calibration": calibration,
        "levels": [{"id": "c", "walkable": _box(0, 0, length, width)}],
        "exits": [{"id": "end", "line": [[length, 0], [length, width]]}],
        "populations": [{"id": "p", "area": _box(0.5, 0.5, 10.0, width - 0.5), "count": count, "premovement": 0}],
        "simulation": _sim(max_time=300.0),
    }
    if speed is not None:
        data["profiles"] = {"imo": {"speed": speed, "radius": 0.2}}
        data["populations"][0]["profile"] = "imo"
    return data


def counterflow(*, forward: int = 100, opposing: int = 0, calibration: str = "empirical") -> dict[str, Any]:
    """RiMEA test 8: two 10 m x 10 m rooms joined by a 10 m x 2 m corridor.

    ``forward`` people start in the left room and must leave through the far (right) wall of the right room;
    ``opposing`` start in the right room and must leave through the far (left) wall of the left room. The
    exits are the outer walls of the rooms, so each group has to cross the corridor against the other.
    """
    walk = [[0, 0], [10, 0], [10, 4], [20, 4], [20, 0], [30, 0], [30, 10], [20, 10], [20, 6], [10, 6], [10, 10],
            [0, 10]]
    pops: list[dict[str, Any]] = [
        {"id": "forward", "area": _box(0.5, 0.5, 9.5, 9.5), "count": forward, "premovement": 0}
    ]
    assign = {"forward": ["east"]}
    if opposing:
        pops.append({"id": "opposing", "area": _box(20.5, 0.5, 29.5, 9.5), "count": opposing, "premovement": 0})
        assign["opposing"] = ["west"]
    return {
        "name": f"counterflow {forward} vs {opposing}",
        "calibration": calibration,
        "levels": [{"id": "rooms", "walkable": walk}],
        "exits": [{"id": "west", "line": [[0, 0], [0, 10]]}, {"id": "east", "line": [[30, 0], [30, 10]]}],
        "populations": pops,
        "plans": [{"id": "base", "assign_exits": assign}],
        "simulation": _sim(max_time=900.0),
    }


def _union_wkt(*boxes: list[list[float]]) -> str:
    """WKT of the union of axis-aligned boxes (a walkable polygon made of rooms, passages and strips)."""
    import shapely
    from shapely.geometry import Polygon

    return shapely.union_all([Polygon(b) for b in boxes]).normalize().wkt


def large_room(
    *, doors: int = 4, count: int = 1000, wall: float = 0.2, outside: float = 3.0, calibration: str = "empirical"
) -> dict[str, Any]:
    """RiMEA test 9: a 30 m x 20 m room, 1 m doors 4 m from the corners in the two 30 m walls.

    ``doors=4``: two doors in each long wall; ``doors=2``: the two doors of the top wall are locked (built as
    wall). As in :func:`room_door_outside`, each door is a passage through a ``wall`` thick wall into an open
    strip ``outside`` m deep whose far side is the exit; the time to leave the room is counted at the doors.
    The people stand evenly spread at least 2 m from the walls.
    """
    t, o = wall, outside
    parts = [_box(0, 0, 30, 20), _box(4, -t, 5, 0), _box(25, -t, 26, 0), _box(-1, -t - o, 31, -t)]
    exits = [{"id": "south", "line": [[-1, -t - o], [31, -t - o]]}]
    if doors == 4:
        parts += [_box(4, 20, 5, 20 + t), _box(25, 20, 26, 20 + t), _box(-1, 20 + t, 31, 20 + t + o)]
        exits.append({"id": "north", "line": [[-1, 20 + t + o], [31, 20 + t + o]]})
    return {
        "name": f"large room, {doors} doors",
        "calibration": calibration,
        "levels": [{"id": "hall", "walkable": _union_wkt(*parts)}],
        "exits": exits,
        "populations": [{"id": "p", "area": _box(2, 2, 28, 18), "count": count, "premovement": 0}],
        "simulation": _sim(max_time=1500.0),
    }


def exit_allocation(*, calibration: str = "empirical") -> dict[str, Any]:
    """RiMEA test 10: a 1 m corridor with 12 rooms (3 m x 5 m, 0.9 m doors) on its two sides, a main exit
    1.2 m wide at the left end (through a short lobby) and a secondary 1 m exit at the right end; 23
    people, each assigned an exit (the rooms of the left half the main exit, the others the secondary).

    Walls are 0.2 m thick (two cells of the navigation grid, so that no path leaks through them).
    """
    w = 0.2
    pitch = 3.0 + w
    length = 6 * pitch - w
    parts = [_box(0, 5, length, 6), _box(-1.5, 4.9, 0, 6.1)]
    pops: list[dict[str, Any]] = []
    assign: dict[str, list[str]] = {}
    for k in range(12):
        col, top = k % 6, k >= 6
        x0 = pitch * col
        y0, y1 = (6.0 + w, 11.0 + w) if top else (-w, 5.0 - w)
        parts.append(_box(x0, y0, x0 + 3.0, y1))
        # the 0.9 m door through the wall between room and corridor
        parts.append(_box(x0 + 1.05, 6.0, x0 + 1.95, 6.0 + w) if top else _box(x0 + 1.05, 5.0 - w, x0 + 1.95, 5.0))
        room_id = f"room{k + 1}"
        pops.append({"id": room_id, "area": _box(x0 + 0.4, y0 + 0.4, x0 + 2.6, y1 - 0.4),
                     "count": 1 if k == 11 else 2, "premovement": 0})
        # the rooms of the left half use the main exit, those of the right half the secondary one
        assign[room_id] = ["main"] if col < 3 else ["secondary"]
    return {
        "name": "exit allocation",
        "calibration": calibration,
        "levels": [{"id": "floor", "walkable": _union_wkt(*parts)}],
        "exits": [
            {"id": "main", "line": [[-1.5, 4.9], [-1.5, 6.1]]},
            {"id": "secondary", "line": [[length, 5], [length, 6]]},
        ],
        "populations": pops,
        "plans": [{"id": "base", "assign_exits": assign}],
        "simulation": _sim(max_time=300.0),
    }


def exit_choice_room(*, count: int = 1000, calibration: str = "empirical") -> dict[str, Any]:
    """RiMEA test 11: a 30 m x 20 m room with two 1 m exits close together in the top wall near the right
    corner (``near``: x in [25, 26]; ``far``: x in [28, 29]); ``count`` people packed in the left 12 m, for
    every one of whom ``near`` is the nearer exit (by about 3 m)."""
    return {
        "name": "choice of exit",
        "calibration": calibration,
        "levels": [{"id": "room", "walkable": _box(0, 0, 30, 20)}],
        "exits": [{"id": "near", "line": [[25, 20], [26, 20]]}, {"id": "far", "line": [[28, 20], [29, 20]]}],
        "populations": [{"id": "p", "area": _box(0.5, 0.5, 12.0, 19.5), "count": count, "premovement": 0}],
        "simulation": _sim(max_time=1500.0),
    }


def bottleneck_chain(*, count: int = 150, calibration: str = "empirical") -> dict[str, Any]:
    """RiMEA test 12: room 10 x 10 -> corridor 5 m long, 1 m wide -> room 10 x 10 with a 1 m exit."""
    walk = _union_wkt(_box(0, 0, 10, 10), _box(10, 4.5, 15, 5.5), _box(15, 0, 25, 10))
    return {
        "name": "bottlenecks",
        "calibration": calibration,
        "levels": [{"id": "floor", "walkable": walk}],
        "exits": [{"id": "exit", "line": [[25, 4.5], [25, 5.5]]}],
        "populations": [{"id": "p", "area": _box(0.5, 0.5, 9.0, 9.5), "count": count, "premovement": 0}],
        "simulation": _sim(max_time=900.0),
    }


def street_corner(*, count: int = 500, calibration: str = "empirical") -> dict[str, Any]:
    """RiMEA test 14: streets 20 m wide turning left; ``count`` people start in a 20 m x 10 m block.

    The inner path (along the inside corner at (22, 20)) is 22 + 22 = 44 m long from the block's front;
    the outer path (along the outside, rounding on a 20 m radius) 22 + 31.4 + 22 = 75.4 m. People take
    quickest paths (``routing: quickest``): the test is about how a large crowd uses the width of the bend,
    and with shortest paths everyone packs the inside of the corner.
    """
    walk = _union_wkt(_box(-10, 0, 42, 20), _box(22, 20, 42, 42))
    return {
        "name": "street corner",
        "calibration": calibration,
        "levels": [{"id": "street", "walkable": walk}],
        "exits": [{"id": "end", "line": [[22, 42], [42, 42]]}],
        "populations": [{"id": "p", "area": _box(-9.7, 0.3, -0.3, 19.7), "count": count, "premovement": 0}],
        "simulation": _sim(max_time=600.0, grid_cell=0.2, routing="quickest"),
    }


def straight_street(*, length: float, count: int = 500, calibration: str = "empirical") -> dict[str, Any]:
    """The straight 20 m wide street of RiMEA test 14's bounds: the exit ``length`` m ahead of the block
    (quickest-path routing, as in :func:`street_corner`)."""
    return {
        "name": f"straight street {length:g} m",
        "calibration": calibration,
        "levels": [{"id": "street", "walkable": _box(-10, 0, length, 20)}],
        "exits": [{"id": "end", "line": [[length, 0], [length, 20]]}],
        "populations": [{"id": "p", "area": _box(-9.7, 0.3, -0.3, 19.7), "count": count, "premovement": 0}],
        "simulation": _sim(max_time=600.0, grid_cell=0.2, routing="quickest"),
    }


def two_exit_room(*, count: int = 60, calibration: str = "empirical") -> dict[str, Any]:
    """RiMEA test 15 (dynamic exit availability): a 20 m x 10 m room, a 1 m exit in each short wall; the
    people start in the left half, nearer the left exit ``west``, which the test closes after the start."""
    return {
        "name": "dynamic exit",
        "calibration": calibration,
        "levels": [{"id": "room", "walkable": _box(0, 0, 20, 10)}],
        "exits": [{"id": "west", "line": [[0, 4.5], [0, 5.5]]}, {"id": "east", "line": [[20, 4.5], [20, 5.5]]}],
        "populations": [{"id": "p", "area": _box(6.0, 1.0, 10.0, 9.0), "count": count, "premovement": 0}],
        "simulation": _sim(max_time=600.0),
    }
