"""Shelters: who is within reach of a shelter, who is not, how full each shelter gets, and where new ones help."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import compute
from dashboard.common import current_scenario_path, errors, file_select, lang, page_header, section_files, tr
from dashboard.figures.shelter import figure_shelter_loads, figure_shelter_map

page_header("shelters")

with errors():
    files = section_files("shelters")
    if current_scenario_path() not in {str(p) for p in files.values()}:
        st.info(tr("shelters_not_in_scenario"))
    path = file_select(files, section="shelters", key="sh_file")
    plans = compute.shelter_plans(path)
    c1, c2, c3 = st.columns(3)
    plan = c1.selectbox(tr("plan"), plans or [""], key="sh_plan", format_func=lambda p: p or "—")
    site_k = int(c2.number_input(tr("site_k"), min_value=0, max_value=20, value=2, step=1, key="sh_k",
                                 help=tr("site_k_help")))
    evacuees = int(c3.number_input(tr("evacuees"), min_value=0, value=0, step=100, key="sh_evac",
                                   help=tr("evacuees_help")))
    with st.spinner(tr("shelters_running")):
        b = compute.shelter_bundle(path, compute.file_digest(path), plan or None, site_k, evacuees)
    r = b["report"]
    kind = "network" if "network" in r["coverage"] else "euclidean"
    em = r["coverage"][kind]["emergency"]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(tr("m_population"), f"{r['population']:,.0f}")
    m2.metric(tr("m_shelters_open"), r["shelters_open"])
    m3.metric(tr("m_covered"), "—" if em["covered_fraction"] is None else f"{100 * em['covered_fraction']:.1f} %")
    m4.metric(tr("m_uncovered"), f"{em['uncovered_persons']:,.0f}")
    tabs = st.tabs([tr("tab_coverage"), tr("tab_loads"), tr("tab_siting"), tr("tab_compliance")])
    with tabs[0]:
        st.plotly_chart(figure_shelter_map(coverage=b["coverage"], shelters=b["shelters"],
                                           title=tr("shelter_map_title", kind=tr("kind_" + kind)), lang=lang()),
                        key="sh_map")
        st.caption(tr("coverage_explain"))
        rows = [{tr("col_tier"): tier, tr("col_covered"): f"{100 * (v['covered_fraction'] or 0):.1f} %",
                 tr("col_uncovered"): v["uncovered_persons"]}
                for tier, v in r["coverage"][kind].items() if tier != "nearest"]
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        blocks = r["uncovered_areas"].get(kind, [])
        if blocks:
            st.markdown(f"#### {tr('uncovered_blocks')}")
            st.dataframe(pd.DataFrame(blocks), hide_index=True)
    with tabs[1]:
        st.plotly_chart(figure_shelter_loads(loads=b["loads"], title=tr("loads_title"), lang=lang()), key="sh_loads")
        a = r["assignment"]
        st.write(tr("assignment_summary", assigned=a["assigned_persons"], unassigned=a["unassigned_persons"],
                    mean=a["mean_distance_m"], p95=a["p95_distance_m"]))
    with tabs[2]:
        siting = r.get("siting")
        if not siting:
            st.info(tr("siting_none"))
        else:
            mc = siting["maximal_covering"]["exact"]
            st.write(tr("siting_summary", k=siting["k"], sites=", ".join(mc["sites"]),
                        added=mc["added_covered_persons"], before=100 * (siting["baseline_covered_fraction"] or 0),
                        after=100 * (mc["covered_fraction"] or 0), n=siting["candidate_sites"]))
            sc = siting["set_cover"]["exact"]
            st.write(tr("setcover_summary", n=sc["n_sites"], frac=100 * (siting["coverable_fraction"] or 0)))
    with tabs[3]:
        c = r["compliance"]
        st.write(tr("compliance_summary", share=100 * (c["fixed_capacity_share"] or 0),
                    required=100 * (c["required_fixed_share"] or 0),
                    ok=tr("meets") if c["fixed_capacity_compliant"] else tr("fails"),
                    zones=c["zones_compliant_shelters"], total=r["shelters_open"]))
