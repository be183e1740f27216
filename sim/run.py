"""Run one simulation of a scenario under a plan: the orchestration behind ``sim.run`` and ``drillsim run``.

The crowd model advances inside a SimPy process, one time step per ``env.timeout(dt)``: SimPy's
environment is the one clock that later engines (hazard, response) schedule their events on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import simpy

from sim.crowd.metro import metro_check
from sim.crowd.model import CrowdModel
from sim.crowd.state import CASUALTY, SAFE, TRAPPED
from sim.results import AGENT_COLUMNS, OUTCOMES, RunResult, steady_flow
from sim.scenario.schema import Event, Plan, Scenario
from sim.seeding import stream
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
    hazards = _plan_hazards(scenario, chosen)
    alarm_s = _alarm_time(hazards)
    st = model.state
    st.t_start = np.maximum(st.t_appear, alarm_s) + (st.t_start - st.t_appear)  # pre-movement from the alarm
    outcomes: list[Any] = []
    casualty_feed = simpy.Store(env) if scenario.response is not None else None

    def evacuate(env: simpy.Environment):  # type: ignore[no-untyped-def]
        while model.inside > 0 and model.t < max_time - 1e-9:
            model.step()
            yield env.timeout(model.dt)
            if progress is not None and model.steps % model.record_every == 0:
                progress(model.t, model.inside, total)

    def explode(env: simpy.Environment, hazard: Any, at: float):  # type: ignore[no-untyped-def]
        yield env.timeout(at)
        outcomes.append(_blast(model, scenario, hazard, seed))
        if casualty_feed is not None:
            for c in _casualties_for_response(model, scenario, outcomes[-1], env.now):
                yield casualty_feed.put(c)

    env.process(evacuate(env))
    for h in hazards:
        ignition = _ignition_time(h)
        if ignition is not None and ignition <= max_time:
            env.process(explode(env, h, ignition))
    response = None
    if scenario.response is not None:
        response = _start_response(scenario, chosen, env=env, alarm_s=alarm_s, seed=seed, feed=casualty_feed)
    env.run()
    if model.steps % model.record_every:
        model.record()  # the time series ends with the final state
    if progress is not None:
        progress(model.t, model.inside, total)
    traj_path = None
    if trajectories is not None and model.trajectories is not None:
        model.trajectories.metadata.update({"code_version": code_version()})
        traj_path = model.trajectories.write(trajectories)
    wall = time.perf_counter() - wall0
    result = _result(model, scenario, seed=seed, wall_s=wall, trajectory_file=traj_path, alarm_s=alarm_s)
    if hazards:
        from sim.hazard.coupling import hazard_section

        result.summary["hazard"] = hazard_section(outcomes)
    result.summary["alarm_time_s"] = round(alarm_s, 3)
    if response is not None:
        from sim.response import summary as response_summary

        result.summary["response"] = response_summary(response)
    if scenario.shelters is not None:
        result.summary["shelter"] = _shelter_section(scenario, chosen, evacuated=result.summary["evacuated"])
    return result


# -- coupling with the other engines on the one SimPy clock ---------------------------------------------------
def _plan_hazards(scenario: Scenario, plan: Plan) -> tuple[Any, ...]:
    if not scenario.hazards:
        return ()
    from sim.hazard.config import apply_hazard_plan_changes

    if plan.hazards is None:
        return tuple(scenario.hazards)
    return tuple(apply_hazard_plan_changes(scenario.hazards, plan.hazards))


def _alarm_time(hazards: tuple[Any, ...]) -> float:
    """When the alarm sounds: the first detector alarm or ignition of any hazard (0 without hazards)."""
    if not hazards:
        return 0.0
    from sim.hazard.timeline import hazard_timeline

    times = [t for h in hazards for t in hazard_timeline(h) if t is not None]
    return min(times) if times else 0.0


def _ignition_time(hazard: Any) -> float | None:
    from sim.hazard.timeline import hazard_timeline

    return hazard_timeline(hazard)[1]


def _blast(model: CrowdModel, scenario: Scenario, hazard: Any, seed: int) -> Any:
    """An explosion now: hurt people where they stand, stop the badly hurt, close what the blast reaches."""
    import shapely

    from sim.hazard.coupling import assess_blast

    x, y, level = model.level_positions()
    exits = {
        e.id: ((e.line[0][0] + e.line[1][0]) / 2, (e.line[0][1] + e.line[1][1]) / 2, e.level) for e in scenario.exits
    }
    outline = scenario.level(hazard.level).walkable if hazard.level in model.world.level_ids else None
    outcome = assess_blast(
        hazard,
        x=x,
        y=y,
        level=level,
        exits=exits,
        rng=stream(seed, f"hazard:{hazard.id}"),
        exposed=model.state.status < SAFE,
        outline=outline,
    )
    model.immobilize(np.flatnonzero(np.asarray(outcome.severity) >= 2))
    zone = outcome.closure_zone
    closed_connectors = [
        c.id
        for c in scenario.connectors
        if (c.from_level == hazard.level and zone.intersects(shapely.LineString(c.from_line)))
        or (c.to_level == hazard.level and zone.intersects(shapely.LineString(c.to_line)))
    ]
    closing = tuple(sorted(outcome.closed_exits)) + tuple(closed_connectors)
    if closing:
        model.apply_event(Event(at=model.t, close=closing))
    model.mark_trapped()
    return outcome


def _casualties_for_response(model: CrowdModel, scenario: Scenario, outcome: Any, now: float) -> list[Any]:
    """The badly hurt of an explosion as casualties for the response teams, at the first incident's site."""
    from sim.response import Casualty

    cfg = scenario.response
    incident = cfg.incidents[0].id if cfg.incidents else None
    severity = np.asarray(outcome.severity)
    out = []
    for i in np.flatnonzero(severity >= 1):
        # response triage: 1 immediate (seriously hurt, immobile), 3 minor (walking wounded); the dead need no
        # ambulance but still need recovery, so they are left out of transport
        if severity[i] == 3:
            continue
        triage = 1 if severity[i] == 2 else 3
        out.append(Casualty(id=f"agent_{i}", x=0.0, y=0.0, severity=triage, reported_s=now, incident=incident))
    return out


def _start_response(
    scenario: Scenario, plan: Plan, *, env: simpy.Environment, alarm_s: float, seed: int, feed: Any
) -> Any:
    from sim.response import apply_response_plan_changes, simulate_response

    cfg = scenario.response
    if plan.response is not None:
        cfg = apply_response_plan_changes(cfg, plan.response)
    return simulate_response(
        cfg, env=env, alarm_time_s=alarm_s, rng=stream(seed, "response"), seed=seed, casualty_feed=feed
    )


def _shelter_section(scenario: Scenario, plan: Plan, *, evacuated: int) -> dict[str, Any]:
    from sim.shelter.config import add_venue_demand, apply_shelter_plan_changes
    from sim.shelter.report import shelter_report

    cfg = scenario.shelters
    if plan.shelters is not None:
        cfg = apply_shelter_plan_changes(cfg, plan.shelters)
    if cfg.venue is not None and cfg.venue in cfg.venues:
        x, y = cfg.venues[cfg.venue]
        cfg = add_venue_demand(cfg, x=x, y=y, persons=evacuated)
    report = shelter_report(cfg, plan=plan.id)
    report["venue_evacuees"] = evacuated
    return report


def _result(
    model: CrowdModel,
    scenario: Scenario,
    *,
    seed: int,
    wall_s: float,
    trajectory_file: Path | None,
    alarm_s: float = 0.0,
) -> RunResult:
    st = model.state
    w = model.world
    safe = st.status == SAFE
    exit_names = np.array(w.exit_ids + ("",), dtype=object)
    level_of_pop = [scenario.populations[i].level for i in range(len(scenario.populations))]
    x, y, _ = model.level_positions()
    agents = pd.DataFrame(
        {
            "agent_id": np.arange(st.n),
            "population": [scenario.populations[i].id for i in st.population],
            "level": [level_of_pop[i] for i in st.population],
            "outcome": np.array(OUTCOMES, dtype=object)[st.status],
            "exit": exit_names[st.exit_index],
            "v0_m_s": st.v_free,
            "premovement_s": st.t_start - np.maximum(st.t_appear, alarm_s),
            "exit_time_s": st.t_exit,
            "x_m": np.where(safe, np.nan, x),
            "y_m": np.where(safe, np.nan, y),
            "group": st.leader,
        },
        columns=list(AGENT_COLUMNS),
    )
    exit_counts = {e: int((st.exit_index == k).sum()) for k, e in enumerate(w.exit_ids)}
    flows = {}
    for k, e in enumerate(w.exit_ids):
        f = steady_flow(st.t_exit[st.exit_index == k])
        flows[e] = None if f is None else round(f, 4)
    evacuated = int(safe.sum())
    casualties = int((st.status == CASUALTY).sum())
    trapped = np.flatnonzero(st.status == TRAPPED)
    everyone = evacuated + casualties == st.n  # every person who could move got out
    timeseries = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    summary = {
        "scenario": scenario.name,
        "plan": model.plan.id,
        "seed": seed,
        "agents": st.n,
        "evacuated": evacuated,
        "evacuation_time_s": round(float(np.nanmax(st.t_exit)), 3)
        if everyone and evacuated
        else (0.0 if st.n == 0 or (everyone and not evacuated) else None),
        "immobile_casualties": casualties,
        "trapped": int(len(trapped)),
        "exit_counts": exit_counts,
        "exit_flow_p_per_s": flows,
        **model.safety.summary(),
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
    if scenario.metro_check is not None:
        platform = scenario.metro_check["platform"]
        on_platform = sum(p.count for p in scenario.populations if p.level == platform)
        summary["metro_check"] = metro_check(
            scenario, model.plan, timeseries, settings=scenario.metro_check, persons=on_platform
        )
    if model.event_log:
        summary["events"] = [{"t_s": round(t, 3), "change": c} for t, c in model.event_log]
    if trajectory_file is not None:
        summary["trajectory_file"] = str(trajectory_file)
    return RunResult(summary=summary, agents=agents, timeseries=timeseries, trajectory_file=trajectory_file)
