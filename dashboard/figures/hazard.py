"""Explosion-hazard figures: overpressure against distance, and the damage-zone map with casualties.

Pure functions of the tables and geometries of :mod:`sim.hazard` (column names from
:mod:`sim.hazard.columns`); each returns a plotly ``Figure``. Labels in English (``lang="en"``) or Chinese
(``lang="zh"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry.base import BaseGeometry

from sim.hazard.columns import DISTANCE_M, OVERPRESSURE_KPA, SEVERITY, SEVERITY_NAMES, X_M, Y_M
from sim.hazard.harm import ZONE_THRESHOLDS_KPA

__all__ = [
    "figure_overpressure_distance",
    "figure_zone_map",
    "LABELS",
    "THRESHOLD_LABELS",
    "ZONE_COLOURS",
    "SEVERITY_COLOURS",
]

#: Figure labels per language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "overpressure": "Peak overpressure against distance",
        "distance": "Distance from the explosion centre [m]",
        "ps": "Peak side-on overpressure [kPa]",
        "zones": "Overpressure zones",
        "x": "x [m]",
        "y": "y [m]",
        "outline": "Venue",
        "zone": "≥ {t:g} kPa",
        "centre": "Explosion centre",
        "exit": "Exits",
        "closed": "Closed exits",
        "injured": "Injured",
        "serious": "Seriously injured (immobile)",
        "fatal": "Fatal",
    },
    "zh": {
        "overpressure": "峰值超压随距离变化",
        "distance": "距爆炸中心距离 [m]",
        "ps": "峰值侧向超压 [kPa]",
        "zones": "超压分区",
        "x": "x [m]",
        "y": "y [m]",
        "outline": "场所",
        "zone": "≥ {t:g} kPa",
        "centre": "爆炸中心",
        "exit": "出口",
        "closed": "关闭的出口",
        "injured": "轻伤",
        "serious": "重伤（无法行动）",
        "fatal": "死亡",
    },
}
#: What a threshold means (reference explosion.md section 7), per language.
THRESHOLD_LABELS: dict[str, dict[float, str]] = {
    "en": {
        6.9: "6.9 kPa (1 psi): glass, partial demolition of houses",
        24.1: "24.1 kPa (3.5 psi): serious injury",
        55.2: "55.2 kPa (8 psi): destruction",
    },
    "zh": {
        6.9: "6.9 kPa（1 psi）：玻璃破碎、房屋局部损毁",
        24.1: "24.1 kPa（3.5 psi）：重伤",
        55.2: "55.2 kPa（8 psi）：摧毁",
    },
}
#: Fill colours of zones, from the lowest threshold to the highest.
ZONE_COLOURS = ("#fee08b", "#fc8d59", "#d73027", "#7f0000")
#: Marker colours of severities 1-3.
SEVERITY_COLOURS = {1: "#f2c200", 2: "#ff8c00", 3: "#000000"}


def figure_overpressure_distance(
    frame: pd.DataFrame,
    *,
    thresholds_kpa: Sequence[float] = ZONE_THRESHOLDS_KPA,
    by: str | None = None,
    lang: str = "en",
) -> go.Figure:
    """Overpressure against distance on log-log axes, with labelled horizontal threshold lines.

    Args:
        frame: a blast table (:func:`sim.hazard.blast.blast_table`): columns ``distance_m`` and
            ``overpressure_kpa``, plus a column ``by`` to draw one curve per value (e.g. the method).
        thresholds_kpa: thresholds drawn as horizontal lines [kPa].
        by: name of the column that splits the curves, or ``None`` for one curve.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        The figure: one line per curve (points with overpressure <= 0 are left out of the log axis).
    """
    lab = LABELS[lang]
    fig = go.Figure()
    groups = [(None, frame)] if by is None else list(frame.groupby(by, sort=False))
    for name, g in groups:
        g = g[g[OVERPRESSURE_KPA] > 0].sort_values(DISTANCE_M)
        fig.add_trace(
            go.Scatter(
                x=g[DISTANCE_M].to_numpy(),
                y=g[OVERPRESSURE_KPA].to_numpy(),
                mode="lines",
                name=str(name) if name is not None else lab["ps"],
            )
        )
    names = THRESHOLD_LABELS.get(lang, {})
    for k, t in enumerate(sorted(thresholds_kpa)):
        fig.add_hline(
            y=t,
            line_dash="dash",
            line_color=ZONE_COLOURS[min(k + 1, len(ZONE_COLOURS) - 1)],
            annotation_text=names.get(t, f"{t:g} kPa"),
            annotation_position="top right",
        )
    fig.update_layout(
        title=lab["overpressure"], xaxis_title=lab["distance"], yaxis_title=lab["ps"], template="plotly_white"
    )
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log")
    return fig


def _rings(geom: BaseGeometry) -> list[np.ndarray]:
    """Exterior rings of every polygon part of a geometry."""
    parts = getattr(geom, "geoms", [geom])
    return [np.asarray(p.exterior.coords) for p in parts if not p.is_empty and hasattr(p, "exterior")]


def _boundary_xy(geom: BaseGeometry) -> tuple[list[float | None], list[float | None]]:
    """x and y of every ring of a geometry (holes too), separated by ``None`` for one line trace."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for p in getattr(geom, "geoms", [geom]):
        if p.is_empty or not hasattr(p, "exterior"):
            continue
        for ring in (p.exterior, *p.interiors):
            c = np.asarray(ring.coords)
            xs += [*c[:, 0].tolist(), None]
            ys += [*c[:, 1].tolist(), None]
    return xs, ys


def figure_zone_map(
    *,
    zones: Mapping[float, BaseGeometry],
    outline: BaseGeometry | None = None,
    casualties: pd.DataFrame | None = None,
    center: tuple[float, float] | None = None,
    exits: Mapping[str, tuple[float, float]] | None = None,
    closed_exits: Sequence[str] = (),
    lang: str = "en",
) -> go.Figure:
    """The overpressure zones over the venue plan, with casualties marked by severity.

    Args:
        zones: threshold [kPa] → zone polygon (e.g. :attr:`sim.hazard.coupling.BlastOutcome.zones`).
        outline: the venue's walkable area (walls and obstacles drawn as lines).
        casualties: a table with columns ``x_m``, ``y_m`` and ``severity`` (e.g.
            :meth:`sim.hazard.coupling.BlastOutcome.casualties`); severity 0 rows are not drawn.
        center: the explosion centre.
        exits: exit id → point (drawn as markers, closed ones crossed).
        closed_exits: ids of the exits the blast closed.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        The figure, with equal x and y scales; one filled trace per non-empty zone (lowest threshold first).
    """
    lab = LABELS[lang]
    fig = go.Figure()
    for k, (t, zone) in enumerate(sorted(zones.items())):
        if zone.is_empty:
            continue
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in _rings(zone):
            xs += [*ring[:, 0].tolist(), None]
            ys += [*ring[:, 1].tolist(), None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                mode="lines",
                line={"width": 1, "color": ZONE_COLOURS[min(k, len(ZONE_COLOURS) - 1)]},
                fillcolor=ZONE_COLOURS[min(k, len(ZONE_COLOURS) - 1)],
                opacity=0.55,
                name=lab["zone"].format(t=t),
            )
        )
    if outline is not None:
        bx, by_ = _boundary_xy(outline)
        fig.add_trace(go.Scatter(x=bx, y=by_, mode="lines", line={"color": "#444", "width": 1}, name=lab["outline"]))
    if exits:
        open_ids = [e for e in exits if e not in set(closed_exits)]
        shut = [e for e in exits if e in set(closed_exits)]
        for ids, name, symbol, colour in (
            (open_ids, lab["exit"], "square", "#1a9850"),
            (shut, lab["closed"], "x", "#d7191c"),
        ):
            if ids:
                fig.add_trace(
                    go.Scatter(
                        x=[exits[e][0] for e in ids],
                        y=[exits[e][1] for e in ids],
                        mode="markers+text",
                        text=ids,
                        textposition="top center",
                        marker={"symbol": symbol, "size": 11, "color": colour},
                        name=name,
                    )
                )
    if casualties is not None and len(casualties):
        for sev in (1, 2, 3):
            rows = casualties[casualties[SEVERITY] == sev]
            if len(rows):
                fig.add_trace(
                    go.Scatter(
                        x=rows[X_M].to_numpy(),
                        y=rows[Y_M].to_numpy(),
                        mode="markers",
                        marker={"size": 5, "color": SEVERITY_COLOURS[sev]},
                        name=f"{lab[SEVERITY_NAMES[sev]]} ({len(rows)})",
                    )
                )
    if center is not None:
        fig.add_trace(
            go.Scatter(
                x=[center[0]],
                y=[center[1]],
                mode="markers",
                marker={"symbol": "star", "size": 16, "color": "#7f0000"},
                name=lab["centre"],
            )
        )
    fig.update_layout(title=lab["zones"], xaxis_title=lab["x"], yaxis_title=lab["y"], template="plotly_white")
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig
