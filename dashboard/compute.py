"""The dashboard's calls into ``sim``, cached by scenario (file content), plan, seed and the other inputs.

Results are cached with ``st.cache_data`` (pickled copies, so a page cannot change a cached result); the loaded
scenario, which holds read-only mappings, with ``st.cache_resource``.

Long work reports progress to the page, but a cached function must not touch page elements (its element calls
would be replayed on later hits). So :func:`run_bundle` and :func:`comparison` compute a result *outside* the
cache with the caller's progress callback, hand it to their cached twin (which stores it under the same key),
and afterwards are served by the cache alone.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import analysis

__all__ = ["file_digest", "load", "run_bundle", "comparison", "response_bundle", "shelter_bundle", "drill",
           "scorecard", "workers", "past_comparisons"]


def file_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes (part of every cache key: an edited file is a new scenario)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def workers() -> int:
    """Local worker processes for replications (``DRILLSIM_WORKERS``, default min(2, CPUs))."""
    env = os.environ.get("DRILLSIM_WORKERS")
    if env and env.isdigit() and int(env) >= 1:
        return int(env)
    return max(1, min(2, os.cpu_count() or 1))


def _threads() -> int:
    env = os.environ.get("DRILLSIM_THREADS", "1")
    return int(env) if env.isdigit() and int(env) >= 1 else 1


@st.cache_resource(show_spinner=False, max_entries=32)
def load(path: str, digest: str) -> Any:
    """The validated scenario (raises :class:`sim.ScenarioError` with one readable line)."""
    import sim

    return sim.load_scenario(path)


#: results computed with progress, waiting to be stored by the cached twin; keys already handed over
_FRESH: dict[tuple[Any, ...], Any] = {}
_KNOWN: set[tuple[Any, ...]] = set()


def _through_cache(cached: Callable[..., Any], compute: Callable[..., Any], key: tuple[Any, ...],
                   progress: Any) -> Any:
    if progress is not None and (cached.__name__, *key) not in _KNOWN:
        _FRESH[(cached.__name__, *key)] = compute(*key, progress)
    _KNOWN.add((cached.__name__, *key))
    return cached(*key)


def run_bundle(path: str, digest: str, plan: str, seed: int, agents: int,
               progress: Callable[[float, int, int], None] | None = None) -> dict[str, Any]:
    """One run with its trajectories, turned into what the Run page draws (cached by every argument but
    ``progress``, a ``sim.run`` progress callback used when the result is not cached yet).

    Returns:
        ``summary``, ``agents``, ``timeseries``, ``replay`` (positions every few seconds with states),
        ``cells`` / ``frames`` / ``warnings`` (crowd-safety tables), ``offsets`` (level -> world offset).
    """
    return _through_cache(_run_bundle_cached, _run_bundle, (path, digest, plan, seed, agents), progress)


@st.cache_data(show_spinner=False, max_entries=24)
def _run_bundle_cached(path: str, digest: str, plan: str, seed: int, agents: int) -> dict[str, Any]:
    fresh = _FRESH.pop(("_run_bundle_cached", path, digest, plan, seed, agents), None)
    return fresh if fresh is not None else _run_bundle(path, digest, plan, seed, agents, None)


def _run_bundle(
    path: str, digest: str, plan: str, seed: int, agents: int, progress: Callable[[float, int, int], None] | None
) -> dict[str, Any]:
    """One run with its trajectories, turned into what the Run page draws.

    Returns:
        ``summary``, ``agents``, ``timeseries``, ``replay`` (positions every few seconds with states),
        ``cells`` / ``frames`` / ``warnings`` (crowd-safety tables), ``offsets`` (level -> world offset).
    """
    import numba

    import sim

    # one numba thread: on a machine shared with other work the parallel kernels' threads wait for each other
    # (a 100-person metro run took 150 s with 2 threads against 3 s with 1 on a loaded 2-core machine);
    # replications in worker processes run with one thread each for the same reason (sim.plans.replicate)
    numba.set_num_threads(max(1, min(_threads(), numba.config.NUMBA_NUM_THREADS)))
    scenario = load(path, digest)
    with tempfile.TemporaryDirectory(prefix="drillsim-run-") as tmp:
        traj = Path(tmp) / "trajectories.sqlite"
        with warnings.catch_warnings():  # multi-level walkable areas: PedPy reads the positions, not the outline
            warnings.filterwarnings("ignore", message="walkable_wkt is a MULTIPOLYGON")
            result = sim.run(scenario, plan=plan, seed=seed, agents=agents, trajectories=traj, progress=progress)
        rows, meta = analysis.read_trajectories(traj) if traj.exists() else (pd.DataFrame(
            {"frame": [], "id": [], "x": [], "y": []}), {})
    fps = float(meta.get("fps", 4.0))
    level_ids = [lv.id for lv in scenario.levels]
    offsets = analysis.level_offsets(meta, level_ids)
    summary = result.summary
    hazard = summary.get("hazard") or {}
    replay = analysis.replay_frames(
        rows, fps=fps, agents=result.agents, alarm_s=float(summary.get("alarm_time_s") or 0.0),
        ignition_s=hazard.get("ignition_time_s"),
    )
    safety = analysis.safety_tables(rows, fps=fps, scenario=scenario, offsets=offsets)
    return {
        "summary": summary,
        "agents": result.agents,
        "timeseries": result.timeseries,
        "replay": replay,
        **safety,
        "offsets": {lid: (float(o[0]), float(o[1])) for lid, o in zip(level_ids, offsets, strict=True)},
    }


def comparison(path: str, digest: str, plans: tuple[str, ...], reps: int, seed: int, agents: int, db: str,
               on_result: Callable[[Any], None] | None = None) -> dict[str, Any]:
    """``sim.plans.compare`` over local workers; runs already in the catalogue ``db`` are served from it.

    Cached by every argument but ``on_result`` (called with each new replication result, for progress).
    """
    return _through_cache(_comparison_cached, _comparison, (path, digest, plans, reps, seed, agents, db), on_result)


@st.cache_data(show_spinner=False, max_entries=24)
def _comparison_cached(path: str, digest: str, plans: tuple[str, ...], reps: int, seed: int, agents: int,
                       db: str) -> dict[str, Any]:
    fresh = _FRESH.pop(("_comparison_cached", path, digest, plans, reps, seed, agents, db), None)
    return fresh if fresh is not None else _comparison(path, digest, plans, reps, seed, agents, db, None)


def _comparison(path: str, digest: str, plans: tuple[str, ...], reps: int, seed: int, agents: int, db: str,
                on_result: Callable[[Any], None] | None) -> dict[str, Any]:
    from sim.plans import Catalogue, compare

    with Catalogue(db) as cat:
        result = compare(path, plans=list(plans), reps=reps, seed=seed, agents=agents, catalogue=cat,
                         workers=workers(), on_result=on_result)
    return dict(result.data)


def past_comparisons(db: str) -> list[dict[str, Any]]:
    """Finished comparisons in the catalogue, newest first (not cached: the catalogue grows)."""
    from sim.plans import Catalogue

    if not Path(db).exists():
        return []
    with Catalogue(db) as cat:
        return [c for c in reversed(cat.comparisons()) if c["status"] == "finished"]


def stored_comparison(db: str, comparison_id: int) -> dict[str, Any] | None:
    """The stored result of one comparison of the catalogue."""
    from sim.plans import Catalogue

    with Catalogue(db) as cat:
        return cat.comparison_result(comparison_id)


@st.cache_data(show_spinner=False, max_entries=16)
def response_bundle(path: str, digest: str, plan: str | None, seed: int, reps: int) -> dict[str, Any]:
    """The response engine alone on a file's ``response`` section: one run (seed) and ``reps`` replications.

    Returns:
        ``segments``, ``routes``, ``timeline`` of the run, ``roads`` and ``places`` for the map, ``times``
        (response times of every replication), ``ci`` (metrics with 95 % intervals), ``summary`` of the run.
    """
    from sim.response import load_response_section, replicate_response, simulate_response, summary
    from sim.response.config import places_table
    from sim.response.network import road_segments
    from sim.seeding import stream

    config = load_response_section(path, plan)
    res = simulate_response(config, alarm_time_s=0.0, rng=stream(seed, "response"), seed=seed)
    reps_result = replicate_response(config, seeds=list(range(seed, seed + reps)), alarm_time_s=0.0)
    return {
        "segments": res.segments,
        "routes": res.routes,
        "timeline": res.timeline,
        "roads": road_segments(config.geography),
        "places": places_table(config),
        "times": reps_result.response_times,
        "ci": reps_result.summary,
        "summary": summary(res),
    }


def response_plans(path: str) -> list[str]:
    """Plan ids of a file with a ``response`` section (its own plans; empty for none)."""
    from sim.response.commands import read_yaml

    raw = read_yaml(path)
    plans = raw.get("plans") if isinstance(raw, dict) else None
    return [str(p["id"]) for p in plans or [] if isinstance(p, dict) and "id" in p]


@st.cache_data(show_spinner=False, max_entries=16)
def shelter_bundle(path: str, digest: str, plan: str | None, site_k: int, evacuees: int) -> dict[str, Any]:
    """Shelter report of a district (or a scenario's ``shelters`` section) under a plan, with the tables the
    maps need: coverage (emergency tier) and the open shelters, and the loads of the assignment.

    ``evacuees`` persons are added as demand at the scenario's venue (as ``sim.run`` does), 0 for none.
    """
    from sim.shelter import (
        add_venue_demand,
        compute_assignment,
        compute_coverage,
        compute_shelter_loads,
        load_shelters_file,
        shelter_table,
        tier_shelters,
    )
    from sim.shelter.report import shelter_report

    config = load_shelters_file(path, plan=plan)
    if evacuees > 0 and config.venue is not None and config.venue in config.venues:
        x, y = config.venues[config.venue]
        config = add_venue_demand(config, x=x, y=y, persons=evacuees)
    report = shelter_report(config, plan=plan, site_k=site_k if site_k > 0 else None)
    sh = shelter_table(config)
    kind = "network" if config.network is not None else "euclidean"
    em = tier_shelters(sh, tier="emergency", emergency_distance_m=config.service_distance_m["emergency"])
    cov = compute_coverage(population=config.population, shelters=em, distance=kind, network=config.network,
                           walking_speed_m_s=config.walking_speed_m_s)
    flows = compute_assignment(population=config.population, shelters=sh, distance=kind, network=config.network,
                               walking_speed_m_s=config.walking_speed_m_s, aggregate_m=50.0)
    loads = compute_shelter_loads(flows=flows, shelters=sh)
    return {"report": report, "coverage": cov, "shelters": sh, "loads": loads}


def shelter_plans(path: str) -> list[str]:
    """Plan ids usable with :func:`shelter_bundle` for this file (scenario plans or the district's plans)."""
    from sim.response.commands import read_yaml

    raw = read_yaml(path)
    if not isinstance(raw, dict):
        return []
    return [str(p["id"]) for p in raw.get("plans") or [] if isinstance(p, dict) and "id" in p]


@st.cache_data(show_spinner=False, max_entries=16)
def drill(path: str, digest: str, plan: str, exercise_type: str, reps: int, seed: int, agents: int,
          db: str) -> dict[str, Any]:
    """The MSEL of a plan (replications served from the catalogue when present)."""
    from sim.plans import Catalogue, design_drill

    with Catalogue(db) as cat:
        d = design_drill(path, plan=plan, exercise_type=exercise_type, reps=reps, seed=seed, agents=agents,
                         catalogue=cat, workers=workers())
    return dict(d.data)


@st.cache_data(show_spinner=False, max_entries=16)
def scorecard(path: str, digest: str, plan: str, rubric: str, reps: int, seed: int, agents: int, db: str,
              facts: tuple[tuple[str, float], ...]) -> dict[str, Any]:
    """The readiness scorecard of a plan (replications served from the catalogue when present)."""
    from sim.plans import Catalogue, score

    with Catalogue(db) as cat:
        card = score(path, plan=plan, rubric=rubric, reps=reps, seed=seed, agents=agents, catalogue=cat,
                     workers=workers(), facts=dict(facts))
    return dict(card.data)
