"""Response: dispatch of fire, medical and gas teams over the road network; Gantt, map with routes, and the
response-time distributions against the targets (the 5-minute fire target among them)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import compute
from dashboard.common import current_scenario_path, errors, file_select, lang, page_header, section_files, tr
from dashboard.figures.response import figure_response_gantt, figure_response_map, figure_response_times

page_header("response")

with errors():
    files = section_files("response")
    current = current_scenario_path()
    if current.endswith((".yaml", ".yml")) and current not in {str(p) for p in files.values()}:
        st.info(tr("response_not_in_scenario"))
    path = file_select(files, section="response", key="resp_file")
    plans = compute.response_plans(path)
    c1, c2, c3 = st.columns(3)
    plan = c1.selectbox(tr("plan"), plans or [""], key="resp_plan", format_func=lambda p: p or "—")
    seed = int(c2.number_input(tr("seed"), min_value=0, value=0, step=1, key="resp_seed"))
    reps = int(c3.number_input(tr("reps"), min_value=2, max_value=500, value=30, step=5, key="resp_reps"))
    with st.spinner(tr("response_running")):
        b = compute.response_bundle(path, compute.file_digest(path), plan or None, seed, reps)
    L = lang()
    s = b["summary"]
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("m_units_sent"), s.get("units_sent", "—"))
    fu = s.get("first_unit_mean_s")
    m2.metric(tr("m_first_unit"), "—" if fu is None else f"{fu:,.0f} s")
    ac = s.get("all_clear_s")
    m3.metric(tr("m_all_clear"), "—" if ac is None else f"{ac:,.0f} s")
    tabs = st.tabs([tr("tab_gantt"), tr("tab_map"), tr("tab_times")])
    with tabs[0]:
        st.plotly_chart(figure_response_gantt(b["segments"], lang=L), key="resp_gantt")
        st.caption(tr("gantt_explain"))
    with tabs[1]:
        st.plotly_chart(figure_response_map(roads=b["roads"], places=b["places"], routes=b["routes"], lang=L),
                        key="resp_map")
        st.caption(tr("map_explain"))
    with tabs[2]:
        times = b["times"]
        if times.empty:
            st.info(tr("times_none"))
        else:
            st.plotly_chart(figure_response_times(times, lang=L), key="resp_times")
            share = times.groupby("target")["met"].mean()
            st.dataframe(pd.DataFrame({tr("col_target"): share.index,
                                       tr("col_within"): times.groupby("target")["within_s"].first().to_numpy(),
                                       tr("col_share_met"): [f"{100 * v:.0f} %" for v in share.to_numpy()]}),
                         hide_index=True)
            st.caption(tr("times_explain", reps=reps))
        ci = b["ci"].dropna(subset=["mean"])
        st.dataframe(ci, hide_index=True)
