"""Where response units drive: a road network (or straight lines) and the places on it.

Two geographies answer the same question, "how long from here to there, along which nodes":

* :class:`RoadNetwork`: a directed networkx graph read from GraphML as OSMnx writes it (node ``x`` / ``y``
  in projected metres, edge ``length`` [m] and ``speed_kph`` or ``maxspeed``, every attribute a string) or
  from a node / edge CSV pair. Edge travel time = length / speed; routes are the shortest paths by travel
  time (Dijkstra, one search per origin, cached).
* :class:`StraightLines`: no network; road distance = straight-line distance x detour factor (1.417 by
  default: reference/response_shelter_drills.md section 2), driven at one speed.

A :class:`Place` is a point that units start from or drive to: a node of the network (snapped from x / y
when needed) or, without a network, the point itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from sim.errors import ScenarioError

__all__ = [
    "Place",
    "Route",
    "Geography",
    "RoadNetwork",
    "StraightLines",
    "read_graphml",
    "read_csv_network",
    "parse_speed_kph",
    "DEFAULT_SPEED_KPH",
    "DETOUR_FACTOR",
    "road_segments",
]

#: Road distance / straight-line distance without a network (reference section 2: 1.417).
DETOUR_FACTOR = 1.417
#: Speed [km/h] by OSM ``highway`` class when an edge has neither ``speed_kph`` nor a readable ``maxspeed``
#: (urban limits in China: GB 5768 signage practice; 30 km/h for streets without a class).
DEFAULT_SPEED_KPH: Mapping[str, float] = {
    "motorway": 100.0,
    "trunk": 80.0,
    "primary": 60.0,
    "secondary": 50.0,
    "tertiary": 40.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 20.0,
    "unclassified": 30.0,
}
_FALLBACK_KPH = 30.0
_MPH = 1.609344


@dataclass(frozen=True, kw_only=True)
class Place:
    """A point on the geography.

    Attributes:
        x: easting [m].
        y: northing [m].
        node: the network node id (``None`` without a network).
    """

    x: float
    y: float
    node: str | None = None

    @property
    def key(self) -> Any:
        """What identifies the place for route caching: the node, or the point itself."""
        return self.node if self.node is not None else (self.x, self.y)


@dataclass(frozen=True, kw_only=True)
class Route:
    """The fastest way from one place to another at free-flow speeds.

    Attributes:
        time_s: free-flow travel time [s].
        length_m: road length [m].
        places: the places passed, first = origin, last = destination.
        cum_time_s: free-flow time [s] from the origin to each of ``places`` (first 0, last ``time_s``).
    """

    time_s: float
    length_m: float
    places: tuple[Place, ...]
    cum_time_s: tuple[float, ...]

    def position_at(self, elapsed_s: float) -> tuple[Place, float]:
        """Where a unit driving this route is after ``elapsed_s`` free-flow seconds.

        Returns:
            The next place it reaches (it cannot turn back between nodes) and the time [s] still needed to
            reach it; past the end, the destination and 0.
        """
        cum = self.cum_time_s
        i = int(np.searchsorted(cum, elapsed_s, side="left"))
        if i >= len(cum):
            return self.places[-1], 0.0
        return self.places[i], cum[i] - elapsed_s


class Geography(Protocol):
    """What the engine needs from a road network or its straight-line stand-in."""

    @property
    def source(self) -> str: ...

    def place_at(self, x: float, y: float) -> Place: ...

    def place_of_node(self, node: str) -> Place | None: ...

    def route(self, origin: Place, destination: Place) -> Route | None: ...


# -- straight lines ----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class StraightLines:
    """No road network: road distance = straight-line distance x ``detour_factor``, driven at ``speed_kph``.

    Attributes:
        detour_factor: road / straight-line distance [-] (1.417 by default).
        speed_kph: driving speed [km/h].
        source: description for messages.
    """

    detour_factor: float = DETOUR_FACTOR
    speed_kph: float = 40.0
    source: str = "straight lines"

    def place_at(self, x: float, y: float) -> Place:
        return Place(x=float(x), y=float(y))

    def place_of_node(self, node: str) -> Place | None:
        return None

    def route(self, origin: Place, destination: Place) -> Route:
        length = math.hypot(destination.x - origin.x, destination.y - origin.y) * self.detour_factor
        t = length / (self.speed_kph / 3.6)
        return Route(time_s=t, length_m=length, places=(origin, destination), cum_time_s=(0.0, t))


# -- road network ------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False)
class RoadNetwork:
    """A directed road network with travel times.

    Attributes:
        graph: ``networkx.DiGraph``; nodes carry ``x``, ``y`` [m]; edges ``length`` [m], ``speed_kph`` and
            ``time_s`` [s] (parallel edges of the source are merged, keeping the fastest).
        source: the file it was read from.
    """

    graph: nx.DiGraph
    source: str
    _ids: tuple[str, ...] = field(init=False, repr=False)
    _index: dict[str, int] = field(init=False, repr=False)
    _xy: np.ndarray = field(init=False, repr=False)
    _tree: cKDTree = field(init=False, repr=False)
    _time: csr_matrix = field(init=False, repr=False)
    _length: dict[tuple[int, int], float] = field(init=False, repr=False)
    _cache: dict[int, tuple[np.ndarray, np.ndarray]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ids = tuple(str(n) for n in self.graph.nodes)
        index = {n: i for i, n in enumerate(ids)}
        xy = np.array([[self.graph.nodes[n]["x"], self.graph.nodes[n]["y"]] for n in self.graph.nodes], dtype=float)
        n = len(ids)
        rows, cols, times, lengths = [], [], [], []
        for u, v, d in self.graph.edges(data=True):
            rows.append(index[str(u)])
            cols.append(index[str(v)])
            # a zero-time edge would vanish from a sparse matrix: give it a femtosecond
            times.append(max(d["time_s"], 1e-12))
            lengths.append(max(d["length"], 1e-12))
        set_ = object.__setattr__
        set_(self, "_ids", ids)
        set_(self, "_index", index)
        set_(self, "_xy", xy.reshape(n, 2))
        set_(self, "_tree", cKDTree(xy.reshape(n, 2)))
        set_(self, "_time", csr_matrix((times, (rows, cols)), shape=(n, n)))
        set_(self, "_length", {(a, b): ln for a, b, ln in zip(rows, cols, lengths, strict=True)})
        set_(self, "_cache", {})

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Node ids in a fixed order."""
        return self._ids

    @property
    def xy(self) -> np.ndarray:
        """Node coordinates [m], shape ``(n, 2)``, in the order of :attr:`node_ids`."""
        return self._xy

    def place_of_node(self, node: str) -> Place | None:
        """The place of node ``node`` or ``None`` if the network has no such node."""
        i = self._index.get(str(node))
        if i is None:
            return None
        return Place(x=float(self._xy[i, 0]), y=float(self._xy[i, 1]), node=self._ids[i])

    def place_at(self, x: float, y: float) -> Place:
        """The node nearest to ``(x, y)`` (straight-line distance)."""
        _, i = self._tree.query([x, y])
        return Place(x=float(self._xy[i, 0]), y=float(self._xy[i, 1]), node=self._ids[int(i)])

    def snap_distance(self, x: float, y: float) -> float:
        """Distance [m] from ``(x, y)`` to the nearest node."""
        d, _ = self._tree.query([x, y])
        return float(d)

    def _search(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        hit = self._cache.get(i)
        if hit is None:
            dist, pred = dijkstra(self._time, directed=True, indices=i, return_predecessors=True)
            hit = (dist, pred)
            self._cache[i] = hit
        return hit

    def travel_times_from(self, origin: Place) -> np.ndarray:
        """Free-flow travel time [s] from ``origin`` to every node (``inf`` where unreachable)."""
        return self._search(self._index[str(origin.node)])[0]

    def route(self, origin: Place, destination: Place) -> Route | None:
        """The fastest route, or ``None`` when ``destination`` cannot be reached from ``origin``."""
        i, j = self._index[str(origin.node)], self._index[str(destination.node)]
        dist, pred = self._search(i)
        if not math.isfinite(dist[j]):
            return None
        path = [j]
        while path[-1] != i:
            path.append(int(pred[path[-1]]))
        path.reverse()
        length = float(sum(self._length[(a, b)] for a, b in zip(path[:-1], path[1:], strict=True)))
        places = tuple(Place(x=float(self._xy[k, 0]), y=float(self._xy[k, 1]), node=self._ids[k]) for k in path)
        cum = tuple(float(dist[k]) for k in path)
        return Route(time_s=float(dist[j]), length_m=length, places=places, cum_time_s=cum)


# -- readers -----------------------------------------------------------------------------------------------
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def parse_speed_kph(value: Any) -> float | None:
    """A speed [km/h] from an OSM-style value, or ``None`` if there is none.

    Accepts numbers, ``"50"``, ``"30 mph"``, ``"50;60"`` and list strings such as ``"['40', '50']"`` (the
    mean of the values), as OSMnx writes them to GraphML.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value > 0 and math.isfinite(value) else None
    text = str(value)
    nums = [float(m) for m in _NUMBER.findall(text)]
    nums = [x for x in nums if x > 0]
    if not nums:
        return None
    kph = sum(nums) / len(nums)
    return kph * _MPH if "mph" in text.lower() else kph


def _highway_speed(highway: Any) -> float:
    text = str(highway or "")
    for cls, kph in DEFAULT_SPEED_KPH.items():
        if cls in text:  # 'primary_link' and "['primary', 'secondary']" count as their first class
            return kph
    return _FALLBACK_KPH


def _finite_float(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _geographic(graph: nx.Graph) -> bool:
    crs = str(graph.graph.get("crs", "")).lower()
    return any(tag in crs for tag in ("4326", "wgs84", "wgs 84", "longlat", "+proj=lonlat"))


def _build(
    edges: Iterable[tuple[str, str, float, float]], nodes: Mapping[str, tuple[float, float]], *, source: str
) -> RoadNetwork:
    """The directed network from ``(u, v, length_m, speed_kph)`` edges, keeping the fastest parallel edge."""
    g = nx.DiGraph()
    for n, (x, y) in nodes.items():
        g.add_node(n, x=x, y=y)
    for u, v, length, kph in edges:
        t = length / (kph / 3.6)
        old = g.get_edge_data(u, v)
        if old is None or t < old["time_s"]:
            g.add_edge(u, v, length=length, speed_kph=kph, time_s=t)
    return RoadNetwork(graph=g, source=source)


def read_graphml(path: Path, *, default_speed_kph: float | None = None) -> RoadNetwork:
    """Read a road network from GraphML as written by OSMnx (``ox.save_graphml``).

    Node attributes ``x`` / ``y`` must be projected metres; a graph whose ``crs`` is geographic (EPSG:4326)
    is projected here with a local equirectangular projection about its centre (adequate over a district of
    a few km; project it with OSMnx for larger areas). Edge ``length`` [m] is required; the speed comes from
    ``speed_kph``, else ``maxspeed`` (``"50"``, ``"30 mph"``, lists: mean), else ``default_speed_kph``, else a
    speed by ``highway`` class (:data:`DEFAULT_SPEED_KPH`). Edges with ``oneway`` false are still directed
    pairs in OSMnx files, so each edge is taken as written.

    Raises:
        ScenarioError: the file cannot be read, is not GraphML, or misses coordinates or lengths.
    """
    source = str(path)
    try:
        g = nx.read_graphml(path)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or " ".join(str(exc).split())[:80]
        raise ScenarioError(
            f"cannot read the road network ({reason})", file=source, fix="give a GraphML file saved by OSMnx"
        ) from None
    except Exception as exc:  # noqa: BLE001 - XML parse errors come in several types
        raise ScenarioError(
            f"not a GraphML file ({type(exc).__name__})", file=source, fix="give a GraphML file saved by OSMnx"
        ) from None
    nodes: dict[str, tuple[float, float]] = {}
    for n, d in g.nodes(data=True):
        x, y = _finite_float(d.get("x")), _finite_float(d.get("y"))
        if x is None or y is None:
            raise ScenarioError(
                "node has no numeric x / y",
                file=source,
                field=f"node {n}",
                value=d.get("x"),
                fix="save the graph with node coordinates x and y (projected metres)",
            )
        nodes[str(n)] = (x, y)
    if not nodes:
        raise ScenarioError("the road network has no nodes", file=source, fix="give a non-empty road network")
    if _geographic(g):
        lon0 = float(np.mean([p[0] for p in nodes.values()]))
        lat0 = float(np.mean([p[1] for p in nodes.values()]))
        r = 6_371_008.8
        kx, ky = math.radians(1.0) * r * math.cos(math.radians(lat0)), math.radians(1.0) * r
        nodes = {n: ((x - lon0) * kx, (y - lat0) * ky) for n, (x, y) in nodes.items()}
    edges = []
    for u, v, d in g.edges(data=True):
        length = _finite_float(d.get("length"))
        if length is None or length < 0:
            raise ScenarioError(
                "edge has no valid length",
                file=source,
                field=f"edge {u}->{v}.length",
                value=d.get("length"),
                fix="give every edge its length in metres",
            )
        kph = parse_speed_kph(d.get("speed_kph")) or parse_speed_kph(d.get("maxspeed"))
        if kph is None:
            kph = default_speed_kph if default_speed_kph is not None else _highway_speed(d.get("highway"))
        edges.append((str(u), str(v), length, kph))
    return _build(edges, nodes, source=source)


#: Columns of the node / edge CSV pair.
NODE_CSV_COLUMNS = ("id", "x", "y")
EDGE_CSV_COLUMNS = ("u", "v")  # optional: length [m] (else straight), speed_kph, oneway (default false)


def read_csv_network(nodes_path: Path, edges_path: Path, *, default_speed_kph: float = _FALLBACK_KPH) -> RoadNetwork:
    """Read a road network from a node CSV (``id, x, y``) and an edge CSV (``u, v[, length, speed_kph, oneway]``).

    ``length`` [m] defaults to the straight distance between the end nodes; ``speed_kph`` to
    ``default_speed_kph``; ``oneway`` (true / false, 1 / 0) to false, which adds both directions.

    Raises:
        ScenarioError: a file is missing, lacks a column, or an edge names an unknown node.
    """
    frames = []
    for path, cols in ((nodes_path, NODE_CSV_COLUMNS), (edges_path, EDGE_CSV_COLUMNS)):
        try:
            df = pd.read_csv(path, dtype={"id": str, "u": str, "v": str})
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or " ".join(str(exc).split())[:80]
            raise ScenarioError(f"cannot read the CSV ({reason})", file=str(path), fix="check the path") from None
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ScenarioError(
                f"missing column(s) {', '.join(missing)}",
                file=str(path),
                value=list(df.columns),
                fix=f"give the columns {', '.join(cols)}",
            )
        frames.append(df)
    ndf, edf = frames
    nodes = {}
    for row in ndf.itertuples(index=False):
        x, y = _finite_float(row.x), _finite_float(row.y)
        if x is None or y is None:
            raise ScenarioError(
                "node has no numeric x / y", file=str(nodes_path), field=f"node {row.id}", fix="give x and y in metres"
            )
        nodes[str(row.id)] = (x, y)
    edges = []
    for k, row in enumerate(edf.to_dict("records")):
        u, v = str(row["u"]), str(row["v"])
        for n in (u, v):
            if n not in nodes:
                raise ScenarioError(
                    "edge names an unknown node",
                    file=str(edges_path),
                    field=f"row {k + 2}",
                    value=n,
                    fix=f"add node {n} to {Path(nodes_path).name} or correct the edge",
                )
        length = _finite_float(row.get("length"))
        if length is None:
            (x0, y0), (x1, y1) = nodes[u], nodes[v]
            length = math.hypot(x1 - x0, y1 - y0)
        kph = parse_speed_kph(row.get("speed_kph")) or default_speed_kph
        oneway = str(row.get("oneway", "false")).strip().lower() in ("true", "1", "yes")
        edges.append((u, v, length, kph))
        if not oneway:
            edges.append((v, u, length, kph))
    return _build(edges, nodes, source=str(edges_path))


def road_segments(geography: Geography) -> pd.DataFrame:
    """The roads of a network as segments for maps (:data:`~sim.response.results.ROAD_COLUMNS`); none without one."""
    from sim.response.results import ROAD_COLUMNS

    if not isinstance(geography, RoadNetwork):
        return pd.DataFrame(columns=list(ROAD_COLUMNS))
    g = geography.graph
    rows = [
        (g.nodes[u]["x"], g.nodes[u]["y"], g.nodes[v]["x"], g.nodes[v]["y"], d["speed_kph"])
        for u, v, d in g.edges(data=True)
    ]
    return pd.DataFrame(rows, columns=list(ROAD_COLUMNS))
