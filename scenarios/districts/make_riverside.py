"""Write ``riverside_roads.graphml``: the synthetic road network of the Riverside district (deterministic).

The district frame (shared by the response and shelter engines): projected metres, origin (0, 0) at the
south-west corner, 4 km (x) by 3 km (y). Venues: metro station entrance (1800, 1500), exhibition hall
(2600, 900), underground shopping street entrance (1500, 1700).

The network is a perturbed 200 m grid (21 x 16 = 336 intersections) with

* arterials (``primary``, 60 km/h) every 1 km, a ring of ``secondary`` roads (50 km/h) on the edge,
  ``tertiary`` streets (40 km/h) every 400 m between them and ``residential`` streets (30 km/h) elsewhere;
* a river meandering west to east through the middle (about y = 1250 m), crossed only by three bridges
  (at x = 600, 2000 and 3400 m);
* a one-way pair downtown (y = 1600 m westbound, y = 1800 m eastbound, from x = 800 to 3200 m);
* about 8 % of the residential blocks merged (street segments removed) while every intersection stays
  reachable from every other one.

It is saved as OSMnx saves graphs (``ox.save_graphml``): a MultiDiGraph, every attribute a string, edge
``length`` in metres, ``maxspeed`` as OSM text (a few edges carry a list such as ``"['30', '40']"``, and some
residential streets have none, as in real OSM data), ``oneway`` ``"True"`` / ``"False"``.

Usage::

    python scenarios/districts/make_riverside.py     # rewrites riverside_roads.graphml beside this file
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import networkx as nx
import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "riverside_roads.graphml"
SEED = 20261126
SPACING = 200.0
COLS, ROWS = 21, 16  # x = 0..4000, y = 0..3000
BRIDGES_X = (600.0, 2000.0, 3400.0)
ONE_WAY_ROWS = {1600.0: "west", 1800.0: "east"}
ONE_WAY_SPAN = (800.0, 3200.0)


def river_y(x: float) -> float:
    """Centre line of the river [m]."""
    return 1250.0 + 110.0 * math.sin(2.0 * math.pi * x / 2600.0 + 0.6)


def road_class(*, gx: float, gy: float, vertical: bool) -> tuple[str, str]:
    """OSM highway class and maxspeed of a street on grid line x = gx (vertical) or y = gy (horizontal)."""
    line = gx if vertical else gy
    edge = 4000.0 if vertical else 3000.0
    if line in (0.0, edge):
        return "secondary", "50"
    if line % 1000.0 == 0.0:
        return "primary", "60"
    if line % 400.0 == 0.0:
        return "tertiary", "40"
    return "residential", "30"


def node_id(row: int, col: int) -> str:
    return str(10000 + 100 * row + col)


def build(seed: int = SEED) -> nx.MultiDiGraph:
    """The district road network."""
    rng = np.random.default_rng(seed)
    g = nx.MultiDiGraph(
        crs="local: Riverside district frame, metres, origin at the south-west corner",
        created_with="drillsim scenarios/districts/make_riverside.py",
        simplified="True",
    )
    grid = {}
    for r in range(ROWS):
        for c in range(COLS):
            gx, gy = c * SPACING, r * SPACING
            edge_node = c in (0, COLS - 1) or r in (0, ROWS - 1)
            dx, dy = (0.0, 0.0) if edge_node else rng.normal(0.0, 22.0, 2)
            x, y = gx + dx, gy + dy
            ry = river_y(x)
            if abs(y - ry) < 60.0:  # keep intersections off the river banks
                y = ry + math.copysign(60.0, y - ry)
            grid[(r, c)] = (x, y)
            g.add_node(node_id(r, c), x=f"{x:.1f}", y=f"{y:.1f}", street_count="4")

    def north(r: int, c: int) -> bool:
        return grid[(r, c)][1] > river_y(grid[(r, c)][0])

    segments = []  # (a, b, highway, maxspeed, oneway direction or None)
    for r in range(ROWS):
        for c in range(COLS):
            gx, gy = c * SPACING, r * SPACING
            if c + 1 < COLS:  # horizontal segment along y = gy
                hw, ms = road_class(gx=gx, gy=gy, vertical=False)
                direction = None
                if gy in ONE_WAY_ROWS and ONE_WAY_SPAN[0] <= gx < ONE_WAY_SPAN[1]:
                    direction, hw, ms = ONE_WAY_ROWS[gy], "tertiary", "40"
                if north(r, c) == north(r, c + 1):
                    segments.append(((r, c), (r, c + 1), hw, ms, direction))
            if r + 1 < ROWS:  # vertical segment along x = gx
                hw, ms = road_class(gx=gx, gy=gy, vertical=True)
                crosses = north(r, c) != north(r + 1, c)
                if crosses and gx not in BRIDGES_X:
                    continue
                if crosses:
                    hw, ms = ("primary", "60") if hw != "residential" else ("tertiary", "40")
                segments.append(((r, c), (r + 1, c), hw, ms, None))

    def add(a: tuple[int, int], b: tuple[int, int], hw: str, ms: str | None, oneway: bool, k: int) -> None:
        (x0, y0), (x1, y1) = grid[a], grid[b]
        attrs = {
            "osmid": str(500000 + k),
            "highway": hw,
            "oneway": str(oneway),
            "reversed": "False",
            "length": f"{math.hypot(x1 - x0, y1 - y0):.3f}",
        }
        if ms is not None:
            attrs["maxspeed"] = ms
        g.add_edge(node_id(*a), node_id(*b), **attrs)

    for k, (a, b, hw, ms, direction) in enumerate(segments):
        speed: str | None = ms
        if hw == "residential":
            u = rng.random()
            if u < 0.15:
                speed = None  # no maxspeed tag: the reader falls back to the class speed
            elif u < 0.20:
                speed = "['30', '40']"
        if direction is None:
            add(a, b, hw, speed, False, k)
            add(b, a, hw, speed, False, k)
        elif direction == "east":
            add(a, b, hw, speed, True, k)
        else:
            add(b, a, hw, speed, True, k)

    # merge some residential blocks, keeping every intersection reachable from every other one
    candidates = [(node_id(*a), node_id(*b)) for a, b, hw, _, d in segments if hw == "residential" and d is None]
    order = rng.permutation(len(candidates))
    to_remove = int(0.08 * len(candidates))
    removed = 0
    for i in order:
        if removed >= to_remove:
            break
        u, v = candidates[i]
        saved = [(u, v, dict(g.edges[u, v, 0])), (v, u, dict(g.edges[v, u, 0]))]
        g.remove_edge(u, v, 0)
        g.remove_edge(v, u, 0)
        if nx.is_strongly_connected(g):
            removed += 1
        else:
            for a, b, d in saved:
                g.add_edge(a, b, 0, **d)
    if not nx.is_strongly_connected(g):
        raise RuntimeError("the generated network is not strongly connected")
    return g


def main() -> int:
    g = build()
    nx.write_graphml(g, OUT)
    print(f"{OUT.name}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, {OUT.stat().st_size / 1e3:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
