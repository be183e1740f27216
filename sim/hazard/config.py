"""The ``hazards`` section of a scenario file, and the ``hazards`` key of its plans.

A hazard is a gas leak into a room (the gas builds up; ignition when the LFL is reached plus a delay) or a
prepared flammable cloud (ignited at a given time), at a point of a level, with a blast method, a harm
model and the overpressure above which exits and passages close. Units: metres, seconds, kilograms,
kilopascals; a unit is part of every key name that is not in metres or seconds by default.

Example (a natural-gas leak in a restaurant kitchen that vents into an underground street)::

    hazards:
      - id: kitchen_gas
        description: broken 25 mm gas line in the kitchen of restaurant R7
        fuel: natural_gas            # methane | natural_gas | propane | lpg (aliases: ng, ch4, c3h8)
        level: street                # optional if the scenario has one level
        x: 121.0                     # explosion centre [m], level coordinates (may be in a room off the plan)
        y: 14.5
        room:                        # where the gas collects (needed by a leak, optional for a cloud)
          volume_m3: 144
          surface_m2: 168            # internal surface (default 6 V^(2/3), a cube)
          vent_area_m2: 9            # windows / glazed front that vent: caps the overpressure (NFPA 68)
          ventilation_ach: 2.0       # air changes per hour
        leak:
          hole: {diameter_mm: 25, pressure_kpa: 2.0}   # or: rate_m3_h: 80
          start_s: 0                 # when the leak starts (run time)
          ignition_delay_s: 300      # ignition this long after the LFL is reached
          detector: {threshold_lfl_percent: 20, delay_s: 30}   # optional gas detector raising the alarm
        blast:
          method: bst                # tnt | multi-energy | bst
          confinement: 1d            # bst: 1d (corridor, tunnel) | 2d | 2.5d | 3d
          congestion: medium         # bst: low | medium | high
        close_above_kpa: 24.1        # exits and passages inside this overpressure zone close
        zones_kpa: [6.9, 24.1, 55.2] # zones reported and drawn

A prepared cloud replaces ``leak`` (and usually ``room``) by::

        cloud: {mass_kg: 20, ignition_time_s: 120}     # or volume_m3: stoichiometric fuel-air volume

Blast keys by method: ``tnt``: ``yield`` (0-1], default 0.03; ``multi-energy``: ``strength`` 1-10, default 7;
``bst``: ``confinement`` (default 3d), ``congestion`` (default medium), ``reactivity`` (default from the
fuel), ``flame_mach`` (overrides the table); ``multi-energy`` and ``bst``: ``scaled_duration`` (default 0.6).
An optional ``harm:`` mapping sets the vulnerability factors of :class:`~sim.hazard.harm.HarmModel`
(``collapse_fatality``, ``major_damage_serious``, ``glass_injury``, ``in_building``).

A plan changes hazards by id under its own ``hazards`` key::

    plans:
      - id: no_detectors
        hazards:
          kitchen_gas: {detector: none}
      - id: detectors
        hazards:
          kitchen_gas:
            detector: {threshold_lfl_percent: 20, delay_s: 30}
      - id: quick_ignition
        hazards:
          kitchen_gas: {ignition_delay_s: 60, ventilation_ach: 0.5}

Plan keys: ``active`` (false: the hazard does not happen in this plan), ``detector`` (a mapping, or
``none``), ``ignition_delay_s`` and ``ventilation_ach`` (leaks), ``ignition_time_s`` (clouds),
``close_above_kpa``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.errors import ScenarioError
from sim.hazard.blast import (
    CONFINEMENTS,
    CONGESTIONS,
    ME_PLATEAU_BAR,
    METHODS,
    REACTIVITIES,
    BlastMethod,
    VentedRoom,
)
from sim.hazard.fuels import Fuel, fuel
from sim.hazard.harm import ZONE_THRESHOLDS_KPA, HarmModel
from sim.hazard.leak import DISCHARGE_COEFFICIENT, hole_area, orifice_leak_rate
from sim.scenario.fields import MAX_COORDINATE, FieldReader, key_name

__all__ = [
    "Detector",
    "Room",
    "Leak",
    "Cloud",
    "Hazard",
    "HazardChange",
    "HazardPlanChanges",
    "HAZARD_KEYS",
    "PLAN_CHANGE_KEYS",
    "DEFAULT_CLOSE_ABOVE_KPA",
    "read_hazards",
    "read_hazard_plan_changes",
    "apply_hazard_plan_changes",
]

HAZARD_KEYS = (
    "id",
    "description",
    "fuel",
    "level",
    "x",
    "y",
    "room",
    "leak",
    "cloud",
    "blast",
    "harm",
    "close_above_kpa",
    "zones_kpa",
)
ROOM_KEYS = ("volume_m3", "surface_m2", "vent_area_m2", "ventilation_ach")
LEAK_KEYS = ("rate_m3_h", "hole", "start_s", "ignition_delay_s", "detector")
HOLE_KEYS = ("diameter_mm", "pressure_kpa", "discharge_coefficient")
CLOUD_KEYS = ("mass_kg", "volume_m3", "ignition_time_s")
DETECTOR_KEYS = ("threshold_lfl_percent", "delay_s")
HARM_KEYS = ("collapse_fatality", "major_damage_serious", "glass_injury", "in_building")
BLAST_KEYS_BY_METHOD: Mapping[str, tuple[str, ...]] = {
    "tnt": ("method", "yield"),
    "multi-energy": ("method", "strength", "scaled_duration"),
    "bst": ("method", "confinement", "congestion", "reactivity", "flame_mach", "scaled_duration"),
}
PLAN_CHANGE_KEYS = ("active", "detector", "ignition_delay_s", "ignition_time_s", "ventilation_ach", "close_above_kpa")
#: Default overpressure above which exits close [kPa] (3.5 psi: serious injury, heavy damage).
DEFAULT_CLOSE_ABOVE_KPA = 24.1
#: Largest time accepted [s] (a year: room for slow leaks, not for overflow).
MAX_TIME_S = 3.2e7


@dataclass(frozen=True, kw_only=True)
class Detector:
    """A gas detector in the room that raises the alarm.

    Attributes:
        threshold_lfl: alarm threshold as a fraction of the LFL (0.2 = 20 % LFL) [-].
        delay_s: time from reaching the threshold to the alarm (detection, confirmation, announcement) [s].
    """

    threshold_lfl: float
    delay_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Room:
    """The room the gas collects in.

    Attributes:
        volume_m3: room volume [m³] (``None`` for a cloud outside any room model).
        surface_m2: internal surface [m²] (``None``: 6 V^(2/3), a cube).
        vent_area_m2: area that vents an explosion [m²]; ``None``: no vented-room cap.
        ventilation_ach: air changes per hour [1/h].
    """

    volume_m3: float | None = None
    surface_m2: float | None = None
    vent_area_m2: float | None = None
    ventilation_ach: float = 0.0

    @property
    def vented(self) -> VentedRoom | None:
        """The vented-room cap of :func:`sim.hazard.blast.blast`, or ``None`` without a vent area."""
        if self.vent_area_m2 is None:
            return None
        surface = self.surface_m2
        if surface is None:
            surface = 6.0 * float(self.volume_m3 or 0.0) ** (2.0 / 3.0)
        return VentedRoom(surface_m2=surface, vent_area_m2=self.vent_area_m2)


@dataclass(frozen=True, kw_only=True)
class Leak:
    """A continuous gas leak into a room.

    Attributes:
        rate_m3_s: gas leak rate [m³/s] (given, or from a hole with :func:`~sim.hazard.leak.orifice_leak_rate`).
        start_s: run time at which the leak starts [s].
        ignition_delay_s: time from the LFL being reached to ignition [s].
        detector: the gas detector, if any.
    """

    rate_m3_s: float
    start_s: float = 0.0
    ignition_delay_s: float = 0.0
    detector: Detector | None = None


@dataclass(frozen=True, kw_only=True)
class Cloud:
    """A prepared flammable cloud.

    Attributes:
        mass_kg: fuel mass in the cloud [kg].
        ignition_time_s: run time of ignition [s].
    """

    mass_kg: float
    ignition_time_s: float


@dataclass(frozen=True, kw_only=True)
class Hazard:
    """One gas explosion hazard of a scenario (validated).

    Attributes:
        id: unique name.
        description: free text.
        fuel: the gas.
        level: id of the level of the explosion centre.
        x, y: explosion centre [m], level coordinates.
        room: the room the gas is in (always set for a leak).
        leak: the leak (exactly one of ``leak`` and ``cloud`` is set).
        cloud: the prepared cloud.
        method: the blast method.
        harm: vulnerability factors.
        close_above_kpa: exits and passages where the overpressure reaches this value close [kPa].
        zones_kpa: thresholds of the reported zones [kPa], increasing.
        active: ``False`` when a plan switches the hazard off.
    """

    id: str
    description: str = ""
    fuel: Fuel
    level: str
    x: float
    y: float
    room: Room | None = None
    leak: Leak | None = None
    cloud: Cloud | None = None
    method: BlastMethod = dataclasses.field(default_factory=BlastMethod)
    harm: HarmModel = dataclasses.field(default_factory=HarmModel)
    close_above_kpa: float = DEFAULT_CLOSE_ABOVE_KPA
    zones_kpa: tuple[float, ...] = ZONE_THRESHOLDS_KPA
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class HazardChange:
    """What a plan changes in one hazard (``None``: unchanged).

    Attributes:
        hazard: id of the hazard.
        active: switch the hazard on or off.
        detector: install this detector.
        remove_detector: remove the detector (``detector: none``).
        ignition_delay_s: new ignition delay after the LFL (leaks) [s].
        ignition_time_s: new ignition time (clouds) [s].
        ventilation_ach: new ventilation rate of the room [1/h].
        close_above_kpa: new closure threshold [kPa].
    """

    hazard: str
    active: bool | None = None
    detector: Detector | None = None
    remove_detector: bool = False
    ignition_delay_s: float | None = None
    ignition_time_s: float | None = None
    ventilation_ach: float | None = None
    close_above_kpa: float | None = None


@dataclass(frozen=True, kw_only=True)
class HazardPlanChanges:
    """The hazard changes of one plan, in the order given."""

    changes: tuple[HazardChange, ...] = ()


# ---------------------------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------------------------
def _time(reader: FieldReader, value: Any, field: str) -> float:
    return reader.number(value, field, min=0.0, max=MAX_TIME_S, unit="s")


def _bool(reader: FieldReader, value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        reader.fail(field, "must be true or false", value, "write true or false")
    return value


def _read_detector(reader: FieldReader, value: Any, field: str) -> Detector:
    d = reader.mapping(value, field, DETECTOR_KEYS, ("threshold_lfl_percent",))
    pct = reader.number(
        d["threshold_lfl_percent"], f"{field}.threshold_lfl_percent", min=0.0, strict_min=True, max=100.0, unit="% LFL"
    )
    delay = _time(reader, d.get("delay_s", 0.0), f"{field}.delay_s")
    return Detector(threshold_lfl=pct / 100.0, delay_s=delay)


def _read_room(reader: FieldReader, value: Any, field: str, *, need_volume: bool) -> Room:
    d = reader.mapping(value, field, ROOM_KEYS, ("volume_m3",) if need_volume else ())
    vol = (
        reader.number(d["volume_m3"], f"{field}.volume_m3", min=0.0, strict_min=True, max=1e9, unit="m³")
        if "volume_m3" in d
        else None
    )
    surface = (
        reader.number(d["surface_m2"], f"{field}.surface_m2", min=0.0, strict_min=True, max=1e8, unit="m²")
        if "surface_m2" in d
        else None
    )
    vent = (
        reader.number(d["vent_area_m2"], f"{field}.vent_area_m2", min=0.0, strict_min=True, max=1e8, unit="m²")
        if "vent_area_m2" in d
        else None
    )
    if vent is not None and surface is None and vol is None:
        reader.fail(
            f"{field}.surface_m2",
            "missing required key (a vent area needs the room's surface or volume)",
            fix="add 'surface_m2:' or 'volume_m3:'",
        )
    if vent is not None and surface is not None and vent > surface:
        reader.fail(
            f"{field}.vent_area_m2",
            f"is larger than the room's surface ({surface:g} m²)",
            vent,
            "give the area of the windows and doors that vent, at most the surface",
        )
    ach = reader.number(d.get("ventilation_ach", 0.0), f"{field}.ventilation_ach", min=0.0, max=1000.0, unit="1/h")
    return Room(volume_m3=vol, surface_m2=surface, vent_area_m2=vent, ventilation_ach=ach)


def _read_leak(reader: FieldReader, value: Any, field: str, gas: Fuel) -> Leak:
    d = reader.mapping(value, field, LEAK_KEYS)
    if ("rate_m3_h" in d) == ("hole" in d):
        reader.fail(
            field,
            "needs exactly one of 'rate_m3_h' and 'hole'",
            value,
            "give 'rate_m3_h: 80' or 'hole: {diameter_mm: 25, pressure_kpa: 2}'",
        )
    if "rate_m3_h" in d:
        rate = reader.number(d["rate_m3_h"], f"{field}.rate_m3_h", min=0.0, strict_min=True, max=1e7, unit="m³/h")
        rate_m3_s = rate / 3600.0
    else:
        f = f"{field}.hole"
        h = reader.mapping(d["hole"], f, HOLE_KEYS, ("diameter_mm", "pressure_kpa"))
        dia = reader.number(h["diameter_mm"], f"{f}.diameter_mm", min=0.0, strict_min=True, max=2000.0, unit="mm")
        p = reader.number(h["pressure_kpa"], f"{f}.pressure_kpa", min=0.0, strict_min=True, max=50.0, unit="kPa")
        cd = reader.number(
            h.get("discharge_coefficient", DISCHARGE_COEFFICIENT),
            f"{f}.discharge_coefficient",
            min=0.0,
            strict_min=True,
            max=1.0,
        )
        rate_m3_s = float(
            orifice_leak_rate(
                area_m2=hole_area(diameter_m=dia / 1000.0),
                pressure_pa=p * 1000.0,
                density_kg_m3=gas.density_kg_m3,
                discharge_coefficient=cd,
            )
        )
    detector = None
    if d.get("detector") not in (None, "none"):
        detector = _read_detector(reader, d["detector"], f"{field}.detector")
    return Leak(
        rate_m3_s=rate_m3_s,
        start_s=_time(reader, d.get("start_s", 0.0), f"{field}.start_s"),
        ignition_delay_s=_time(reader, d.get("ignition_delay_s", 0.0), f"{field}.ignition_delay_s"),
        detector=detector,
    )


def _read_cloud(reader: FieldReader, value: Any, field: str, gas: Fuel) -> Cloud:
    d = reader.mapping(value, field, CLOUD_KEYS, ("ignition_time_s",))
    if ("mass_kg" in d) == ("volume_m3" in d):
        reader.fail(
            field,
            "needs exactly one of 'mass_kg' and 'volume_m3'",
            value,
            "give the fuel mass ('mass_kg: 20') or the stoichiometric cloud volume ('volume_m3: 300')",
        )
    if "mass_kg" in d:
        mass = reader.number(d["mass_kg"], f"{field}.mass_kg", min=0.0, strict_min=True, max=1e7, unit="kg")
    else:
        vol = reader.number(d["volume_m3"], f"{field}.volume_m3", min=0.0, strict_min=True, max=1e9, unit="m³")
        mass = vol * gas.stoichiometric * gas.density_kg_m3
    return Cloud(mass_kg=mass, ignition_time_s=_time(reader, d["ignition_time_s"], f"{field}.ignition_time_s"))


def _read_blast(reader: FieldReader, value: Any, field: str) -> BlastMethod:
    if not isinstance(value, Mapping) or "method" not in value:
        reader.fail(
            field,
            "must be a mapping with 'method'",
            value,
            f"write e.g. {{method: bst, confinement: 2d}} (methods: {', '.join(METHODS)})",
        )
    kind = reader.choice(value["method"], f"{field}.method", METHODS)
    d = reader.mapping(value, field, BLAST_KEYS_BY_METHOD[kind])
    kw: dict[str, Any] = {"kind": kind}
    if "yield" in d:
        kw["yield_fraction"] = reader.number(d["yield"], f"{field}.yield", min=0.0, strict_min=True, max=1.0)
    if "strength" in d:
        s = reader.integer(d["strength"], f"{field}.strength", min=1)
        if s not in ME_PLATEAU_BAR:
            reader.fail(
                f"{field}.strength",
                "must be a strength number 1-10",
                d["strength"],
                "use 7 for congested areas, 1-2 for open, unobstructed parts of a cloud",
            )
        kw["strength"] = s
    if "confinement" in d:
        kw["confinement"] = reader.choice(str(d["confinement"]).lower(), f"{field}.confinement", CONFINEMENTS)
    if "congestion" in d:
        kw["congestion"] = reader.choice(d["congestion"], f"{field}.congestion", CONGESTIONS)
    if "reactivity" in d:
        kw["reactivity"] = reader.choice(d["reactivity"], f"{field}.reactivity", REACTIVITIES)
    if "flame_mach" in d:
        kw["flame_mach"] = reader.number(d["flame_mach"], f"{field}.flame_mach", min=0.0, strict_min=True, max=5.2)
    if "scaled_duration" in d:
        kw["scaled_duration"] = reader.number(
            d["scaled_duration"], f"{field}.scaled_duration", min=0.0, strict_min=True, max=100.0
        )
    return BlastMethod(**kw)


def _read_harm(reader: FieldReader, value: Any, field: str) -> HarmModel:
    d = reader.mapping(value, field, HARM_KEYS)
    kw: dict[str, Any] = {}
    for k in HARM_KEYS[:3]:
        if k in d:
            kw[k] = reader.number(d[k], f"{field}.{k}", min=0.0, max=1.0)
    if "in_building" in d:
        kw["in_building"] = _bool(reader, d["in_building"], f"{field}.in_building")
    return HarmModel(**kw)


def _read_thresholds(reader: FieldReader, value: Any, field: str) -> tuple[float, ...]:
    items = reader.seq(value, field, min_len=1)
    out = tuple(
        reader.number(v, f"{field}[{i}]", min=0.0, strict_min=True, max=1e5, unit="kPa") for i, v in enumerate(items)
    )
    if len(set(out)) != len(out):
        reader.fail(field, "has repeated thresholds", value, "give each threshold once")
    return tuple(sorted(out))


def _read_hazard(reader: FieldReader, raw: Any, field: str, level_ids: set[str]) -> Hazard:
    d = reader.mapping(raw, field, HAZARD_KEYS, ("id", "fuel", "x", "y", "blast"))
    hid = reader.ident(d["id"], f"{field}.id")
    gas = fuel(d["fuel"], file=reader.file, field=f"{field}.fuel")
    if "level" not in d and len(level_ids) != 1:
        reader.fail(
            f"{field}.level", "missing required key (the scenario has several levels)", fix="add 'level: <level id>'"
        )
    level = reader.ref(d.get("level", next(iter(level_ids), "")), f"{field}.level", level_ids, "level")
    x = reader.number(d["x"], f"{field}.x", min=-MAX_COORDINATE, max=MAX_COORDINATE, unit="m")
    y = reader.number(d["y"], f"{field}.y", min=-MAX_COORDINATE, max=MAX_COORDINATE, unit="m")
    if ("leak" in d) == ("cloud" in d):
        reader.fail(
            field,
            "needs exactly one of 'leak' and 'cloud'",
            fix="give a 'leak:' (with a 'room:') or a prepared 'cloud:'",
        )
    room = _read_room(reader, d["room"], f"{field}.room", need_volume="leak" in d) if "room" in d else None
    leak = cloud = None
    if "leak" in d:
        if room is None:
            reader.fail(
                f"{field}.room",
                "missing required key (a leak fills a room)",
                fix="add 'room: {volume_m3: ..., ventilation_ach: ...}'",
            )
        leak = _read_leak(reader, d["leak"], f"{field}.leak", gas)
    else:
        cloud = _read_cloud(reader, d["cloud"], f"{field}.cloud", gas)
    method = _read_blast(reader, d["blast"], f"{field}.blast")
    harm = _read_harm(reader, d["harm"], f"{field}.harm") if "harm" in d else HarmModel()
    close = reader.number(
        d.get("close_above_kpa", DEFAULT_CLOSE_ABOVE_KPA),
        f"{field}.close_above_kpa",
        min=0.0,
        strict_min=True,
        max=1e5,
        unit="kPa",
    )
    zones = _read_thresholds(reader, d["zones_kpa"], f"{field}.zones_kpa") if "zones_kpa" in d else ZONE_THRESHOLDS_KPA
    description = reader.text(d.get("description", ""), f"{field}.description")
    return Hazard(
        id=hid,
        description=description,
        fuel=gas,
        level=level,
        x=x,
        y=y,
        room=room,
        leak=leak,
        cloud=cloud,
        method=method,
        harm=harm,
        close_above_kpa=close,
        zones_kpa=zones,
    )


def read_hazards(reader: FieldReader, raw: Any, field: str, *, level_ids: set[str]) -> tuple[Hazard, ...]:
    """Read and validate the ``hazards`` section of a scenario (see the module docstring for the format).

    Args:
        reader: the field reader of the scenario file (errors name its file).
        raw: the parsed YAML value of the section (a list of hazards).
        field: the section's field path (``"hazards"``).
        level_ids: ids of the scenario's levels.

    Returns:
        The hazards, in file order.

    Raises:
        ScenarioError: the first problem, as one line naming file, field, value and fix (an unknown fuel
            lists the known ones).
    """
    hazards = [_read_hazard(reader, h, f"{field}[{i}]", level_ids) for i, h in enumerate(reader.seq(raw, field))]
    reader.unique([h.id for h in hazards], field)
    return tuple(hazards)


def read_hazard_plan_changes(
    reader: FieldReader, raw: Any, field: str, hazards: tuple[Hazard, ...]
) -> HazardPlanChanges:
    """Read the ``hazards`` key of a plan: hazard id → changes (see the module docstring).

    Args:
        reader: the field reader of the scenario file.
        raw: the parsed YAML value of the plan's ``hazards`` key (a mapping).
        field: its field path, e.g. ``"plans[1].hazards"``.
        hazards: the scenario's hazards (from :func:`read_hazards`).

    Returns:
        The plan's hazard changes.

    Raises:
        ScenarioError: unknown hazard id or key, a leak key on a cloud hazard (or the reverse), bad value.
    """
    by_id = {h.id: h for h in hazards}
    if not isinstance(raw, Mapping):
        reader.fail(field, "must map hazard ids to changes", raw, "write e.g. {kitchen_gas: {detector: none}}")
    changes = []
    for hid, value in raw.items():
        f = f"{field}.{key_name(hid)}"
        reader.ref(hid, f, by_id, "hazard")
        hz = by_id[hid]
        d = reader.mapping(value, f, PLAN_CHANGE_KEYS)
        for k in ("detector", "ignition_delay_s", "ventilation_ach"):
            if k in d and hz.leak is None:
                reader.fail(
                    f"{f}.{k}",
                    f"applies to leak hazards only ('{hid}' is a prepared cloud)",
                    d[k],
                    "change 'ignition_time_s' of a cloud instead, or remove the key",
                )
        if "ignition_time_s" in d and hz.cloud is None:
            reader.fail(
                f"{f}.ignition_time_s",
                f"applies to prepared clouds only ('{hid}' is a leak)",
                d["ignition_time_s"],
                "change 'ignition_delay_s' of a leak instead",
            )
        det_raw = d.get("detector", ...)
        remove = "detector" in d and det_raw in (None, "none")
        detector = None
        if "detector" in d and not remove:
            detector = _read_detector(reader, det_raw, f"{f}.detector")
        changes.append(
            HazardChange(
                hazard=hid,
                active=_bool(reader, d["active"], f"{f}.active") if "active" in d else None,
                detector=detector,
                remove_detector=remove,
                ignition_delay_s=_time(reader, d["ignition_delay_s"], f"{f}.ignition_delay_s")
                if "ignition_delay_s" in d
                else None,
                ignition_time_s=_time(reader, d["ignition_time_s"], f"{f}.ignition_time_s")
                if "ignition_time_s" in d
                else None,
                ventilation_ach=reader.number(
                    d["ventilation_ach"], f"{f}.ventilation_ach", min=0.0, max=1000.0, unit="1/h"
                )
                if "ventilation_ach" in d
                else None,
                close_above_kpa=reader.number(
                    d["close_above_kpa"], f"{f}.close_above_kpa", min=0.0, strict_min=True, max=1e5, unit="kPa"
                )
                if "close_above_kpa" in d
                else None,
            )
        )
    return HazardPlanChanges(changes=tuple(changes))


def apply_hazard_plan_changes(hazards: tuple[Hazard, ...], changes: HazardPlanChanges) -> tuple[Hazard, ...]:
    """The hazards as a plan has them: each change applied to its hazard (others unchanged).

    Hazards switched off (``active: false``) stay in the tuple with ``active=False``, so ids and order do
    not depend on the plan; callers skip inactive hazards.

    Args:
        hazards: the scenario's hazards.
        changes: the plan's changes (from :func:`read_hazard_plan_changes`).

    Returns:
        New hazards (the inputs are frozen and unchanged).

    Raises:
        ScenarioError: a change names a hazard that is not in ``hazards``.
    """
    out = {h.id: h for h in hazards}
    for c in changes.changes:
        if c.hazard not in out:
            raise ScenarioError(
                "unknown hazard",
                field="plans.hazards",
                value=c.hazard,
                fix=f"use one of: {', '.join(out) or '(none defined)'}",
            )
        h = out[c.hazard]
        if c.active is not None:
            h = dataclasses.replace(h, active=c.active)
        if c.close_above_kpa is not None:
            h = dataclasses.replace(h, close_above_kpa=c.close_above_kpa)
        if h.leak is not None:
            leak = h.leak
            if c.remove_detector:
                leak = dataclasses.replace(leak, detector=None)
            if c.detector is not None:
                leak = dataclasses.replace(leak, detector=c.detector)
            if c.ignition_delay_s is not None:
                leak = dataclasses.replace(leak, ignition_delay_s=c.ignition_delay_s)
            h = dataclasses.replace(h, leak=leak)
            if c.ventilation_ach is not None and h.room is not None:
                h = dataclasses.replace(h, room=dataclasses.replace(h.room, ventilation_ach=c.ventilation_ach))
        if h.cloud is not None and c.ignition_time_s is not None:
            h = dataclasses.replace(h, cloud=dataclasses.replace(h.cloud, ignition_time_s=c.ignition_time_s))
        out[c.hazard] = h
    return tuple(out[h.id] for h in hazards)
