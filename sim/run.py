"""Run one simulation of a scenario under a plan: the orchestration behind ``sim.run`` and ``drillsim run``.

The crowd model advances inside a SimPy process, one time step per ``env.timeout(dt)``: SimPy's
environment is the one clock that later engines (hazard, response) schedule their events on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import simpy

from sim.crowd.model import CrowdModel
from sim.crowd.state import SAFE
from sim.results import AGENT_COLUMNS, RunResult, steady_flow
from sim.scenario.schema import Scenario
from sim.version import code_version

__all__ = ["run", "ProgressCallback"]

#: ``progress(sim_time_s, persons_inside, persons_total)`` called about once per record interval.
ProgressCallback = Callable[[float, int, int], None]


def run(
    scenario: Scenario,
    *,
    plan: str | None = None,
    seed: int = 0,
    agents: int | None = None,
    trajectories: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
) -> RunResult:
    """Simulate the evacuation of ``scenario`` under ``plan``.

    Args:
        scenario: a validated scenario (from :func:`sim.load_scenario`).
        plan: plan id; ``None`` runs the first plan (or the scenario as is if it has none).
        seed: root seed; the same scenario, plan and seed give identical results.
        agents: if given, rescale the population counts proportionally to this total.
        trajectories: if given, write trajectories (sampled every ``simulation.trajectory_interval``) to
            this SQLite file, in the JuPedSim format that PedPy reads.
        progress: optional callback, see :data:`ProgressCallback`.

    Returns:
        The run's result.

    Raises:
        ScenarioError: the plan does not exist, an area cannot hold its people, or people cannot reach an exit.
    """
    chosen = scenario.plan(plan)
    if agents is not None:
        scenario = scenario.scaled(agents)
    wall0 = time.perf_counter()
    model = CrowdModel(
        scenario,
        plan=chosen,
        seed=seed,
        trajectory_interval=scenario.simulation.trajectory_interval if trajectories is not None else None,
    )
    total = model.state.n
    env = simpy.Environment()
    max_time = scenario.simulation.max_time

    def evacuate(env: simpy.Environment):  # type: ignore[no-untyped-def]
        while model.inside > 0 and model.t < max_time - 1e-9:
            model.step()
            yield env.timeout(model.dt)
            if progress is not None and model.steps % model.record_every == 0:
                progress(model.t, model.inside, total)

    env.process(evacuate(env))
    env.run()
    if model.steps % model.record_every:
        model.datacollector.collect(model)  # the time series ends with the final state
    if progress is not None:
        progress(model.t, model.inside, total)
    traj_path = None
    if trajectories is not None and model.trajectories is not None:
        model.trajectories.metadata.update({"code_version": code_version()})
        traj_path = model.trajectories.write(trajectories)
    wall = time.perf_counter() - wall0
    return _result(model, scenario, seed=seed, wall_s=wall, trajectory_file=traj_path)


def _result(
    model: CrowdModel, scenario: Scenario, *, seed: int, wall_s: float, trajectory_file: Path | None
) -> RunResult:
    st = model.state
    w = model.world
    safe = st.status == SAFE
    exit_names = np.array(w.exit_ids + ("",), dtype=object)
    level_of_pop = [scenario.populations[i].level for i in range(len(scenario.populations))]
    agents = pd.DataFrame(
        {
            "agent_id": np.arange(st.n),
            "population": [scenario.populations[i].id for i in st.population],
            "level": [level_of_pop[i] for i in st.population],
            "exit": exit_names[st.exit_index],
            "v0_m_s": st.v_free,
            "premovement_s": st.t_start,
            "exit_time_s": st.t_exit,
        },
        columns=list(AGENT_COLUMNS),
    )
    exit_counts = {e: int((st.exit_index == k).sum()) for k, e in enumerate(w.exit_ids)}
    flows = {}
    for k, e in enumerate(w.exit_ids):
        f = steady_flow(st.t_exit[st.exit_index == k])
        flows[e] = None if f is None else round(f, 4)
    evacuated = int(safe.sum())
    everyone = evacuated == st.n
    timeseries = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    summary = {
        "scenario": scenario.name,
        "plan": model.plan.id,
        "seed": seed,
        "agents": st.n,
        "evacuated": evacuated,
        "evacuation_time_s": round(float(np.nanmax(st.t_exit)), 3)
        if everyone and st.n
        else (0.0 if st.n == 0 else None),
        "exit_counts": exit_counts,
        "exit_flow_p_per_s": flows,
        "max_density_p_m2": round(model.max_density, 3),
        "sim_time_s": round(model.t, 3),
        "wall_s": round(wall_s, 3),
        "agent_steps": model.agent_steps,
        "agent_steps_per_s": round(model.agent_steps / wall_s, 1) if wall_s > 0 else None,
        "t95_s": round(float(np.sort(st.t_exit[safe])[int(np.ceil(0.95 * st.n)) - 1]), 3)
        if st.n and evacuated >= np.ceil(0.95 * st.n)
        else None,
        "calibration": scenario.calibration,
        "model": model.pedestrian_model.id,
        "dt_s": model.dt,
        "scenario_file": scenario.source,
        "scenario_sha256": scenario.sha256,
        "code_version": code_version(),
    }
    if trajectory_file is not None:
        summary["trajectory_file"] = str(trajectory_file)
    return RunResult(summary=summary, agents=agents, timeseries=timeseries, trajectory_file=trajectory_file)
