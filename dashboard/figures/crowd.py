"""Crowd-safety figures: density map, level-of-service map, evacuation curve, warning timeline.

Pure functions of the tables of :class:`sim.crowd.safety.SafetyRecorder` and of a run's ``agents`` table
(:data:`sim.results.AGENT_COLUMNS`); each returns a plotly ``Figure``. Labels in English (``lang="en"``) or
Chinese (``lang="zh"``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from sim.crowd import safety as sf

__all__ = [
    "figure_density_map",
    "figure_los_map",
    "figure_evacuation_curve",
    "figure_warning_timeline",
    "LABELS",
    "LOS_COLOURS",
    "WARNING_COLOURS",
]

#: Figure labels per language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "density_max": "Maximum density",
        "density_t": "Density at t = {t:g} s",
        "los_worst": "Worst level of service (Fruin walkway)",
        "los_t": "Level of service at t = {t:g} s",
        "evacuation": "Evacuation curve",
        "warnings": "Warning timeline",
        "x": "x [m]",
        "y": "y [m]",
        "density": "Density [P/m²]",
        "los": "LOS",
        "time": "Time [s]",
        "evacuated": "Persons evacuated",
        "all_exits": "All exits",
        "area": "Monitoring area",
        "walls": "Walls",
        "level": "level",
        "blue": "Blue",
        "yellow": "Yellow",
        "orange": "Orange",
        "red": "Red",
    },
    "zh": {
        "density_max": "最大密度",
        "density_t": "t = {t:g} s 时的密度",
        "los_worst": "最不利服务水平（Fruin 通道）",
        "los_t": "t = {t:g} s 时的服务水平",
        "evacuation": "疏散曲线",
        "warnings": "预警时间线",
        "x": "x [m]",
        "y": "y [m]",
        "density": "密度 [人/m²]",
        "los": "服务水平",
        "time": "时间 [s]",
        "evacuated": "已疏散人数",
        "all_exits": "全部出口",
        "area": "监测区域",
        "walls": "墙体",
        "level": "楼层",
        "blue": "蓝色",
        "yellow": "黄色",
        "orange": "橙色",
        "red": "红色",
    },
}
#: Colours of the Fruin levels A..F (green to red).
LOS_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027")
#: Colours of the four warning levels.
WARNING_COLOURS = {"blue": "#1f5fd1", "yellow": "#f2c200", "orange": "#ff8c00", "red": "#d7191c"}


def _labels(lang: str) -> dict[str, str]:
    if lang not in LABELS:
        raise ValueError(f"unknown language {lang!r}; use one of {sorted(LABELS)}")
    return LABELS[lang]


def _pick_level(cells: pd.DataFrame, level: str | None) -> str:
    levels = list(dict.fromkeys(cells[sf.LEVEL]))
    if not levels:
        raise ValueError("the cell table is empty; pass SafetyRecorder.cell_table()")
    if level is None:
        return str(levels[0])
    if level not in levels:
        raise ValueError(f"unknown level {level!r}; the cell table has {levels}")
    return level


def _dense(cells: pd.DataFrame, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell values of one level -> (x centres, y centres, z[ny, nx]) with NaN where no cell is reported."""
    ix = cells[sf.IX].to_numpy(dtype=np.int64)
    iy = cells[sf.IY].to_numpy(dtype=np.int64)
    xm = cells[sf.X_M].to_numpy(dtype=float)
    ym = cells[sf.Y_M].to_numpy(dtype=float)
    if np.ptp(ix) > 0:
        cs = float(np.ptp(xm) / np.ptp(ix))
    elif np.ptp(iy) > 0:
        cs = float(np.ptp(ym) / np.ptp(iy))
    else:
        cs = 1.0
    nx, ny = int(ix.max()) + 1, int(iy.max()) + 1
    z = np.full((ny, nx), np.nan)
    z[iy, ix] = values
    x = xm[0] - ix[0] * cs + np.arange(nx) * cs
    y = ym[0] - iy[0] * cs + np.arange(ny) * cs
    return x, y, z


def _frame_values(cells: pd.DataFrame, frames: pd.DataFrame, t_s: float | None) -> tuple[float, np.ndarray]:
    """Densities of ``cells`` in the stored frame nearest ``t_s`` (latest if None); 0 where not listed."""
    times = np.unique(frames[sf.T_S].to_numpy(dtype=float))
    if times.size == 0:
        raise ValueError("no density frame stored; set SafetySettings.frame_interval_s")
    t = float(times[-1] if t_s is None else times[np.argmin(np.abs(times - t_s))])
    f = frames[frames[sf.T_S] == t]
    key = [sf.LEVEL, sf.IX, sf.IY]
    merged = cells[key].merge(f[[*key, sf.DENSITY]], on=key, how="left")
    return t, merged[sf.DENSITY].fillna(0.0).to_numpy(dtype=float)


def _outline_traces(outlines: Sequence[shapely.Geometry | str], name: str) -> list[go.Scatter]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for g in outlines:
        geom = shapely.from_wkt(g) if isinstance(g, str) else g
        # polygons: their rings; lines: themselves
        for line in shapely.get_parts(shapely.boundary(geom) if geom.area > 0 else geom):
            c = shapely.get_coordinates(line)
            xs.extend([*c[:, 0].tolist(), None])
            ys.extend([*c[:, 1].tolist(), None])
    if not xs:
        return []
    return [go.Scatter(x=xs, y=ys, mode="lines", line={"color": "black", "width": 1.5}, name=name, hoverinfo="skip")]


def _map_layout(fig: go.Figure, title: str, lab: dict[str, str]) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=lab["x"],
        yaxis_title=lab["y"],
        yaxis={"scaleanchor": "x", "scaleratio": 1},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def figure_density_map(
    *,
    cells: pd.DataFrame,
    frames: pd.DataFrame | None = None,
    t_s: float | None = None,
    level: str | None = None,
    outlines: Sequence[shapely.Geometry | str] = (),
    zmax: float | None = None,
    lang: str = "en",
) -> go.Figure:
    """Heatmap of density per cell on one level: the maximum over the run, or one stored frame.

    Args:
        cells: :meth:`SafetyRecorder.cell_table` (all reported cells).
        frames: :meth:`SafetyRecorder.density_frames`; if given, show the frame nearest ``t_s`` (latest if
            ``None``) instead of the maximum.
        t_s: time of the frame to show [s].
        level: level id (default: the first).
        outlines: walls / obstacles to draw, shapely or WKT, level-local [m].
        zmax: top of the colour scale [P/m²] (default: max(6, data maximum)).
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A figure with one heatmap trace (plus one line trace for the outlines).
    """
    lab = _labels(lang)
    lv = _pick_level(cells, level)
    sub = cells[cells[sf.LEVEL] == lv]
    if frames is None:
        values = sub[sf.MAX_DENSITY].to_numpy(dtype=float)
        title = lab["density_max"]
    else:
        t, values = _frame_values(sub, frames, t_s)
        title = lab["density_t"].format(t=t)
    x, y, z = _dense(sub, values)
    top = float(zmax) if zmax is not None else max(6.0, float(np.nanmax(z)) if np.isfinite(z).any() else 0.0)
    fig = go.Figure(
        go.Heatmap(
            x=x,
            y=y,
            z=z,
            zmin=0.0,
            zmax=top,
            colorscale="YlOrRd",
            colorbar={"title": {"text": lab["density"]}},
            name=lab["density"],
            hovertemplate="x %{x:.1f} m, y %{y:.1f} m: %{z:.2f} P/m²<extra></extra>",
        )
    )
    for tr in _outline_traces(outlines, lab["walls"]):
        fig.add_trace(tr)
    return _map_layout(fig, f"{title} — {lab['level']} {lv}", lab)


def figure_los_map(
    *,
    cells: pd.DataFrame,
    frames: pd.DataFrame | None = None,
    t_s: float | None = None,
    level: str | None = None,
    outlines: Sequence[shapely.Geometry | str] = (),
    lang: str = "en",
) -> go.Figure:
    """Categorical map of the Fruin walkway level of service (A..F) per cell on one level.

    Without ``frames`` it shows each cell's worst LOS over the run (``worst_los`` of the cell table); with
    ``frames`` the LOS of the stored frame nearest ``t_s`` (:func:`sim.crowd.safety.compute_level_of_service`).

    Args:
        cells: :meth:`SafetyRecorder.cell_table`.
        frames: :meth:`SafetyRecorder.density_frames`, optional.
        t_s: time of the frame [s].
        level: level id (default: the first).
        outlines: walls / obstacles to draw, shapely or WKT, level-local [m].
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A figure with one heatmap trace whose colour bar is labelled A..F.
    """
    lab = _labels(lang)
    lv = _pick_level(cells, level)
    sub = cells[cells[sf.LEVEL] == lv]
    if frames is None:
        codes = pd.Categorical(sub[sf.WORST_LOS], categories=list(sf.LOS_NAMES)).codes.astype(float)
        title = lab["los_worst"]
    else:
        t, values = _frame_values(sub, frames, t_s)
        codes = sf.compute_level_of_service(density=values).astype(float)
        title = lab["los_t"].format(t=t)
    x, y, z = _dense(sub, codes)
    n = len(sf.LOS_NAMES)
    scale = []
    for k, colour in enumerate(LOS_COLOURS):  # discrete bands: constant colour over [k/n, (k+1)/n]
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    fig = go.Figure(
        go.Heatmap(
            x=x,
            y=y,
            z=z,
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            colorbar={"title": {"text": lab["los"]}, "tickvals": list(range(n)), "ticktext": list(sf.LOS_NAMES)},
            customdata=np.asarray(sf.LOS_NAMES + ("",), dtype=object)[np.where(np.isnan(z), n, z).astype(int)],
            name=lab["los"],
            hovertemplate="x %{x:.1f} m, y %{y:.1f} m: %{customdata}<extra></extra>",
        )
    )
    for tr in _outline_traces(outlines, lab["walls"]):
        fig.add_trace(tr)
    return _map_layout(fig, f"{title} — {lab['level']} {lv}", lab)


def figure_evacuation_curve(*, agents: pd.DataFrame, per_exit: bool = False, lang: str = "en") -> go.Figure:
    """Persons evacuated over time (cumulative crossings), for all exits and optionally per exit.

    Args:
        agents: a run's agents table (``RunResult.agents``; columns ``exit``, ``exit_time_s``).
        per_exit: add one curve per exit.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A figure with one step trace for all exits (first) and one per exit if asked.
    """
    lab = _labels(lang)
    done = agents[np.isfinite(agents["exit_time_s"].to_numpy(dtype=float))]

    def curve(times: np.ndarray, name: str, width: float) -> go.Scatter:
        t = np.sort(times)
        return go.Scatter(
            x=np.concatenate([[0.0], t]),
            y=np.arange(t.size + 1),
            mode="lines",
            line={"shape": "hv", "width": width},
            name=name,
        )

    fig = go.Figure(curve(done["exit_time_s"].to_numpy(dtype=float), lab["all_exits"], 2.5))
    if per_exit:
        for name, grp in done.groupby("exit", sort=True):
            fig.add_trace(curve(grp["exit_time_s"].to_numpy(dtype=float), str(name), 1.5))
    fig.update_layout(title=lab["evacuation"], xaxis_title=lab["time"], yaxis_title=lab["evacuated"])
    return fig


def figure_warning_timeline(
    *, timeline: pd.DataFrame, areas: Sequence[str] | None = None, lang: str = "en"
) -> go.Figure:
    """Gantt-like bars of the four-colour warning episodes of each monitoring area.

    Args:
        timeline: :meth:`SafetyRecorder.warning_timeline` (columns ``area, warning, start_s, end_s``).
        areas: areas to show, in order (default: those in the timeline); areas without warnings get an
            empty row.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A figure with four horizontal bar traces, blue, yellow, orange, red (one legend entry each).
    """
    lab = _labels(lang)
    order = list(dict.fromkeys(timeline[sf.AREA])) if areas is None else list(areas)
    fig = go.Figure()
    for name, colour in WARNING_COLOURS.items():
        ep = timeline[timeline[sf.WARNING] == name]
        fig.add_trace(
            go.Bar(
                y=ep[sf.AREA].astype(str),
                x=(ep[sf.END_S] - ep[sf.START_S]).to_numpy(dtype=float),
                base=ep[sf.START_S].to_numpy(dtype=float),
                customdata=ep[sf.END_S].to_numpy(dtype=float),
                orientation="h",
                marker_color=colour,
                name=lab[name],
                hovertemplate="%{y}: %{base:.1f}–%{customdata:.1f} s<extra>" + lab[name] + "</extra>",
            )
        )
    fig.update_layout(
        title=lab["warnings"],
        barmode="overlay",
        xaxis_title=lab["time"],
        yaxis={"title": {"text": lab["area"]}, "categoryorder": "array", "categoryarray": order[::-1]},
    )
    return fig
