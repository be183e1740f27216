"""Road networks: OSMnx-style GraphML (string attributes), CSV pairs, speeds, and the travel-time models."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.response.config import TravelModel
from sim.response.network import Place, Route, parse_speed_kph, read_graphml

ROOT = Path(__file__).resolve().parents[2]
RIVERSIDE = ROOT / "scenarios" / "districts" / "riverside_roads.graphml"


@pytest.mark.parametrize(
    "value, kph",
    [
        ("50", 50.0),
        (60, 60.0),
        ("30 mph", 30 * 1.609344),
        ("['30', '40']", 35.0),
        ("50;60", 55.0),
        (None, None),
        ("none", None),
        ("signals", None),
    ],
)
def test_parse_speed(value, kph):
    got = parse_speed_kph(value)
    assert got == (None if kph is None else pytest.approx(kph))


def osmnx_like(tmp_path: Path, crs: str = "epsg:32650") -> Path:
    """A 3-node MultiDiGraph saved with every attribute as text, as OSMnx does."""
    g = nx.MultiDiGraph(crs=crs)
    g.add_node(1, x="0.0", y="0.0")
    g.add_node(2, x="1000.0", y="0.0")
    g.add_node(3, x="1000.0", y="1000.0")
    g.add_edge(1, 2, length="1000.0", maxspeed="36", highway="primary")
    g.add_edge(1, 2, length="1000.0", maxspeed="18", highway="residential")  # slower parallel edge
    g.add_edge(2, 1, length="1000.0", speed_kph="72.0")
    g.add_edge(2, 3, length="1000.0", highway="residential")  # no speed: 30 km/h by class
    path = tmp_path / "g.graphml"
    nx.write_graphml(g, path)
    return path


def test_graphml_with_string_attributes_gives_travel_times(tmp_path):
    net = read_graphml(osmnx_like(tmp_path))
    a, b, c = (net.place_of_node(n) for n in ("1", "2", "3"))
    assert net.route(a, b).time_s == pytest.approx(100.0)  # the faster of the parallel edges
    assert net.route(b, a).time_s == pytest.approx(50.0)
    r = net.route(a, c)
    assert r.time_s == pytest.approx(100.0 + 1000 / (30 / 3.6))
    assert [p.node for p in r.places] == ["1", "2", "3"] and r.length_m == pytest.approx(2000.0)
    assert net.route(c, a) is None  # one-way: no way back from 3
    assert net.place_at(900, 100).node == "2"


def test_geographic_graphml_is_projected_to_metres(tmp_path):
    g = nx.MultiDiGraph(crs="epsg:4326")
    g.add_node("a", x="114.0", y="30.0")
    g.add_node("b", x="114.01", y="30.0")
    g.add_edge("a", "b", length="963.0", maxspeed="36")
    path = tmp_path / "ll.graphml"
    nx.write_graphml(g, path)
    net = read_graphml(path)
    dx = net.xy[1, 0] - net.xy[0, 0]
    assert dx == pytest.approx(963.0, rel=0.01)  # 0.01 degree of longitude at 30 degrees north


def test_unreadable_or_incomplete_graphml_is_a_scenario_error(tmp_path):
    bad = tmp_path / "bad.graphml"
    bad.write_text("<graphml><oops")
    with pytest.raises(ScenarioError, match="GraphML"):
        read_graphml(bad)
    g = nx.MultiDiGraph()
    g.add_node(1, x="0", y="0")
    g.add_node(2, x="1", y="0")
    g.add_edge(1, 2)
    nx.write_graphml(g, tmp_path / "nolen.graphml")
    with pytest.raises(ScenarioError, match="length"):
        read_graphml(tmp_path / "nolen.graphml")


def test_riverside_network_is_a_connected_district_with_a_river_and_bridges():
    assert RIVERSIDE.stat().st_size < 1_000_000
    net = read_graphml(RIVERSIDE)
    g = net.graph
    assert 250 <= g.number_of_nodes() <= 500
    assert nx.is_strongly_connected(g)
    x, y = net.xy[:, 0], net.xy[:, 1]
    assert x.min() == 0 and x.max() == 4000 and y.min() == 0 and y.max() == 3000
    speeds = {round(d["speed_kph"]) for _, _, d in g.edges(data=True)}
    assert {30, 40, 50, 60} <= speeds  # arterials faster than local streets

    def river(xx: float) -> float:
        return 1250.0 + 110.0 * math.sin(2.0 * math.pi * xx / 2600.0 + 0.6)

    crossings = set()
    for u, v in g.edges:
        (x0, y0), (x1, y1) = (g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"])
        if (y0 > river(x0)) != (y1 > river(x1)):
            crossings.add(round((x0 + x1) / 2, -2))
    assert len(crossings) == 3  # three bridges
    oneway = [(u, v) for u, v in g.edges if not g.has_edge(v, u)]
    assert len(oneway) >= 10


def test_riverside_generator_is_deterministic():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_riverside", RIVERSIDE.parent / "make_riverside.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    a, b = mod.build(), mod.build()
    assert list(a.edges(data=True)) == list(b.edges(data=True))
    stored = nx.read_graphml(RIVERSIDE)
    assert sorted(stored.nodes) == sorted(a.nodes) and stored.number_of_edges() == a.number_of_edges()


def _route(length: float, time: float) -> Route:
    p = Place(x=0.0, y=0.0)
    return Route(time_s=time, length_m=length, places=(p, p), cum_time_s=(0.0, time))


def test_budge_median_is_continuous_and_matches_the_formula():
    tm = TravelModel(median="budge")
    a = 41 / 60 * 1000 / 3600  # m/s^2
    vc = 100.7 / 3.6  # m/s
    dc = vc**2 / (2 * a)
    assert tm.median_s(_route(1000.0, 0.0)) == pytest.approx(2 * math.sqrt(1000 / a))  # about 145 s
    assert tm.median_s(_route(2 * dc - 1e-6, 0.0)) == pytest.approx(tm.median_s(_route(2 * dc + 1e-6, 0.0)))
    assert tm.median_s(_route(10_000.0, 0.0)) == pytest.approx(vc / a + 10_000 / vc)


def test_stochastic_travel_has_the_network_time_as_median():
    tm = TravelModel(model="stochastic", median="network", df=5, scale=0.2)
    rng = np.random.default_rng(3)
    draws = np.array([tm.sample_s(_route(1000.0, 100.0), rng) for _ in range(4000)])
    assert np.median(draws) == pytest.approx(100.0, rel=0.03)
    assert draws.min() >= 25.0 and draws.max() <= 400.0 and draws.std() > 10.0
    assert TravelModel().sample_s(_route(1000.0, 100.0), rng) == 100.0
