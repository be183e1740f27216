"""The district report behind ``drillsim shelters`` (and the ``shelter`` section of a run summary).

It puts together, for a district as a plan leaves it:

* coverage by tier (see :data:`sim.shelter.coverage.COVERAGE_TIERS`), straight-line and, with a network,
  walking distance; distances and walking times to the nearest shelter; where the uncovered people live;
* the capacity-constrained assignment (walking distance when there is a network), with demand merged into
  ``aggregate_m`` blocks (default 50 m, 2 x 2 cells of the shipped grid: on the Riverside district the exact
  straight-line 25 m LP takes about 14 s, the 50 m one under 1 s, with the same persons assigned and a total distance
  0.01 % higher);
* compliance: functional zones per shelter, fixed capacity as a share of the population;
* with ``site_k``: maximal covering with k candidate sites and the set cover, exact and greedy, for the
  ``site_tier`` (default ``emergency``: a refuge within the emergency service distance).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.shelter import columns as C
from sim.shelter.assignment import compute_assignment, compute_assignment_summary, compute_shelter_loads
from sim.shelter.compliance import compute_capacity_compliance, compute_zone_compliance
from sim.shelter.coverage import (
    COVERAGE_TIERS,
    compute_coverage,
    compute_coverage_summary,
    compute_uncovered_areas,
    tier_shelters,
)
from sim.shelter.schema import ShelterConfig
from sim.shelter.siting import compute_maximal_covering, compute_set_cover
from sim.shelter.tables import shelter_table, site_table

__all__ = ["shelter_report", "format_report", "DEFAULT_AGGREGATE_M"]

#: Block side [m] for the assignment's demand (see the module docstring).
DEFAULT_AGGREGATE_M = 50.0


def _num(x: Any, nd: int = 4) -> Any:
    """JSON-safe number: ``nan``/``inf`` become ``None``; floats rounded to ``nd`` decimals."""
    if x is None:
        return None
    if isinstance(x, bool):
        return x
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    if not math.isfinite(f):
        return None
    return round(f, nd)


def shelter_report(
    config: ShelterConfig,
    *,
    plan: str | None = None,
    site_k: int | None = None,
    site_tier: str = "emergency",
    aggregate_m: float | None = DEFAULT_AGGREGATE_M,
    uncovered_blocks: int = 5,
) -> dict[str, Any]:
    """The whole report as plain JSON-ready data (see the module docstring).

    Args:
        config: the district as the plan leaves it (see :func:`sim.shelter.config.load_shelters_file`).
        plan: the plan's id, recorded in the report.
        site_k: if given, choose this many candidate sites (maximal covering) and solve the set cover.
        site_tier: the coverage tier the siting improves.
        aggregate_m: block side [m] for the assignment's demand, ``None`` for none.
        uncovered_blocks: how many 500 m blocks with the most uncovered people to list.

    Returns:
        A mapping with keys ``district, plan, population, cells, shelters_open, capacity_persons,
        walking_speed_m_s, coverage, uncovered_areas, assignment, compliance`` and, with ``site_k``, ``siting``.
    """
    sh = shelter_table(config)
    s_em = config.service_distance_m["emergency"]
    kinds = ["euclidean"] + (["network"] if config.network is not None else [])
    coverage: dict[str, Any] = {}
    uncovered: dict[str, Any] = {}
    for kind in kinds:
        per_kind: dict[str, Any] = {}
        for tier in COVERAGE_TIERS:
            cov = compute_coverage(
                population=config.population,
                shelters=tier_shelters(sh, tier=tier, emergency_distance_m=s_em),
                distance=kind,  # type: ignore[arg-type]
                network=config.network,
                walking_speed_m_s=config.walking_speed_m_s,
            )
            s = compute_coverage_summary(coverage=cov).iloc[0]
            per_kind[tier] = {
                "covered_fraction": _num(s[C.COVERED_FRACTION]),
                "covered_persons": _num(s[C.COVERED_PERSONS], 1),
                "uncovered_persons": _num(s[C.UNCOVERED_PERSONS], 1),
            }
            if tier == "any":
                per_kind["nearest"] = {
                    "mean_distance_m": _num(s[C.MEAN_DISTANCE_M], 1),
                    "p95_distance_m": _num(s[C.P95_DISTANCE_M], 1),
                    "mean_walk_time_s": _num(s[C.MEAN_WALK_TIME_S], 1),
                    "p95_walk_time_s": _num(s[C.P95_WALK_TIME_S], 1),
                    "unreachable_persons": _num(s[C.UNREACHABLE_PERSONS], 1),
                }
            if tier == "emergency":
                blocks = compute_uncovered_areas(coverage=cov, block_m=500.0).head(uncovered_blocks)
                uncovered[kind] = [
                    {
                        "x_m": _num(r[C.X], 1),
                        "y_m": _num(r[C.Y], 1),
                        "uncovered_persons": _num(r[C.UNCOVERED_PERSONS], 1),
                    }
                    for _, r in blocks.iterrows()
                ]
        coverage[kind] = per_kind
    kind = kinds[-1]
    flows = compute_assignment(
        population=config.population,
        shelters=sh,
        distance=kind,  # type: ignore[arg-type]
        network=config.network,
        walking_speed_m_s=config.walking_speed_m_s,
        aggregate_m=aggregate_m,
    )
    a = compute_assignment_summary(flows=flows).iloc[0]
    loads = compute_shelter_loads(flows=flows, shelters=sh)
    assignment = {
        "distance_kind": kind,
        "aggregate_m": aggregate_m,
        "assigned_persons": _num(a[C.ASSIGNED_PERSONS], 1),
        "unassigned_persons": _num(a[C.UNASSIGNED_PERSONS], 1),
        "out_of_reach_persons": _num(a[C.OUT_OF_REACH_PERSONS], 1),
        "over_capacity_persons": _num(a[C.OVER_CAPACITY_PERSONS], 1),
        "mean_distance_m": _num(a[C.MEAN_DISTANCE_M], 1),
        "p95_distance_m": _num(a[C.P95_DISTANCE_M], 1),
        "max_distance_m": _num(a[C.MAX_DISTANCE_M], 1),
        "mean_walk_time_s": _num(a[C.MEAN_WALK_TIME_S], 1),
        "total_person_distance_m": _num(a[C.TOTAL_DISTANCE_M], 0),
        "solve_s": _num(flows.attrs["solve_s"], 3),
        "shelters": [
            {
                "id": r[C.SHELTER_ID],
                "class": r[C.CLASS],
                "capacity_persons": int(r[C.CAPACITY]),
                "load_persons": _num(r[C.LOAD], 1),
                "utilisation": _num(r[C.UTILISATION]),
                "area_per_person_m2": _num(r[C.AREA_PER_PERSON_M2], 2),
                "max_distance_m": _num(r[C.MAX_DISTANCE_M], 1),
            }
            for _, r in loads.iterrows()
        ],
    }
    zones = compute_zone_compliance(shelters=sh)
    cap = compute_capacity_compliance(
        shelters=sh, total_persons=config.population.total, required_fixed_share=config.required_fixed_share
    ).set_index(C.GROUP)
    compliance = {
        "fixed_capacity_share": _num(cap.loc["fixed", C.SHARE]),
        "required_fixed_share": _num(cap.loc["fixed", C.REQUIRED_SHARE]),
        "fixed_capacity_compliant": bool(cap.loc["fixed", C.COMPLIANT]),
        "total_capacity_share": _num(cap.loc["all", C.SHARE]),
        "zones_compliant_shelters": int(zones[C.COMPLIANT].sum()),
        "missing_zones": {r[C.SHELTER_ID]: list(r[C.MISSING_ZONES]) for _, r in zones.iterrows() if not r[C.COMPLIANT]},
    }
    report: dict[str, Any] = {
        "district": config.name,
        "source": config.source,
        "plan": plan,
        "population": _num(config.population.total, 1),
        "cells": len(config.population),
        "shelters_open": len(sh),
        "capacity_persons": int(sh[C.CAPACITY].sum()),
        "walking_speed_m_s": _num(config.walking_speed_m_s),
        "coverage": coverage,
        "uncovered_areas": uncovered,
        "assignment": assignment,
        "compliance": compliance,
    }
    if site_k is not None:
        report["siting"] = _siting(config, sh, site_k=site_k, tier=site_tier, kind=kind)
    return report


def _siting(config: ShelterConfig, sh: pd.DataFrame, *, site_k: int, tier: str, kind: str) -> dict[str, Any]:
    s_em = config.service_distance_m["emergency"]
    shelters = tier_shelters(sh, tier=tier, emergency_distance_m=s_em)
    sites = tier_shelters(site_table(config), tier=tier, emergency_distance_m=s_em)
    common = {
        "population": config.population,
        "shelters": shelters,
        "sites": sites,
        "distance": kind,
        "network": config.network,
    }
    mclp = compute_maximal_covering(k=site_k, **common)  # type: ignore[arg-type]
    scov = compute_set_cover(**common)  # type: ignore[arg-type]

    def rows(frame: pd.DataFrame) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for _, r in frame.iterrows():
            out[r[C.METHOD]] = {
                "sites": list(r[C.SITES]),
                "n_sites": int(r[C.N_SITES]),
                "added_covered_persons": _num(r[C.ADDED_PERSONS], 1),
                "covered_fraction": _num(r[C.COVERED_FRACTION]),
                "optimal": bool(r[C.OPTIMAL]),
                "wall_s": _num(r[C.WALL_S], 3),
            }
        out["gap"] = _num(frame.iloc[1][C.GAP])
        return out

    return {
        "tier": tier,
        "distance_kind": kind,
        "k": site_k,
        "candidate_sites": len(sites),
        "baseline_covered_fraction": _num(
            mclp.iloc[0][C.BASELINE_COVERED] / config.population.total if config.population.total > 0 else None
        ),
        "coverable_fraction": _num(
            mclp.iloc[0][C.COVERABLE_PERSONS] / config.population.total if config.population.total > 0 else None
        ),
        "maximal_covering": rows(mclp),
        "set_cover": rows(scov),
    }


def _list(ids: list[str], shown: int = 8) -> str:
    if not ids:
        return "—"
    more = f", ... (+{len(ids) - shown})" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def _pct(x: Any) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def _n(x: Any) -> str:
    return "—" if x is None else f"{x:,.0f}"


def format_report(r: dict[str, Any]) -> str:
    """The report as readable text tables."""
    lines = [
        f"district      {r['district']}" + (f"  (plan {r['plan']})" if r["plan"] else ""),
        f"population    {_n(r['population'])} persons in {r['cells']:,} cells",
        f"shelters      {r['shelters_open']} open, capacity {_n(r['capacity_persons'])} persons",
        "",
        "coverage (population within the service distance, d <= S)",
        f"  {'tier':<11}" + "".join(f"{k:>22}" for k in r["coverage"]),
    ]
    for tier in COVERAGE_TIERS:
        cells = []
        for kind in r["coverage"]:
            c = r["coverage"][kind][tier]
            cells.append(f"{_pct(c['covered_fraction'])} ({_n(c['uncovered_persons'])} out)")
        lines.append(f"  {tier:<11}" + "".join(f"{c:>22}" for c in cells))
    for kind, c in r["coverage"].items():
        nn = c["nearest"]
        lines.append(
            f"  nearest shelter, {kind}: mean {_n(nn['mean_distance_m'])} m / {_n(nn['mean_walk_time_s'])} s, "
            f"95 % within {_n(nn['p95_distance_m'])} m / {_n(nn['p95_walk_time_s'])} s"
        )
    for kind, blocks in r["uncovered_areas"].items():
        if blocks:
            where = ", ".join(f"({_n(b['x_m'])}, {_n(b['y_m'])}): {_n(b['uncovered_persons'])}" for b in blocks[:3])
            lines.append(f"  most people beyond the emergency distance, {kind} (500 m blocks, centre: persons):")
            lines.append(f"    {where}")
    a = r["assignment"]
    lines += [
        "",
        f"assignment ({a['distance_kind']} distance, least total distance, "
        f"demand in {a['aggregate_m'] or 0:g} m blocks)",
        f"  assigned {_n(a['assigned_persons'])}, over capacity {_n(a['over_capacity_persons'])}, "
        f"out of reach {_n(a['out_of_reach_persons'])}",
        f"  distance mean {_n(a['mean_distance_m'])} m, 95 % {_n(a['p95_distance_m'])} m, "
        f"worst {_n(a['max_distance_m'])} m",
        f"  {'shelter':<22}{'class':<19}{'capacity':>9}{'load':>9}{'use':>8}{'m²/P':>7}{'worst m':>9}",
    ]
    for s in a["shelters"]:
        app = s["area_per_person_m2"]
        lines.append(
            f"  {s['id']:<22}{s['class']:<19}{s['capacity_persons']:>9,}{_n(s['load_persons']):>9}"
            f"{_pct(s['utilisation']):>8}{'—' if app is None else f'{app:.1f}':>7}{_n(s['max_distance_m']):>9}"
        )
    c = r["compliance"]
    lines += [
        "",
        "compliance",
        f"  fixed capacity {_pct(c['fixed_capacity_share'])} of the population "
        f"(required {_pct(c['required_fixed_share'])}): " + ("ok" if c["fixed_capacity_compliant"] else "SHORT"),
        f"  functional zones complete in {c['zones_compliant_shelters']} of {r['shelters_open']} open shelters",
    ]
    for sid, miss in c["missing_zones"].items():
        lines.append(f"    {sid}: missing {', '.join(miss)}")
    if "siting" in r:
        s = r["siting"]
        lines += [
            "",
            f"siting ({s['tier']} tier, {s['distance_kind']} distance, {s['candidate_sites']} candidate sites, "
            f"covered now {_pct(s['baseline_covered_fraction'])}, at most {_pct(s['coverable_fraction'])})",
        ]
        for prob, label in (
            ("maximal_covering", f"best {s['k']} sites"),
            ("set_cover", "fewest sites for all coverable"),
        ):
            p = s[prob]
            for m in ("exact", "greedy"):
                q = p[m]
                lines.append(
                    f"  {label:<31}{m:<7} {_pct(q['covered_fraction']):>8} covered  {q['n_sites']:>2} sites: "
                    f"{_list(q['sites'])}"
                )
            lines.append(f"  {'':<31}greedy gap {_pct(p['gap'])}")
    return "\n".join(lines)
