"""The verification suite in quick mode (issue #3): every criterion of every test, in both profiles.

The quick suite runs once per session (about a minute per profile on one core); each test below asserts
one row, so a failure names the test, its criterion and what was measured. Rows that wait for an engine
feature (stairs, groups) or do not apply to a profile are checked to say so.
"""

from __future__ import annotations

import numba
import pytest

from sim.verification.suite import FAIL, NA, PASS, WAITING, SuiteResult, run_suite

#: Row ids the suite produces for each profile, and the rows that wait for engine features.
ROW_IDS = (
    "1a", "1b", "1c", "2", "2b", "3a", "3b", "3c", "3d", "4", "5", "6", "7", "8a", "8b", "9a", "9b", "9c", "10", "11",
    "12", "13", "14", "15", "16a", "16b", "V2a", "V2b", "X1", "X2",
)
WAITING_IDS: set[str] = set()
NOT_APPLICABLE = {("code", "3b"), ("code", "V2")}
#: Known deviations of the quick suite (one seed, fewer persons): the full suite passes these rows
#: (README "Verification status" and docs/verification.md give the numbers). They may fail here; some pass
#: for some seeds (not strict). Remove an entry once the quick suite meets it.
KNOWN_DEVIATIONS = {
    ("code", "11"): "two exits 2 m apart both run at capacity: the split is about 50 / 50 either way",
    ("code", "16b"): "groups: median exit spread 10-11.5 s in the quick suite's 1.2 P/s door queue (bound 10 s; "
    "the full suite's seeds give 9.8 s)",
}


@pytest.fixture(scope="module")
def quick_suite() -> SuiteResult:
    # one thread: the results do not depend on it, and the test machine runs pytest workers side by side
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return run_suite(("empirical", "code"), quick=True)
    finally:
        numba.set_num_threads(threads)


def _row(result: SuiteResult, calibration: str, test: str):
    rows = [r for r in result.rows if r.calibration == calibration and r.test == test]
    assert len(rows) == 1, f"expected one row {test} for {calibration}, got {len(rows)}"
    return rows[0]


@pytest.mark.parametrize("calibration", ["empirical", "code"])
@pytest.mark.parametrize("test_id", ROW_IDS)
def test_criterion(quick_suite, calibration, test_id):
    if calibration == "code" and test_id in ("V2a", "V2b"):
        row = _row(quick_suite, calibration, "V2")
        assert row.status == NA
        return
    row = _row(quick_suite, calibration, test_id)
    if test_id in WAITING_IDS:
        assert row.status == WAITING and row.measured.startswith("waiting for")
        return
    if (calibration, test_id) in NOT_APPLICABLE:
        assert row.status == NA
        return
    if (calibration, test_id) in KNOWN_DEVIATIONS and row.status == FAIL:
        pytest.xfail(f"known deviation: {KNOWN_DEVIATIONS[calibration, test_id]} (measured {row.measured})")
    assert row.status == PASS, (
        f"test {row.test} ({row.name}, {calibration}): {row.measured}; criterion: {row.criterion}"
    )


def test_rows_are_complete_and_json_ready(quick_suite):
    ids = {(r.calibration, r.test) for r in quick_suite.rows}
    assert ("empirical", "V2a") in ids and ("code", "7") in ids
    for r in quick_suite.rows:
        d = r.as_dict()
        assert d["status"] in (PASS, FAIL, WAITING, NA)
        assert d["criterion"] and d["measured"]
    assert "fd/empirical" in quick_suite.frames and "bottleneck/empirical" in quick_suite.frames
