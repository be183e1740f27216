"""Command-line verbs of this package (registered by :mod:`sim.cli`): ``drillsim shelters``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``drillsim shelters FILE [--plan ID] [--site K] [--json]``."""
    from sim.cli import positive_int

    p = verbs.add_parser(
        "shelters",
        help="shelter coverage, capacity-constrained assignment, compliance and siting for a district",
        description="FILE is a district file or a scenario file with a 'shelters:' section.",
    )
    p.add_argument("file", type=Path, help="district file or scenario file (YAML)")
    p.add_argument(
        "--plan", default=None, help="plan id (scenario plans' 'shelters:' changes, or the district's plans)"
    )
    p.add_argument(
        "--site", type=positive_int, default=None, metavar="K", help="also choose K new sites (exact and greedy)"
    )
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(func=_cmd_shelters)


def _cmd_shelters(args: argparse.Namespace) -> int:
    from sim.shelter.config import load_shelters_file
    from sim.shelter.report import format_report, shelter_report

    config = load_shelters_file(args.file, plan=args.plan)
    report = shelter_report(config, plan=args.plan, site_k=args.site)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(format_report(report))
    return 0
