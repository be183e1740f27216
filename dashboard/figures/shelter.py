"""Shelter figures: district map (population heat, shelters by capacity, service areas, uncovered cells) and
shelter loads against capacity.

Pure functions of the tables of :mod:`sim.shelter` (column names in :mod:`sim.shelter.columns`); each returns a
plotly ``Figure``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.shelter import columns as C

__all__ = ["figure_shelter_map", "figure_shelter_loads", "CLASS_COLOURS", "LABELS"]

#: Figure labels per language (``lang="en"`` keeps the trace names the tests and callers know).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "population": "population", "uncovered": "uncovered", "capacity": "capacity", "load": "load",
        "per_bin": "persons / {bin:g} m bin", "uncovered_hover": "uncovered: %{text} persons",
        "capacity_hover": "capacity %{customdata:,} persons", "load_hover": "%{x}: %{y:,.0f} persons",
        "x": "x [m]", "y": "y [m]", "class": "shelter class", "shelter": "shelter", "persons": "persons",
        "emergency": "emergency", "fixed_short_term": "fixed_short_term", "fixed_medium_term": "fixed_medium_term",
        "fixed_long_term": "fixed_long_term", "central": "central",
    },
    "zh": {
        "population": "人口", "uncovered": "未覆盖", "capacity": "容量", "load": "负荷",
        "per_bin": "人数 / {bin:g} m 网格", "uncovered_hover": "未覆盖：%{text} 人",
        "capacity_hover": "容量 %{customdata:,} 人", "load_hover": "%{x}：%{y:,.0f} 人",
        "x": "x [m]", "y": "y [m]", "class": "避难场所类别", "shelter": "避难场所", "persons": "人数",
        "emergency": "紧急避难场所", "fixed_short_term": "短期固定避难场所", "fixed_medium_term": "中期固定避难场所",
        "fixed_long_term": "长期固定避难场所", "central": "中心避难场所",
    },
}

#: Marker colour of each shelter class.
CLASS_COLOURS = {
    "emergency": "#2ca02c",
    "fixed_short_term": "#1f77b4",
    "fixed_medium_term": "#9467bd",
    "fixed_long_term": "#8c564b",
    "central": "#d62728",
}


def figure_shelter_map(
    *,
    coverage: pd.DataFrame,
    shelters: pd.DataFrame,
    bin_m: float = 100.0,
    show_service_areas: bool = True,
    title: str = "Population, shelters and coverage",
    lang: str = "en",
) -> go.Figure:
    """Map of the district: population density (heat), shelters sized by capacity, service areas, uncovered cells.

    Args:
        coverage: a table from :func:`sim.shelter.coverage.compute_coverage` (one distance kind).
        shelters: open shelters (:func:`sim.shelter.tables.shelter_table`).
        bin_m: side of the heat-map bins [m] (persons summed per bin).
        show_service_areas: draw each shelter's service distance as a circle (straight-line reach).
        title: the figure's title.
        lang: ``"en"`` or ``"zh"`` (trace names, axes, hover texts).

    Returns:
        A figure with traces ``population`` (heat map), one scatter per shelter class, and ``uncovered``.
    """
    lab = LABELS[lang]
    fig = go.Figure()
    x = coverage[C.X].to_numpy(dtype=float)
    y = coverage[C.Y].to_numpy(dtype=float)
    if x.size:
        fig.add_trace(
            go.Histogram2d(
                x=x,
                y=y,
                z=coverage[C.PERSONS].to_numpy(dtype=float),
                histfunc="sum",
                xbins={"start": float(np.floor(x.min() / bin_m) * bin_m), "size": bin_m},
                ybins={"start": float(np.floor(y.min() / bin_m) * bin_m), "size": bin_m},
                colorscale="Greys",
                colorbar={"title": lab["per_bin"].format(bin=bin_m)},
                name=lab["population"],
            )
        )
    un = coverage[~coverage[C.COVERED].astype(bool) & (coverage[C.PERSONS] > 0)]
    fig.add_trace(
        go.Scatter(
            x=un[C.X],
            y=un[C.Y],
            mode="markers",
            marker={"symbol": "x", "size": 3, "color": "orange"},
            name=lab["uncovered"],
            hovertemplate=lab["uncovered_hover"] + "<extra></extra>",
            text=un[C.PERSONS].round(0).astype(int).astype(str),
        )
    )
    cap = shelters[C.CAPACITY].to_numpy(dtype=float) if len(shelters) else np.zeros(0)
    scale = 40.0 / np.sqrt(cap.max()) if cap.size and cap.max() > 0 else 1.0
    for cls, colour in CLASS_COLOURS.items():
        g = shelters[shelters[C.CLASS] == cls]
        if g.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=g[C.X],
                y=g[C.Y],
                mode="markers",
                marker={
                    "size": np.maximum(6.0, scale * np.sqrt(g[C.CAPACITY].to_numpy(dtype=float))),
                    "color": colour,
                    "line": {"color": "white", "width": 1},
                },
                name=lab.get(cls, cls),
                text=g[C.SHELTER_ID],
                customdata=g[C.CAPACITY],
                hovertemplate="%{text}<br>" + lab["capacity_hover"] + "<extra>" + lab.get(cls, cls) + "</extra>",
            )
        )
        if show_service_areas:
            for sx, sy, r in zip(g[C.X], g[C.Y], g[C.SERVICE_DISTANCE_M], strict=True):
                fig.add_shape(
                    type="circle",
                    x0=sx - r,
                    y0=sy - r,
                    x1=sx + r,
                    y1=sy + r,
                    line={"color": colour, "width": 1, "dash": "dot"},
                    layer="above",
                )
    fig.update_layout(title=title, xaxis_title=lab["x"], yaxis_title=lab["y"], legend_title=lab["class"],
                      legend={"orientation": "h", "y": -0.15})
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def figure_shelter_loads(
    *, loads: pd.DataFrame, title: str = "Shelter loads against capacity", lang: str = "en"
) -> go.Figure:
    """Bar chart: persons assigned to each shelter beside its capacity.

    Args:
        loads: a table from :func:`sim.shelter.assignment.compute_shelter_loads`.
        title: the figure's title.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A figure with two bar traces, ``capacity`` and ``load``, one bar per shelter.
    """
    lab = LABELS[lang]
    order = loads.sort_values(C.CAPACITY, ascending=False, kind="stable")
    fig = go.Figure(
        [
            go.Bar(x=order[C.SHELTER_ID], y=order[C.CAPACITY], name=lab["capacity"], marker_color="lightgrey"),
            go.Bar(
                x=order[C.SHELTER_ID],
                y=order[C.LOAD],
                name=lab["load"],
                marker_color=[CLASS_COLOURS.get(c, "grey") for c in order[C.CLASS]],
                customdata=order[C.UTILISATION],
                hovertemplate=lab["load_hover"] + " (%{customdata:.0%})<extra></extra>",
            ),
        ]
    )
    fig.update_layout(title=title, barmode="overlay", xaxis_title=lab["shelter"], yaxis_title=lab["persons"])
    return fig
