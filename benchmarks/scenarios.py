"""Benchmark geometries built in code: square rooms with exits centred in the walls (issue #2's set-up)."""

from __future__ import annotations

from typing import Any


def square_room(
    *, side: float, exits_per_wall: int, exit_width: float, agents: int, margin: float = 0.5
) -> dict[str, Any]:
    """A ``side`` x ``side`` room with ``exits_per_wall`` exits of ``exit_width`` evenly spaced on each wall.

    Everyone stands in the room (``margin`` from the walls), moves at once (no pre-movement) and chooses
    the exit with the least estimated time.

    Returns:
        A scenario mapping for :func:`sim.scenario_from_dict`.
    """
    s = side
    exits = []
    for k in range(exits_per_wall):
        c = s * (k + 1) / (exits_per_wall + 1)
        a, b = c - exit_width / 2, c + exit_width / 2
        exits += [
            {"id": f"south_{k}", "line": [[a, 0], [b, 0]]},
            {"id": f"east_{k}", "line": [[s, a], [s, b]]},
            {"id": f"north_{k}", "line": [[b, s], [a, s]]},
            {"id": f"west_{k}", "line": [[0, b], [0, a]]},
        ]
    m = margin
    return {
        "name": f"Benchmark room {s:g} m x {s:g} m, {4 * exits_per_wall} exits of {exit_width:g} m",
        "levels": [{"id": "floor", "walkable": f"POLYGON ((0 0, {s} 0, {s} {s}, 0 {s}, 0 0))"}],
        "exits": exits,
        "populations": [
            {
                "id": "crowd",
                "area": f"POLYGON (({m} {m}, {s - m} {m}, {s - m} {s - m}, {m} {s - m}, {m} {m}))",
                "count": agents,
                "profile": "adult",
                "premovement": 0,
            }
        ],
        "plans": [{"id": "all_open"}],
        "simulation": {"dt": 0.05, "max_time": 3600, "grid_cell": 0.2},
    }
