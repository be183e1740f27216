"""The ``drillsim`` command line.

Conventions for every verb: ``--json`` prints one JSON object on stdout and nothing else there; people get
a readable table; progress goes to stderr; exit status 0 on success, 2 on bad input with one line saying
what is wrong and how to fix it.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sim.errors import ScenarioError, SimError
from sim.version import code_version

__all__ = ["main", "build_parser", "parse_number", "nonneg_int", "positive_int", "nonneg_float",
           "positive_float", "VERB_MODULES"]

#: Modules that add verbs to the command line. Each has ``register(verbs)`` that adds its sub-parsers to
#: the ``argparse`` sub-parser group and sets ``func`` (``args -> exit status``) on each.
VERB_MODULES = (
    "sim.hazard.commands",
    "sim.response.commands",
    "sim.shelter.commands",
    "sim.plans.commands",
    "sim.verification.commands",
    "sim.dashboard",
)


#: The number an argparse type returns.
_N = TypeVar("_N", int, float)


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors exit with status 2 and one line (as argparse does), named for drillsim."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"drillsim: error: {message} (see 'drillsim {self.prog.split()[-1]} --help')\n")


def parse_number(text: str, kind: Callable[[str], _N], expected: str) -> _N:
    """``kind(text)`` (``int`` or ``float``) for an argparse type.

    Text that is not such a number gives the usage error "expected EXPECTED, got 'TEXT'".
    """
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def nonneg_int(text: str) -> int:
    value = parse_number(text, int, "a whole number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def positive_int(text: str) -> int:
    value = nonneg_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def nonneg_float(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    value = parse_number(text, float, "a number")
    if not (value >= 0.0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a finite number > 0."""
    value = parse_number(text, float, "a number")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every verb."""
    parser = _Parser(prog="drillsim", description="Emergency drill and incident simulation.")
    parser.add_argument("--version", action="version", version=f"drillsim {code_version()}")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    run = verbs.add_parser("run", help="simulate one evacuation of a scenario under a plan")
    run.add_argument("scenario", type=Path, help="scenario file (YAML)")
    run.add_argument("--plan", default=None, help="plan id (default: the scenario's first plan)")
    run.add_argument("--seed", type=nonneg_int, default=0, help="root random seed (default 0)")
    run.add_argument("--agents", type=positive_int, default=None, help="rescale populations to N persons in total")
    run.add_argument("--out", type=Path, default=None, help="write summary.json, agents.csv, timeseries.csv here")
    run.add_argument(
        "--trajectories", action="store_true", help="also write trajectories.sqlite (PedPy-readable) to --out"
    )
    run.add_argument(
        "--calibration", choices=("empirical", "code"), default=None, help="override the scenario's calibration profile"
    )
    run.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    run.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    run.set_defaults(func=_cmd_run)
    for module in VERB_MODULES:
        importlib.import_module(module).register(verbs)
    return parser


class _Progress:
    """A tqdm bar on stderr over simulated persons out, shown only for runs longer than about 2 s."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc=label,
                unit="P",
                file=sys.stderr,
                delay=2.0,
                leave=False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n}/{total} out [{elapsed}<{remaining}] {postfix}",
            )

    def __call__(self, t: float, inside: int, total: int) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"t={t:.0f} s", refresh=False)
            self.bar.update(total - inside - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.jit import cold
    from sim.run import run
    from sim.scenario import load_scenario

    if args.trajectories and args.out is None:
        raise ScenarioError("--trajectories needs an output folder", field="--trajectories", fix="add --out DIR")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise ScenarioError(
            "is not a folder", field="--out", value=str(args.out), fix="give a folder path (it is created if missing)"
        )
    scenario = load_scenario(args.scenario)
    if args.calibration is not None:
        scenario = dataclasses.replace(scenario, calibration=args.calibration)
    plan = scenario.plan(args.plan)
    total = args.agents if args.agents is not None else scenario.total_count
    progress = _Progress(total, f"{scenario.name} / {plan.id}", enabled=not args.no_progress)
    if not args.no_progress and cold():  # the first run of this version of the code waits for the compiler
        print("drillsim: compiling the crowd engine's kernels for this version of the code (once, about 20 s)",
              file=sys.stderr)
    try:
        result = run(
            scenario,
            plan=plan.id,
            seed=args.seed,
            agents=args.agents,
            progress=progress,
            trajectories=(args.out / "trajectories.sqlite") if args.trajectories else None,
        )
    finally:
        progress.close()
    if args.out is not None:
        result.write(args.out)
    if args.json:
        print(result.to_json())
    else:
        print(format_summary(result.summary))
    return 0


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def format_summary(s: dict[str, Any]) -> str:
    """A readable table of a run summary."""
    evac = s["evacuation_time_s"]
    rows = [
        ("scenario", s["scenario"]),
        ("plan", s["plan"]),
        ("seed", s["seed"]),
        ("persons", s["agents"]),
        ("evacuated", f"{s['evacuated']:,} of {s['agents']:,}"),
        ("evacuation time (last out)", "not everyone got out" if evac is None else f"{evac:,.1f} s"),
        ("time to 95 % out", _fmt(s.get("t95_s")) + (" s" if s.get("t95_s") is not None else "")),
        ("max density (2 m cells)", f"{s['max_density_p_m2']:.2f} P/m²"),
        ("simulated / wall time", f"{s['sim_time_s']:,.1f} s / {s['wall_s']:,.1f} s"),
        ("agent-steps per second", _fmt(s["agent_steps_per_s"])),
        ("calibration / model", f"{s['calibration']} / {s['model']}"),
        ("code version", s["code_version"]),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {_fmt(v) if not isinstance(v, str) else v}" for k, v in rows]
    if s.get("alarm_time_s"):
        lines.append("alarm raised at".ljust(width) + f"  {s['alarm_time_s']:,.1f} s")
    if s.get("immobile_casualties") or s.get("trapped"):
        lines.append(
            "immobile casualties / trapped".ljust(width) + f"  {s['immobile_casualties']:,} / {s['trapped']:,}"
        )
    if "time_above_2_p_m2_s" in s:
        lines.append(
            "time above 2 / 4 / 5.5 P/m²".ljust(width)
            + f"  {s.get('time_above_2_p_m2_s', 0):.0f} / {s.get('time_above_4_p_m2_s', 0):.0f} / "
            f"{s.get('time_above_5_5_p_m2_s', 0):.0f} s"
        )
    lines.append("")
    lines.append(f"{'exit':<16}{'persons':>9}{'steady flow (P/s)':>20}{'max queue':>11}")
    queues = s.get("max_queue", {})
    for e, n in s["exit_counts"].items():
        f = s["exit_flow_p_per_s"].get(e)
        lines.append(f"{e:<16}{n:>9,}{'—' if f is None else f'{f:.2f}':>20}{queues.get(e, 0):>11,}")
    for ev in s.get("events", []):
        lines.append(f"event at {ev['t_s']:.1f} s: {ev['change']}")
    if "metro_check" in s:
        lines.append("")
        lines.append(format_metro_check(s["metro_check"]))
    if "hazard" in s:
        h = s["hazard"]
        lines.append("")
        lines.append(
            f"hazard: ignition at {_fmt(h.get('ignition_time_s'))} s, closed exits: "
            f"{', '.join(h.get('closed_exits', [])) or 'none'}, casualties: "
            + ", ".join(f"{k} {v}" for k, v in h.get("casualties", {}).items())
        )
    if "response" in s:
        r = s["response"]
        scalars = {k: v for k, v in r.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        lines.append("")
        lines.append("response: " + ", ".join(f"{k} {_fmt(v)}" for k, v in list(scalars.items())[:6]))
    if "shelter" in s:
        lines.append("")
        lines.append(f"shelters: {s['shelter'].get('venue_evacuees', 0):,} evacuees added as demand at the venue")
    return "\n".join(lines)


def format_metro_check(m: dict[str, Any]) -> str:
    """The metro 4 / 6 minute rule, formula next to simulation, as a small table."""

    def verdict(ok: bool) -> str:
        return "meets" if ok else "FAILS"

    def minutes(x: float | None) -> str:
        return "not reached" if x is None else f"{x / 60:.2f} min"

    f = m["formula_time_min"]
    return "\n".join(
        [
            f"metro check (GB 51298 / GB 50157), platform '{m['platform']}', {m['persons_on_platform']:,} persons",
            f"  formula   T = 1 + Q / (0.9 [A1 (N-1) + A2 B]) = {'—' if f is None else f'{f:.2f} min'}"
            f"  (N = {m['escalators']}, A1 = {m['escalator_capacity_p_per_min']} P/min, B = {m['stair_width_m']} m)"
            f"  -> {verdict(m['formula_ok'])} the 6 min rule",
            f"  simulated platform cleared   {minutes(m['platform_clear_s'])}"
            f"  -> {verdict(m['platform_clear_ok'])} 4 min",
            f"  simulated safe area reached  {minutes(m['safe_area_s'])}  -> {verdict(m['safe_area_ok'])} 6 min",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``drillsim`` console script. Returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SimError as exc:
        print(f"drillsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("drillsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
