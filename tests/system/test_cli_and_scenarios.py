"""The command line and the shipped scenarios, run the way users run them (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.results import AGENT_COLUMNS, SUMMARY_KEYS

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def drillsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def test_at_least_three_scenarios_with_two_plans_each():
    assert len(SCENARIOS) >= 3
    for path in SCENARIOS:
        sc = sim.load_scenario(path)
        assert len(sc.plans) >= 2, path.name
    assert max(sim.load_scenario(p).total_count for p in SCENARIOS) >= 2000  # one realistic dense venue


#: Persons at most in the full-size run of each scenario (the 21 000-person arena runs at this size here;
#: its full size is timed by benchmarks/arena_evacuation.py).
FULL_RUN_CAP = 5000


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_everyone_out(path):
    persons = min(sim.load_scenario(path).total_count, FULL_RUN_CAP)
    proc = drillsim("run", str(path), "--json", "--seed", "1", "--agents", str(persons))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)  # stdout holds exactly one JSON object
    for key in SUMMARY_KEYS:
        assert key in summary
    # everyone who can still move gets out (a blast may leave immobile casualties; nobody is trapped)
    assert summary["agents"] == persons
    assert summary["evacuated"] + summary["immobile_casualties"] == summary["agents"]
    assert summary["trapped"] == 0
    assert summary["evacuation_time_s"] is not None and summary["evacuation_time_s"] > 0
    assert sum(summary["exit_counts"].values()) == summary["evacuated"]
    assert summary["seed"] == 1 and summary["code_version"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_plan_of_every_scenario_runs_scaled_down(path):
    sc = sim.load_scenario(path)
    for plan in sc.plans[1:]:
        r = sim.run(sc, plan=plan.id, seed=2, agents=min(300, sc.total_count))
        assert r["agents"] == min(300, sc.total_count), plan.id
        assert r["evacuated"] + r["immobile_casualties"] == r["agents"] and r["trapped"] == 0, plan.id
        for closed in plan.close_exits:
            assert r["exit_counts"][closed] == 0


def test_closing_doors_slows_the_large_room():
    sc = sim.load_scenario(ROOT / "scenarios" / "large_room.yaml")
    four = sim.run(sc, plan="all_doors", seed=1)
    two = sim.run(sc, plan="north_locked", seed=1)
    assert two["evacuation_time_s"] > 1.4 * four["evacuation_time_s"]
    used = [e for e, n in four["exit_counts"].items() if n > 0]
    assert len(used) == 4  # exit choice spreads people over all doors


def test_assigned_exits_are_used_exclusively():
    sc = sim.load_scenario(ROOT / "scenarios" / "large_room.yaml")
    r = sim.run(sc, plan="marshalled", seed=1, agents=200)
    west = r.agents[r.agents["population"] == "west_half"]
    assert set(west["exit"]) <= {"south_west", "north_west"}
    east = r.agents[r.agents["population"] == "east_half"]
    assert set(east["exit"]) <= {"south_east", "north_east"}


def test_readable_summary_and_out_dir(tmp_path):
    out = tmp_path / "run1"
    proc = drillsim(
        "run", "scenarios/bottleneck.yaml", "--plan", "B", "--seed", "4", "--out", str(out), "--agents", "60"
    )
    assert proc.returncode == 0, proc.stderr
    assert "evacuation time" in proc.stdout and "side_door" in proc.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["plan"] == "B" and summary["agents"] == 60 and summary["seed"] == 4
    agents = pd.read_csv(out / "agents.csv")
    assert list(agents.columns) == list(AGENT_COLUMNS) and len(agents) == 60
    ts = pd.read_csv(out / "timeseries.csv")
    assert ts["evacuated"].iloc[-1] == 60


def test_trajectories_load_in_pedpy(tmp_path):
    pedpy = pytest.importorskip("pedpy")
    proc = drillsim(
        "run", "scenarios/bottleneck.yaml", "--agents", "40", "--out", str(tmp_path), "--trajectories", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=tmp_path / "trajectories.sqlite")
    walkable = pedpy.load_walkable_area_from_jupedsim_sqlite(trajectory_file=tmp_path / "trajectories.sqlite")
    assert traj.frame_rate == pytest.approx(4.0)
    assert traj.data["id"].nunique() == 40
    assert walkable.polygon.area == pytest.approx(8 * 10 + 4 * 1, rel=1e-6)
    speed = pedpy.compute_individual_speed(traj_data=traj, frame_step=2)
    assert 0.0 < speed["speed"].median() < 2.2


@pytest.mark.parametrize(
    "args, needle",
    [
        (["run", "scenarios/nope.yaml"], "cannot read"),
        (["run", "scenarios/bottleneck.yaml", "--plan", "Z"], "no such plan"),
        (["run", "scenarios/bottleneck.yaml", "--agents", "0"], "--agents"),
        (["run", "scenarios/bottleneck.yaml", "--seed", "-3"], "--seed"),
        (["run", "scenarios/bottleneck.yaml", "--trajectories"], "--out"),
    ],
)
def test_bad_input_one_line_exit_2(args, needle):
    proc = drillsim(*args)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_bad_scenario_file_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "scenarios" / "bottleneck.yaml").read_text().replace("count: 150", "count: -5"))
    proc = drillsim("run", str(bad), "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    line = proc.stderr.strip()
    assert "\n" not in line and "bad.yaml" in line and "populations[0].count" in line and "-5" in line and "fix" in line


def test_failed_run_keeps_earlier_results(tmp_path):
    out = tmp_path / "keep"
    assert drillsim("run", "scenarios/bottleneck.yaml", "--agents", "20", "--out", str(out)).returncode == 0
    before = (out / "summary.json").read_bytes()
    assert drillsim("run", "scenarios/bottleneck.yaml", "--plan", "nope", "--out", str(out)).returncode == 2
    assert (out / "summary.json").read_bytes() == before
