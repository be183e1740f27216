"""Command-line verbs of the plan layer (registered by :mod:`sim.cli`): ``compare``, ``runs``, ``score``,
``drill``, ``evaluate``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError


def register(verbs: argparse._SubParsersAction) -> None:
    """Add the plan layer's verbs to the ``drillsim`` command line."""
    from sim.cli import nonneg_int, positive_int

    cmp = verbs.add_parser(
        "compare",
        help="run every plan of a scenario for N seeds and compare them (distributions, differences, ranking)",
        description="Run every plan for seeds S..S+N-1 (the same seeds for every plan: common random numbers) and "
        "report per plan and metric mean, sd, percentiles and 95 % CI, paired differences with the probability "
        "that one plan beats another, and how stable the ranking is. Finished runs are served from the catalogue.",
    )
    cmp.add_argument("scenario", type=Path, help="scenario file (YAML)")
    cmp.add_argument("--plans", default=None, help="comma-separated plan ids (default: every plan)")
    cmp.add_argument("--reps", type=positive_int, default=10, help="replications (seeds) per plan (default 10)")
    cmp.add_argument("--seed", type=nonneg_int, default=0, help="first root seed S (default 0)")
    cmp.add_argument("--agents", type=positive_int, default=None, help="rescale populations to N persons in total")
    cmp.add_argument("--workers", type=positive_int, default=None, help="local worker processes (default min(2, CPUs))")
    cmp.add_argument(
        "--executor", default="local", help="'local' (default) or dask://HOST:PORT of a running Dask scheduler"
    )
    cmp.add_argument(
        "--calibration", choices=("empirical", "code"), default=None, help="override the scenario's calibration"
    )
    cmp.add_argument("--rank-by", default="evacuation_time_s", help="metric for ranking (default evacuation_time_s)")
    cmp.add_argument("--out", type=Path, default=None, help="also write each run's files to OUT/PLAN/seed-N")
    cmp.add_argument("--db", type=Path, default=None, help="run catalogue (default $DRILLSIM_DB or the user data dir)")
    cmp.add_argument("--json", action="store_true", help="print the comparison as one JSON object")
    cmp.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    cmp.set_defaults(func=_cmd_compare)

    runs = verbs.add_parser("runs", help="list or export the runs in the run catalogue")
    runs.add_argument("--db", type=Path, default=None, help="run catalogue (default $DRILLSIM_DB or the user data dir)")
    runs.add_argument("--scenario", default=None, help="only runs of this scenario (name, file or sha256 prefix)")
    runs.add_argument("--plan", default=None, help="only runs of this plan")
    runs.add_argument("--export", type=Path, default=None, help="write the runs to FILE.csv or FILE.json")
    runs.add_argument("--comparisons", action="store_true", help="list comparisons instead of runs")
    runs.add_argument("--json", action="store_true", help="print one JSON object")
    runs.set_defaults(func=_cmd_runs)

    score = verbs.add_parser("score", help="readiness scorecard of a plan against a rubric (P/S/M/U, score of 100)")
    score.add_argument("scenario", type=Path, help="scenario file (YAML)")
    score.add_argument("--plan", default=None, help="plan id (default: the scenario's first plan)")
    score.add_argument("--rubric", default="default", help="rubric YAML file, or a shipped one: default, china")
    score.add_argument("--reps", type=positive_int, default=5, help="replications (default 5)")
    score.add_argument("--seed", type=nonneg_int, default=0, help="first root seed (default 0)")
    score.add_argument("--agents", type=positive_int, default=None, help="rescale populations to N persons")
    score.add_argument("--workers", type=positive_int, default=None, help="local worker processes")
    score.add_argument("--executor", default="local", help="'local' or dask://HOST:PORT")
    score.add_argument("--db", type=Path, default=None, help="run catalogue")
    score.add_argument(
        "--fact", action="append", default=[], metavar="KEY=VALUE",
        help="a value not produced by the simulation, e.g. drill.interval_months=6 or aset_s=600 (repeatable)",
    )
    score.add_argument("--json", action="store_true", help="print the scorecard as one JSON object")
    score.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    score.set_defaults(func=_cmd_score)
    _register_drill(verbs)


def _register_drill(verbs: argparse._SubParsersAction) -> None:
    from sim.cli import nonneg_int, positive_int

    drill = verbs.add_parser(
        "drill", help="write a drill script (MSEL, CSV + Markdown, Chinese / English) from the simulated timeline"
    )
    drill.add_argument("scenario", type=Path, help="scenario file (YAML)")
    drill.add_argument("--plan", required=True, help="plan id")
    drill.add_argument("--type", dest="exercise_type", choices=("tabletop", "functional", "full-scale"),
                       default="functional", help="exercise type (default functional)")
    drill.add_argument("--out", type=Path, required=True, help="MSEL file: writes OUT.csv and OUT.md")
    drill.add_argument("--reps", type=positive_int, default=10, help="replications for the target times (default 10)")
    drill.add_argument("--seed", type=nonneg_int, default=0, help="first root seed (default 0)")
    drill.add_argument("--agents", type=positive_int, default=None, help="rescale populations to N persons")
    drill.add_argument("--workers", type=positive_int, default=None, help="local worker processes")
    drill.add_argument("--executor", default="local", help="'local' or dask://HOST:PORT")
    drill.add_argument("--db", type=Path, default=None, help="run catalogue")
    drill.add_argument("--json", action="store_true", help="print the MSEL as one JSON object")
    drill.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    drill.set_defaults(func=_cmd_drill)

    ev = verbs.add_parser("evaluate", help="rate a drill's observed times against its MSEL; after-action report")
    ev.add_argument("msel", type=Path, help="the MSEL CSV written by drillsim drill")
    ev.add_argument("--observed", type=Path, required=True, help="CSV: inject_id,observed_time_s,notes")
    ev.add_argument("--report", type=Path, default=None,
                    help="after-action report (Markdown; default: OBSERVED with suffix .aar.md)")
    ev.add_argument("--json", action="store_true", help="print the evaluation as one JSON object")
    ev.set_defaults(func=_cmd_evaluate)


def _cmd_drill(args: argparse.Namespace) -> int:
    from sim.plans.catalogue import Catalogue
    from sim.plans.drill import design_drill, write_msel

    with Catalogue(args.db) as cat:
        drill = design_drill(
            args.scenario, plan=args.plan, exercise_type=args.exercise_type, reps=args.reps, seed=args.seed,
            agents=args.agents, executor=args.executor, workers=args.workers, catalogue=cat,
            progress=not args.no_progress,
        )
    paths = write_msel(drill, args.out)
    if args.json:
        print(json.dumps({**drill.data, "files": [str(p) for p in paths]}, allow_nan=False, ensure_ascii=False))
    else:
        for r in drill.injects:
            target = ""
            if r["target_p50_s"] is not None:
                target = f"  target p50 {r['target_p50_s']:.0f} s / p90 {r['target_p90_s']:.0f} s"
            print(f"{r['inject_id']}  {r['scenario_time']}  {r['inject_type']:<12}{r['description_en']}{target}")
        print("\nwritten: " + ", ".join(str(p) for p in paths))
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from sim.plans.evaluate import evaluate_drill

    report = args.report if args.report is not None else args.observed.with_suffix(".aar.md")
    result = evaluate_drill(args.msel, args.observed, report=report)
    if args.json:
        print(json.dumps(result.data, allow_nan=False, ensure_ascii=False))
    else:
        print(result.table())
    return 0


def _plans(text: str | None) -> list[str] | None:
    if text is None:
        return None
    plans = [p.strip() for p in text.split(",") if p.strip()]
    if not plans:
        raise ScenarioError(
            "names no plan", field="--plans", value=text, fix="give plan ids separated by commas, e.g. A,B"
        )
    return plans


def _cmd_compare(args: argparse.Namespace) -> int:
    from sim.plans.catalogue import Catalogue
    from sim.plans.compare import compare

    with Catalogue(args.db) as cat:
        result = compare(
            args.scenario,
            plans=_plans(args.plans),
            reps=args.reps,
            seed=args.seed,
            agents=args.agents,
            calibration=args.calibration,
            executor=args.executor,
            workers=args.workers,
            catalogue=cat,
            out_dir=args.out,
            rank_by=args.rank_by,
            progress=not args.no_progress,
        )
    if args.json:
        print(json.dumps(result.data, allow_nan=False))
    else:
        print(result.table())
    return 0


def _cmd_runs(args: argparse.Namespace) -> int:
    from sim.plans.catalogue import Catalogue

    with Catalogue(args.db) as cat:
        if args.comparisons:
            items: list[dict[str, Any]] = cat.comparisons()
            if args.json:
                print(json.dumps({"db": str(cat.path), "comparisons": items}, allow_nan=False))
            else:
                print(_table(items, ("id", "scenario", "plans", "reps", "seed", "agents", "status", "executed",
                                     "from_catalogue", "started_at")))
            return 0
        rows = cat.runs(scenario=args.scenario, plan=args.plan)
        exported = None
        if args.export is not None:
            exported = str(cat.export(args.export, [{k: v for k, v in r.items() if k != "summary"} for r in rows]))
        if args.json:
            slim = [{k: v for k, v in r.items() if k != "summary"} for r in rows]
            print(json.dumps({"db": str(cat.path), "count": len(rows), "exported": exported, "runs": slim},
                             allow_nan=False))
        else:
            shown = [
                {**r, "evacuation_time_s": r["metrics"].get("evacuation_time_s"), "sha256": r["scenario_sha256"][:12]}
                for r in rows
            ]
            print(_table(shown, ("id", "scenario", "sha256", "plan", "seed", "agents", "calibration",
                                 "evacuation_time_s", "wall_s", "finished_at")))
            print(f"\n{len(rows)} runs in {cat.path}" + (f"; exported to {exported}" if exported else ""))
    return 0


def _table(rows: list[dict[str, Any]], cols: tuple[str, ...]) -> str:
    def cell(v: Any) -> str:
        if v is None:
            return "—"
        if isinstance(v, float):
            return f"{v:,.2f}"
        if isinstance(v, list):
            return ",".join(map(str, v))
        return str(v)

    cells = [[cell(r.get(c)) for c in cols] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    out = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(out)


def _cmd_score(args: argparse.Namespace) -> int:
    from sim.plans.catalogue import Catalogue
    from sim.plans.scorecard import load_rubric, score

    rubric = load_rubric(args.rubric)
    with Catalogue(args.db) as cat:
        card = score(
            args.scenario,
            plan=args.plan,
            rubric=rubric,
            reps=args.reps,
            seed=args.seed,
            agents=args.agents,
            workers=args.workers,
            executor=args.executor,
            catalogue=cat,
            facts=_facts(args.fact),
            progress=not args.no_progress,
        )
    if args.json:
        print(json.dumps(card.data, allow_nan=False))
    else:
        print(card.table())
    return 0


def _facts(items: list[str]) -> dict[str, float]:
    facts = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not sep or not key.strip() or number != number or number in (float("inf"), float("-inf")):
            raise ScenarioError(
                "must be KEY=NUMBER", field="--fact", value=item, fix="e.g. --fact drill.interval_months=6"
            )
        facts[key.strip()] = number
    return facts
