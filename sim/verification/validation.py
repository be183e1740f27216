"""Validation against measured crowd data: the fundamental diagram (Weidmann 1993) and bottleneck flow
against width (Seyfried et al. 2009).

The fundamental diagram is measured on a ring (an annulus, 3 m wide by default): a corridor without ends,
so the density stays exactly what it was set to (RiMEA test 3's "periodic corridor"). After a warm-up the
speed is averaged over every agent's walking-direction component and over time; for a homogeneous ring this
is the space-mean speed of any 2 m x 2 m measurement area, with far less noise. The ring is 3 m wide (it
was 2 m) so that 5 P/m² of 0.2 m bodies can be placed without overlap; at 6 P/m², beyond what discs of
0.2 m can hold with clearance next to walls, the bodies are 0.18 m (:data:`DENSE_RADIUS`).

Error measures (:func:`fd_errors`, :func:`bottleneck_errors`) are those of issue #3: RMSE and largest
absolute error against the data, the maximum specific flow, and for the bottleneck the linearity of flow
against width (least-squares line, R², and whether every width step raises the flow).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.crowd.model import CrowdModel
from sim.crowd.navigation import UNREACHABLE
from sim.crowd.world import ExitFields
from sim.results import steady_flow
from sim.scenario import scenario_from_dict
from sim.verification.geometries import bottleneck, ring

__all__ = [
    "weidmann_speed",
    "SEYFRIED_2009",
    "measure_ring_speed",
    "fundamental_diagram",
    "bottleneck_flows",
    "fd_errors",
    "bottleneck_errors",
    "RING_WIDTH",
    "DENSE_RADIUS",
    "FD_NOISE_M_S",
    "BOTTLENECK_WIDTHS",
    "BOTTLENECK_WIDTHS_QUICK",
]

#: Width of the measurement ring [m].
RING_WIDTH = 3.0
#: Body radius used above 5 P/m², where 0.2 m discs no longer fit with clearance [m].
DENSE_RADIUS = 0.18
#: A rise of the measured speed with density smaller than this is measurement noise, not a rise [m/s].
FD_NOISE_M_S = 0.01
#: Bottleneck widths of the validation [m] (Seyfried's 0.8-1.2 m, then up to 2.5 m for linearity).
BOTTLENECK_WIDTHS = (0.8, 0.9, 1.0, 1.1, 1.2, 1.6, 2.0, 2.5)
BOTTLENECK_WIDTHS_QUICK = (0.8, 1.0, 1.2, 1.6, 2.0, 2.5)

#: Seyfried et al. (2009) bottleneck flow J [P/s] by width [m] (reference/pedestrian.md section 1).
SEYFRIED_2009 = {0.8: 1.29, 0.9: 1.67, 1.0: 1.90, 1.1: 2.12, 1.2: 2.36}


def weidmann_speed(density: np.ndarray | float) -> np.ndarray:
    """Weidmann (1993): v = 1.34 [1 - exp(-1.913 (1/rho - 1/5.4))] m/s, 0 at and above 5.4 P/m²."""
    rho = np.asarray(density, dtype=float)
    with np.errstate(divide="ignore"):
        v = 1.34 * (1.0 - np.exp(-1.913 * (1.0 / rho - 1.0 / 5.4)))
    return np.clip(v, 0.0, None)


def _ring_model(
    density: float, *, calibration: str, seed: int, width: float, radius: float | None = None
) -> tuple[CrowdModel, np.ndarray, np.ndarray]:
    sc = scenario_from_dict(
        ring(density=density, width=width, calibration=calibration, radius=radius), source="<ring>"
    )
    model = CrowdModel(sc, plan=sc.plan(None), seed=seed)
    model.exit_open[:] = 0  # nobody leaves the ring
    w = model.world
    ny, nx = w.walkable.shape
    off = w.level_offsets[0]
    gx = w.nav_x0 + (np.arange(nx) + 0.5) * w.nav_h - off[0]
    gy = w.nav_y0 + (np.arange(ny) + 0.5) * w.nav_h - off[1]
    xx, yy = np.meshgrid(gx, gy)
    r = np.hypot(xx, yy)
    r[r == 0] = 1.0
    # tangential, and (0, 0) off the walkable area (as in every navigation field, see ExitFields)
    tx, ty = np.where(w.walkable, -yy / r, 0.0), np.where(w.walkable, xx / r, 0.0)
    dist = np.where(w.walkable, np.float32(1.0), UNREACHABLE).astype(np.float32)
    fields = ExitFields(dist=dist[None], dirxy=np.stack([tx, ty], axis=-1)[None].astype(np.float32))
    model.set_navigation(fields)
    model.state.target[:] = 0
    return model, np.asarray(off, dtype=float), np.asarray([width], dtype=float)


def measure_ring_speed(
    density: float,
    *,
    calibration: str = "empirical",
    seed: int = 1,
    width: float = RING_WIDTH,
    warmup_s: float = 30.0,
    measure_s: float = 30.0,
    free_speed: float | None = 1.34,
    radius: float | None = None,
) -> dict[str, float]:
    """Mean walking speed on a ring filled at ``density`` P/m², after ``warmup_s`` seconds.

    Everyone walks at Weidmann's free speed ``free_speed`` (1.34 m/s) unless it is ``None`` (then the
    adult profile's spread): on a closed ring with little room to overtake, a spread of free speeds makes
    platoons form behind the slowest walkers, which measures the slowest walkers, not the crowd.

    Returns:
        ``density`` (realised, P/m²), ``speed_m_s`` (time- and space-mean tangential speed), ``speed_sd``
        (standard deviation of the per-sample means), ``agents``, ``max_overlap_m`` (largest overlap of two
        bodies seen while measuring).
    """
    from scipy.spatial import cKDTree

    model, off, _ = _ring_model(density, calibration=calibration, seed=seed, width=width, radius=radius)
    st = model.state
    if free_speed is not None:
        st.v0[:] = free_speed
    n_warm = round(warmup_s / model.dt)
    n_meas = round(measure_s / model.dt)
    for _ in range(n_warm):
        model.step()
    samples = []
    max_overlap = 0.0
    every = max(1, round(0.5 / model.dt))
    for k in range(n_meas):
        model.step()
        if k % every:
            continue
        p = st.pos - off
        r = np.hypot(p[:, 0], p[:, 1])
        tang = (-p[:, 1] * st.vel[:, 0] + p[:, 0] * st.vel[:, 1]) / r
        samples.append(float(tang.mean()))
        pairs = cKDTree(st.pos).query_pairs(2 * float(st.radius.max()), output_type="ndarray")
        if len(pairs):
            d = np.hypot(*(st.pos[pairs[:, 0]] - st.pos[pairs[:, 1]]).T)
            max_overlap = max(max_overlap, float((st.radius[pairs[:, 0]] + st.radius[pairs[:, 1]] - d).max()))
    area = model.scenario.levels[0].walkable.area
    return {
        "density": st.n / area,
        "speed_m_s": float(np.mean(samples)),
        "speed_sd": float(np.std(samples)),
        "agents": float(st.n),
        "max_overlap_m": max(0.0, max_overlap),
    }


def fundamental_diagram(
    densities: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0),
    *,
    calibration: str = "empirical",
    seed: int = 1,
    warmup_s: float = 30.0,
    measure_s: float = 30.0,
) -> pd.DataFrame:
    """Speed against density on the ring, next to Weidmann's curve (bodies of :data:`DENSE_RADIUS` above 5 P/m²).

    Returns:
        Columns ``density, speed_m_s, speed_sd, weidmann_m_s, error_m_s, specific_flow, agents, max_overlap_m``.
    """
    rows = []
    for rho in densities:
        m = measure_ring_speed(
            rho, calibration=calibration, seed=seed, warmup_s=warmup_s, measure_s=measure_s,
            radius=DENSE_RADIUS if rho > 5.0 else None,
        )
        w = float(weidmann_speed(m["density"]))
        rows.append(
            {**m, "weidmann_m_s": w, "error_m_s": m["speed_m_s"] - w, "specific_flow": m["density"] * m["speed_m_s"]}
        )
    cols = ["density", "speed_m_s", "speed_sd", "weidmann_m_s", "error_m_s", "specific_flow", "agents", "max_overlap_m"]
    return pd.DataFrame(rows, columns=cols)


def bottleneck_flows(
    widths: tuple[float, ...] = BOTTLENECK_WIDTHS,
    *,
    calibration: str = "empirical",
    seeds: tuple[int, ...] = (1, 2, 3),
    count: int = 200,
) -> pd.DataFrame:
    """Steady flow through a short bottleneck against its width, next to Seyfried et al. (2009).

    The flow of each run is the steady flow (10th to 90th percentile of the crossing times); it is averaged
    over ``seeds``.

    Returns:
        Columns ``width_m, flow_p_s, flow_sd, seyfried_p_s (NaN where not measured), error_p_s, specific_flow``.
    """
    import sim

    rows = []
    for w in widths:
        flows = []
        for s in seeds:
            r = sim.run(
                scenario_from_dict(bottleneck(width=w, count=count, calibration=calibration), source="<bottleneck>"),
                seed=s,
            )
            f = steady_flow(r.agents["exit_time_s"].dropna().to_numpy())
            flows.append(math.nan if f is None else f)
        mean = float(np.nanmean(flows))
        ref = SEYFRIED_2009.get(round(w, 2), math.nan)
        rows.append(
            {
                "width_m": w,
                "flow_p_s": mean,
                "flow_sd": float(np.nanstd(flows)),
                "seyfried_p_s": ref,
                "error_p_s": mean - ref,
                "specific_flow": mean / w,
            }
        )
    return pd.DataFrame(rows)


def fd_errors(fd: pd.DataFrame, *, low: float = 0.5, high: float = 3.0) -> dict[str, float]:
    """Error measures of a measured fundamental diagram against Weidmann (1993).

    Args:
        fd: a table from :func:`fundamental_diagram`.
        low, high: the density range of the acceptance [P/m²].

    Returns:
        ``rmse_m_s`` and ``max_abs_error_m_s`` over ``low <= density <= high`` (nominal densities within 2 %),
        ``rmse_all_m_s`` over every density, ``max_specific_flow`` [P/(m·s)] and ``density_at_max_flow``.
    """
    rho = fd["density"].to_numpy()
    err = fd["error_m_s"].to_numpy()
    sel = (rho >= low * 0.98) & (rho <= high * 1.02)
    q = fd["specific_flow"].to_numpy()
    k = int(np.argmax(q))
    return {
        "rmse_m_s": float(np.sqrt(np.mean(err[sel] ** 2))) if sel.any() else math.nan,
        "max_abs_error_m_s": float(np.max(np.abs(err[sel]))) if sel.any() else math.nan,
        "rmse_all_m_s": float(np.sqrt(np.mean(err**2))),
        "max_specific_flow": float(q[k]),
        "density_at_max_flow": float(round(rho[k], 2)),
    }


def bottleneck_errors(bn: pd.DataFrame, *, low: float = 0.8, high: float = 1.2) -> dict[str, Any]:
    """Error measures of bottleneck flows against Seyfried et al. (2009) and their linearity in the width.

    Args:
        bn: a table from :func:`bottleneck_flows`.
        low, high: the widths compared with Seyfried's data [m].

    Returns:
        ``widths``, ``errors`` (P/s, where Seyfried measured, within ``low``-``high``), ``rmse_p_s``,
        ``max_abs_error_p_s``; ``slope`` [P/(m·s)], ``intercept`` [P/s] and ``r2`` of a least-squares line
        through all widths; ``increasing`` (every wider bottleneck passes more people per second).
    """
    w = bn["width_m"].to_numpy()
    f = bn["flow_p_s"].to_numpy()
    sel = (w >= low - 1e-9) & (w <= high + 1e-9) & np.isfinite(bn["seyfried_p_s"].to_numpy())
    err = bn["error_p_s"].to_numpy()[sel]
    slope, intercept = np.polyfit(w, f, 1)
    fit = slope * w + intercept
    ss_res = float(np.sum((f - fit) ** 2))
    ss_tot = float(np.sum((f - f.mean()) ** 2))
    return {
        "widths": w[sel].tolist(),
        "errors": err.tolist(),
        "rmse_p_s": float(np.sqrt(np.mean(err**2))) if len(err) else math.nan,
        "max_abs_error_p_s": float(np.max(np.abs(err))) if len(err) else math.nan,
        "slope": float(slope),
        "intercept": float(intercept),
        "r2": 1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan,
        "increasing": bool(np.all(np.diff(f) > 0)),
    }
