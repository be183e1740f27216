"""Command-line verbs of this package (registered by :mod:`sim.cli`): ``drillsim verify``."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from typing import Any

__all__ = ["register", "format_rows"]


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``verify`` to the ``drillsim`` command line."""
    p = verbs.add_parser(
        "verify",
        help="run the verification suite (RiMEA 3.0 / IMO / NIST / ISO 20414 tests 1-16, validation vs data)",
        description=(
            "Run the verification and validation suite and print one row per criterion: test, criterion, "
            "measured value, pass/fail. Exit status 0 only if no criterion fails; tests waiting for an engine "
            "feature (stairs, groups) are listed but do not fail the run."
        ),
    )
    p.add_argument(
        "--calibration",
        choices=("empirical", "code", "both"),
        default="both",
        help="calibration profile(s) to verify (default both)",
    )
    p.add_argument("--quick", action="store_true", help="fewer seeds, densities and widths (a few minutes)")
    p.add_argument("--only", default=None, help="comma-separated test ids to run (e.g. 1,7,9,V2)")
    p.add_argument("--json", action="store_true", help="print one JSON object (rows, calibration, version, machine)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=_cmd_verify)


def _cmd_verify(args: argparse.Namespace) -> int:
    from sim.errors import ScenarioError
    from sim.verification.suite import CALIBRATIONS, TESTS, run_suite
    from sim.version import code_version

    cals = CALIBRATIONS if args.calibration == "both" else (args.calibration,)
    only = None
    if args.only is not None:
        only = [t.strip() for t in args.only.split(",") if t.strip()]
        known = {t.id for t in TESTS}
        bad = [t for t in only if t not in known]
        if bad or not only:
            raise ScenarioError(
                "unknown test id", field="--only", value=args.only,
                fix=f"use comma-separated ids among: {', '.join(t.id for t in TESTS)}",
            )
    n_tests = len(only) if only is not None else len(TESTS)
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=n_tests * len(cals), desc="verify", unit="test", file=sys.stderr, leave=False)

    def progress(cal: str, test: str) -> None:
        if bar is not None:
            if bar.n or bar.desc != "verify":
                bar.update(1)
            bar.set_description_str(f"verify {cal} test {test}")

    try:
        result = run_suite(cals, quick=args.quick, only=only, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(json.dumps(
            {
                "calibration": list(cals),
                "quick": args.quick,
                "passed": result.passed,
                "rows": [r.as_dict() for r in result.rows],
                "counts": _counts(result.rows),
                "wall_s": round(result.wall_s, 1),
                "code_version": code_version(),
                "machine": machine(),
            },
            allow_nan=False,
        ))
    else:
        print(format_rows(result.rows))
        c = _counts(result.rows)
        print(f"\n{c['pass']} passed, {c['fail']} failed, {c['waiting']} waiting, {c['n/a']} not applicable "
              f"({result.wall_s:.0f} s, {'quick' if args.quick else 'full'} suite, {code_version()})")
    return 0 if result.passed else 1


def _counts(rows: list[Any]) -> dict[str, int]:
    out = {"pass": 0, "fail": 0, "waiting": 0, "n/a": 0}
    for r in rows:
        out[r.status] += 1
    return out


def machine() -> dict[str, Any]:
    """The machine a result was measured on (for JSON output and the report)."""
    import os

    import numba

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
    }


def format_rows(rows: list[Any]) -> str:
    """A readable table: calibration, test, criterion, measured, status (long texts wrap)."""
    import textwrap

    head = f"{'profile':<10}{'test':<5}{'status':<8}{'criterion':<58}measured"
    lines = [head, "-" * len(head)]
    mark = {"pass": "pass", "fail": "FAIL", "waiting": "wait", "n/a": "n/a"}
    for r in rows:
        crit = textwrap.wrap(f"{r.name}: {r.criterion}", 56, break_on_hyphens=False) or [""]
        meas = textwrap.wrap(r.measured, 60, break_on_hyphens=False) or [""]
        for k in range(max(len(crit), len(meas))):
            left = f"{r.calibration:<10}{r.test:<5}{mark[r.status]:<8}" if k == 0 else " " * 23
            lines.append(f"{left}{crit[k] if k < len(crit) else '':<58}{meas[k] if k < len(meas) else ''}".rstrip())
    return "\n".join(lines)
