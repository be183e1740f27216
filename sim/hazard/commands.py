"""Command-line verbs of this package (registered by :mod:`sim.cli`): ``drillsim blast`` and ``drillsim leak``.

``drillsim blast --fuel F --mass-kg M --method {tnt,multi-energy,bst} [--yield A] [--strength S]
[--confinement C] [--congestion G] [--distance D ...] [--json]`` prints, per distance, the overpressure,
impulse, arrival time and the probability of each harm effect.

``drillsim leak --volume V --leak-m3h Q --ach N --fuel F [--json]`` prints the steady concentration of a
well-mixed ventilated room and the time to reach the LFL.

Both follow the conventions of :mod:`sim.cli`: ``--json`` prints one JSON object on stdout; bad input gives
one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sim.cli import parse_number
from sim.errors import ScenarioError

__all__ = ["register", "DEFAULT_DISTANCES_M"]

#: Distances [m] of ``drillsim blast`` when none are given.
DEFAULT_DISTANCES_M = (5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0)

#: Short column headers of the readable blast table: column name → header.
_BLAST_HEADERS = {
    "distance_m": "R (m)",
    "overpressure_kpa": "Ps (kPa)",
    "impulse_pa_s": "i (Pa·s)",
    "arrival_s": "ta (ms)",
    "p_lung_death": "lung",
    "p_eardrum_rupture": "eardrum",
    "p_displacement_death": "displ.",
    "p_head_impact_death": "head",
    "p_structural_collapse": "collapse",
    "p_major_structural_damage": "major",
    "p_minor_structural_damage": "minor",
    "p_glass_breakage": "glass",
    "p_fatal": "FATAL",
    "p_serious_or_worse": "SERIOUS+",
    "p_injured_or_worse": "INJURED+",
}


def _yield_fraction(text: str) -> float:
    """An argparse type: a TNT yield in (0, 1]."""
    value = parse_number(text, float, "a number in (0, 1]")
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a yield fraction in (0, 1] (e.g. 0.03), got {text}")
    return value


def _strength(text: str) -> int:
    """An argparse type: a Multi-Energy strength number 1-10."""
    value = parse_number(text, int, "a whole number 1-10")
    if not 1 <= value <= 10:
        raise argparse.ArgumentTypeError(f"expected a strength number 1-10, got {value}")
    return value


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``blast`` and ``leak`` to the ``drillsim`` command line."""
    from sim.cli import nonneg_float, positive_float
    from sim.hazard.blast import CONFINEMENTS, CONGESTIONS, METHODS, REACTIVITIES

    b = verbs.add_parser(
        "blast",
        help="overpressure, impulse and harm probabilities of a gas cloud explosion at distances",
        description="Blast of a gas cloud explosion (TNT equivalence, Multi-Energy or Baker-Strehlow-Tang) and "
        "the probability of each harm effect at given distances.",
    )
    b.add_argument("--fuel", required=True, help="methane, natural_gas, propane or lpg")
    b.add_argument("--mass-kg", type=positive_float, required=True, help="fuel mass in the cloud [kg]")
    b.add_argument("--method", choices=METHODS, required=True, help="blast method")
    b.add_argument(
        "--yield",
        dest="yield_fraction",
        type=_yield_fraction,
        default=None,
        help="tnt: yield fraction in (0, 1] (default 0.03)",
    )
    b.add_argument("--strength", type=_strength, default=None, help="multi-energy: strength number 1-10 (default 7)")
    b.add_argument("--confinement", choices=CONFINEMENTS, default=None, help="bst: confinement (default 3d)")
    b.add_argument("--congestion", choices=CONGESTIONS, default=None, help="bst: congestion (default medium)")
    b.add_argument("--reactivity", choices=REACTIVITIES, default=None, help="bst: reactivity (default: the fuel's)")
    b.add_argument(
        "--distance",
        type=positive_float,
        nargs="+",
        default=None,
        metavar="D",
        help=f"distances [m] (default {' '.join(f'{d:g}' for d in DEFAULT_DISTANCES_M)})",
    )
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.set_defaults(func=_cmd_blast)

    lk = verbs.add_parser(
        "leak",
        help="gas build-up in a ventilated room: steady concentration and time to the LFL",
        description="Well-mixed room model of a gas leak: steady concentration and the time to reach the lower "
        "flammability limit.",
    )
    lk.add_argument("--volume", type=positive_float, required=True, help="room volume [m³]")
    lk.add_argument("--leak-m3h", type=positive_float, required=True, help="gas leak rate [m³/h]")
    lk.add_argument("--ach", type=nonneg_float, required=True, help="ventilation [air changes per hour]")
    lk.add_argument("--fuel", required=True, help="methane, natural_gas, propane or lpg")
    lk.add_argument("--json", action="store_true", help="print one JSON object")
    lk.set_defaults(func=_cmd_leak)


def _blast_method(args: argparse.Namespace) -> Any:
    from sim.hazard.blast import BlastMethod

    misplaced = {
        "--yield": (args.yield_fraction, "tnt"),
        "--strength": (args.strength, "multi-energy"),
        "--confinement": (args.confinement, "bst"),
        "--congestion": (args.congestion, "bst"),
        "--reactivity": (args.reactivity, "bst"),
    }
    for option, (value, method) in misplaced.items():
        if value is not None and args.method != method:
            raise ScenarioError(
                f"applies to --method {method} only",
                field=option,
                value=value,
                fix=f"remove {option} or use --method {method}",
            )
    kw: dict[str, Any] = {"kind": args.method}
    for name, value in (
        ("yield_fraction", args.yield_fraction),
        ("strength", args.strength),
        ("confinement", args.confinement),
        ("congestion", args.congestion),
        ("reactivity", args.reactivity),
    ):
        if value is not None:
            kw[name] = value
    return BlastMethod(**kw)


def _cmd_blast(args: argparse.Namespace) -> int:
    import numpy as np

    from sim.hazard.blast import blast_table, explosion_energy
    from sim.hazard.columns import ARRIVAL_S, IMPULSE_PA_S, OVERPRESSURE_KPA
    from sim.hazard.fuels import fuel
    from sim.hazard.harm import harm_probabilities

    gas = fuel(args.fuel, field="--fuel")
    method = _blast_method(args)
    distances = np.array(sorted(args.distance if args.distance is not None else DEFAULT_DISTANCES_M))
    table = blast_table(distance_m=distances, fuel=gas, mass_kg=args.mass_kg, method=method)
    probs = harm_probabilities(overpressure_kpa=table[OVERPRESSURE_KPA], impulse_pa_s=table[IMPULSE_PA_S])
    for col, p in probs.items():
        table[col] = p
    energy = explosion_energy(mass_kg=args.mass_kg, fuel=gas, method=method)
    if args.json:
        out = {
            "fuel": gas.id,
            "mass_kg": args.mass_kg,
            "method": method.kind,
            "method_detail": method.describe(gas),
            "energy_mj": round(energy / 1e6, 4),
            "rows": [
                {k: (round(float(v), 6) if isinstance(v, float | np.floating) else v) for k, v in row.items()}
                for row in table.to_dict(orient="records")
            ],
        }
        print(json.dumps(out))
        return 0
    shown = [c for c in _BLAST_HEADERS if c in table.columns]
    lines = [
        f"{gas.name}, {args.mass_kg:g} kg, {method.describe(gas)}; energy {energy / 1e6:,.1f} MJ",
        "probabilities: lung, eardrum, displ(acement), head: people; collapse, major/minor damage, glass: buildings;",
        "FATAL / SERIOUS+ / INJURED+ combine them for people inside a building (sim.hazard.harm.HarmModel)",
        "",
    ]
    widths = [max(len(_BLAST_HEADERS[c]), 6) for c in shown]
    lines.append(" ".join(f"{_BLAST_HEADERS[c]:>{w}}" for c, w in zip(shown, widths, strict=True)))
    for _, row in table.iterrows():
        cells = []
        for c, w in zip(shown, widths, strict=True):
            v = float(row[c])
            if c == ARRIVAL_S:
                cells.append(f"{v * 1000:>{w},.1f}")
            elif c.startswith("p_"):
                cells.append(f"{v:>{w}.3f}")
            else:
                cells.append(f"{v:>{w},.2f}")
        lines.append(" ".join(cells))
    print("\n".join(lines))
    return 0


def _cmd_leak(args: argparse.Namespace) -> int:
    from sim.hazard.fuels import WELL_MIXED_NOTE, fuel
    from sim.hazard.leak import steady_concentration, time_to_lfl

    gas = fuel(args.fuel, field="--fuel")
    q = args.leak_m3h / 3600.0
    css = float(steady_concentration(leak_m3_s=q, ach=args.ach, volume_m3=args.volume))
    t = time_to_lfl(fuel=gas, leak_m3_s=q, ach=args.ach, volume_m3=args.volume)
    hours = None if t is None else t / 3600.0
    if args.json:
        print(
            json.dumps(
                {
                    "fuel": gas.id,
                    "volume_m3": args.volume,
                    "leak_m3_h": args.leak_m3h,
                    "ach": args.ach,
                    "lfl_vol_percent": gas.lfl * 100.0,
                    "steady_concentration_vol_percent": round(css * 100.0, 6),
                    "steady_concentration_lfl_percent": round(css / gas.lfl * 100.0, 4),
                    "time_to_lfl_h": None if hours is None else round(hours, 6),
                    "note": WELL_MIXED_NOTE,
                }
            )
        )
        return 0
    rows = [
        ("fuel", f"{gas.name} (LFL {gas.lfl * 100:g} %, UFL {gas.ufl * 100:g} %)"),
        ("room / leak / ventilation", f"{args.volume:g} m³ / {args.leak_m3h:g} m³/h / {args.ach:g} ACH"),
        ("steady concentration", f"{css * 100:.2f} vol % = {css / gas.lfl * 100:.0f} % of LFL"),
        ("time to LFL", "never" if hours is None else f"{hours:.3f} h ({hours * 60:.0f} min)"),
    ]
    width = max(len(k) for k, _ in rows)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in rows) + f"\nnote: {WELL_MIXED_NOTE}")
    return 0
