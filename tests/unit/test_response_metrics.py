"""Response metrics, replications with t confidence intervals, reproducibility, and the figures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from dashboard.figures.response import figure_response_gantt, figure_response_map, figure_response_times
from sim.response.commands import load_response_section
from sim.response.config import places_table
from sim.response.engine import simulate_response
from sim.response.metrics import mean_ci, replicate_response, response_times, summary, utilisation
from sim.response.network import road_segments
from sim.response.results import ASSIGNMENT_COLUMNS, SEGMENT_COLUMNS
from sim.seeding import stream
from tests.unit.test_response_engine import config_of, run, section

RIVERSIDE = Path(__file__).resolve().parents[2] / "scenarios" / "districts" / "riverside_response.yaml"


@pytest.fixture(scope="module")
def riverside():  # type: ignore[no-untyped-def]
    return load_response_section(RIVERSIDE)


def test_mean_ci_is_the_t_interval():
    n, m, sd, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0, None, math.nan])
    half = stats.t.ppf(0.975, 4) * math.sqrt(2.5) / math.sqrt(5)
    assert (n, m) == (5, 3.0) and sd == pytest.approx(math.sqrt(2.5))
    assert (lo, hi) == (pytest.approx(3 - half), pytest.approx(3 + half))
    assert mean_ci([7.0])[3:] == (7.0, 7.0) and mean_ci([])[0] == 0


def test_targets_and_utilisation_on_the_hand_made_network(tmp_path):
    res = run(config_of(tmp_path, section()))
    rt = response_times(res)
    fire = rt[rt["target"] == "fire_5min"].iloc[0]
    assert fire["response_s"] == pytest.approx(45.0 + 100.0)  # from the dispatch order
    assert bool(fire["met"])
    assert "ems_12min" not in set(rt["target"])  # no EMS unit was sent
    ut = utilisation(res).set_index("kind")
    # the engine is busy 60..905 s (dispatch to back at the station), the window is 0..905 s, 2 units
    assert ut.loc["all", "busy_s"] == pytest.approx(905.0 - 60.0)
    assert ut.loc["all", "utilisation"] == pytest.approx((905.0 - 60.0) / (2 * 905.0))
    s = summary(res)
    assert s["targets"]["fire_5min"]["share_met"] == 1.0 and s["targets"]["ems_12min"]["share_met"] is None


def test_same_seed_gives_identical_timelines_and_another_seed_differs(riverside):
    a = simulate_response(riverside, alarm_time_s=0.0, rng=stream(7, "response"))
    b = simulate_response(riverside, alarm_time_s=0.0, rng=stream(7, "response"))
    c = simulate_response(riverside, alarm_time_s=0.0, rng=stream(8, "response"))
    assert list(a.timeline.columns) == list(ASSIGNMENT_COLUMNS)
    assert a.timeline.equals(b.timeline) and a.segments.equals(b.segments) and a.casualties.equals(b.casualties)
    assert not a.timeline.equals(c.timeline)


def test_thirty_replications_give_means_with_confidence_intervals(riverside):
    reps = replicate_response(riverside, seeds=range(30))
    assert len(reps.per_replication) == 30 and reps.per_replication["seed"].is_unique
    table = reps.summary.set_index("metric")
    for metric in ("first_unit_mean_s", "fire_5min_p90_s", "gas_isolated_s", "last_casualty_at_hospital_s"):
        row = table.loc[metric]
        assert row["n"] == 30
        assert row["ci_low"] < row["mean"] < row["ci_high"]
        values = reps.per_replication[metric].to_numpy(dtype=float)
        half = stats.t.ppf(0.975, 29) * values.std(ddof=1) / np.sqrt(30)
        assert row["ci_high"] - row["mean"] == pytest.approx(half)
    assert set(reps.response_times["seed"]) == set(range(30))
    d = reps.to_dict()
    assert d["utilisation"]["n"] == 30 and 0 < d["utilisation"]["mean"] < 1


def test_competing_call_waits_for_an_ambulance(riverside):
    res = simulate_response(riverside, alarm_time_s=0.0, rng=stream(0, "response"))
    tl = res.timeline
    second = tl[(tl["incident"] == "shopping_street_fire") & (tl["team"] == "ambulance")].iloc[0]
    inc = res.incidents.set_index("incident")
    # all four ambulances go to the metro first; the second call's ambulance comes when one is free
    assert second["dispatch_s"] > inc.loc["shopping_street_fire", "dispatch_s"] + 600
    cas = res.casualties
    beds = {h.id: h.beds for h in riverside.hospitals}
    for h, n in cas["hospital"].value_counts().items():
        assert n <= beds[h]


def test_figures_are_built_from_the_tables(riverside):
    res = simulate_response(riverside, alarm_time_s=0.0, rng=stream(0, "response"))
    assert list(res.segments.columns) == list(SEGMENT_COLUMNS)
    gantt = figure_response_gantt(res.segments)
    assert {t.name for t in gantt.data} >= {"Turnout", "To scene", "On scene", "To hospital"}
    bars = sum(len(t.x) for t in gantt.data)
    assert bars == len(res.segments)
    fmap = figure_response_map(
        roads=road_segments(riverside.geography), places=places_table(riverside), routes=res.routes
    )
    names = [t.name for t in fmap.data]
    assert names[0] == "Roads" and "Incident" in names and "To hospital" in names
    assert len(fmap.data[0].x) == 3 * riverside.geography.graph.number_of_edges()
    reps = replicate_response(riverside, seeds=range(3))
    ftimes = figure_response_times(reps.response_times, lang="zh")
    lines = [t for t in ftimes.data if t.type == "scatter"]
    assert sorted(float(t.x[0]) for t in lines) == [300.0, 720.0]
    assert ftimes.layout.title.text == "多次重复的响应时间分布"
