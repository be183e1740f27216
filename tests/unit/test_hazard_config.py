"""The ``hazards`` section reader, plan changes, the timeline, and the shipped underground-street scenario."""

from __future__ import annotations

import copy
import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.errors import ScenarioError
from sim.hazard import (
    apply_hazard_plan_changes,
    hazard_timeline,
    ignition_mass,
    read_hazard_plan_changes,
    read_hazards,
)
from sim.hazard.fuels import FUELS
from sim.hazard.leak import orifice_leak_rate
from sim.scenario import scenario_from_dict
from sim.scenario.fields import FieldReader

ROOT = Path(__file__).resolve().parents[2]
STREET = ROOT / "scenarios" / "underground_street_gas.yaml"
FILE = "test.yaml"

LEAK: dict[str, Any] = {
    "id": "kitchen",
    "fuel": "natural_gas",
    "level": "ground",
    "x": 10.0,
    "y": 5.0,
    "room": {"volume_m3": 30, "ventilation_ach": 0.5},
    "leak": {"rate_m3_h": 1.0, "ignition_delay_s": 600, "detector": {"threshold_lfl_percent": 20, "delay_s": 30}},
    "blast": {"method": "bst", "confinement": "2d", "congestion": "low"},
}
CLOUD: dict[str, Any] = {
    "id": "tanker",
    "fuel": "lpg",
    "level": "ground",
    "x": 0.0,
    "y": 0.0,
    "cloud": {"mass_kg": 50, "ignition_time_s": 120},
    "blast": {"method": "multi-energy", "strength": 6},
    "close_above_kpa": 10,
    "zones_kpa": [24.1, 6.9],
}


def read(*items: dict[str, Any], levels: set[str] | None = None):
    return read_hazards(FieldReader(FILE), list(items), "hazards", level_ids=levels or {"ground"})


def error_of(*items: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as exc:
        read(*items)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"{FILE}: hazards[0]")
    return msg


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def test_leak_hazard_is_read_with_units_converted():
    (h,) = read(LEAK)
    assert h.fuel is FUELS["methane"] and h.level == "ground" and (h.x, h.y) == (10.0, 5.0)
    assert h.leak is not None and h.cloud is None
    assert h.leak.rate_m3_s == pytest.approx(1.0 / 3600.0)
    assert h.leak.detector is not None and h.leak.detector.threshold_lfl == pytest.approx(0.2)
    assert h.method.kind == "bst" and h.method.confinement == "2d" and h.method.congestion == "low"
    assert h.close_above_kpa == 24.1 and h.zones_kpa == (6.9, 24.1, 55.2)


def test_cloud_hazard_and_sorted_zones():
    (h,) = read(CLOUD)
    assert h.fuel is FUELS["propane"] and h.cloud is not None and h.cloud.mass_kg == 50.0
    assert h.method.strength == 6 and h.zones_kpa == (6.9, 24.1)
    assert hazard_timeline(h) == (None, 120.0)
    assert ignition_mass(h) == 50.0
    (v,) = read(with_(CLOUD, cloud={"volume_m3": 100.0, "ignition_time_s": 5}))
    assert v.cloud is not None and v.cloud.mass_kg == pytest.approx(100.0 * 0.04 * 1.833)


def test_hole_gives_the_orifice_leak_rate():
    (h,) = read(with_(LEAK, leak={"hole": {"diameter_mm": 20, "pressure_kpa": 2.5}}))
    expected = float(orifice_leak_rate(area_m2=math.pi * 0.01**2, pressure_pa=2500.0, density_kg_m3=0.667))
    assert h.leak is not None and h.leak.rate_m3_s == pytest.approx(expected)


def test_timeline_of_the_reference_room():
    (h,) = read(LEAK)
    alarm, ignition = hazard_timeline(h)
    # LFL after 3.018 h (reference section 2), ignition 600 s later
    assert ignition == pytest.approx(3.018 * 3600 + 600, abs=4.0)
    # 20 % LFL: t = -ln(1 - 0.01/0.0625) / k with k = 16/30 per hour, plus 30 s
    k = 16.0 / 30.0 / 3600.0
    assert alarm == pytest.approx(-math.log(1 - 0.01 / 0.0625) / k + 30.0)
    assert 0.0 < ignition_mass(h) <= 30 * 0.0625 * 0.667


def test_no_ignition_when_lfl_never_reached_or_room_too_rich():
    (h,) = read(with_(LEAK, room={"volume_m3": 30, "ventilation_ach": 1.0}))
    assert hazard_timeline(h)[1] is None and ignition_mass(h) == 0.0
    assert hazard_timeline(h)[0] is not None  # the detector still sees 20 % LFL (3.2 % > 1 %)
    rich = with_(LEAK, room={"volume_m3": 30, "ventilation_ach": 0.0}, leak={"rate_m3_h": 10, "ignition_delay_s": 7200})
    (r,) = read(rich)
    assert hazard_timeline(r) == (None, None)


@pytest.mark.parametrize(
    ("hazard", "field", "words"),
    [
        (with_(LEAK, fuel="hydrogen"), "hazards[0].fuel", ["unknown fuel", "methane", "propane", "lpg"]),
        (with_(LEAK, room=None), "hazards[0].room", ["missing required key"]),
        (with_(LEAK, cloud=CLOUD["cloud"]), "hazards[0]", ["exactly one of 'leak' and 'cloud'"]),
        (with_(LEAK, level="roof"), "hazards[0].level", ["unknown level", "ground"]),
        (with_(LEAK, blast={"method": "bst", "yield": 0.1}), "hazards[0].blast.yield", ["unknown key", "confinement"]),
        (with_(CLOUD, blast={"method": "tnt", "yield": 0}), "hazards[0].blast.yield", ["must be > 0"]),
        (with_(CLOUD, blast={"method": "tnt", "yield": 1.5}), "hazards[0].blast.yield", ["must be <= 1"]),
        (with_(CLOUD, blast={"method": "multi-energy", "strength": 11}), "hazards[0].blast.strength", ["1-10"]),
        (with_(CLOUD, blast={"method": "dust"}), "hazards[0].blast.method", ["tnt, multi-energy, bst"]),
        (with_(CLOUD, cloud={"mass_kg": -3, "ignition_time_s": 1}), "hazards[0].cloud.mass_kg", ["must be > 0"]),
        (
            with_(LEAK, leak={"rate_m3_h": 1, "hole": {"diameter_mm": 5, "pressure_kpa": 2}}),
            "hazards[0].leak",
            ["exactly one of"],
        ),
        (with_(LEAK, color="red"), "hazards[0].color", ["unknown key", "close_above_kpa"]),
        (
            with_(LEAK, room={"volume_m3": 30, "surface_m2": 10, "vent_area_m2": 20}),
            "hazards[0].room.vent_area_m2",
            ["larger than the room's surface"],
        ),
    ],
)
def test_bad_hazards_give_one_line_naming_field_and_fix(hazard, field, words):
    with pytest.raises(ScenarioError) as exc:
        read(hazard)
    msg = str(exc.value)
    assert "\n" not in msg
    assert exc.value.field == field and exc.value.file == FILE
    assert "fix:" in msg
    for w in words:
        assert w in msg


def test_duplicate_hazard_ids_are_rejected():
    with pytest.raises(ScenarioError, match="duplicate id"):
        read(LEAK, with_(CLOUD, id="kitchen"))


def test_level_may_be_omitted_with_one_level_only():
    (h,) = read(with_(LEAK, level=None))
    assert h.level == "ground"
    with pytest.raises(ScenarioError, match="several levels"):
        read(with_(LEAK, level=None), levels={"a", "b"})


def test_plan_changes_switch_detectors_delays_and_hazards():
    hazards = read(LEAK, CLOUD)
    reader = FieldReader(FILE)
    none = read_hazard_plan_changes(reader, {"kitchen": {"detector": "none"}}, "plans[0].hazards", hazards)
    no_det = apply_hazard_plan_changes(hazards, none)
    assert no_det[0].leak is not None and no_det[0].leak.detector is None
    assert hazard_timeline(no_det[0])[0] is None
    assert hazards[0].leak is not None and hazards[0].leak.detector is not None  # inputs unchanged
    later = read_hazard_plan_changes(
        reader,
        {"kitchen": {"ignition_delay_s": 1200, "close_above_kpa": 10}, "tanker": {"ignition_time_s": 5}},
        "plans[1].hazards",
        hazards,
    )
    changed = apply_hazard_plan_changes(hazards, later)
    assert hazard_timeline(changed[0])[1] == pytest.approx(hazard_timeline(hazards[0])[1] + 600.0)
    assert changed[0].close_above_kpa == 10 and changed[1].cloud is not None and changed[1].cloud.ignition_time_s == 5
    off = apply_hazard_plan_changes(
        hazards, read_hazard_plan_changes(reader, {"tanker": {"active": False}}, "plans[2].hazards", hazards)
    )
    assert hazard_timeline(off[1]) == (None, None) and [h.id for h in off] == ["kitchen", "tanker"]


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ({"boiler": {"detector": "none"}}, "plans[0].hazards.boiler", ["unknown hazard", "kitchen, tanker"]),
        ({"tanker": {"ignition_delay_s": 5}}, "plans[0].hazards.tanker.ignition_delay_s", ["leak hazards only"]),
        ({"kitchen": {"ignition_time_s": 5}}, "plans[0].hazards.kitchen.ignition_time_s", ["prepared clouds only"]),
        (
            {"kitchen": {"detector": {"threshold_lfl_percent": 0}}},
            "plans[0].hazards.kitchen.detector.threshold_lfl_percent",
            ["must be > 0"],
        ),
        ({"kitchen": {"windows": 3}}, "plans[0].hazards.kitchen.windows", ["unknown key", "detector"]),
        ({"kitchen": {"active": "no"}}, "plans[0].hazards.kitchen.active", ["true or false"]),
        (["kitchen"], "plans[0].hazards", ["must map hazard ids"]),
    ],
)
def test_bad_plan_changes(raw, field, words):
    hazards = read(LEAK, CLOUD)
    with pytest.raises(ScenarioError) as exc:
        read_hazard_plan_changes(FieldReader(FILE), raw, "plans[0].hazards", hazards)
    assert exc.value.field == field and "\n" not in str(exc.value)
    for w in words:
        assert w in str(exc.value)


# -- the shipped scenario ------------------------------------------------------------------------------------
def _street() -> dict[str, Any]:
    return yaml.safe_load(STREET.read_text(encoding="utf-8"))


def test_shipped_scenario_is_valid_without_its_hazard_keys():
    data = _street()
    crowd_only = copy.deepcopy(data)
    crowd_only.pop("hazards")
    for plan in crowd_only["plans"]:
        plan.pop("hazards", None)
    sc = scenario_from_dict(crowd_only, source=str(STREET))
    assert 1400 <= sc.total_count <= 1600
    assert len(sc.plans) >= 2 and len(sc.exits) >= 4
    minx, miny, maxx, maxy = sc.level("street").walkable.bounds
    assert (maxx - minx, maxy - miny) == (200.0, 16.0)


def test_shipped_scenario_hazards_and_plans():
    data = _street()
    reader = FieldReader(str(STREET))
    hazards = read_hazards(reader, data["hazards"], "hazards", level_ids={lv["id"] for lv in data["levels"]})
    (kitchen,) = hazards
    assert kitchen.leak is not None and kitchen.method.confinement == "1d"
    timelines = {}
    for i, plan in enumerate(data["plans"]):
        changes = read_hazard_plan_changes(reader, plan.get("hazards", {}), f"plans[{i}].hazards", hazards)
        timelines[plan["id"]] = hazard_timeline(apply_hazard_plan_changes(hazards, changes)[0])
    alarm_none, ignition = timelines["no_detectors"]
    alarm_det, ignition_det = timelines["detectors"]
    assert alarm_none is None and ignition is not None and ignition == ignition_det
    assert alarm_det is not None and alarm_det < 0.5 * ignition  # the detector warns well before the explosion
    assert 300.0 < ignition < 900.0
    assert ignition_mass(kitchen) > 1.0


def _literal_blocks(doc: str) -> list[str]:
    """The ``::`` literal blocks of a docstring, dedented."""
    blocks, lines = [], doc.splitlines()
    for i, line in enumerate(lines):
        if line.rstrip().endswith("::"):
            body = []
            for nxt in lines[i + 2 :]:
                if nxt.strip() and not nxt.startswith("    "):
                    break
                body.append(nxt)
            blocks.append(textwrap.dedent("\n".join(body)))
    return blocks


def test_the_documented_example_reads():
    import sim.hazard.config as config

    hazards_yaml, cloud_yaml, plans_yaml = _literal_blocks(config.__doc__ or "")
    reader = FieldReader("doc.yaml")
    (kitchen,) = read_hazards(reader, yaml.safe_load(hazards_yaml)["hazards"], "hazards", level_ids={"street"})
    assert kitchen.leak is not None and kitchen.leak.detector is not None and hazard_timeline(kitchen)[1] is not None
    raw = yaml.safe_load(hazards_yaml)["hazards"][0]
    raw.pop("leak")
    raw.update(yaml.safe_load(cloud_yaml))
    (cloud,) = read_hazards(reader, [raw], "hazards", level_ids={"street"})
    assert cloud.cloud is not None and cloud.cloud.mass_kg == 20
    for i, plan in enumerate(yaml.safe_load(plans_yaml)["plans"]):
        changes = read_hazard_plan_changes(reader, plan["hazards"], f"plans[{i}].hazards", (kitchen,))
        assert len(changes.changes) == 1
    no_det = apply_hazard_plan_changes(
        (kitchen,),
        read_hazard_plan_changes(
            reader, yaml.safe_load(plans_yaml)["plans"][0]["hazards"], "plans[0].hazards", (kitchen,)
        ),
    )
    assert hazard_timeline(no_det[0])[0] is None
