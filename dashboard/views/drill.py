"""Drill: a Master Scenario Events List (MSEL) from the simulated timeline, edited in place and downloaded;
observed times uploaded after the drill give the evaluation and the after-action report."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

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
from dashboard.reports import example_observations
from sim.plans.drill import EXERCISE_TYPE_ZH, EXERCISE_TYPES, MSEL_COLUMNS, Drill

page_header("drill")


def _evidence(x: dict[str, Any]) -> str:
    observed = "—" if x["observed_s"] is None else f"{x['observed_s']:.0f} s"
    return f"{x['inject_id']}: {observed} (p50 {x['target_p50_s']:.0f} / p90 {x['target_p90_s']:.0f}) → {x['rating']}"


with errors():
    path, scenario, digest = chosen_scenario()
    c1, c2 = st.columns(2)
    with c1:
        plan = plan_select(scenario, key="drill_plan")
    ex_type = c2.selectbox(tr("exercise_type"), list(EXERCISE_TYPES), index=1, key="drill_type",
                           format_func=lambda x: f"{x} / {EXERCISE_TYPE_ZH[x]}")
    c3, c4, c5 = st.columns(3)
    reps = int(c3.number_input(tr("reps"), min_value=1, max_value=100, value=5, step=1, key="drill_reps"))
    seed = int(c4.number_input(tr("first_seed"), min_value=0, value=0, step=1, key="drill_seed"))
    with c5:
        agents = agents_input(scenario, key="drill_agents")
    db = str(db_path())
    args = (path, digest, plan, ex_type, reps, seed, agents, db)
    if st.button(tr("drill_button"), type="primary", key="drill_go"):
        # the replications first (progress bar), so that the drill is served from them
        bar = replicate_with_progress(path, digest, (plan,), reps, seed, agents, db)
        bar.progress(1.0, text=tr("compare_finished"))
        compute.drill(*args)
        st.session_state["drill_args"] = args
        st.session_state.pop("drill_editor", None)
    shown = st.session_state.get("drill_args")
    if shown is None or shown[0] != path or shown[1] != digest:
        st.info(tr("drill_none"))
        st.stop()
    data = compute.drill(*shown)
    L = lang()
    st.success(tr("drill_done", n=len(data["injects"]), reps=data["reps"], agents=data["agents"], plan=data["plan"]))
    shown_cols = ["inject_id", "scenario_time", "inject_type" if L == "en" else "inject_type_zh",
                  f"description_{L}", f"expected_action_{L}", f"objective_{L}", "target_p50_s", "target_p90_s",
                  "controller", "notes"]
    full = pd.DataFrame(data["injects"], columns=list(MSEL_COLUMNS))
    columns = {c: st.column_config.Column(tr("msel_" + c.removesuffix("_en").removesuffix("_zh"))) for c in shown_cols}
    edited = st.data_editor(full[shown_cols], key="drill_editor", hide_index=True, disabled=["inject_id"],
                            num_rows="fixed", column_config=columns)
    merged = full.copy()
    for col in shown_cols:
        merged[col] = edited[col].to_numpy()
    injects = [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in merged.to_dict("records")]
    drill = Drill({**data, "injects": injects})
    d1, d2 = st.columns(2)
    csv_text = drill.to_csv()
    d1.download_button(tr("download_csv"), csv_text, file_name=f"msel-{data['plan']}.csv", mime="text/csv",
                       key="drill_dl_csv")
    d2.download_button(tr("download_md"), drill.to_markdown(), file_name=f"msel-{data['plan']}.md",
                       mime="text/markdown", key="drill_dl_md")
    st.caption(tr("drill_explain"))

    st.markdown(f"### {tr('drill_evaluate')}")
    st.caption(tr("drill_evaluate_intro"))
    observed = st.file_uploader(tr("observed_upload"), type=["csv"], key="drill_observed")
    e1, e2 = st.columns(2)
    e1.download_button(tr("observed_template"), example_observations(injects), file_name="observed-example.csv",
                       mime="text/csv", key="drill_dl_example")
    if e2.button(tr("observed_example"), key="drill_use_example"):
        st.session_state["drill_obs_text"] = example_observations(injects)
    obs_text = observed.getvalue().decode("utf-8", errors="replace") if observed is not None else \
        st.session_state.get("drill_obs_text")
    if obs_text:
        from sim.plans.evaluate import evaluate_drill

        with tempfile.TemporaryDirectory(prefix="drillsim-eval-") as tmp:
            msel = Path(tmp) / "msel.csv"
            msel.write_text(csv_text, encoding="utf-8")
            obs = Path(tmp) / "observed.csv"
            obs.write_text(obs_text, encoding="utf-8")
            ev = evaluate_drill(msel, obs)
        d = ev.data
        band = d["band_zh"] if L == "zh" else d["band"]
        st.metric(tr("drill_score"), "—" if d["score"] is None else f"{d['score']:.1f} / 100")
        st.markdown(f"**{tr('band')}: {band}** · {tr('rated_objectives', n=d['rated'])}")
        st.dataframe(pd.DataFrame([
            {tr("col_objective"): o[f"objective_{L}"] or o["objective_en"], tr("col_rating"): o["rating"] or "—",
             tr("col_evidence"): "; ".join(_evidence(x) for x in o["injects"])}
            for o in d["objectives"]]), hide_index=True, key="drill_eval_table")
        report = ev.report_markdown()
        st.download_button(tr("download_aar"), report, file_name="after-action-report.md", mime="text/markdown",
                           key="drill_dl_aar")
        with st.expander(tr("aar_preview"), expanded=True):
            st.markdown(report)
