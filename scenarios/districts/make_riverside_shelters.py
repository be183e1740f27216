"""Write the synthetic "Riverside district" shelter data (deterministic, seeded): run it to regenerate.

    .venv/bin/python scenarios/districts/make_riverside_shelters.py

Frame shared with the response engine's district: projected metres, origin (0, 0) at the south-west corner,
4 km (x) by 3 km (y). Venues: metro station entrance (1800, 1500), exhibition hall (2600, 900), underground
shopping street entrance (1500, 1700).

Writes beside this script:

* ``riverside_shelters.yaml``   the district file (shelters, candidate sites, parameters, plans);
* ``riverside_population.csv.gz``  25 m population grid: x_m, y_m (cell centres), persons;
* ``riverside_walk_nodes.csv`` / ``riverside_walk_edges.csv``  a 100 m street grid with five bridges.

Population: a dense centre around the metro station, residential quarters, a quieter industrial south-east,
parks with few residents and a river (about 80 m wide) crossing west to east where nobody lives. Persons per
cell are Poisson draws around the density (persons/km²) times the cell area.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SEED = 20261126
HERE = Path(__file__).resolve().parent
EXTENT = (0.0, 0.0, 4000.0, 3000.0)
CELL = 25.0
STREET = 100.0
RIVER_HALF_WIDTH = 40.0
BRIDGES_X = (500.0, 1300.0, 2100.0, 2900.0, 3700.0)
VENUES = {"metro_station": [1800, 1500], "exhibition_hall": [2600, 900], "underground_street": [1500, 1700]}

EMERGENCY_ZONES = ["rest_area", "supply_point", "entrances_passages"]
FIXED_ZONES = ["management", "sleeping", "medical", "supply_storage", "waste"]
CENTRAL_ZONES = [*FIXED_ZONES, "command", "parking", "water_source", "helipad"]

# id, x, y, class, effective area [m²], kind, zones, open
SHELTERS = [
    ("riverside_park", 2200, 1950, "central", 64000, "park", [z for z in CENTRAL_ZONES if z != "helipad"], True),
    ("olympic_stadium", 3300, 700, "fixed_long_term", 36000, "stadium", FIXED_ZONES, True),
    ("east_park", 3100, 1700, "fixed_medium_term", 18000, "park", FIXED_ZONES, True),
    ("west_park", 600, 1300, "fixed_medium_term", 15000, "park", [z for z in FIXED_ZONES if z != "medical"], True),
    ("north_park", 1200, 2750, "fixed_medium_term", 12000, "park", FIXED_ZONES, True),
    ("university_field", 3600, 2600, "fixed_long_term", 22500, "sports field", FIXED_ZONES, True),
    ("no1_middle_school", 1000, 600, "fixed_short_term", 6000, "school", FIXED_ZONES, True),
    ("no2_middle_school", 2000, 1100, "fixed_short_term", 7000, "school", FIXED_ZONES, True),
    (
        "no3_middle_school",
        2900,
        2650,
        "fixed_short_term",
        5000,
        "school",
        [z for z in FIXED_ZONES if z != "waste"],
        True,
    ),
    ("experimental_primary", 1600, 2000, "fixed_short_term", 4000, "school", FIXED_ZONES, True),
    ("station_square", 1850, 1420, "emergency", 3000, "square", EMERGENCY_ZONES, True),
    ("hall_plaza", 2650, 800, "emergency", 5000, "plaza", EMERGENCY_ZONES, True),
    ("market_square", 1400, 1550, "emergency", 2000, "square", EMERGENCY_ZONES, True),
    ("library_garden", 2400, 1300, "emergency", 2500, "garden", EMERGENCY_ZONES[:2], True),
    ("canal_green", 800, 1900, "emergency", 3500, "green", EMERGENCY_ZONES, True),
    ("harbour_plaza", 3500, 1900, "emergency", 3000, "plaza", EMERGENCY_ZONES, True),
    ("old_town_square", 1100, 1200, "emergency", 1800, "square", EMERGENCY_ZONES, True),
    ("hospital_lawn", 2800, 1400, "emergency", 2000, "green", EMERGENCY_ZONES, True),
    ("north_square", 2000, 2700, "emergency", 2500, "square", EMERGENCY_ZONES, True),
    ("south_gate_park", 1800, 300, "emergency", 4000, "park", EMERGENCY_ZONES, True),
    ("church_square", 400, 600, "emergency", 1500, "square", EMERGENCY_ZONES, True),
    ("riverside_quay", 3000, 2100, "emergency", 2000, "quay", ["rest_area", "entrances_passages"], True),
    ("east_school_yard", 3800, 1000, "emergency", 2500, "school yard", EMERGENCY_ZONES, True),
    ("factory_yard", 3600, 300, "emergency", 3000, "yard", EMERGENCY_ZONES, False),
]


def river_y(x: np.ndarray | float) -> np.ndarray:
    """Centre line of the river [m]."""
    return 2300.0 + 120.0 * np.sin(2.0 * np.pi * np.asarray(x, dtype=float) / 2500.0)


def in_river(x: np.ndarray | float, y: np.ndarray | float, margin: float = 0.0) -> np.ndarray:
    return np.abs(np.asarray(y, dtype=float) - river_y(x)) < RIVER_HALF_WIDTH + margin


def density(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Residents per km² at (x, y)."""

    def bump(cx: float, cy: float, sd: float, peak: float) -> np.ndarray:
        return peak * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sd**2))

    d = 6000.0 + bump(1750, 1500, 550, 32000) + bump(800, 800, 450, 16000) + bump(3100, 1200, 500, 14000)
    d += bump(2500, 2700, 500, 15000) + bump(600, 2600, 400, 9000)
    d *= np.where((x > 3200) & (y < 600), 0.2, 1.0)  # industrial south-east
    for s in SHELTERS:  # parks, stadiums and school yards: hardly any residents
        if s[5] in ("park", "stadium", "sports field"):
            r = np.sqrt(s[4] / np.pi)
            d *= np.where(np.hypot(x - s[1], y - s[2]) < r, 0.05, 1.0)
    return np.where(in_river(x, y), 0.0, d)


def make_population(rng: np.random.Generator) -> pd.DataFrame:
    xs = np.arange(CELL / 2, EXTENT[2], CELL)
    ys = np.arange(CELL / 2, EXTENT[3], CELL)
    gx, gy = np.meshgrid(xs, ys)
    x, y = gx.ravel(), gy.ravel()
    persons = rng.poisson(density(x, y) * CELL * CELL / 1e6)
    keep = persons > 0
    return pd.DataFrame({"x_m": x[keep], "y_m": y[keep], "persons": persons[keep]})


def make_network(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    xs = np.arange(0.0, EXTENT[2] + 1, STREET)
    ys = np.arange(0.0, EXTENT[3] + 1, STREET)
    nx_, ny_ = xs.size, ys.size
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    jx = np.clip(gx + rng.uniform(-8, 8, gx.shape), EXTENT[0], EXTENT[2])
    jy = np.clip(gy + rng.uniform(-8, 8, gy.shape), EXTENT[1], EXTENT[3])
    on_bridge = np.isin(gx, BRIDGES_X)
    alive = ~in_river(gx, gy) | on_bridge
    # a street is drawn between grid neighbours: east (i+1, j) and north (i, j+1); a few blocks are merged
    edges = []
    for di, dj in ((1, 0), (0, 1)):
        for i in range(nx_ - di):
            for j in range(ny_ - dj):
                a, b = (i, j), (i + di, j + dj)
                if not (alive[a] and alive[b]):
                    continue
                crosses = (gy[a] - river_y(gx[a])) * (gy[b] - river_y(gx[b])) < 0
                if crosses and not (dj == 1 and on_bridge[a]):
                    continue
                if not crosses and rng.random() < 0.06:
                    continue
                edges.append((a, b))
    name = {(i, j): f"n{i:02d}_{j:02d}" for i in range(nx_) for j in range(ny_)}
    used = sorted({p for e in edges for p in e})
    nodes = pd.DataFrame(
        {
            "id": [name[p] for p in used],
            "x_m": [round(float(jx[p]), 1) for p in used],
            "y_m": [round(float(jy[p]), 1) for p in used],
        }
    )
    xy = {name[p]: (round(float(jx[p]), 1), round(float(jy[p]), 1)) for p in used}
    rows = []
    for a, b in edges:
        (xa, ya), (xb, yb) = xy[name[a]], xy[name[b]]
        rows.append((name[a], name[b], round(float(np.hypot(xa - xb, ya - yb)), 2)))
    return nodes, pd.DataFrame(rows, columns=["u", "v", "length_m"])


def keep_largest_component(nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    import networkx as nx

    g = nx.Graph()
    g.add_edges_from(zip(edges["u"], edges["v"], strict=True))
    big = max(nx.connected_components(g), key=len)
    return nodes[nodes["id"].isin(big)].reset_index(drop=True), edges[edges["u"].isin(big)].reset_index(drop=True)


def make_sites(rng: np.random.Generator, n: int = 36) -> list[dict]:
    sites: list[dict] = []
    taken = [(s[1], s[2]) for s in SHELTERS]
    kinds_e = ["vacant lot", "parking lot", "green space", "school yard", "plaza"]
    while len(sites) < n:
        x, y = float(rng.uniform(150, 3850)), float(rng.uniform(150, 2850))
        if in_river(x, y, margin=60.0) or min(np.hypot(x - a, y - b) for a, b in taken) < 300:
            continue
        fixed = rng.random() < 0.3
        x, y = round(x / 10) * 10.0, round(y / 10) * 10.0
        taken.append((x, y))
        sites.append(
            {
                "id": f"site_{len(sites) + 1:02d}",
                "location": [x, y],
                "class": "fixed_short_term" if fixed else "emergency",
                "area": float(round(rng.uniform(5000, 12000) if fixed else rng.uniform(1500, 5000), -2)),
                "zones": FIXED_ZONES if fixed else EMERGENCY_ZONES,
                "kind": "school yard" if fixed else str(rng.choice(kinds_e)),
            }
        )
    return sites


def _flow(item: dict) -> str:
    return yaml.safe_dump(item, default_flow_style=True, sort_keys=False, width=1000, allow_unicode=True).strip()


def write_yaml(path: Path, sites: list[dict]) -> None:
    shelters = [
        {
            "id": s[0],
            "location": [float(s[1]), float(s[2])],
            "class": s[3],
            "area": float(s[4]),
            "zones": s[6],
            "open": s[7],
            "kind": s[5],
        }
        for s in SHELTERS
    ]
    lines = [
        "# Riverside district: emergency shelters (written by make_riverside_shelters.py; edit that, not this).",
        "# Projected metres, origin (0, 0) at the south-west corner; areas in m², distances in m, speeds in m/s.",
        "name: Riverside district",
        "description: Synthetic 4 km x 3 km district with a river, five bridges and a 100 m street grid.",
        "extent: [0, 0, 4000, 3000]          # xmin, ymin, xmax, ymax",
        "population:",
        "  grid: riverside_population.csv.gz  # columns x_m, y_m (cell centres), persons",
        f"  cell_size: {CELL:g}",
        "network:                            # walking network (undirected)",
        "  nodes: riverside_walk_nodes.csv   # id, x_m, y_m",
        "  edges: riverside_walk_edges.csv   # u, v, length_m",
        "walking_speed: 0.8333              # 500 m in 10 min (reference §3)",
        "per_person_area:                    # m² per person by class (the reference's defaults, written out)",
        "  {emergency: 0.5, fixed_short_term: 2.0, fixed_medium_term: 3.0, fixed_long_term: 4.5, central: 4.5}",
        "service_distance:                   # m by class (the reference's defaults, written out)",
        "  {emergency: 500, fixed_short_term: 1000, fixed_medium_term: 1500, fixed_long_term: 2500, central: 5000}",
        "required_fixed_share: 0.15",
        "venues:",
        *(f"  {k}: {v}" for k, v in VENUES.items()),
        "shelters:",
        *(f"  - {_flow(s)}" for s in shelters),
        "candidate_sites:",
        *(f"  - {_flow(s)}" for s in sites),
        "plans:",
        "  - id: A",
        "    description: the shelters as they are",
        "  - id: B",
        "    description: open the factory yard and the best three new sites (maximal covering, walking distance)",
        "    open: [factory_yard]",
        "    add_sites: [site_01, site_04, site_35]",
        "  - id: C",
        "    description: riverside park flooded (closed)",
        "    close: [riverside_park]",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    rng = np.random.default_rng(SEED)
    pop = make_population(rng)
    nodes, edges = keep_largest_component(*make_network(rng))
    sites = make_sites(rng)
    for s in SHELTERS:
        assert not in_river(s[1], s[2], margin=40.0), s[0]
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:  # mtime=0: the same bytes on every run
        gz.write(pop.to_csv(index=False).encode())
    (HERE / "riverside_population.csv.gz").write_bytes(buf.getvalue())
    nodes.to_csv(HERE / "riverside_walk_nodes.csv", index=False)
    edges.to_csv(HERE / "riverside_walk_edges.csv", index=False)
    write_yaml(HERE / "riverside_shelters.yaml", sites)
    persons = int(pop["persons"].sum())
    print(f"{len(pop)} cells, {persons} persons, {len(nodes)} nodes, {len(edges)} edges, {len(sites)} sites")


if __name__ == "__main__":
    main()
