"""Calibration profiles: the parameter set of the pedestrian model selected by ``calibration:`` in a scenario.

``empirical`` aims at laboratory data (Weidmann's fundamental diagram, Seyfried's bottleneck flows);
``code`` at design-code flows (at most 1.33 P/(m·s) through doors, IMO MSC.1/Circ.1533 and SFPE).

These are provisional values: the time gap T is the parameter that sets both the speed-density relation
(in single file, v = (spacing - l) / T) and the door flow. Measured with ``sim.verification.validation``
(ring fundamental diagram, seed 1; bottleneck of Seyfried's set-up, 200 persons; measured with a 2.0 m
cut-off, before the empirical profile's cut-off became 1.5 m, which changes no speed, see ``PROFILES``):

=============  =====  ===========================================  ===========================
profile        T [s]  ring speed at 1 / 2 / 3 P/m² (Weidmann:     bottleneck flow at 0.8 / 1.0
                      1.06 / 0.61 / 0.33 m/s)                      / 1.2 m (Seyfried: 1.29 /
                                                                   1.90 / 2.36 P/s)
=============  =====  ===========================================  ===========================
empirical      0.5    1.31 / 0.73 / 0.53                           1.15 / 1.36 / 1.70
code           1.0    1.10 / 0.37 / 0.26                           0.80 / 0.90 / 1.08
=============  =====  ===========================================  ===========================

The empirical profile under-predicts Seyfried's flows (the model's bottleneck flow is tied to its
corridor speeds through T); closing that gap is the calibration work of issue #3. The other parameters
are those of Tordeux et al. (2016) / JuPedSim (a = 8, D = 0.1 m, b = 5, D_w = 0.02 m), with anticipation
0.3 (neighbours behind repel at 70 %) and no walking backwards (see :class:`CSMParameters`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sim.crowd.models.csm import CSMParameters

__all__ = ["PROFILES", "parameters_for"]

PROFILES: Mapping[str, CSMParameters] = MappingProxyType(
    {
        # cut-off 1.5 m loses nothing here: with T = 0.5 s the speed min(v0, gap / T) saturates at a gap of
        # v0 T <= 1.1 m (v0 <= 2.2 m/s), i.e. a centre distance <= 1.5 m for radii of 0.2 m, and the
        # repulsion of a neighbour 1.5 m away is 8 exp(-11) ~ 1e-4
        "empirical": CSMParameters(time_gap=0.5, anticipation=0.3, no_backward=True, cutoff=1.5),
        "code": CSMParameters(time_gap=1.0, anticipation=0.3, no_backward=True),
    }
)


def parameters_for(calibration: str) -> CSMParameters:
    """The collision-free speed model's parameters for a calibration profile (``empirical`` or ``code``)."""
    return PROFILES[calibration]
