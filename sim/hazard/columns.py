"""Names of the output columns (and dictionary keys) of the hazard engine, defined once.

Tables of :mod:`sim.hazard.leak`, :mod:`sim.hazard.blast` and :mod:`sim.hazard.harm`, the JSON of
``drillsim blast`` / ``drillsim leak`` and the figures of ``dashboard/figures/hazard.py`` use these names.
"""

from __future__ import annotations

__all__ = [
    "TIME_S",
    "CONCENTRATION",
    "DISTANCE_M",
    "OVERPRESSURE_KPA",
    "IMPULSE_PA_S",
    "ARRIVAL_S",
    "P_LUNG",
    "P_LUNG_HSE",
    "P_EARDRUM",
    "P_EARDRUM_EISENBERG",
    "P_DISPLACEMENT",
    "P_HEAD",
    "P_COLLAPSE",
    "P_MAJOR_DAMAGE",
    "P_MINOR_DAMAGE",
    "P_GLASS",
    "P_FATAL",
    "P_SERIOUS",
    "P_INJURED",
    "EFFECT_COLUMNS",
    "COMBINED_COLUMNS",
    "BLAST_COLUMNS",
    "SEVERITY",
    "SEVERITY_NAMES",
    "X_M",
    "Y_M",
    "LEVEL",
    "AGENT",
]

#: Time since the leak started [s].
TIME_S = "t_s"
#: Fuel concentration in the room [volume fraction].
CONCENTRATION = "concentration"

#: Distance from the explosion centre [m].
DISTANCE_M = "distance_m"
#: Peak side-on overpressure [kPa].
OVERPRESSURE_KPA = "overpressure_kpa"
#: Positive-phase side-on impulse [Pa·s].
IMPULSE_PA_S = "impulse_pa_s"
#: Arrival time of the blast wave after ignition [s].
ARRIVAL_S = "arrival_s"

#: Probability of death by lung haemorrhage (Eisenberg probit).
P_LUNG = "p_lung_death"
#: Probability of death by lung haemorrhage (HSE probit).
P_LUNG_HSE = "p_lung_death_hse"
#: Probability of eardrum rupture (TNO probit).
P_EARDRUM = "p_eardrum_rupture"
#: Probability of eardrum rupture (Eisenberg probit).
P_EARDRUM_EISENBERG = "p_eardrum_rupture_eisenberg"
#: Probability of death by whole-body displacement (TNO probit).
P_DISPLACEMENT = "p_displacement_death"
#: Probability of death by head impact (TNO probit).
P_HEAD = "p_head_impact_death"
#: Probability of structural collapse (TNO probit).
P_COLLAPSE = "p_structural_collapse"
#: Probability of major structural damage (TNO probit).
P_MAJOR_DAMAGE = "p_major_structural_damage"
#: Probability of minor structural damage (TNO probit).
P_MINOR_DAMAGE = "p_minor_structural_damage"
#: Probability of glass breakage (Eisenberg probit).
P_GLASS = "p_glass_breakage"

#: Combined probability of death (severity 3).
P_FATAL = "p_fatal"
#: Combined probability of serious injury or worse (severity >= 2).
P_SERIOUS = "p_serious_or_worse"
#: Combined probability of any injury or worse (severity >= 1).
P_INJURED = "p_injured_or_worse"

#: The single-effect probabilities, in the order of the reference table.
EFFECT_COLUMNS = (
    P_LUNG,
    P_LUNG_HSE,
    P_EARDRUM,
    P_EARDRUM_EISENBERG,
    P_DISPLACEMENT,
    P_HEAD,
    P_COLLAPSE,
    P_MAJOR_DAMAGE,
    P_MINOR_DAMAGE,
    P_GLASS,
)
#: The combined (cumulative) probabilities of the severity classes.
COMBINED_COLUMNS = (P_FATAL, P_SERIOUS, P_INJURED)
#: Columns of a blast table (:func:`sim.hazard.blast.blast_table`).
BLAST_COLUMNS = (DISTANCE_M, OVERPRESSURE_KPA, IMPULSE_PA_S, ARRIVAL_S)

#: Drawn severity per person: 0 unharmed, 1 injured, 2 seriously injured (immobile), 3 fatal.
SEVERITY = "severity"
#: Names of the severity codes 0..3 (also the keys of casualty counts in summaries).
SEVERITY_NAMES = ("unharmed", "injured", "serious", "fatal")

#: Position columns of casualty tables [m, level-local coordinates].
X_M = "x_m"
Y_M = "y_m"
LEVEL = "level"
AGENT = "agent"
