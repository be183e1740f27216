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
