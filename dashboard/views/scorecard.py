"""Scorecard: how ready is this plan, rated criterion by criterion against a rubric, with the evidence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import compute
from dashboard.common import (
    agents_input,
    chosen_scenario,
    db_path,
    errors,
    lang,
    page_header,
    plan_select,
    replicate_with_progress,
    tr,
)
from dashboard.i18n import has, t
from dashboard.reports import scorecard_html, scorecard_rows
from sim.plans.scorecard import shipped_rubrics

page_header("sc")

with errors():
    path, scenario, digest = chosen_scenario()
    c1, c2 = st.columns(2)
    with c1:
        plan = plan_select(scenario, key="sc_plan")
    rubrics = list(shipped_rubrics())
    rubric = c2.selectbox(tr("sc_rubric"), rubrics, key="sc_rubric",  # labels in both languages: the choice stays
                          index=rubrics.index("default") if "default" in rubrics else 0,
                          format_func=lambda r: f"{t(f'rubric_{r}', 'en')} / {t(f'rubric_{r}', 'zh')}"
                          if has(f"rubric_{r}") else r)
    c3, c4, c5, c6 = st.columns(4)
    reps = int(c3.number_input(tr("reps"), min_value=1, max_value=100, value=5, step=1, key="sc_reps"))
    seed = int(c4.number_input(tr("first_seed"), min_value=0, value=0, step=1, key="sc_seed"))
    with c5:
        agents = agents_input(scenario, key="sc_agents")
    interval = c6.number_input(tr("sc_interval"), min_value=0.0, value=6.0, step=1.0, key="sc_interval",
                               help=tr("sc_interval_help"))
    facts = (("drill.interval_months", float(interval)),)
    db = str(db_path())
    args = (path, digest, plan, rubric, reps, seed, agents, db, facts)
    if st.button(tr("sc_button"), type="primary", key="sc_go"):
        bar = replicate_with_progress(path, digest, (plan,), reps, seed, agents, db)
        compute.scorecard(*args)
        bar.progress(1.0, text=tr("compare_finished"))
        st.session_state["sc_args"] = args
    shown = st.session_state.get("sc_args")
    if shown is None or shown[0] != path or shown[1] != digest:
        st.info(tr("sc_none"))
        st.stop()
    card = compute.scorecard(*shown)
    L = lang()
    band = card["band_zh"] if L == "zh" and card.get("band_zh") else card["band"]
    m1, m2 = st.columns(2)
    m1.metric(tr("sc_score"), "—" if card["score"] is None else f"{card['score']:.1f} / 100")
    m1.markdown(f"**{tr('band')}: {band}**")
    m2.metric(tr("sc_assessed_short"), f"{card['assessed']} / {len(card['criteria'])}")
    rows = scorecard_rows(card, L)
    st.dataframe(pd.DataFrame(rows).rename(columns={
        "id": tr("sc_col_id"), "title": tr("sc_col_title"), "rating": tr("sc_col_rating"),
        "value": tr("sc_col_value"), "thresholds": tr("sc_col_thresholds"), "weight": tr("sc_col_weight"),
        "evidence": tr("sc_col_evidence")}), hide_index=True, key="sc_table")
    if card["improvements"]:
        st.markdown(f"#### {tr('sc_improvements')}")
        for i in card["improvements"]:
            action = i["action_zh"] if L == "zh" and i.get("action_zh") else i["action"]
            st.markdown(f"- **[{i['rating']}] {i['id']}** ({tr('sc_points_lost', n=i['points_lost'])}): {action}")
    st.caption(tr("sc_ratings_rule"))
    st.download_button(tr("sc_download"), scorecard_html(card, L), file_name=f"scorecard-{card['plan']}.html",
                       mime="text/html", key="sc_dl_html")
