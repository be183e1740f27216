"""The hazard figure builders of dashboard/figures/hazard.py (no browser)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from dashboard.figures.hazard import figure_overpressure_distance, figure_zone_map
from sim.hazard.blast import BlastMethod, blast_table
from sim.hazard.columns import SEVERITY, X_M, Y_M
from sim.hazard.fuels import FUELS
from sim.hazard.harm import damage_zones


def _frame() -> pd.DataFrame:
    r = np.geomspace(1, 1000, 50)
    parts = []
    for kind in ("tnt", "multi-energy", "bst"):
        t = blast_table(distance_m=r, fuel=FUELS["methane"], mass_kg=10.0, method=BlastMethod(kind=kind))
        t["method"] = kind
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def test_overpressure_figure_has_log_axes_one_curve_per_method_and_labelled_thresholds():
    fig = figure_overpressure_distance(_frame(), by="method")
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert [t.name for t in fig.data] == ["tnt", "multi-energy", "bst"]
    assert all(np.all(np.diff(np.asarray(t.y)) <= 0) for t in fig.data)
    texts = [a.text for a in fig.layout.annotations]
    assert len(texts) == 3 and any("6.9 kPa" in s for s in texts) and any("55.2" in s for s in texts)
    zh = figure_overpressure_distance(_frame(), by="method", thresholds_kpa=(10.0,), lang="zh")
    assert [a.text for a in zh.layout.annotations] == ["10 kPa"] and "距离" in zh.layout.xaxis.title.text


def test_zone_map_draws_zones_outline_exits_and_casualties_by_severity():
    outline = Polygon([(0, 0), (200, 0), (200, 16), (0, 16)], [[(50, 6), (60, 6), (60, 10), (50, 10)]])
    zones = damage_zones(
        center=(100.0, 8.0),
        thresholds_kpa=(6.9, 24.1, 55.2),
        fuel=FUELS["methane"],
        mass_kg=5.0,
        method=BlastMethod(kind="bst", confinement="1d"),
        outline=outline,
    )
    casualties = pd.DataFrame({X_M: [100.0, 101.0, 102.0, 90.0], Y_M: [8.0, 8.0, 9.0, 4.0], SEVERITY: [3, 2, 2, 1]})
    fig = figure_zone_map(
        zones=zones,
        outline=outline,
        casualties=casualties,
        center=(100.0, 8.0),
        exits={"A": (0.0, 8.0), "B": (110.0, 16.0)},
        closed_exits=["B"],
    )
    names = [t.name for t in fig.data]
    non_empty = [t for t, z in zones.items() if not z.is_empty]
    assert sum(n.startswith("≥") for n in names) == len(non_empty) >= 2
    assert "Fatal (1)" in names and "Seriously injured (immobile) (2)" in names and "Injured (1)" in names
    assert "Closed exits" in names and "Exits" in names and "Explosion centre" in names
    venue = next(t for t in fig.data if t.name == "Venue")
    assert sum(v is None for v in venue.x) == 2  # the outer ring and the hole
    assert fig.layout.yaxis.scaleanchor == "x"
