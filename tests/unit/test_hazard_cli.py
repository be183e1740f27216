"""``drillsim blast`` and ``drillsim leak``: readable tables, one JSON object with --json, and bad input that
gives one line on stderr with exit status 2."""

from __future__ import annotations

import json

import pytest

from sim.cli import main
from sim.hazard.columns import EFFECT_COLUMNS, OVERPRESSURE_KPA, P_FATAL
from sim.hazard.commands import DEFAULT_DISTANCES_M


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``drillsim ARGS`` (argparse errors exit through SystemExit)."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code) if exc.code is not None else 0
    out, err = capsys.readouterr()
    return code, out, err


def test_blast_json_is_one_object_with_a_row_per_distance(capsys):
    code, out, err = run(
        capsys,
        "blast",
        "--fuel",
        "natural_gas",
        "--mass-kg",
        "100",
        "--method",
        "tnt",
        "--distance",
        "50",
        "10",
        "--json",
    )
    assert code == 0 and err == ""
    data = json.loads(out)  # exactly one JSON object: anything else on stdout would make this fail
    assert data["fuel"] == "methane" and data["method"] == "tnt"
    rows = data["rows"]
    assert [r["distance_m"] for r in rows] == [10.0, 50.0]
    # 100 kg methane, 3 % yield: W = 32.05 kg, Z(10 m) = 3.17 → about 103 kPa (Kingery–Bulmash)
    assert rows[0][OVERPRESSURE_KPA] == pytest.approx(103.0, rel=0.05)
    assert rows[0][OVERPRESSURE_KPA] > rows[1][OVERPRESSURE_KPA]
    for col in (*EFFECT_COLUMNS, P_FATAL):
        assert 0.0 <= rows[1][col] <= rows[0][col] <= 1.0
    assert data["energy_mj"] == pytest.approx(0.03 * 100 * 50.0, rel=1e-6)


@pytest.mark.parametrize(
    ("method", "extra", "label"),
    [
        ("multi-energy", ("--strength", "5"), "strength 5"),
        ("bst", ("--confinement", "1d"), "Mach 2.265"),
        ("tnt", ("--yield", "0.1"), "yield 0.1"),
    ],
)
def test_blast_table_default_distances(capsys, method, extra, label):
    code, out, err = run(capsys, "blast", "--fuel", "lpg", "--mass-kg", "20", "--method", method, *extra)
    assert code == 0 and err == ""
    lines = out.strip().splitlines()
    assert label in lines[0] and "propane" in lines[0]
    header = next(i for i, line in enumerate(lines) if "Ps (kPa)" in line)
    body = lines[header + 1 :]
    assert len(body) == len(DEFAULT_DISTANCES_M)
    ps = [float(line.split()[1].replace(",", "")) for line in body]
    assert ps == sorted(ps, reverse=True) and ps[0] > ps[-1]


def test_leak_reference_example(capsys):
    code, out, _ = run(
        capsys, "leak", "--volume", "30", "--leak-m3h", "1", "--ach", "0.5", "--fuel", "natural_gas", "--json"
    )
    data = json.loads(out)
    assert code == 0
    assert data["steady_concentration_vol_percent"] == pytest.approx(6.25, abs=0.005)
    assert data["steady_concentration_lfl_percent"] == pytest.approx(125.0, abs=0.1)
    assert data["time_to_lfl_h"] == pytest.approx(3.018, abs=0.001)
    assert "well-mixed" in data["note"]


def test_leak_never_reaches_lfl(capsys):
    code, out, _ = run(capsys, "leak", "--volume", "30", "--leak-m3h", "1", "--ach", "1", "--fuel", "methane", "--json")
    data = json.loads(out)
    assert code == 0 and data["time_to_lfl_h"] is None
    assert data["steady_concentration_vol_percent"] == pytest.approx(3.23, abs=0.005)
    code, out, _ = run(capsys, "leak", "--volume", "30", "--leak-m3h", "1", "--ach", "1", "--fuel", "methane")
    assert code == 0 and "never" in out and "3.23 vol %" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("blast", "--fuel", "hydrogen", "--mass-kg", "5", "--method", "tnt"), ["unknown fuel", "methane", "lpg"]),
        (("blast", "--fuel", "lpg", "--mass-kg", "-5", "--method", "tnt"), ["--mass-kg", "> 0"]),
        (("blast", "--fuel", "lpg", "--mass-kg", "0", "--method", "tnt"), ["--mass-kg"]),
        (("blast", "--fuel", "lpg", "--mass-kg", "5", "--method", "tnt", "--yield", "1.5"), ["--yield", "(0, 1]"]),
        (("blast", "--fuel", "lpg", "--mass-kg", "5", "--method", "tnt", "--yield", "0"), ["--yield", "(0, 1]"]),
        (("blast", "--fuel", "lpg", "--mass-kg", "5", "--method", "tnt", "--distance", "0"), ["--distance", "> 0"]),
        (("blast", "--fuel", "lpg", "--mass-kg", "5", "--method", "bst", "--strength", "7"), ["multi-energy"]),
        (
            ("blast", "--fuel", "lpg", "--mass-kg", "5", "--method", "multi-energy", "--strength", "12"),
            ["--strength", "1-10"],
        ),
        (("blast", "--fuel", "lpg", "--mass-kg", "5", "--method", "dust"), ["--method", "invalid choice"]),
        (("leak", "--volume", "30", "--leak-m3h", "1", "--ach", "0.5", "--fuel", "butane"), ["unknown fuel"]),
        (("leak", "--volume", "-30", "--leak-m3h", "1", "--ach", "0.5", "--fuel", "lpg"), ["--volume"]),
        (("leak", "--volume", "30", "--leak-m3h", "1", "--ach", "-1", "--fuel", "lpg"), ["--ach", ">= 0"]),
    ],
)
def test_bad_input_gives_one_line_and_status_2(capsys, args, words):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("drillsim: error:")
    for w in words:
        assert w in err
