"""Emergency-response figures: team Gantt timeline, network map with routes, response-time distributions.

Pure functions of the tables of :class:`sim.response.results.ResponseResult` (column names in
:mod:`sim.response.results`) and of :func:`sim.response.metrics.replicate_response`'s response times; each
returns a plotly ``Figure``. Labels in English (``lang="en"``) or Chinese (``lang="zh"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = ["figure_response_gantt", "figure_response_map", "figure_response_times", "LABELS", "STATE_COLOURS"]

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "gantt": "Response timeline by unit",
        "map": "Stations, hospitals, incidents and routes driven",
        "times": "Response times over replications",
        "time": "Time [s]",
        "unit": "Unit",
        "x": "x [m]",
        "y": "y [m]",
        "roads": "Roads",
        "station": "Station",
        "hospital": "Hospital",
        "incident": "Incident",
        "target": "Target",
        "response": "Response time [s]",
        "turnout": "Turnout",
        "to_scene": "To scene",
        "on_scene": "On scene",
        "to_hospital": "To hospital",
        "at_hospital": "At hospital",
        "return": "Returning",
    },
    "zh": {
        "gantt": "各队伍响应时间线",
        "map": "站点、医院、事件与行驶路线",
        "times": "多次重复的响应时间分布",
        "time": "时间 [s]",
        "unit": "队伍",
        "x": "x [m]",
        "y": "y [m]",
        "roads": "道路",
        "station": "站点",
        "hospital": "医院",
        "incident": "事件",
        "target": "目标",
        "response": "响应时间 [s]",
        "turnout": "出动准备",
        "to_scene": "赶赴现场",
        "on_scene": "现场处置",
        "to_hospital": "转运途中",
        "at_hospital": "医院交接",
        "return": "返回",
    },
}
STATE_COLOURS = {
    "turnout": "#9e9e9e",
    "to_scene": "#f28e2b",
    "on_scene": "#e15759",
    "to_hospital": "#4e79a7",
    "at_hospital": "#76b7b2",
    "return": "#bab0ac",
}
KIND_SYMBOLS = {"fire": "square", "ems": "cross", "police": "diamond", "gas_utility": "triangle-up", "rescue": "star"}


def figure_response_gantt(segments: pd.DataFrame, *, lang: str = "en") -> go.Figure:
    """A Gantt chart: one row per unit, one bar per stretch of time in a state (turnout, to scene, ...).

    Args:
        segments: :attr:`ResponseResult.segments` (``unit, ..., state, start_s, end_s``).
        lang: ``en`` or ``zh``.

    Returns:
        One horizontal bar trace per state.
    """
    lab = LABELS[lang]
    fig = go.Figure()
    units = sorted(segments["unit"].unique()) if len(segments) else []
    for state, colour in STATE_COLOURS.items():
        part = segments[segments["state"] == state]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                name=lab[state],
                y=part["unit"],
                x=part["end_s"] - part["start_s"],
                base=part["start_s"],
                orientation="h",
                marker_color=colour,
                customdata=np.stack([part["incident"].fillna("").to_numpy(), part["start_s"], part["end_s"]], axis=1),
                hovertemplate="%{y}<br>%{customdata[0]}<br>%{customdata[1]:.0f}–%{customdata[2]:.0f} s<extra></extra>",
            )
        )
    fig.update_layout(
        title=lab["gantt"],
        barmode="overlay",
        xaxis_title=lab["time"],
        yaxis={"title": lab["unit"], "categoryorder": "array", "categoryarray": units[::-1]},
        height=max(300, 24 * len(units) + 120),
    )
    return fig


def figure_response_map(
    *, roads: pd.DataFrame, places: pd.DataFrame, routes: pd.DataFrame | None = None, lang: str = "en"
) -> go.Figure:
    """A map of the road network with stations, hospitals, incident sites and the routes driven.

    Args:
        roads: :func:`sim.response.network.road_segments` (``x0_m, y0_m, x1_m, y1_m, speed_kph``).
        places: :func:`sim.response.config.places_table` (``place, role, kind, x_m, y_m``).
        routes: :attr:`ResponseResult.routes` (``leg, unit, incident, state, seq, x_m, y_m``) or ``None``.
        lang: ``en`` or ``zh``.

    Returns:
        Traces: roads (one trace), one per route state driven, then stations, hospitals, incidents.
    """
    lab = LABELS[lang]
    fig = go.Figure()
    if len(roads):
        xs = np.column_stack([roads["x0_m"], roads["x1_m"], np.full(len(roads), np.nan)]).ravel()
        ys = np.column_stack([roads["y0_m"], roads["y1_m"], np.full(len(roads), np.nan)]).ravel()
        fig.add_trace(
            go.Scattergl(
                x=xs, y=ys, mode="lines", name=lab["roads"], line={"color": "#d0d0d0", "width": 1}, hoverinfo="skip"
            )
        )
    if routes is not None and len(routes):
        for state in ("to_scene", "to_hospital", "return"):
            part = routes[routes["state"] == state].sort_values(["leg", "seq"])
            if part.empty:
                continue
            xs_l, ys_l = [], []
            for _, leg in part.groupby("leg", sort=True):
                xs_l += [*leg["x_m"].tolist(), None]
                ys_l += [*leg["y_m"].tolist(), None]
            fig.add_trace(
                go.Scatter(
                    x=xs_l,
                    y=ys_l,
                    mode="lines",
                    name=lab[state],
                    line={"color": STATE_COLOURS[state], "width": 2.5},
                    opacity=0.7,
                )
            )
    styles = {
        "station": {"color": "#1f77b4", "size": 12},
        "hospital": {"color": "#2ca02c", "size": 14, "symbol": "hexagon"},
        "incident": {"color": "#d62728", "size": 18, "symbol": "x"},
    }
    for role, style in styles.items():
        part = places[places["role"] == role]
        if part.empty:
            continue
        marker = dict(style)
        if role == "station":
            marker["symbol"] = [KIND_SYMBOLS.get(k, "circle") for k in part["kind"]]
        text = part["place"] if role != "station" else part["place"] + " (" + part["kind"] + ")"
        fig.add_trace(
            go.Scatter(
                x=part["x_m"],
                y=part["y_m"],
                mode="markers+text",
                name=lab[role],
                marker=marker,
                text=text,
                textposition="top center",
            )
        )
    fig.update_layout(title=lab["map"], xaxis_title=lab["x"], yaxis_title=lab["y"])
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def figure_response_times(response_times: pd.DataFrame, *, lang: str = "en") -> go.Figure:
    """Distribution of response times per target over replications, with each target's limit as a line.

    Args:
        response_times: :attr:`Replications.response_times` (``seed, incident, target, ..., response_s,
            within_s, met``), or one run's :func:`sim.response.metrics.response_times`.
        lang: ``en`` or ``zh``.

    Returns:
        One box trace per (target, incident) and one dashed line trace per target limit.
    """
    lab = LABELS[lang]
    fig = go.Figure()
    targets = list(dict.fromkeys(response_times["target"])) if len(response_times) else []
    for t in targets:
        part = response_times[response_times["target"] == t]
        for inc, rows in part.groupby("incident", sort=False):
            share = float(rows["met"].mean()) if len(rows) else float("nan")
            fig.add_trace(
                go.Box(
                    x=rows["response_s"],
                    y=[t] * len(rows),
                    name=f"{t} · {inc} ({share:.0%})",
                    orientation="h",
                    boxpoints="all",
                    jitter=0.4,
                    pointpos=0,
                )
            )
    for k, t in enumerate(targets):
        within = float(response_times.loc[response_times["target"] == t, "within_s"].iloc[0])
        fig.add_trace(
            go.Scatter(
                x=[within, within],
                y=[t, t],
                mode="lines+markers",
                name=f"{lab['target']} {t}: {within:g} s",
                line={"dash": "dash", "color": "black", "width": 2},
                marker={"symbol": "line-ns-open", "size": 30},
            )
        )
        fig.add_vline(
            x=within,
            line_dash="dot",
            line_color="#888",
            annotation_text=f"{within:g} s",
            annotation_position="top" if k % 2 == 0 else "bottom",
        )
    fig.update_layout(title=lab["times"], xaxis_title=lab["response"], boxmode="group")
    return fig
