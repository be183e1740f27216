"""Run: one simulation of the chosen scenario under a plan, with its figures and a replay of positions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from shapely import affinity

from dashboard import compute
from dashboard.common import (
    agents_input,
    chosen_scenario,
    errors,
    lang,
    page_header,
    plan_select,
    progress_callback,
    tr,
)
from dashboard.figures.crowd import figure_density_map, figure_evacuation_curve, figure_los_map, figure_warning_timeline
from dashboard.figures.hazard import figure_zone_map
from dashboard.figures.layout import figure_metro_check, figure_replay

page_header("run")

with errors():
    path, scenario, digest = chosen_scenario()
    c1, c2, c3 = st.columns(3)
    with c1:
        plan = plan_select(scenario, key="run_plan")
    with c2:
        seed = int(st.number_input(tr("seed"), min_value=0, value=0, step=1, key="run_seed", help=tr("seed_help")))
    with c3:
        agents = agents_input(scenario, key="run_agents")
    args = (path, digest, plan, seed, agents)
    if st.button(tr("run_button"), type="primary", key="run_go"):
        bar = st.progress(0.0, text=tr("run_starting"))
        compute.run_bundle(*args, progress=progress_callback(bar, "run_progress"))
        bar.progress(1.0, text=tr("run_done"))
        st.session_state["run_args"] = args
    shown = st.session_state.get("run_args")
    if shown is None or shown[0] != path or shown[1] != digest:
        st.info(tr("run_none"))
        st.stop()
    if shown != args:
        st.caption(tr("run_shown_other", plan=shown[2], seed=shown[3], agents=shown[4]))
    b = compute.run_bundle(*shown)
    s = b["summary"]
    L = lang()

    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric(tr("m_evacuated"), f"{s['evacuated']:,} / {s['agents']:,}")
    evac = s["evacuation_time_s"]
    m2.metric(tr("m_evac_time"), tr("not_all_out") if evac is None else f"{evac:,.1f} s")
    m3.metric(tr("m_t95"), "—" if s.get("t95_s") is None else f"{s['t95_s']:,.1f} s")
    m4.metric(tr("m_max_density"), f"{s['max_density_p_m2']:.2f} P/m²")
    m5.metric(tr("m_wall"), f"{s['wall_s']:.1f} s")

    tabs = st.tabs([tr("tab_curve"), tr("tab_density"), tr("tab_warnings"), tr("tab_metro"), tr("tab_hazard"),
                    tr("tab_replay"), tr("tab_tables")])
    with tabs[0]:
        st.plotly_chart(figure_evacuation_curve(agents=b["agents"], per_exit=True, lang=L), key="run_curve")
        exits = pd.DataFrame({
            tr("col_exit"): list(s["exit_counts"]),
            tr("col_persons"): list(s["exit_counts"].values()),
            tr("col_flow"): [s["exit_flow_p_per_s"].get(e) for e in s["exit_counts"]],
            tr("col_max_queue"): [s.get("max_queue", {}).get(e, 0) for e in s["exit_counts"]],
        })
        st.dataframe(exits, hide_index=True)
        st.caption(tr("curve_explain"))
    with tabs[1]:
        levels = [lv.id for lv in scenario.levels]
        level = st.selectbox(tr("level"), levels, key="run_level")
        outlines = [scenario.level(level).walkable, *scenario.level(level).obstacles]
        cells = b["cells"]
        if cells.empty or level not in set(cells["level"]):
            st.info(tr("density_none"))
        else:
            frames = b["frames"]
            times = sorted(frames["t_s"].unique()) if len(frames) else []
            mode = st.radio(tr("density_mode"), ["max", "time"], horizontal=True, key=f"run_density_mode_{L}",
                            format_func=lambda m: tr(f"density_mode_{m}"))
            t_s = None
            if mode == "time" and times:
                t_s = st.select_slider(tr("time_s"), options=times, value=times[len(times) // 2], key="run_t")
            use = frames if (mode == "time" and times) else None
            d1, d2 = st.columns(2)
            d1.plotly_chart(figure_density_map(cells=cells, frames=use, t_s=t_s, level=level, outlines=outlines,
                                               lang=L), key="run_density")
            d2.plotly_chart(figure_los_map(cells=cells, frames=use, t_s=t_s, level=level, outlines=outlines, lang=L),
                            key="run_los")
            st.caption(tr("density_explain", above2=s.get("time_above_2_p_m2_s", 0),
                          above4=s.get("time_above_4_p_m2_s", 0)))
    with tabs[2]:
        if not scenario.monitoring_areas:
            st.info(tr("warnings_none"))
        else:
            st.plotly_chart(figure_warning_timeline(timeline=b["warnings"],
                                                    areas=[a.id for a in scenario.monitoring_areas], lang=L),
                            key="run_warnings")
            st.caption(tr("warnings_explain"))
    with tabs[3]:
        m = s.get("metro_check")
        if not m:
            st.info(tr("metro_none"))
        else:
            def minutes(x: float | None) -> str:
                return tr("not_reached") if x is None else f"{x / 60:.2f} min"

            verdict = {True: tr("meets"), False: tr("fails")}
            f = m["formula_time_min"]
            table = pd.DataFrame({
                tr("col_check"): [tr("metro_formula"), tr("metro_platform"), tr("metro_safe")],
                tr("col_value"): ["—" if f is None else f"{f:.2f} min", minutes(m["platform_clear_s"]),
                                  minutes(m["safe_area_s"])],
                tr("col_limit"): ["6 min", "4 min", "6 min"],
                tr("col_verdict"): [verdict[bool(m["formula_ok"])], verdict[bool(m["platform_clear_ok"])],
                                    verdict[bool(m["safe_area_ok"])]],
            })
            st.dataframe(table, hide_index=True, key="run_metro_table")
            st.plotly_chart(figure_metro_check(m, lang=L), key="run_metro_fig")
            st.caption(tr("metro_explain", persons=m["persons_on_platform"], n=m["escalators"],
                          b=m["stair_width_m"]))
    with tabs[4]:
        h = s.get("hazard")
        if not h or not scenario.hazards:
            st.info(tr("hazard_none"))
        else:
            from sim.hazard import hazard_zones

            ign, alarm = h["ignition_time_s"], h["alarm_time_s"]
            st.write(tr("hazard_summary", ignition="—" if ign is None else f"{ign:.0f}",
                        alarm="—" if alarm is None else f"{alarm:.0f}",
                        closed=", ".join(h["closed_exits"]) or tr("none")))
            st.dataframe(pd.DataFrame([h["casualties"]]), hide_index=True)
            for ev in h["events"]:
                hz = next(x for x in scenario.hazards if x.id == ev["hazard"])
                lv = scenario.level(hz.level)
                zones = hazard_zones(hz, outline=lv.free_space, mass_kg=ev["burning_mass_kg"])
                ag = b["agents"]
                cas = ag[(ag["outcome"] == "casualty") & (ag["level"] == hz.level)]
                cas = pd.DataFrame({"x_m": cas["x_m"], "y_m": cas["y_m"], "severity": np.full(len(cas), 2)})
                exits = {e.id: ((e.line[0][0] + e.line[1][0]) / 2, (e.line[0][1] + e.line[1][1]) / 2)
                         for e in scenario.exits if e.level == hz.level}
                st.plotly_chart(figure_zone_map(zones=zones, outline=lv.free_space, casualties=cas,
                                                center=(hz.x, hz.y), exits=exits, closed_exits=ev["closed_exits"],
                                                lang=L), key=f"run_zone_{hz.id}")
            st.caption(tr("hazard_explain"))
    with tabs[5]:
        replay = b["replay"]
        if replay.empty:
            st.info(tr("replay_none"))
        else:
            outlines = []
            for lv in scenario.levels:
                ox, oy = b["offsets"][lv.id]
                for g in (lv.walkable, *lv.obstacles):
                    outlines.append(affinity.translate(g, ox, oy))
            st.plotly_chart(figure_replay(replay, outlines=outlines, lang=L), key="run_replay")
            st.caption(tr("replay_explain"))
    with tabs[6]:
        st.dataframe(b["timeseries"], hide_index=True)
        st.download_button(tr("download_agents"), b["agents"].to_csv(index=False), file_name="agents.csv",
                           mime="text/csv", key="run_dl_agents")
        st.json(s, expanded=False)
