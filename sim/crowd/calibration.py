"""Calibration profiles: the parameter set of the pedestrian model selected by ``calibration:`` in a scenario.

``empirical`` aims at laboratory data (Weidmann's fundamental diagram, Seyfried's bottleneck flows);
``code`` at design-code flows (at most 1.33 P/(m·s) through doors, IMO MSC.1/Circ.1533 and SFPE).
Both are checked by ``drillsim verify`` (:mod:`sim.verification.suite`); the report with the measured
values and plots is ``docs/verification.md`` (``python -m sim.verification.report``).

Every parameter of :class:`~sim.crowd.models.csm.CSMParameters`, its value in each profile, and where it
comes from:

================  =========  ======  ====================================================================
parameter         empirical  code    source / calibration
================  =========  ======  ====================================================================
time_gap T [s]    0.43       0.85    calibrated. empirical: ring speeds within ±0.2 m/s of Weidmann's
                                     curve at 0.5-3 P/m² (a longer T is slower) while the bottleneck flows
                                     stay within ±0.3 P/s of Seyfried's at 0.8-1.2 m and the 1 m door at
                                     1.6-2.0 P/s (a shorter T is faster): the two data sets pull in
                                     opposite directions and 0.43 s is about the only value meeting both;
                                     code: 1 m door with 100 persons at 1.0-1.33 P/s (IMO test 10 / RiMEA
                                     test 7; 0.8 gave 1.33-1.36 once oncoming people are avoided) and the
                                     four-door room of RiMEA test 9 within 25 % of the hand calculation
smooth_speed      True       False   empirical: v = v0 (1 - exp(-s / (v0 T))), the Kladek form of
                                     Weidmann (1993) written in the gap s (Weidmann's 1/ρ - 1/ρmax is the
                                     free area per person; along a lane it is the gap); slope 1/T at small
                                     gaps like Tordeux's min(v0, s/T), but people slow down already at
                                     gaps of 1-2 m, as Weidmann's data show at 1 P/m². code: Tordeux et
                                     al. (2016) as published
lane_fraction     0.5        1.0     empirical: the look-ahead lane is half the body width (a neighbour
                                     offset sideways by more than r_i + r_j half-widths is passed, not
                                     followed): staggered "zipper" lanes form in doors and corridors
                                     (Hoogendoorn & Daamen 2005; Seyfried et al. 2009: flow grows linearly
                                     with width, not by whole lanes). Calibrated against Seyfried's flows
                                     (1.0: full body width, 0.8 m bottleneck flow 1.0 P/s and deadlocks)
touch_margin [m]  0.03       0.0     empirical: with a narrow lane, a neighbour within 0.03 m of contact
                                     and less than 60° off the walking direction (``touch_cos`` 0.5)
                                     still stops the agent: bodies do not walk into each other. Keeps the
                                     overlap near 4 cm at 5-6 P/m². Calibrated with ``neighbour_strength``
                                     on the 1 m door (test 7) and Seyfried's bottleneck: 0.05 with a = 8
                                     let the door reach 2.01 P/s (seed 2, above the laboratory range)
touch_cos         0.5        0.5     cosine of the cone of ``touch_margin`` (60°); a wider cone (0)
                                     re-creates the side-by-side deadlocks at bottleneck entrances
side_bias         0.3        0.3     people pass oncoming people on one side (right): a neighbour ahead
                                     also pushes 0.3 x its repulsion to the right of the desired
                                     direction (Moussaïd et al. 2009, Proc. R. Soc. B 276: a side
                                     preference when avoiding). Fades out linearly by 9 neighbours within
                                     0.3 m of contact (no room to step aside in a jam)
side_bias_        1.0        1.0     oncoming people (walking against the agent, from the last step's
opposing                             walking directions) are passed on the right from up to
side_range_       1.5        1.5     ``side_range_opposing`` metres away, and that push is not faded in
opposing [m]                         dense crowds: people keep right well before they meet, and those
                                     waiting at a corridor's mouth stand aside for those coming out
                                     (Moussaïd et al. 2009; right-hand traffic). Calibrated on RiMEA test 8
                                     (100 persons against 0-100 in a 2 m corridor): lanes form and nobody
                                     is stuck; weaker (0.3, or only within the repulsion range) left both
                                     groups locked face to face across the whole corridor width
step_overlap [m]  0.04       0.02    hard contact limit: a step may use at most half the room between a
                                     neighbour and r_i + r_j - step_overlap (the neighbour may use the
                                     other half), so two bodies never overlap by more than step_overlap;
                                     the integrator applies the same limit to moves deflected by walls.
                                     The criterion is < 5 cm (pedestrian.md: "no overlap larger than a few
                                     centimetres"); 0.02 in the empirical profile clogged the 0.8 m
                                     bottleneck (bodies are slightly compressible)
anticipation β    0.3        0.3     previous calibration (issue #2): neighbours behind repel at 70 %;
                                     full anticipation (1) made dense crowds drift backwards
no_backward       True       True    issue #2: people side-step but never walk against their desired
                                     direction
neighbour_        9.0        8.0     code: Tordeux et al. (2016) / JuPedSim default (a). empirical:
strength a                           calibrated: a slightly stronger push between bodies lowers the 1 m
                                     door's steady flow (1.95 / 2.01 / 2.00 P/s with a = 8 and a 0.05 m
                                     touch margin; 1.83 / 1.96 / 1.90 P/s then) and barely the flow through
                                     Seyfried's 2.8 m long bottleneck (1.2 m: 2.16 -> 2.12 P/s); a = 10-12
                                     lowered the bottleneck too (1.2 m: 2.11 / 2.06 P/s)
neighbour_        0.1        0.1     Tordeux et al. (2016) / JuPedSim defaults (D) [m]
range D
wall_strength b   5.0        5.0     Tordeux et al. (2016) / JuPedSim defaults
wall_range D_w    0.02       0.02    Tordeux et al. (2016) / JuPedSim defaults [m]
cutoff [m]        1.5        2.0     empirical: the speed saturates at a gap of about 3 v0 T (smooth form),
                                     1.6 m for v0 = 1.34 m/s, and a neighbour 1.5 m away repels with
                                     8 exp(-11) ~ 1e-4; code: 2.0 (v0 T = 1.1 m at v0 = 1.34 m/s)
================  =========  ======  ====================================================================

The navigation fields are the same for both profiles: their cost rises from 1 at 0.6 m from a wall to
1 + 0.5 at the wall (``sim.crowd.world.CLEARANCE`` / ``WALL_COST``). A steeper rise (1 + 3, before)
drew everyone in narrow passages onto the centre line, so bottlenecks carried fewer lanes (1.2 m:
1.92 P/s against Seyfried's 2.36).

Measured with the full suite (``drillsim verify``, 3 seeds where random; table and plots in
``docs/verification.md``, rewritten by ``make verify-report``):

* empirical: ring speeds 1.33 / 1.22 / 0.96 / 0.71 / 0.60 / 0.51 / 0.33 / 0.16 / 0.02 / 0.02 m/s at
  0.5 / 1 / 1.5 / 2 / 2.5 / 3 / 3.5 / 4 / 5 / 6 P/m² (Weidmann 1.30 / 1.06 / 0.81 / 0.61 / 0.45 / 0.33 /
  0.24 / 0.16 / 0.04 / 0; largest error 0.18 m/s); max specific flow 1.54 P/(m·s); flow through
  Seyfried's 2.8 m long bottleneck 1.29 / 1.45 / 1.78 / 1.98 / 2.13 P/s at 0.8 / 0.9 / 1.0 / 1.1 / 1.2 m
  (Seyfried 1.29 / 1.67 / 1.90 / 2.12 / 2.36: errors -0.00 / -0.22 / -0.12 / -0.14 / -0.23 P/s), rising
  linearly to 4.53 P/s at 2.5 m; 1 m door 1.98 / 1.97 / 1.93 P/s (steady, seeds 1-3).
* code: 1 m door with 100 persons 1.21-1.24 P/s over the whole period; four-door room of RiMEA test 9
  7.9 % slower than the hand calculation at 1.33 P/(m·s).

These are the numbers of the engine since its neighbourhood stripes (November 2026): any change to the
engine's arithmetic moves them like a new seed. The calibration itself was done before, where the door gave
1.83 / 1.96 / 1.90 P/s and the 1.2 m bottleneck 2.12 P/s.

Before this calibration: empirical T = 0.4 s, code T = 0.8 s, navigation wall cost 3, no hard contact
limit and no avoidance of oncoming people (overlaps up to 12 cm, counterflow deadlocks, bottleneck flows
0.2-0.8 P/s low). The known deviations of the current values are listed in ``docs/verification.md`` and
the README.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sim.crowd.models.csm import CSMParameters

__all__ = ["PROFILES", "parameters_for"]

PROFILES: Mapping[str, CSMParameters] = MappingProxyType(
    {
        "empirical": CSMParameters(
            time_gap=0.43,
            neighbour_strength=9.0,
            anticipation=0.3,
            no_backward=True,
            cutoff=1.5,
            smooth_speed=True,
            lane_fraction=0.5,
            touch_margin=0.03,
            touch_cos=0.5,
            side_bias=0.3,
            side_bias_opposing=1.0,
            side_range_opposing=1.5,
            step_overlap=0.04,
        ),
        "code": CSMParameters(
            time_gap=0.85,
            anticipation=0.3,
            no_backward=True,
            side_bias=0.3,
            side_bias_opposing=1.0,
            side_range_opposing=1.5,
            step_overlap=0.02,
        ),
    }
)


def parameters_for(calibration: str) -> CSMParameters:
    """The collision-free speed model's parameters for a calibration profile (``empirical`` or ``code``)."""
    return PROFILES[calibration]
