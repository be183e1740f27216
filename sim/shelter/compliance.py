"""Compliance of shelters with the standards: functional zones per class, capacity share per district.

Reference §3: emergency shelters need a rest area, a supply point, entrances and passages; fixed shelters
management, sleeping, medical, supply-storage and waste zones; central shelters all the fixed zones plus
command, parking, water source and helipad. Fixed shelters (central ones included) together hold at least
15 % of the planned population of their district (provincial practice 20-30 %).
"""

from __future__ import annotations

import pandas as pd

from sim.shelter import columns as C
from sim.shelter.schema import DEFAULT_REQUIRED_FIXED_SHARE, FIXED_CLASSES, REQUIRED_ZONES

__all__ = ["compute_zone_compliance", "compute_capacity_compliance"]


def compute_zone_compliance(*, shelters: pd.DataFrame) -> pd.DataFrame:
    """Per shelter: the functional zones its class requires and those it lacks.

    Args:
        shelters: a table from :func:`sim.shelter.tables.shelter_table` (``shelter_id, shelter_class, zones``).

    Returns:
        Columns ``shelter_id, shelter_class, required_zones, missing_zones, compliant`` (zones as tuples, in
        the order of the reference).
    """
    rows = []
    for sid, cls, zones in zip(shelters[C.SHELTER_ID], shelters[C.CLASS], shelters[C.ZONES], strict=True):
        required = REQUIRED_ZONES[cls]
        missing = tuple(z for z in required if z not in set(zones))
        rows.append(
            {
                C.SHELTER_ID: sid,
                C.CLASS: cls,
                C.REQUIRED_ZONES: required,
                C.MISSING_ZONES: missing,
                C.COMPLIANT: not missing,
            }
        )
    return pd.DataFrame(rows, columns=[C.SHELTER_ID, C.CLASS, C.REQUIRED_ZONES, C.MISSING_ZONES, C.COMPLIANT])


def compute_capacity_compliance(
    *, shelters: pd.DataFrame, total_persons: float, required_fixed_share: float = DEFAULT_REQUIRED_FIXED_SHARE
) -> pd.DataFrame:
    """District capacity as a share of its population, against the required share.

    share = sum of capacities of the group / total persons. Group ``fixed`` (fixed and central classes) must
    reach ``required_fixed_share``; group ``all`` (every open shelter) is for information (no requirement).

    Args:
        shelters: open shelters (:func:`sim.shelter.tables.shelter_table`).
        total_persons: the district's (planned) population.
        required_fixed_share: the required share for fixed shelters (reference: 0.15).

    Returns:
        Columns ``group, capacity_persons, total_persons, capacity_share, required_share, compliant``.
    """
    fixed = shelters[C.CLASS].isin(FIXED_CLASSES)
    rows = []
    for group, mask, required in (("fixed", fixed, required_fixed_share), ("all", fixed | ~fixed, float("nan"))):
        cap = float(shelters.loc[mask, C.CAPACITY].sum())
        share = cap / total_persons if total_persons > 0 else float("inf")
        rows.append(
            {
                C.GROUP: group,
                C.CAPACITY: cap,
                C.TOTAL_PERSONS: float(total_persons),
                C.SHARE: share,
                C.REQUIRED_SHARE: required,
                C.COMPLIANT: bool(share >= required) if group == "fixed" else None,
            }
        )
    return pd.DataFrame(rows)
