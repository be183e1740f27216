"""Plan layer: generic metric collection, metric directions and the comparison statistics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from sim.errors import ScenarioError
from sim.plans.compare import _statistics, describe, paired_difference, ranking_stability
from sim.plans.metrics import better, collect_metrics, direction
from sim.plans.replicate import Replication, _dask_address, make_executor, replications


def test_metrics_take_numbers_flatten_sections_and_skip_bookkeeping():
    summary = {
        "scenario": "x", "plan": "A", "seed": 3, "agents": 10, "wall_s": 1.2, "agent_steps_per_s": 9e5,
        "evacuated": 10, "evacuation_time_s": 42.5, "t95_s": None, "exit_counts": {"a": 4, "b": 6},
        "hazard": {"casualties": 2, "zones": {"lethal_m": 12.5}, "note": "text", "flag": True},
        "time_above_4p_m2_s": 3.0,
    }
    m = collect_metrics(summary)
    assert m == {
        "evacuated": 10.0, "evacuation_time_s": 42.5, "exit_counts.a": 4.0, "exit_counts.b": 6.0,
        "hazard.casualties": 2.0, "hazard.zones.lethal_m": 12.5, "time_above_4p_m2_s": 3.0,
    }


def test_nan_and_infinite_values_are_missing_not_metrics():
    assert collect_metrics({"x_s": float("nan"), "y_s": float("inf"), "z_s": 1}) == {"z_s": 1.0}


@pytest.mark.parametrize(
    ("name", "way"),
    [
        ("evacuation_time_s", "lower"), ("t95_s", "lower"), ("max_density_p_m2", "lower"),
        ("time_above_4p_m2_s", "lower"), ("hazard.casualties", "lower"), ("response.first_unit_arrival_s", "lower"),
        ("shelter.coverage", "higher"), ("shelter.population_covered_share", "higher"), ("evacuated", "higher"),
        ("exit_flow_p_per_s.door", "higher"), ("exit_counts.door", "neutral"), ("something_else", "neutral"),
    ],
)
def test_metric_directions(name, way):
    assert direction(name) == way


def test_better_follows_direction():
    assert better("evacuation_time_s", 10, 20) is True
    assert better("shelter.coverage", 0.5, 0.9) is False
    assert better("exit_counts.a", 1, 2) is None


def test_describe_matches_scipy_t_interval():
    x = [10.0, 12.0, 11.0, 15.0, 9.0]
    d = describe(x)
    lo, hi = sps.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=sps.sem(x))
    assert d["n"] == 5 and d["mean"] == pytest.approx(11.4)
    assert d["sd"] == pytest.approx(np.std(x, ddof=1), abs=1e-4)
    assert d["ci95"] == pytest.approx([lo, hi], abs=1e-4)
    assert d["p50"] == 11.0 and d["p5"] == pytest.approx(np.percentile(x, 5), abs=1e-4)


def test_describe_of_nothing_and_of_one_value():
    assert describe([]) == {"available": False, "n": 0}
    one = describe([3.0])
    assert one["mean"] == 3.0 and one["sd"] is None and one["ci95"] is None


def test_paired_difference_counts_seeds_and_uses_the_direction():
    a = {0: 10.0, 1: 12.0, 2: 11.0, 3: 30.0}
    b = {0: 11.0, 1: 13.0, 2: 11.0, 3: 20.0, 4: 99.0}  # seed 4 has no partner: left out
    rng = np.random.default_rng(0)
    d = paired_difference("evacuation_time_s", a, b, rng=rng)
    assert d["n"] == 4
    assert d["mean_diff"] == pytest.approx((-1 - 1 + 0 + 10) / 4)
    assert d["p_better_seeds"] == pytest.approx((2 + 0.5) / 4)  # A lower on 2 seeds, one tie
    diffs = np.array([-1.0, -1.0, 0.0, 10.0])
    assert d["p_better_normal"] == pytest.approx(sps.norm.cdf(-diffs.mean() / diffs.std(ddof=1)), abs=1e-4)
    flipped = paired_difference("shelter.coverage", a, b, rng=np.random.default_rng(0))
    assert flipped["p_better_seeds"] == pytest.approx((1 + 0.5) / 4)
    neutral = paired_difference("exit_counts.x", a, b, rng=np.random.default_rng(0))
    assert neutral["p_better_seeds"] is None and neutral["mean_diff"] == d["mean_diff"]
    assert paired_difference("x_s", {0: 1.0}, {1: 2.0}, rng=rng) == {"available": False, "n": 0}


def test_ranking_stability_is_one_for_separated_plans_and_less_for_overlapping():
    rng = np.random.default_rng(1)
    far = {"A": {s: 100 + rng.normal() for s in range(10)}, "B": {s: 50 + rng.normal() for s in range(10)}}
    r = ranking_stability(far, "evacuation_time_s", rng=np.random.default_rng(2))
    assert r["order"] == ["B", "A"] and r["stability"] == 1.0 and r["n_seeds"] == 10
    close = {"A": {s: 50 + rng.normal() for s in range(10)}, "B": {s: 50 + rng.normal() for s in range(10)}}
    r2 = ranking_stability(close, "evacuation_time_s", rng=np.random.default_rng(2))
    assert 0.0 < r2["stability"] < 1.0
    cover = ranking_stability({"A": {0: 0.2}, "B": {0: 0.9}}, "shelter.coverage", rng=np.random.default_rng(0))
    assert cover["order"] == ["B", "A"]  # higher is better


def test_a_metric_missing_in_one_plan_is_not_available_and_does_not_crash():
    metrics = {("A", 0): {"evacuation_time_s": 10.0}, ("A", 1): {"evacuation_time_s": 11.0},
               ("B", 0): {"evacuation_time_s": 9.0, "response.first_unit_arrival_s": 300.0},
               ("B", 1): {"response.first_unit_arrival_s": 320.0}}
    out = _statistics(metrics, plan_ids=["A", "B"], seeds=[0, 1], rank_by="evacuation_time_s", boot_seed=(0, 2))
    resp = out["metrics"]["response.first_unit_arrival_s"]["plans"]
    assert resp["A"] == {"available": False, "n": 0, "missing": 2}
    assert resp["B"]["n"] == 2 and resp["B"]["mean"] == 310.0
    assert out["pairwise"]["response.first_unit_arrival_s"][0]["available"] is False
    assert out["metrics"]["evacuation_time_s"]["plans"]["B"]["missing"] == 1
    assert out["ranking"]["n_seeds"] == 1 and out["ranking"]["order"] == ["B", "A"]
    out2 = _statistics(metrics, plan_ids=["A", "B"], seeds=[0, 1], rank_by="nope", boot_seed=(0, 2))
    assert out2["ranking"]["available"] is False


def test_replications_use_common_random_numbers():
    reps = replications(scenario_path="x.yaml", scenario_sha256="h", plans=["A", "B"], reps=3, seed=7,
                        agents=60, calibration="empirical")
    assert [(r.plan, r.seed) for r in reps] == [("A", 7), ("A", 8), ("A", 9), ("B", 7), ("B", 8), ("B", 9)]
    assert all(isinstance(r, Replication) and r.agents == 60 for r in reps)


def test_executor_specs():
    assert _dask_address("dask://127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert _dask_address("localhost:1") == "tcp://localhost:1"
    with pytest.raises(ScenarioError, match="--executor"):
        _dask_address("dask://nohost")
    with pytest.raises(ScenarioError, match="unknown executor"):
        make_executor("spark://x:1")
    with pytest.raises(ScenarioError, match="--workers"):
        make_executor("local", workers=0)
    assert make_executor("local", workers=3).name == "local:3"


def test_a_worker_refuses_a_scenario_file_that_changed(tmp_path):
    from pathlib import Path

    from sim.plans.replicate import file_sha256, run_replication

    src = Path(__file__).resolve().parents[2] / "scenarios" / "bottleneck.yaml"
    copy = tmp_path / "room.yaml"
    copy.write_bytes(src.read_bytes())
    rep = Replication(scenario_path=str(copy), scenario_sha256=file_sha256(copy), plan="A", seed=0, agents=10,
                      calibration="empirical")
    copy.write_bytes(src.read_bytes() + b"\n# edited\n")
    with pytest.raises(ScenarioError, match="changed since the comparison started"):
        run_replication(rep)
