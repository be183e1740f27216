"""Scenario files: schema (frozen objects) and loader (validation)."""

from sim.scenario.loader import load_scenario, scenario_from_dict
from sim.scenario.schema import (
    BUILTIN_PROFILES,
    Exit,
    Level,
    Plan,
    Population,
    Profile,
    Scenario,
    SimulationSettings,
)

__all__ = [
    "load_scenario",
    "scenario_from_dict",
    "Scenario",
    "Level",
    "Exit",
    "Population",
    "Profile",
    "Plan",
    "SimulationSettings",
    "BUILTIN_PROFILES",
]
