"""Shelter engine: coverage of the population by emergency shelters, capacity-constrained assignment, siting.

The public API (tables' column names in :mod:`sim.shelter.columns`)::

    from sim.shelter import load_district, shelter_table, compute_coverage
    config = load_district("scenarios/districts/riverside_shelters.yaml")
    cov = compute_coverage(population=config.population, shelters=shelter_table(config),
                           distance="network", network=config.network)

Facts and defaults come from ``reference/response_shelter_drills.md`` §3 (see :mod:`sim.shelter.schema`).
"""

from sim.shelter.assignment import (
    aggregate_population,
    compute_assignment,
    compute_assignment_summary,
    compute_shelter_loads,
    reachable_pairs,
)
from sim.shelter.compliance import compute_capacity_compliance, compute_zone_compliance
from sim.shelter.config import (
    add_venue_demand,
    apply_shelter_plan_changes,
    load_district,
    load_shelters_file,
    read_shelter_plan_changes,
    read_shelters,
)
from sim.shelter.coverage import (
    COVERAGE_TIERS,
    compute_coverage,
    compute_coverage_summary,
    compute_uncovered_areas,
    tier_shelters,
)
from sim.shelter.report import format_report, shelter_report
from sim.shelter.schema import (
    SHELTER_CLASSES,
    CandidateSite,
    Population,
    Shelter,
    ShelterConfig,
    ShelterPlan,
    WalkingNetwork,
)
from sim.shelter.siting import compute_maximal_covering, compute_set_cover, solve_maximal_covering, solve_set_cover
from sim.shelter.tables import shelter_table, site_table

__all__ = [
    "SHELTER_CLASSES",
    "COVERAGE_TIERS",
    "CandidateSite",
    "Population",
    "Shelter",
    "ShelterConfig",
    "ShelterPlan",
    "WalkingNetwork",
    "load_district",
    "load_shelters_file",
    "read_shelters",
    "read_shelter_plan_changes",
    "apply_shelter_plan_changes",
    "add_venue_demand",
    "shelter_table",
    "site_table",
    "tier_shelters",
    "compute_coverage",
    "compute_coverage_summary",
    "compute_uncovered_areas",
    "reachable_pairs",
    "aggregate_population",
    "compute_assignment",
    "compute_assignment_summary",
    "compute_shelter_loads",
    "compute_maximal_covering",
    "compute_set_cover",
    "solve_maximal_covering",
    "solve_set_cover",
    "compute_zone_compliance",
    "compute_capacity_compliance",
    "shelter_report",
    "format_report",
]
