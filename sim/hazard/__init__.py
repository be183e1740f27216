"""Hazard engine: gas leak build-up, deflagration blast, harm to people and buildings, damage zones.

Modules, from formulas to coupling:

- :mod:`~sim.hazard.fuels`: methane / natural gas and propane / LPG data;
- :mod:`~sim.hazard.leak`: orifice leak rate, well-mixed ventilated room, time to LFL, flammable mass;
- :mod:`~sim.hazard.blast`: TNT equivalence (Kingery–Bulmash), Multi-Energy, Baker–Strehlow–Tang,
  vented-room cap; overpressure, impulse and arrival time at any distances;
- :mod:`~sim.hazard.harm`: probits (lung, eardrum, displacement, head impact, structures, glass),
  combined severities, damage zones as polygons;
- :mod:`~sim.hazard.config`: the scenario's ``hazards`` section and the plans' ``hazards`` key;
- :mod:`~sim.hazard.timeline`: alarm and ignition times, burning mass, a hazard's blast and zones;
- :mod:`~sim.hazard.coupling`: :func:`assess_blast` for the crowd engine and the run's ``hazard`` section;
- :mod:`~sim.hazard.commands`: the ``drillsim blast`` and ``drillsim leak`` verbs.

Output column names live in :mod:`~sim.hazard.columns`.
"""

from sim.hazard.config import (
    Cloud,
    Detector,
    Hazard,
    HazardChange,
    HazardPlanChanges,
    Leak,
    Room,
    apply_hazard_plan_changes,
    read_hazard_plan_changes,
    read_hazards,
)
from sim.hazard.coupling import BlastOutcome, assess_blast, hazard_section
from sim.hazard.timeline import hazard_blast, hazard_timeline, hazard_zones, ignition_mass

__all__ = [
    "Hazard",
    "Leak",
    "Cloud",
    "Room",
    "Detector",
    "HazardChange",
    "HazardPlanChanges",
    "read_hazards",
    "read_hazard_plan_changes",
    "apply_hazard_plan_changes",
    "hazard_timeline",
    "ignition_mass",
    "hazard_blast",
    "hazard_zones",
    "assess_blast",
    "BlastOutcome",
    "hazard_section",
]
