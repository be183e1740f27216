"""Tests for the JuPedSim collision-free speed model peer benchmark."""

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jupedsim")

_REPO_ROOT = Path(__file__).resolve().parents[2]
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

run_jupedsim_csm = importlib.import_module("benchmarks.peer_jupedsim").run_jupedsim_csm

ROOM_WKT = "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))"
RIGHT_DOOR = ((10.0, 4.0), (10.0, 6.0))


def _left_half_grid(seed: int = 0) -> np.ndarray:
    """50 positions (m) on a 5 x 10 grid, 1 m spacing, jittered by at most 0.15 m."""
    xs, ys = np.meshgrid(np.arange(0.5, 5.0, 1.0), np.arange(0.5, 10.0, 1.0))
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    rng = np.random.default_rng(seed)
    return grid + rng.uniform(-0.15, 0.15, size=grid.shape)


def test_small_room_everyone_evacuates() -> None:
    positions = _left_half_grid()
    assert positions.shape == (50, 2)

    result = run_jupedsim_csm(
        walkable_wkt=ROOM_WKT,
        exits=[RIGHT_DOOR],
        positions=positions,
        v0=np.full(len(positions), 1.34),
        max_time_s=120.0,
    )

    assert result["agents"] == 50
    assert result["evacuated"] == 50
    assert result["agent_steps"] > 0
    assert 5.0 < result["sim_time_s"] < 120.0
    assert result["wall_s"] > 0.0
    assert result["agent_steps_per_s"] > 0.0
    assert result["setup_s"] >= 0.0


def test_exit_not_on_boundary_is_rejected() -> None:
    positions = _left_half_grid()
    with pytest.raises(ValueError, match="does not lie on the walkable polygon's"):
        run_jupedsim_csm(
            walkable_wkt=ROOM_WKT,
            exits=[RIGHT_DOOR, ((5.0, 4.0), (5.0, 6.0))],
            positions=positions,
            v0=np.full(len(positions), 1.34),
            max_time_s=120.0,
        )
