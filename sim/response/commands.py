"""Command-line verbs of this package (registered by :mod:`sim.cli`): ``drillsim response``.

``drillsim response FILE [--plan ID] [--reps N] [--seed S] [--alarm-time T] [--json]`` runs only the response
engine on the ``response`` section of a scenario (or response) file, N replications with seeds S .. S+N-1,
and prints each metric's mean with its 95 % confidence interval.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sim.errors import ScenarioError
from sim.response.config import ResponseConfig, apply_response_plan_changes, read_response, read_response_plan_changes
from sim.scenario.fields import FieldReader

__all__ = ["register", "load_response_section", "read_yaml"]


def read_yaml(path: str | os.PathLike[str]) -> Any:
    """The parsed YAML of a file (safe loading, duplicate keys rejected), errors as one ScenarioError line."""
    from sim.scenario.loader import _UniqueKeyLoader, _yaml_error

    source = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except (OSError, ValueError) as exc:  # ValueError: NUL in the path or not UTF-8
        reason = getattr(exc, "strerror", None) or str(exc).split("\n")[0][:80]
        raise ScenarioError(f"cannot read the file ({reason})", file=source, fix="check the path") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a yaml.SafeLoader subclass
    except yaml.YAMLError as exc:
        raise _yaml_error(source, text, exc) from None
    except RecursionError:
        raise ScenarioError("not valid YAML: nested too deeply", file=source, fix="flatten the structure") from None


def load_response_section(path: str | os.PathLike[str], plan: str | None = None) -> ResponseConfig:
    """Read the ``response`` section of a scenario (or response-only) file, with a plan's changes applied.

    Only ``response`` and the ``response`` key of each entry of ``plans`` are read (other sections belong
    to other readers). File paths in the section are relative to the file's folder.

    Args:
        path: a YAML file with a top-level ``response:`` section.
        plan: plan id; ``None`` = the first plan (or the section as is when there are no plans).

    Returns:
        The validated configuration.

    Raises:
        ScenarioError: the file, the section or the plan is invalid, or the plan does not exist.
    """
    data = read_yaml(path)
    reader = FieldReader(str(path))
    if not isinstance(data, Mapping) or "response" not in data:
        reader.fail("response", "missing required section", fix="add a 'response:' section (stations, incidents, ...)")
    config = read_response(reader, data["response"], "response", base_dir=Path(path).resolve().parent)
    plans = reader.seq(data.get("plans", []) or [], "plans")
    ids = []
    for i, p in enumerate(plans):
        if not isinstance(p, Mapping) or "id" not in p:
            reader.fail(f"plans[{i}]", "a plan must be a mapping with an 'id'", p, "write e.g. '- id: base'")
        ids.append(reader.ident(p["id"], f"plans[{i}].id"))
    if plan is None and not plans:
        return config
    index = 0 if plan is None else (ids.index(plan) if plan in ids else None)
    if index is None:
        valid = ", ".join(ids) or "(none: the file has no plans)"
        raise ScenarioError("no such plan", file=str(path), field="--plan", value=plan, fix=f"use one of: {valid}")
    raw = plans[index].get("response")
    if raw is None:
        return config
    changes = read_response_plan_changes(reader, raw, f"plans[{index}].response", config)
    return apply_response_plan_changes(config, changes)


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``drillsim response`` to the command line."""
    from sim.cli import nonneg_float, nonneg_int, positive_int

    p = verbs.add_parser(
        "response",
        help="simulate the emergency response (dispatch, travel, tasks, hospitals) over N replications",
        description="Run only the response engine on the 'response' section of a scenario file.",
    )
    p.add_argument("scenario", type=Path, help="scenario or response file (YAML) with a 'response:' section")
    p.add_argument("--plan", default=None, help="plan id (default: the file's first plan)")
    p.add_argument("--reps", type=positive_int, default=30, help="replications (default 30)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="first root seed; replication k uses seed S+k")
    p.add_argument("--alarm-time", type=nonneg_float, default=0.0, help="alarm time on the clock [s] (default 0)")
    p.add_argument("--json", action="store_true", help="print the results as one JSON object")
    p.set_defaults(func=_cmd_response)


def _cmd_response(args: argparse.Namespace) -> int:
    from sim.response.engine import simulate_response
    from sim.response.metrics import replicate_response, summary
    from sim.seeding import stream

    config = load_response_section(args.scenario, args.plan)
    plan = args.plan if args.plan is not None else _first_plan(args.scenario)
    seeds = list(range(args.seed, args.seed + args.reps))
    print(f"response: {len(seeds)} replication(s) of {args.scenario} / {plan}", file=sys.stderr)
    wall0 = time.perf_counter()
    reps = replicate_response(config, seeds=seeds, alarm_time_s=args.alarm_time)
    first = simulate_response(config, alarm_time_s=args.alarm_time, rng=stream(args.seed, "response"), seed=args.seed)
    wall = time.perf_counter() - wall0
    out = {
        "scenario": str(args.scenario),
        "plan": plan,
        "seed": args.seed,
        "reps": args.reps,
        "alarm_time_s": args.alarm_time,
        "confidence": reps.confidence,
        "metrics": reps.to_dict(),
        "first_replication": summary(first),
        "wall_s": round(wall, 3),
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(format_response(out))
    return 0


def _first_plan(path: Path) -> str:
    data = read_yaml(path)
    plans = data.get("plans") if isinstance(data, Mapping) else None
    if isinstance(plans, list) and plans and isinstance(plans[0], Mapping):
        return str(plans[0].get("id", "base"))
    return "base"


def format_response(out: dict[str, Any]) -> str:
    """A readable table of the replicated metrics and the first replication's targets."""
    lines = [
        f"scenario  {out['scenario']}",
        f"plan      {out['plan']}   seeds {out['seed']}..{out['seed'] + out['reps'] - 1}"
        f"   alarm at {out['alarm_time_s']:g} s",
        "",
        f"{'metric':<32}{'n':>4}{'mean':>11}{'95 % CI':>22}",
    ]
    for name, m in out["metrics"].items():
        if m["mean"] is None:
            lines.append(f"{name:<32}{m['n']:>4}{'—':>11}{'—':>22}")
            continue
        ci = "—" if m["ci_low"] is None else f"[{m['ci_low']:,.2f}, {m['ci_high']:,.2f}]"
        lines.append(f"{name:<32}{m['n']:>4}{m['mean']:>11,.2f}{ci:>22}")
    s = out["first_replication"]
    lines.append("")
    lines.append(f"first replication (seed {out['seed']}): time to first unit from the call [s]")
    for inc, t in s["first_unit_s"].items():
        lines.append(f"  {inc:<30}{'—' if t is None else f'{t:,.1f}':>10}")
    for tid, t in s["targets"].items():
        share = "—" if t["share_met"] is None else f"{100 * t['share_met']:.0f} %"
        lines.append(
            f"  {tid:<30}{share:>10} of {t['incidents']} incident(s) within {t['within_s']:g} s of the {t['from']}"
        )
    lines.append(f"wall time {out['wall_s']:.2f} s")
    return "\n".join(lines)
