"""The shelter engine's inputs: frozen, keyword-only dataclasses with units, and the reference defaults.

Facts from ``reference/response_shelter_drills.md`` §3 (GB 51143-2015, GB 21734-2008, GB/T 44012-44014-2024
and planning practice):

* classes: emergency (紧急, short stay), fixed (固定: short-, medium-, long-term), central (中心);
* per-person effective area [m²] by length of stay: emergency 0.5, temporary 1.0, short-term 2.0,
  medium-term 3.0, long-term 4.5; a central shelter houses people for the long term (4.5);
  capacity = effective area / per-person area;
* service distance [m]: emergency about 500 (a 10-minute walk), fixed 1000 / 1500 / 2500 for short / medium /
  long term, central 5000 (a district-level planning radius);
* functional zones: emergency — rest area, supply point, entrances and passages; fixed — management, sleeping,
  medical, supply storage, waste; central — all of those plus command, parking, water source, helipad;
* fixed shelters together hold at least 15 % of the planned population of their district (provincial practice
  20-30 %). Central shelters are the largest fixed shelters (GB 51143), so they count as fixed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import networkx as nx
import numpy as np

__all__ = [
    "SHELTER_CLASSES",
    "FIXED_CLASSES",
    "DEFAULT_PER_PERSON_AREA_M2",
    "DEFAULT_SERVICE_DISTANCE_M",
    "REQUIRED_ZONES",
    "ZONES",
    "DEFAULT_WALKING_SPEED_M_S",
    "DEFAULT_REQUIRED_FIXED_SHARE",
    "Shelter",
    "CandidateSite",
    "Population",
    "WalkingNetwork",
    "ShelterPlan",
    "ShelterConfig",
]

#: Shelter classes, from the shortest to the longest stay.
SHELTER_CLASSES = ("emergency", "fixed_short_term", "fixed_medium_term", "fixed_long_term", "central")
#: Classes whose capacity counts towards the district's required share (fixed shelters, central included).
FIXED_CLASSES = ("fixed_short_term", "fixed_medium_term", "fixed_long_term", "central")

#: Per-person effective area [m²] by class (reference §3; override per district with ``per_person_area_m2``).
DEFAULT_PER_PERSON_AREA_M2: Mapping[str, float] = MappingProxyType(
    {
        "emergency": 0.5,
        "fixed_short_term": 2.0,
        "fixed_medium_term": 3.0,
        "fixed_long_term": 4.5,
        "central": 4.5,
    }
)
#: Service distance [m] by class (reference §3; override per district with ``service_distance_m``).
DEFAULT_SERVICE_DISTANCE_M: Mapping[str, float] = MappingProxyType(
    {
        "emergency": 500.0,
        "fixed_short_term": 1000.0,
        "fixed_medium_term": 1500.0,
        "fixed_long_term": 2500.0,
        "central": 5000.0,
    }
)

_EMERGENCY_ZONES = ("rest_area", "supply_point", "entrances_passages")
_FIXED_ZONES = ("management", "sleeping", "medical", "supply_storage", "waste")
_CENTRAL_ZONES = (*_FIXED_ZONES, "command", "parking", "water_source", "helipad")
#: Functional zones each class must have (reference §3).
REQUIRED_ZONES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "emergency": _EMERGENCY_ZONES,
        "fixed_short_term": _FIXED_ZONES,
        "fixed_medium_term": _FIXED_ZONES,
        "fixed_long_term": _FIXED_ZONES,
        "central": _CENTRAL_ZONES,
    }
)
#: Every zone name a shelter may list.
ZONES = (*_EMERGENCY_ZONES, *_CENTRAL_ZONES)

#: Walking speed [m/s] of evacuees on their way to a shelter: 500 m in about 10 minutes (reference §3), i.e.
#: slower than free walking (1.34 m/s) because people carry belongings and walk with children and elderly.
DEFAULT_WALKING_SPEED_M_S = 500.0 / 600.0
#: Fixed shelters hold at least this share of the district's population (reference §3: 15 %, provinces 20-30 %).
DEFAULT_REQUIRED_FIXED_SHARE = 0.15


def _frozen_array(values: object, dtype: type) -> np.ndarray:
    arr: np.ndarray = np.array(values, dtype=dtype)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, kw_only=True)
class Shelter:
    """An emergency shelter (a park, school yard, stadium, square...).

    Attributes:
        id: unique name.
        x, y: location [m] in the district's projected frame.
        shelter_class: one of :data:`SHELTER_CLASSES`.
        area_m2: effective area [m²] usable for sheltering people.
        zones: functional zones present (names from :data:`ZONES`).
        open: whether the shelter is open in this plan.
        kind: what the place is (``park``, ``school``, ``stadium``...), for people; not used in computations.
        name: a readable name.
    """

    id: str
    x: float
    y: float
    shelter_class: str
    area_m2: float
    zones: tuple[str, ...] = ()
    open: bool = True
    kind: str = ""
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class CandidateSite:
    """A place where a new shelter could be opened (siting, plan ``add_sites``).

    Attributes:
        id: unique name (distinct from the shelters' ids).
        x, y: location [m].
        shelter_class: the class a shelter opened here would have (sets its service distance).
        area_m2: effective area [m²] it would offer.
        zones: functional zones it would have.
        kind, name: for people.
    """

    id: str
    x: float
    y: float
    shelter_class: str
    area_m2: float
    zones: tuple[str, ...] = ()
    kind: str = ""
    name: str = ""

    def as_shelter(self) -> Shelter:
        """The open shelter this site becomes."""
        return Shelter(
            id=self.id,
            x=self.x,
            y=self.y,
            shelter_class=self.shelter_class,
            area_m2=self.area_m2,
            zones=self.zones,
            open=True,
            kind=self.kind,
            name=self.name,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class Population:
    """Where the people live: points (or grid-cell centres) with a number of persons each.

    Attributes:
        x, y: locations [m] (read-only float arrays of equal length).
        persons: persons at each location (read-only float array, >= 0; grids may hold fractions).
        cell_size_m: side of the grid cells [m] when the points are cell centres, ``None`` for plain points.
    """

    x: np.ndarray
    y: np.ndarray
    persons: np.ndarray
    cell_size_m: float | None = None

    @classmethod
    def from_arrays(cls, *, x: object, y: object, persons: object, cell_size_m: float | None = None) -> Population:
        """A population from array-likes (copied into read-only float arrays)."""
        return cls(
            x=_frozen_array(x, float),
            y=_frozen_array(y, float),
            persons=_frozen_array(persons, float),
            cell_size_m=cell_size_m,
        )

    @property
    def xy(self) -> np.ndarray:
        """``(n, 2)`` array of locations [m]."""
        return np.column_stack([self.x, self.y])

    @property
    def total(self) -> float:
        """Total persons."""
        return float(self.persons.sum())

    def __len__(self) -> int:
        return int(self.x.size)


@dataclass(frozen=True, kw_only=True, eq=False)
class WalkingNetwork:
    """An undirected walking network (streets, paths, bridges).

    Attributes:
        node_ids: the nodes' names as text (read-only array).
        x, y: node locations [m].
        u, v: the edges as pairs of node indices (rows of ``node_ids``).
        length_m: edge lengths [m] (>= the straight distance between the ends when taken from the geometry).
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray

    @classmethod
    def from_arrays(
        cls, *, node_ids: object, x: object, y: object, u: object, v: object, length_m: object
    ) -> WalkingNetwork:
        """A network from array-likes (copied into read-only arrays)."""
        return cls(
            node_ids=_frozen_array(node_ids, str),
            x=_frozen_array(x, float),
            y=_frozen_array(y, float),
            u=_frozen_array(u, np.int64),
            v=_frozen_array(v, np.int64),
            length_m=_frozen_array(length_m, float),
        )

    @property
    def xy(self) -> np.ndarray:
        return np.column_stack([self.x, self.y])

    def to_networkx(self) -> nx.Graph:
        """The network as a ``networkx.Graph``: nodes named by ``node_ids`` with ``x``, ``y``; edges with ``length``.

        Parallel edges keep the shortest length.
        """
        g = nx.Graph()
        for nid, xx, yy in zip(self.node_ids.tolist(), self.x.tolist(), self.y.tolist(), strict=True):
            g.add_node(nid, x=xx, y=yy)
        names = self.node_ids
        for a, b, length in zip(names[self.u].tolist(), names[self.v].tolist(), self.length_m.tolist(), strict=True):
            if not g.has_edge(a, b) or g.edges[a, b]["length"] > length:
                g.add_edge(a, b, length=length)
        return g


@dataclass(frozen=True, kw_only=True)
class ShelterPlan:
    """Changes a plan makes to the shelters: open or close existing ones, add candidate sites or new shelters.

    Attributes:
        id: plan id.
        description: for people.
        open: ids of shelters opened by the plan.
        close: ids of shelters closed by the plan.
        add_sites: ids of candidate sites that become open shelters.
        add_shelters: new shelters given in full.
    """

    id: str
    description: str = ""
    open: tuple[str, ...] = ()
    close: tuple[str, ...] = ()
    add_sites: tuple[str, ...] = ()
    add_shelters: tuple[Shelter, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class ShelterConfig:
    """A district's shelters, its population and the planning parameters.

    Attributes:
        name: the district's name.
        source: the file it was read from (``"<dict>"`` when built in code).
        extent: ``(xmin, ymin, xmax, ymax)`` [m] of the map; every location lies inside it.
        population: where people live.
        shelters: existing shelters (open or closed).
        candidate_sites: places where new shelters could go.
        per_person_area_m2: per-person effective area [m²] by class.
        service_distance_m: service distance [m] by class ("within reach" is inclusive, d <= S).
        walking_speed_m_s: evacuees' walking speed [m/s] (walk time = distance / speed).
        required_fixed_share: share of the population the fixed (and central) shelters must hold together.
        network: walking network, or ``None`` (then only straight-line distances are available).
        venues: named points [m] (a station entrance, a hall) where a simulated evacuation's people come out.
        venue: the venue of a scenario (its evacuees become demand there), or ``None``.
        plans: the plans defined with the district.
    """

    name: str
    source: str = "<dict>"
    extent: tuple[float, float, float, float]
    population: Population
    shelters: tuple[Shelter, ...] = ()
    candidate_sites: tuple[CandidateSite, ...] = ()
    per_person_area_m2: Mapping[str, float] = field(default_factory=lambda: DEFAULT_PER_PERSON_AREA_M2)
    service_distance_m: Mapping[str, float] = field(default_factory=lambda: DEFAULT_SERVICE_DISTANCE_M)
    walking_speed_m_s: float = DEFAULT_WALKING_SPEED_M_S
    required_fixed_share: float = DEFAULT_REQUIRED_FIXED_SHARE
    network: WalkingNetwork | None = None
    venues: Mapping[str, tuple[float, float]] = field(default_factory=lambda: MappingProxyType({}))
    venue: str | None = None
    plans: tuple[ShelterPlan, ...] = ()

    def capacity(self, shelter: Shelter | CandidateSite) -> int:
        """Persons a shelter holds: ``floor(effective area / per-person area of its class)``."""
        return int(math.floor(shelter.area_m2 / self.per_person_area_m2[shelter.shelter_class] + 1e-9))

    def shelter(self, shelter_id: str) -> Shelter:
        """The shelter with this id (``KeyError`` if none)."""
        for s in self.shelters:
            if s.id == shelter_id:
                return s
        raise KeyError(shelter_id)

    def plan(self, plan_id: str) -> ShelterPlan:
        """The district plan with this id (``KeyError`` if none)."""
        for p in self.plans:
            if p.id == plan_id:
                return p
        raise KeyError(plan_id)

    @property
    def open_shelters(self) -> tuple[Shelter, ...]:
        return tuple(s for s in self.shelters if s.open)
