"""Scenario drawings to scale, and the replay of a run: pure functions of a scenario and of tables.

Labels come from the dashboard's strings table (:mod:`dashboard.i18n`), ``lang="en"`` or ``"zh"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from plotly.subplots import make_subplots

from dashboard.i18n import t

__all__ = ["figure_scenario_layout", "figure_replay", "STATE_COLOURS"]

#: Colour of each agent state in the replay.
STATE_COLOURS = {"waiting": "#9e9e9e", "moving": "#1f77b4", "casualty": "#d62728", "trapped": "#ff7f0e"}
_POP_COLOURS = ("rgba(31,119,180,0.25)", "rgba(44,160,44,0.25)", "rgba(148,103,189,0.25)", "rgba(140,86,75,0.25)")


def _rings(geom: shapely.Geometry) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for poly in shapely.get_parts(geom):
        if poly.is_empty:
            continue
        rings = [poly.exterior, *poly.interiors] if poly.geom_type == "Polygon" else [poly]
        for ring in rings:
            c = np.asarray(ring.coords)
            xs.extend([*c[:, 0].tolist(), None])
            ys.extend([*c[:, 1].tolist(), None])
    return xs, ys


def _lines(segments: Sequence[Sequence[Sequence[float]]]) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for seg in segments:
        for x, y in seg:
            xs.append(float(x))
            ys.append(float(y))
        xs.append(None)
        ys.append(None)
    return xs, ys


def figure_scenario_layout(scenario: Any, *, lang: str = "en", closed: Sequence[str] = ()) -> go.Figure:
    """Every level of a scenario to scale, one panel per level: walls, obstacles, exits, stairs and escalators,
    populations (with their counts), monitoring areas and hazard centres.

    Args:
        scenario: a validated :class:`sim.Scenario`.
        lang: ``"en"`` or ``"zh"``.
        closed: ids of exits and connectors to draw as closed (e.g. a plan's ``close_exits``).

    Returns:
        A figure with one subplot per level (equal x and y scales within each).
    """
    levels = list(scenario.levels)
    n = len(levels)
    fig = make_subplots(
        rows=n,
        cols=1,
        subplot_titles=[f"{t('fig_level', lang)} {lv.id}" for lv in levels],
        vertical_spacing=0.12 / max(n, 1),
    )
    shown: set[str] = set()

    def legend(key: str) -> dict[str, Any]:
        first = key not in shown
        shown.add(key)
        return {"name": t(key, lang), "legendgroup": key, "showlegend": first}

    closed_set = set(closed)
    for row, lv in enumerate(levels, 1):
        xs, ys = _rings(lv.walkable)
        fig.add_trace(
            go.Scatter(x=xs, y=ys, mode="lines", line={"color": "black", "width": 1.5}, hoverinfo="skip",
                       **legend("fig_walls")),
            row=row, col=1,
        )
        if lv.obstacles:
            xs, ys = _rings(shapely.union_all(list(lv.obstacles)))
            fig.add_trace(
                go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor="rgba(80,80,80,0.5)",
                           line={"color": "#444", "width": 1}, hoverinfo="skip", **legend("fig_obstacles")),
                row=row, col=1,
            )
        for k, pop in enumerate(p for p in scenario.populations if p.level == lv.id):
            xs, ys = _rings(pop.area)
            c = pop.area.centroid
            fig.add_trace(
                go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=_POP_COLOURS[k % len(_POP_COLOURS)],
                           line={"color": "rgba(31,119,180,0.6)", "width": 1, "dash": "dot"},
                           text=f"{pop.id}: {pop.count} {t('fig_persons', lang)}", hoverinfo="text",
                           **legend("fig_populations")),
                row=row, col=1,
            )
            fig.add_annotation(x=c.x, y=c.y, text=f"{pop.id} ({pop.count})", showarrow=False,
                               font={"size": 10, "color": "#1f3b73"}, row=row, col=1)
        for area in (a for a in scenario.monitoring_areas if a.level == lv.id):
            xs, ys = _rings(area.area)
            fig.add_trace(
                go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#8e44ad", "width": 1, "dash": "dash"},
                           text=area.id, hoverinfo="text", **legend("fig_monitoring")),
                row=row, col=1,
            )
        for key, exits in (
            ("fig_exits", [e for e in scenario.exits if e.level == lv.id and e.id not in closed_set]),
            ("fig_closed_exits", [e for e in scenario.exits if e.level == lv.id and e.id in closed_set]),
        ):
            if not exits:
                continue
            xs, ys = _lines([e.line for e in exits])
            colour = "#2ca02c" if key == "fig_exits" else "#d62728"
            fig.add_trace(
                go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": 6}, hoverinfo="skip",
                           **legend(key)),
                row=row, col=1,
            )
            for e in exits:
                (x0, y0), (x1, y1) = e.line
                fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=e.id, showarrow=False, yshift=12,
                                   font={"size": 10, "color": colour}, row=row, col=1)
        ends = [(c, c.from_line) for c in scenario.connectors if c.from_level == lv.id]
        ends += [(c, c.to_line) for c in scenario.connectors if c.to_level == lv.id]
        for kind in ("stair", "escalator"):
            part = [(c, line) for c, line in ends if c.kind == kind]
            if not part:
                continue
            xs, ys = _lines([line for _, line in part])
            fig.add_trace(
                go.Scatter(x=xs, y=ys, mode="lines",
                           line={"color": "#ff7f0e" if kind == "stair" else "#17becf", "width": 5},
                           hoverinfo="skip", **legend(f"fig_{kind}")),
                row=row, col=1,
            )
            for c, line in part:
                (x0, y0), (x1, y1) = line
                other = c.to_level if c.from_level == lv.id else c.from_level
                mark = " ✕" if c.id in closed_set else ""
                fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=f"{c.id}→{other}{mark}", showarrow=False,
                                   xshift=18, font={"size": 9}, row=row, col=1)
        for h in (h for h in getattr(scenario, "hazards", ()) if getattr(h, "level", None) == lv.id):
            fig.add_trace(
                go.Scatter(x=[h.x], y=[h.y], mode="markers+text", text=[h.id], textposition="top center",
                           marker={"symbol": "star", "size": 16, "color": "#d62728"}, **legend("fig_hazard")),
                row=row, col=1,
            )
        axis = "" if row == 1 else str(row)
        fig.update_yaxes(scaleanchor=f"x{axis}", scaleratio=1, title_text=t("fig_y", lang), row=row, col=1)
        fig.update_xaxes(title_text=t("fig_x", lang), row=row, col=1)
    fig.update_layout(
        title=f"{scenario.name} — {t('fig_layout', lang)}",
        plot_bgcolor="white",
        height=min(420 * n, 1400) + 80,
        legend={"orientation": "h", "y": -0.06},
    )
    return fig


def figure_replay(
    frames: pd.DataFrame,
    *,
    outlines: Sequence[shapely.Geometry] = (),
    lang: str = "en",
    title: str | None = None,
) -> go.Figure:
    """An animation of positions over time with a time slider and play button, agents coloured by state.

    Args:
        frames: ``t_s, agent_id, x_m, y_m, state`` (see :func:`dashboard.analysis.replay_frames`); ``safe``
            agents are not drawn.
        outlines: walls and obstacles in the same coordinates as the positions.
        lang: ``"en"`` or ``"zh"``.
        title: figure title (default: the strings table's).

    Returns:
        A figure with one trace per state and one animation frame per time in ``frames``.
    """
    states = list(STATE_COLOURS)
    times = sorted(frames["t_s"].unique()) if len(frames) else [0.0]
    xs: list[float | None] = []
    ys: list[float | None] = []
    for g in outlines:
        a, b = _rings(g)
        xs += a
        ys += b
    wall = go.Scatter(x=xs, y=ys, mode="lines", line={"color": "black", "width": 1}, name=t("fig_walls", lang),
                      hoverinfo="skip")

    def traces(t_s: float) -> list[go.Scatter]:
        now = frames[frames["t_s"] == t_s]
        out = []
        for s in states:
            part = now[now["state"] == s]
            out.append(
                go.Scatter(x=part["x_m"], y=part["y_m"], mode="markers", name=t(f"state_{s}", lang),
                           marker={"size": 5, "color": STATE_COLOURS[s]}, hoverinfo="skip")
            )
        return out

    fig = go.Figure(data=[wall, *traces(times[0])])
    fig.frames = [go.Frame(data=traces(tt), traces=list(range(1, len(states) + 1)), name=f"{tt:g}") for tt in times]
    fig.update_layout(
        title=title or t("fig_replay", lang),
        xaxis_title=t("fig_x", lang),
        yaxis={"title": t("fig_y", lang), "scaleanchor": "x", "scaleratio": 1},
        plot_bgcolor="white",
        height=560,
        margin={"b": 150},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        updatemenus=[{
            "type": "buttons", "showactive": False, "x": 0, "y": -0.2, "xanchor": "left", "yanchor": "top",
            "direction": "left",
            "buttons": [
                {"label": "▶", "method": "animate",
                 "args": [None, {"frame": {"duration": 150, "redraw": False}, "fromcurrent": True}]},
                {"label": "⏸", "method": "animate",
                 "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]},
            ],
        }],
        sliders=[{
            "currentvalue": {"prefix": t("fig_time", lang) + ": "},
            "x": 0.12, "len": 0.88, "y": -0.2, "yanchor": "top",
            "steps": [
                {"label": f"{tt:g}", "method": "animate",
                 "args": [[f"{tt:g}"], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]}
                for tt in times
            ],
        }],
    )
    return fig


def figure_distributions(
    runs: pd.DataFrame, *, metric_label: str, kind: str = "box", lang: str = "en"
) -> go.Figure:
    """Box or violin plot of one metric per plan over replications (``runs``: columns ``plan, value``)."""
    fig = go.Figure()
    for plan, grp in runs.groupby("plan", sort=False):
        vals = grp["value"].to_numpy(dtype=float)
        if kind == "violin":
            fig.add_trace(go.Violin(y=vals, name=str(plan), box_visible=True, meanline_visible=True, points="all"))
        else:
            fig.add_trace(go.Box(y=vals, name=str(plan), boxpoints="all", boxmean=True))
    fig.update_layout(title=f"{metric_label} — {t('fig_by_plan', lang)}", yaxis_title=metric_label,
                      xaxis_title=t("fig_plan", lang), showlegend=False)
    return fig


def figure_metro_check(metro: dict[str, Any], *, lang: str = "en") -> go.Figure:
    """Bars of the metro 4 / 6 minute rule: formula time, platform cleared, safe area reached, with the limits."""
    def minutes(key: str) -> float | None:
        return None if metro.get(key) is None else float(metro[key]) / 60

    rows = [
        (t("metro_formula", lang), metro.get("formula_time_min"), 6.0),
        (t("metro_platform", lang), minutes("platform_clear_s"), 4.0),
        (t("metro_safe", lang), minutes("safe_area_s"), 6.0),
    ]
    names = [r[0] for r in rows]
    vals = [np.nan if r[1] is None else float(r[1]) for r in rows]
    colours = ["#2ca02c" if (v == v and v <= lim) else "#d62728" for v, (_, _, lim) in zip(vals, rows, strict=True)]
    fig = go.Figure(go.Bar(x=names, y=vals, marker_color=colours, name=t("metro_minutes", lang)))
    fig.add_trace(go.Scatter(x=names, y=[r[2] for r in rows], mode="markers", marker={"symbol": "line-ew-open",
                  "size": 40, "color": "black"}, name=t("metro_limit", lang)))
    fig.update_layout(title=t("metro_title", lang), yaxis_title=t("metro_minutes", lang))
    return fig
