"""Drill designer: a Master Scenario Events List (MSEL, 演练脚本) derived from the simulated timeline.

:func:`design_drill` replicates one plan (through :func:`sim.plans.compare.compare`, so runs are catalogued
and reused) and turns the distribution of its milestones into injects, in scenario-time order. Each inject
carries: id, sequence number, scenario time (the simulated median of the milestone), inject type
(information / event / media / contingency), delivery method (by exercise type), from, to, description,
expected player action, objective and capability tested, target time (the simulated 50th and 90th
percentile), controller and notes; every text in English and Chinese.

Injects come from a table (:data:`INJECTS`) keyed by metric: an inject appears only when the scenario's runs
produce its metric, so hazard, response and shelter injects appear as those engines add their sections.

Exercise types (HSEEP; Chinese practice 桌面 / 实战): ``tabletop`` (discussion: injects read out by the
facilitator), ``functional`` (command and control played with simulated field units, injects by phone and
radio), ``full-scale`` (live: alarm system, radio, actors).

The MSEL is written as CSV (one row per inject, bilingual columns) and Markdown (a bilingual table); the
CSV is what ``drillsim evaluate`` reads back.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ScenarioError
from sim.plans.catalogue import Catalogue

__all__ = ["design_drill", "Drill", "MSEL_COLUMNS", "EXERCISE_TYPES", "INJECTS", "write_msel", "read_msel"]

EXERCISE_TYPES = ("tabletop", "functional", "full-scale")
EXERCISE_TYPE_ZH = {"tabletop": "桌面演练", "functional": "功能演练", "full-scale": "全面实战演练"}

#: Columns of the MSEL CSV, in order.
MSEL_COLUMNS = (
    "inject_id", "seq", "scenario_time_s", "scenario_time", "inject_type", "inject_type_zh", "delivery",
    "delivery_zh", "from", "to", "description_en", "description_zh", "expected_action_en", "expected_action_zh",
    "objective_en", "objective_zh", "capability", "target_p50_s", "target_p90_s", "controller", "notes",
)  # fmt: skip

_TYPE_ZH = {"information": "信息", "event": "事件", "media": "媒体", "contingency": "应急备用"}
_DELIVERY = {
    # exercise type -> inject type -> (en, zh)
    "tabletop": {
        "information": ("read out by the facilitator", "导调员宣读"),
        "event": ("situation card shown to players", "情景卡片展示"),
        "media": ("mock news item read out", "模拟新闻宣读"),
        "contingency": ("facilitator prompt", "导调员提示"),
    },
    "functional": {
        "information": ("phone / radio from the simulation cell", "模拟控制组电话或对讲机"),
        "event": ("radio message from the simulation cell", "模拟控制组对讲机通报"),
        "media": ("mock social-media post", "模拟社交媒体信息"),
        "contingency": ("phone call from the simulation cell", "模拟控制组电话"),
    },
    "full-scale": {
        "information": ("radio / public-address system", "对讲机或广播"),
        "event": ("live: alarm, smoke machine, actors", "实景：报警、烟雾、模拟人员"),
        "media": ("actor playing a reporter", "扮演记者"),
        "contingency": ("controller on site", "现场导调员"),
    },
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class InjectTemplate:
    """How a milestone of the simulation becomes an inject (texts may use ``{placeholders}``)."""

    metric: str
    inject_type: str
    source: str  # from
    to: str
    description: tuple[str, str]
    expected_action: tuple[str, str]
    objective: tuple[str, str]
    capability: str
    controller: str
    fixed_time_s: float | None = None  # for triggers that happen at a fixed scenario time (the alarm at 0)


#: The inject table: one inject per milestone the runs produce (order of rows does not matter; injects are
#: sorted by scenario time).
INJECTS: tuple[InjectTemplate, ...] = (
    InjectTemplate(
        metric="", inject_type="event", source="Lead controller", to="Venue duty manager",
        description=("Fire alarm activates; smoke reported near the main circulation route.",
                     "火灾报警启动，主要通道附近发现烟雾。"),
        expected_action=("Confirm the alarm, broadcast the evacuation message, start plan {plan}.",
                         "确认警情，广播疏散指令，启动预案 {plan}。"),
        objective=("Alarm and warning within the pre-movement time", "在疏散准备时间内完成报警与通知"),
        capability="alarm and warning / 预警与通知", controller="Lead controller", fixed_time_s=0.0,
    ),
    InjectTemplate(
        metric="timeline.premovement_p90_s", inject_type="information", source="Floor marshal",
        to="Venue duty manager",
        description=("Marshals report most occupants have started to move.", "疏导员报告大部分人员已开始移动。"),
        expected_action=("Marshals sweep their zones and direct late movers to the open exits.",
                         "疏导员清查责任区，引导滞后人员前往开放出口。"),
        objective=("Occupants moving within the target pre-movement time", "人员在目标准备时间内开始疏散"),
        capability="evacuation / 疏散", controller="Zone controller",
    ),
    InjectTemplate(
        metric="timeline.first_out_s", inject_type="information", source="Exit marshal", to="Venue duty manager",
        description=("First evacuees reach the assembly point.", "首批疏散人员到达集合点。"),
        expected_action=("Open the assembly point, start counting people out.", "开放集合点，开始清点疏散人数。"),
        objective=("Assembly point staffed when the first people arrive", "首批人员到达时集合点已有人员值守"),
        capability="evacuation / 疏散", controller="Exit controller",
    ),
    InjectTemplate(
        metric="timeline.peak_density_t_s", inject_type="event", source="Exit marshal", to="Venue duty manager",
        description=("Crowding at the bottleneck: density about {max_density_p_m2:.1f} P/m².",
                     "瓶颈处拥挤：密度约 {max_density_p_m2:.1f} 人/m²。"),
        expected_action=("Meter the flow at the bottleneck; redirect people to other open exits.",
                         "在瓶颈处限流；引导人员前往其他开放出口。"),
        objective=("Crowd kept below dangerous density", "人群密度控制在危险水平以下"),
        capability="crowd management / 人群管理", controller="Safety controller",
    ),
    InjectTemplate(
        metric="timeline.t50_s", inject_type="information", source="Assembly point", to="Incident commander",
        description=("Half of the occupants are out.", "一半人员已疏散。"),
        expected_action=("Report the count to the incident commander; start the roll call.",
                         "向现场指挥报告人数；开始点名。"),
        objective=("Accountability of evacuees", "疏散人员清点"),
        capability="accountability / 人员清点", controller="Exit controller",
    ),
    InjectTemplate(
        metric="t95_s", inject_type="information", source="Assembly point", to="Incident commander",
        description=("95 % of the occupants are out.", "95% 人员已疏散。"),
        expected_action=("Send the sweep team to check remaining areas.", "派出搜索小组检查剩余区域。"),
        objective=("Sweep of the venue started in time", "及时开始场所清查"),
        capability="search / 搜索清查", controller="Lead controller",
    ),
    InjectTemplate(
        metric="evacuation_time_s", inject_type="information", source="Sweep team", to="Incident commander",
        description=("Last person out; the sweep finds no one left inside.", "最后一人撤出；清查未发现滞留人员。"),
        expected_action=("Declare the building clear and report to the fire service.",
                         "宣布建筑内人员已全部撤离并向消防报告。"),
        objective=("Everyone out within the target evacuation time", "在目标时间内完成全部疏散"),
        capability="evacuation / 疏散", controller="Lead controller",
    ),
    InjectTemplate(
        metric="response.first_unit_p90_s", inject_type="event", source="Simulation cell", to="Incident commander",
        description=("First fire unit arrives on scene.", "首辆消防车到场。"),
        expected_action=("Brief the fire officer: people unaccounted for, hazards, access.",
                         "向消防指挥员通报：未清点人员、危险源、进入路线。"),
        objective=("Handover to the fire service", "与消防救援队伍完成交接"),
        capability="operational coordination / 协同处置", controller="Lead controller",
    ),
    InjectTemplate(
        metric="response.gas_isolated_s", inject_type="event", source="Gas utility crew", to="Incident commander",
        description=("Gas supply isolated.", "燃气已切断。"),
        expected_action=("Confirm isolation; re-assess the hazard zone.", "确认切断；重新评估危险区域。"),
        objective=("Hazard isolated within target time", "在目标时间内控制危险源"),
        capability="hazard control / 危险源控制", controller="Safety controller",
    ),
    InjectTemplate(
        metric="response.last_casualty_at_hospital_s", inject_type="information", source="EMS", to="Incident commander",
        description=("Last casualty delivered to hospital.", "最后一名伤员送达医院。"),
        expected_action=("Close the casualty log; inform families' liaison.", "关闭伤员登记；通知家属联络组。"),
        objective=("Casualties transported within target time", "在目标时间内完成伤员转运"),
        capability="public health and medical / 医疗救护", controller="Lead controller",
    ),
)

_CLOSED_EXIT = InjectTemplate(
    metric="", inject_type="event", source="Lead controller", to="Floor marshals",
    description=("Exit {exit} is blocked.", "出口 {exit} 被堵塞。"),
    expected_action=("Stop people from queueing at {exit}; send them to the open exits.",
                     "阻止人员在 {exit} 排队；引导前往开放出口。"),
    objective=("Redirection away from a blocked exit", "绕开被堵塞出口的引导"),
    capability="evacuation / 疏散", controller="Zone controller", fixed_time_s=0.0,
)
_CONTINGENCY = InjectTemplate(
    metric="evacuation_time_s", inject_type="contingency", source="Lead controller", to="Incident commander",
    description=("Contingency (only if the building is not declared clear by the 90th-percentile target): a "
                 "parent reports a missing child.",
                 "备用注入（若在第 90 百分位目标时间前未宣布清场）：一名家长报告孩子失踪。"),
    expected_action=("Re-task the sweep team; check the roll call.", "重新派出搜索小组；核对点名记录。"),
    objective=("Everyone out within the target evacuation time", "在目标时间内完成全部疏散"),
    capability="search / 搜索清查", controller="Lead controller",
)


@dataclasses.dataclass(frozen=True)
class Drill:
    """A designed drill: ``data`` (JSON) with its ``injects`` (rows of :data:`MSEL_COLUMNS`)."""

    data: dict[str, Any]

    @property
    def injects(self) -> list[dict[str, Any]]:
        return list(self.data["injects"])

    def to_csv(self) -> str:
        """The MSEL as CSV."""
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(MSEL_COLUMNS), lineterminator="\n")
        w.writeheader()
        for row in self.injects:
            w.writerow({k: "" if row[k] is None else row[k] for k in MSEL_COLUMNS})
        return buf.getvalue()

    def to_markdown(self) -> str:
        """The MSEL as a bilingual Markdown document."""
        d = self.data
        lines = [
            f"# MSEL / 演练脚本 — {d['scenario']} / plan {d['plan']}",
            "",
            f"- Exercise type / 演练类型: {d['exercise_type']} / {EXERCISE_TYPE_ZH[d['exercise_type']]}",
            f"- Scenario file / 情景文件: `{d['scenario_file']}` (sha256 {d['scenario_sha256'][:12]})",
            f"- Target times from {d['reps']} simulated replications (seeds {d['seeds'][0]}–{d['seeds'][-1]}, "
            f"{d['agents']} persons): p50 / p90 / 目标时间取模拟结果的第 50 与第 90 百分位",
            f"- Code version / 版本: {d['code_version']}",
            "",
            "| # | Time 时间 | Type 类型 | Delivery 方式 | From → To | Description 描述 | Expected action 预期行动 | "
            "Objective 目标 | Target p50 / p90 | Controller 导调 |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in self.injects:
            target = "—" if r["target_p50_s"] is None else f"{_mmss(r['target_p50_s'])} / {_mmss(r['target_p90_s'])}"
            lines.append(
                f"| {r['inject_id']} | {r['scenario_time']} | {r['inject_type']} {r['inject_type_zh']} | "
                f"{r['delivery']}<br>{r['delivery_zh']} | {r['from']} → {r['to']} | "
                f"{r['description_en']}<br>{r['description_zh']} | {r['expected_action_en']}<br>"
                f"{r['expected_action_zh']} | {r['objective_en']}<br>{r['objective_zh']} | {target} | "
                f"{r['controller']} |"
            )
        lines += [
            "",
            "Ratings in evaluation / 评估等级: P performed without challenges 无挑战完成 (observed <= p50); "
            "S some challenges 存在一些挑战 (<= p90); M major challenges 存在重大挑战 (<= 1.5 x p90); "
            "U unable to perform 无法完成.",
        ]
        return "\n".join(lines) + "\n"


def _mmss(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = int(round(float(seconds)))
    return f"T+{s // 60:02d}:{s % 60:02d}"


def design_drill(
    scenario_path: str | os.PathLike[str],
    *,
    plan: str | None = None,
    exercise_type: str = "functional",
    reps: int = 10,
    seed: int = 0,
    agents: int | None = None,
    executor: str | None = None,
    workers: int | None = None,
    catalogue: Catalogue | None = None,
    progress: bool = False,
) -> Drill:
    """Replicate one plan and derive its MSEL.

    Raises:
        ScenarioError: invalid scenario, plan or exercise type.
    """
    from sim.plans.compare import compare
    from sim.scenario import load_scenario

    if exercise_type not in EXERCISE_TYPES:
        raise ScenarioError(
            "unknown exercise type", field="--type", value=exercise_type, fix=f"use one of: {', '.join(EXERCISE_TYPES)}"
        )
    sc = load_scenario(scenario_path)
    chosen = sc.plan(plan)
    comp = compare(
        scenario_path, plans=[chosen.id], reps=reps, seed=seed, agents=agents, executor=executor, workers=workers,
        catalogue=catalogue, progress=progress,
    )
    runs = [r["metrics"] for r in comp["runs"]]
    injects = build_injects(runs, plan=chosen.id, closed_exits=chosen.close_exits, exercise_type=exercise_type)
    data = {
        "scenario": sc.name,
        "scenario_file": sc.source,
        "scenario_sha256": sc.sha256,
        "plan": chosen.id,
        "exercise_type": exercise_type,
        "reps": reps,
        "seeds": comp["seeds"],
        "agents": comp["agents"],
        "code_version": comp["code_version"],
        "injects": injects,
    }
    return Drill(data)


def build_injects(
    runs: Sequence[Mapping[str, float]],
    *,
    plan: str,
    closed_exits: Sequence[str] = (),
    exercise_type: str = "functional",
) -> list[dict[str, Any]]:
    """The injects for runs with these metrics, sorted by scenario time (ties keep the table order)."""
    medians = {}
    for m in {t.metric for t in INJECTS if t.metric} | {"max_density_p_m2"}:
        vals = [r[m] for r in runs if m in r]
        if vals:
            medians[m] = (float(np.percentile(vals, 50)), float(np.percentile(vals, 90)))
    fmt = {"plan": plan, "max_density_p_m2": medians.get("max_density_p_m2", (0.0, 0.0))[1]}
    rows: list[tuple[float, int, InjectTemplate, dict[str, Any]]] = []
    order = 0
    for tpl in INJECTS:
        if tpl.fixed_time_s is not None:
            rows.append((tpl.fixed_time_s, order, tpl, fmt))
        elif tpl.metric in medians:
            rows.append((medians[tpl.metric][0], order, tpl, fmt))
        order += 1
    for e in closed_exits:
        rows.append((0.0, order, _CLOSED_EXIT, {**fmt, "exit": e}))
        order += 1
    if "evacuation_time_s" in medians:
        rows.append((medians["evacuation_time_s"][1], order, _CONTINGENCY, fmt))
    rows.sort(key=lambda r: (r[0], r[1]))
    delivery = _DELIVERY[exercise_type]
    out = []
    for seq, (t, _, tpl, f) in enumerate(rows, 1):
        target = medians.get(tpl.metric) if tpl.metric and tpl.inject_type != "contingency" else None
        out.append(
            {
                "inject_id": f"I{seq:02d}",
                "seq": seq,
                "scenario_time_s": round(t, 1),
                "scenario_time": _mmss(t),
                "inject_type": tpl.inject_type,
                "inject_type_zh": _TYPE_ZH[tpl.inject_type],
                "delivery": delivery[tpl.inject_type][0],
                "delivery_zh": delivery[tpl.inject_type][1],
                "from": tpl.source,
                "to": tpl.to,
                "description_en": tpl.description[0].format(**f),
                "description_zh": tpl.description[1].format(**f),
                "expected_action_en": tpl.expected_action[0].format(**f),
                "expected_action_zh": tpl.expected_action[1].format(**f),
                "objective_en": tpl.objective[0],
                "objective_zh": tpl.objective[1],
                "capability": tpl.capability,
                "target_p50_s": None if target is None else round(target[0], 1),
                "target_p90_s": None if target is None else round(target[1], 1),
                "controller": tpl.controller,
                "notes": f"simulated milestone: {tpl.metric}" if tpl.metric else "",
            }
        )
    return out


def write_msel(drill: Drill, out: str | os.PathLike[str]) -> list[Path]:
    """Write ``OUT.csv`` and ``OUT.md`` (the suffix of ``out`` is replaced); returns the paths."""
    base = Path(out)
    if base.suffix.lower() in (".csv", ".md"):
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, text in ((".csv", drill.to_csv()), (".md", drill.to_markdown())):
        path = base.with_name(base.name + suffix)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)
    return written


def read_msel(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read an MSEL CSV written by :func:`write_msel` (target times as floats or ``None``).

    Raises:
        ScenarioError: missing file or columns.
    """
    p = Path(path)
    if not p.is_file():
        raise ScenarioError("no such file", field="MSEL", value=str(p), fix="give the CSV written by drillsim drill")
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        missing = [c for c in ("inject_id", "objective_en", "target_p50_s", "target_p90_s") if c not in cols]
        if missing:
            raise ScenarioError(
                f"is not an MSEL (missing columns {', '.join(missing)})", file=str(p),
                fix="give the CSV written by drillsim drill",
            )
        rows = []
        for r in reader:
            for k in ("target_p50_s", "target_p90_s", "scenario_time_s"):
                r[k] = float(r[k]) if r.get(k) not in (None, "") else None  # type: ignore[assignment]
            rows.append(dict(r))
    return rows
