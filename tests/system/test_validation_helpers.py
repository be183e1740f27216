"""The validation helpers behind the calibration table (sim/crowd/calibration.py): ring and bottleneck."""

from __future__ import annotations

import pytest

from sim.verification.validation import bottleneck_flows, measure_ring_speed, weidmann_speed


def test_weidmann_reference_values():
    """The reference's tabulated values of Weidmann's curve (pedestrian.md section 1)."""
    for rho, v in [(0.5, 1.30), (1, 1.06), (2, 0.61), (3, 0.33), (4, 0.16), (5, 0.04)]:
        assert float(weidmann_speed(rho)) == pytest.approx(v, abs=0.006)
    assert float(weidmann_speed(6.0)) == 0.0


def test_ring_keeps_its_density_and_speed_falls_with_density():
    low = measure_ring_speed(0.5, warmup_s=10, measure_s=10)
    high = measure_ring_speed(3.0, warmup_s=10, measure_s=10)
    assert low["density"] == pytest.approx(0.5, rel=0.02) and high["density"] == pytest.approx(3.0, rel=0.02)
    assert 1.2 <= low["speed_m_s"] <= 1.34 + 1e-9  # free flow, never above the free speed
    assert 0.0 < high["speed_m_s"] < low["speed_m_s"]
    assert high["max_overlap_m"] < 0.1


def test_bottleneck_flow_grows_with_width():
    flows = bottleneck_flows(widths=(0.8, 1.6), seeds=(1,), count=120)
    narrow, wide = flows["flow_p_s"].tolist()
    assert 0.5 < narrow < wide
    assert flows["seyfried_p_s"].iloc[0] == 1.29


def test_error_measures_on_known_tables():
    import pandas as pd

    from sim.verification.validation import bottleneck_errors, fd_errors

    fd = pd.DataFrame({"density": [0.5, 1.0, 3.0, 5.0], "error_m_s": [0.1, -0.2, 0.0, 0.5],
                       "specific_flow": [0.6, 1.1, 1.0, 0.2]})
    e = fd_errors(fd)
    assert e["max_abs_error_m_s"] == pytest.approx(0.2)  # 5 P/m² is outside 0.5-3
    assert e["rmse_m_s"] == pytest.approx(((0.01 + 0.04) / 3) ** 0.5)
    assert e["max_specific_flow"] == 1.1 and e["density_at_max_flow"] == 1.0
    bn = pd.DataFrame({"width_m": [0.8, 1.0, 1.2, 2.0], "flow_p_s": [1.3, 1.8, 2.3, 4.3],
                       "seyfried_p_s": [1.29, 1.90, 2.36, float("nan")]})
    bn["error_p_s"] = bn["flow_p_s"] - bn["seyfried_p_s"]
    b = bottleneck_errors(bn)
    assert b["widths"] == [0.8, 1.0, 1.2] and b["max_abs_error_p_s"] == pytest.approx(0.1)
    assert b["increasing"] and b["r2"] > 0.99 and b["slope"] == pytest.approx(2.5, abs=0.1)
    assert not bottleneck_errors(bn.assign(flow_p_s=[1.3, 1.8, 1.7, 4.3]))["increasing"]
