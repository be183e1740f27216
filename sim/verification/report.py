"""The verification report: ``python -m sim.verification.report [--quick] [--out docs]``.

Runs the suite (full by default) for both calibration profiles and writes ``<out>/verification.md`` (the
table of every criterion, the validation error measures, the calibration parameters and the known
deviations) and two plots under ``<out>/img/``: the fundamental diagram against Weidmann (1993) and the
bottleneck flow against width next to Seyfried et al. (2009). Plots use matplotlib's Agg backend (no
display needed).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.crowd.calibration import PROFILES
from sim.verification.suite import CALIBRATIONS, FAIL, PASS, WAITING, Row, SuiteResult, run_suite
from sim.verification.validation import SEYFRIED_2009, weidmann_speed

__all__ = ["write_report", "plot_fundamental_diagram", "plot_bottleneck", "main"]

FD_PNG = "img/verification_fd.png"
BOTTLENECK_PNG = "img/verification_bottleneck.png"


def _new_figure() -> tuple[Any, Any]:
    """A figure and its axes for the report (matplotlib without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(6.4, 4.2), dpi=120)


def _save_figure(fig: Any, ax: Any, title: str, path: Path) -> Path:
    """Grid, legend and ``title`` on ``ax``; ``fig`` written to ``path`` (folders made) and closed."""
    import matplotlib.pyplot as plt

    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_fundamental_diagram(result: SuiteResult, path: Path) -> Path:
    """Speed against density for each profile measured, with Weidmann's curve and its ±0.2 m/s band."""
    rho = np.linspace(0.3, 6.0, 300)
    w = weidmann_speed(rho)
    fig, ax = _new_figure()
    ax.plot(rho, w, color="black", label="Weidmann (1993)")
    ax.fill_between(rho, np.clip(w - 0.2, 0, None), w + 0.2, where=(rho >= 0.5) & (rho <= 3.0), color="0.85",
                    label="acceptance ±0.2 m/s (0.5-3 P/m²)")
    for cal, marker in zip(CALIBRATIONS, ("o", "s"), strict=True):
        fd = result.frames.get(f"fd/{cal}")
        if fd is not None:
            ax.errorbar(fd["density"], fd["speed_m_s"], yerr=fd["speed_sd"], marker=marker, linestyle="-",
                        capsize=2, label=f"drillsim, {cal} profile")
    ax.set_xlabel("density [P/m²]")
    ax.set_ylabel("speed [m/s]")
    ax.set_xlim(0, 6.2)
    ax.set_ylim(0, 1.5)
    return _save_figure(fig, ax, "Fundamental diagram (ring 3 m wide, free speed 1.34 m/s)", path)


def plot_bottleneck(result: SuiteResult, path: Path) -> Path:
    """Bottleneck flow against width, with Seyfried et al. (2009) and the ±0.3 P/s acceptance."""
    fig, ax = _new_figure()
    sw = np.array(sorted(SEYFRIED_2009))
    sj = np.array([SEYFRIED_2009[k] for k in sw])
    ax.errorbar(sw, sj, yerr=0.3, fmt="D", color="black", capsize=3, label="Seyfried et al. (2009) ±0.3 P/s")
    for cal in CALIBRATIONS:
        bn = result.frames.get(f"bottleneck/{cal}")
        if bn is not None:
            ax.errorbar(bn["width_m"], bn["flow_p_s"], yerr=bn["flow_sd"], marker="o", capsize=2,
                        label=f"drillsim, {cal} profile")
            slope, icpt = np.polyfit(bn["width_m"], bn["flow_p_s"], 1)
            x = np.array([0.7, 2.6])
            ax.plot(x, slope * x + icpt, linestyle=":", color="0.4", label=f"linear fit ({slope:.2f} P/(m·s))")
    x = np.array([0.7, 2.6])
    ax.plot(x, 1.33 * x, linestyle="--", color="tab:red", label="code: 1.33 P/(m·s)")
    ax.set_xlabel("bottleneck width [m]")
    ax.set_ylabel("flow [P/s]")
    return _save_figure(fig, ax, "Bottleneck flow (2.8 m long, 200 persons)", path)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _table(rows: list[Row]) -> str:
    mark = {PASS: "pass", FAIL: "**FAIL**", WAITING: "waiting", "n/a": "n/a"}
    out = ["| profile | test | name | criterion | measured | result |", "|---|---|---|---|---|---|"]
    for r in rows:
        out.append(
            f"| {r.calibration} | {r.test} | {_md_escape(r.name)} | {_md_escape(r.criterion)} | "
            f"{_md_escape(r.measured)} | {mark[r.status]} |"
        )
    return "\n".join(out)


def _parameters_table() -> str:
    fields = [f.name for f in dataclasses.fields(next(iter(PROFILES.values())))]
    out = ["| parameter | " + " | ".join(PROFILES) + " |", "|---|" + "---|" * len(PROFILES)]
    for f in fields:
        out.append(f"| `{f}` | " + " | ".join(f"{getattr(p, f)!s}" for p in PROFILES.values()) + " |")
    return "\n".join(out)


def _profile_tables(result: SuiteResult, frame: str, header: str, row: Callable[[pd.Series], str]) -> str:
    """A Markdown table per calibration profile that has the frame ``{frame}/{profile}``, one line per row.

    ``header`` is the table's first line; ``row`` formats one row of the frame.
    """
    out = []
    for cal in CALIBRATIONS:
        df = result.frames.get(f"{frame}/{cal}")
        if df is None:
            continue
        out.append(f"\n**{cal}** profile:\n")
        out.append(header)
        out.append("|" + "---|" * (header.count("|") - 1))
        for _, r in df.iterrows():
            out.append(row(r))
    return "\n".join(out)


def _fd_row(r: pd.Series) -> str:
    return (f"| {r['density']:.2f} | {r['speed_m_s']:.3f} | {r['weidmann_m_s']:.3f} | "
            f"{r['error_m_s']:+.3f} | {r['specific_flow']:.2f} | {r['max_overlap_m'] * 100:.1f} |")


def _fd_table(result: SuiteResult) -> str:
    header = "| density [P/m²] | speed [m/s] | Weidmann [m/s] | error [m/s] | ρ·v [P/(m·s)] | max overlap [cm] |"
    return _profile_tables(result, "fd", header, _fd_row)


def _bn_row(r: pd.Series) -> str:
    ref = "—" if np.isnan(r["seyfried_p_s"]) else f"{r['seyfried_p_s']:.2f}"
    err = "—" if np.isnan(r["error_p_s"]) else f"{r['error_p_s']:+.2f}"
    return f"| {r['width_m']:g} | {r['flow_p_s']:.2f} | {r['flow_sd']:.2f} | {ref} | {err} | {r['specific_flow']:.2f} |"


def _bn_table(result: SuiteResult) -> str:
    header = "| width [m] | flow [P/s] | sd | Seyfried 2009 [P/s] | error [P/s] | specific flow [P/(m·s)] |"
    return _profile_tables(result, "bottleneck", header, _bn_row)


def _deviations(result: SuiteResult) -> str:
    failed = [r for r in result.rows if r.status == FAIL]
    waiting = [r for r in result.rows if r.status == WAITING]
    lines = []
    for r in failed:
        lines.append(f"- **{r.calibration}, test {r.test} ({r.name})** fails: {r.measured} (criterion: {r.criterion}).")
    for r in waiting:
        lines.append(f"- {r.calibration}, test {r.test} ({r.name}): {r.measured}.")
    lines += [
        "- The fundamental diagram is measured on a ring 3 m wide with everyone at the free speed 1.34 m/s; "
        "at 6 P/m² the bodies are 0.18 m instead of 0.2 m (0.2 m discs cannot be placed at 6 P/m² next to "
        "walls with clearance).",
        "- Weidmann's planar fundamental diagram and Seyfried's bottleneck flows are not consistent with each "
        "other (Seyfried et al. 2009: flows through bottlenecks exceed the capacity the fundamental diagram "
        "implies); the empirical profile is a compromise between them and sits near the edge of both "
        "tolerances.",
        "- Doors of tests 7, 9 and 16 are passages through a 0.2 m wall into an open area, and flows are "
        "counted where people leave the door. An exit line placed in the door itself removes each person the "
        "moment its centre crosses, so nobody is ever ahead of the next person and the flow through a 1 m "
        "exit line reaches about 3.5 P/s (an artefact of the engine's exits, see the report of issue #3).",
        "- The empirical profile passes with little margin: T = 0.43 s with Weidmann's exponential speed "
        "function puts the ring speeds in the upper half of the ±0.2 m/s band (1-3 P/m²; largest error 0.18 "
        "m/s), the 1 m door near the 2.0 P/s top of the laboratory range (test 7) and the 1.2 m "
        "bottleneck near the lower edge of the tolerance (V2a). A smaller T raises the bottleneck flows but "
        "lifts the ring speeds out of the band and the door above 2.0 P/s. The bottleneck corridor is 2.8 m long as in "
        "Seyfried's experiment; the model treats it like any corridor, so a longer one carries less (4 m, "
        "with the parameters before the last calibration step: 1.99 P/s at 1.2 m, outside the tolerance). "
        "Flow grows with width in steps of about one staggered "
        "lane (1.1 → 1.2 m adds little), which the narrow look-ahead lane only partly smooths.",
        "- Test 14 runs with quickest-path routing (`simulation.routing: quickest`: the navigation fields are "
        "recomputed every 2 s with a cost that grows with the crowd density, Kretz 2009 / Hartmann 2010). With "
        "the default static shortest paths a crowd of 500 packs the inside of the bend and fails the code "
        "profile's bound (143 s against 81-126 s). Quickest routing is not the default because recomputing "
        "every exit's field costs 0.07-2.3 s per update in the shipped venues (`python "
        "benchmarks/navigation_fields.py`).",
        "- Counterflow (test 8): first-order speed models cannot tell an oncoming person from a standing one; "
        "the engine lets people see their neighbours' last walking direction and keep right from up to "
        "1.5 m away from oncoming ones, which forms lanes instead of face-to-face locks.",
        "- Overlaps stay below 5 cm by a hard contact limit (a step uses at most half the room to a "
        "neighbour); without it, repulsion and the passing-side bias push directions sideways and dense "
        "queues overlap by 5-12 cm.",
    ]
    return "\n".join(lines)


def write_report(result: SuiteResult, out_dir: Path, *, command: str) -> Path:
    """Write ``verification.md`` and its plots into ``out_dir``.

    Args:
        result: a suite result with the ``fd/*`` and ``bottleneck/*`` frames (run tests 3 and V2).
        out_dir: folder of the report (``docs``).
        command: the command that produced it (printed in the report).

    Returns:
        The path of the Markdown file.
    """
    from sim.verification.commands import machine
    from sim.version import code_version

    out_dir.mkdir(parents=True, exist_ok=True)
    plot_fundamental_diagram(result, out_dir / FD_PNG)
    plot_bottleneck(result, out_dir / BOTTLENECK_PNG)
    n = {s: sum(r.status == s for r in result.rows) for s in (PASS, FAIL, WAITING, "n/a")}
    m = machine()
    text = f"""# Verification and validation

Generated by `{command}` ({'quick' if result.quick else 'full'} suite, {result.wall_s:.0f} s on
{m['cpus']} CPUs, {m['platform']}, Python {m['python']}; code version `{code_version()}`).
Reproduce with `drillsim verify --calibration both` (the table) or `python -m sim.verification.report`
(this page and its plots).

**Summary:** {n[PASS]} criteria pass, {n[FAIL]} fail, {n[WAITING]} wait for engine features, {n['n/a']} do
not apply to the profile. The tests are those of RiMEA 3.0 / IMO MSC.1/Circ.1533 / NIST TN 1822 /
ISO 20414 as listed in `reference/pedestrian.md` §4; each row states its pass criterion.

## Results

{_table(result.rows)}

## Fundamental diagram vs Weidmann (1993)

![fundamental diagram]({FD_PNG})
{_fd_table(result)}

## Bottleneck flow vs width vs Seyfried et al. (2009)

![bottleneck flow]({BOTTLENECK_PNG})
{_bn_table(result)}

## Calibration parameters

The two profiles of `sim/crowd/calibration.py` (see its docstring for the source of every value):

{_parameters_table()}

## Known deviations

{_deviations(result)}
"""
    path = out_dir / "verification.md"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the suite and write the report. Returns 0 (the report is written whether or not tests fail)."""
    ap = argparse.ArgumentParser(prog="python -m sim.verification.report", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="the quick suite (for a draft)")
    ap.add_argument("--out", type=Path, default=Path("docs"), help="output folder (default docs)")
    args = ap.parse_args(argv)

    def progress(cal: str, test: str) -> None:
        print(f"report: {cal} test {test}", file=sys.stderr, flush=True)

    result = run_suite(CALIBRATIONS, quick=args.quick, progress=progress)
    cmd = "python -m sim.verification.report" + (" --quick" if args.quick else "")
    path = write_report(result, args.out, command=cmd)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
