"""Shelters and candidate sites as tables: the input the ``compute_*`` functions take."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.shelter import columns as C
from sim.shelter.schema import CandidateSite, Shelter, ShelterConfig

__all__ = ["shelter_table", "site_table"]

_COLUMNS = [C.SHELTER_ID, C.X, C.Y, C.CLASS, C.AREA_M2, C.PER_PERSON_M2, C.CAPACITY, C.SERVICE_DISTANCE_M, C.ZONES]


def _table(
    config: ShelterConfig, places: Sequence[Shelter | CandidateSite], is_open: Sequence[bool]
) -> pd.DataFrame:
    """The table of shelters or candidate sites: one row per place, ``is_open`` giving each one's ``open``."""
    rows = [
        {
            C.SHELTER_ID: s.id,
            C.X: s.x,
            C.Y: s.y,
            C.CLASS: s.shelter_class,
            C.AREA_M2: s.area_m2,
            C.PER_PERSON_M2: config.per_person_area_m2[s.shelter_class],
            C.CAPACITY: config.capacity(s),
            C.SERVICE_DISTANCE_M: config.service_distance_m[s.shelter_class],
            C.ZONES: tuple(s.zones),
            C.OPEN: o,
            C.KIND: s.kind,
            C.NAME: s.name,
        }
        for s, o in zip(places, is_open, strict=True)
    ]
    frame = pd.DataFrame(rows, columns=[*_COLUMNS, C.OPEN, C.KIND, C.NAME])
    return frame.astype({C.X: float, C.Y: float, C.AREA_M2: float, C.CAPACITY: "int64", C.OPEN: bool})


def shelter_table(config: ShelterConfig, *, include_closed: bool = False) -> pd.DataFrame:
    """One row per shelter: place, class, effective area, per-person area, capacity, service distance, zones.

    Capacity = floor(effective area / per-person area of the class) (reference §3).

    Args:
        config: the district.
        include_closed: also list closed shelters (column ``open`` tells which); default: open ones only.

    Returns:
        Columns ``shelter_id, x_m, y_m, shelter_class, effective_area_m2, per_person_area_m2, capacity_persons,
        service_distance_m, zones, open, kind, name``.
    """
    shown = [s for s in config.shelters if include_closed or s.open]
    return _table(config, shown, [s.open for s in shown])


def site_table(config: ShelterConfig) -> pd.DataFrame:
    """One row per candidate site, with the columns of :func:`shelter_table` (``shelter_id`` holds the site id)."""
    return _table(config, config.candidate_sites, [False] * len(config.candidate_sites))
