"""Column names of every table the shelter engine returns (one place, like PedPy's ``column_identifier``).

Tables are tidy: one row per population cell, per (cell, shelter) flow, per shelter, per site choice...
Units are in the names: ``_m`` metres, ``_m2`` square metres, ``_s`` seconds, persons are counts of people
(floats: a population grid may hold fractional persons per cell).
"""

from __future__ import annotations

# identities and places
CELL = "cell"  #: index of a population cell (row of the population arrays)
X = "x_m"
Y = "y_m"
PERSONS = "persons"
SHELTER_ID = "shelter_id"
SITE_ID = "site_id"
CLASS = "shelter_class"
KIND = "kind"
NAME = "name"
OPEN = "open"

# shelters
AREA_M2 = "effective_area_m2"
PER_PERSON_M2 = "per_person_area_m2"
CAPACITY = "capacity_persons"
SERVICE_DISTANCE_M = "service_distance_m"
ZONES = "zones"

# coverage
DISTANCE_KIND = "distance_kind"  #: ``euclidean`` (straight line) or ``network`` (walking network)
NEAREST_SHELTER = "nearest_shelter_id"
DISTANCE_M = "distance_m"
WALK_TIME_S = "walk_time_s"
SNAP_M = "snap_distance_m"  #: straight distance from the cell to its nearest network node
COVERED = "covered"
COVERED_PERSONS = "covered_persons"
UNCOVERED_PERSONS = "uncovered_persons"
COVERED_FRACTION = "covered_fraction"
TOTAL_PERSONS = "total_persons"
MEAN_DISTANCE_M = "mean_distance_m"
P95_DISTANCE_M = "p95_distance_m"
MEAN_WALK_TIME_S = "mean_walk_time_s"
P95_WALK_TIME_S = "p95_walk_time_s"
UNREACHABLE_PERSONS = "unreachable_persons"  #: no open shelter reachable at all (other network component)

# assignment
ASSIGNED = "assigned"
LOAD = "load_persons"
UTILISATION = "utilisation"
AREA_PER_PERSON_M2 = "achieved_area_per_person_m2"
MAX_DISTANCE_M = "max_distance_m"
ASSIGNED_PERSONS = "assigned_persons"
UNASSIGNED_PERSONS = "unassigned_persons"
OUT_OF_REACH_PERSONS = "out_of_reach_persons"  #: no open shelter within its service distance
OVER_CAPACITY_PERSONS = "over_capacity_persons"  #: within reach of a shelter, but every one is full
TOTAL_DISTANCE_M = "total_person_distance_m"

# siting
PROBLEM = "problem"  #: ``maximal_covering`` or ``set_cover``
METHOD = "method"  #: ``exact`` (MILP, HiGHS) or ``greedy``
K = "k"
SITES = "sites"
N_SITES = "n_sites"
ADDED_PERSONS = "added_covered_persons"
BASELINE_COVERED = "baseline_covered_persons"
COVERABLE_PERSONS = "coverable_persons"
OPTIMAL = "optimal"
GAP = "gap"
WALL_S = "wall_s"

# compliance
REQUIRED_ZONES = "required_zones"
MISSING_ZONES = "missing_zones"
COMPLIANT = "compliant"
GROUP = "group"
SHARE = "capacity_share"
REQUIRED_SHARE = "required_share"
STATUS = "status"  #: ``assigned``, ``over_capacity`` (in reach, all full) or ``out_of_reach``
