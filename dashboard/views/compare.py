"""Compare plans: every chosen plan over the same seeds (common random numbers); distributions, paired
differences with confidence intervals, the probability that one plan beats another, ranking stability."""

from __future__ import annotations

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
    metric_label,
    page_header,
    replicate_with_progress,
    tr,
)
from dashboard.figures.layout import figure_distributions

page_header("compare")


def _ci(ci: list[float | None] | None) -> str:
    return "—" if not ci else f"[{ci[0]:,.2f}, {ci[1]:,.2f}]"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f} %"


def show_comparison(data: dict[str, Any], *, key: str) -> None:
    """Figures and tables of one comparison (``sim.plans.compare`` data)."""
    st.success(tr("compare_done", executed=data["executed"], served=data["from_catalogue"], reps=data["reps"],
                  agents=data["agents"], plans=", ".join(data["plans"])))
    names = [m for m in data["metrics"] if any(st_.get("available") for st_ in data["metrics"][m]["plans"].values())]
    default = names.index("evacuation_time_s") if "evacuation_time_s" in names else 0
    c1, c2 = st.columns(2)
    metric = c1.selectbox(tr("metric"), names, index=default, key=f"{key}_metric", format_func=metric_label)
    kind = c2.radio(tr("plot_kind"), ["box", "violin"], horizontal=True, key=f"{key}_kind_{lang()}",
                    format_func=lambda k: tr(f"plot_{k}"))
    runs = pd.DataFrame([{"plan": r["plan"], "seed": r["seed"], "value": r["metrics"].get(metric)}
                         for r in data["runs"]]).dropna(subset=["value"])
    st.plotly_chart(figure_distributions(runs, metric_label=metric_label(metric), kind=kind, lang=lang()),
                    key=f"{key}_fig")
    entry = data["metrics"][metric]
    st.markdown(f"#### {tr('compare_per_plan')} ({tr('direction_' + entry['direction'])})")
    rows = []
    for p, d in entry["plans"].items():
        if not d.get("available"):
            rows.append({tr("col_plan"): p, "n": 0, tr("col_mean"): None, "sd": None, "p5": None, "p50": None,
                         "p95": None, tr("col_ci"): "—", tr("col_missing"): d.get("missing", 0)})
            continue
        rows.append({tr("col_plan"): p, "n": d["n"], tr("col_mean"): d["mean"], "sd": d["sd"], "p5": d["p5"],
                     "p50": d["p50"], "p95": d["p95"], tr("col_ci"): _ci(d["ci95"]),
                     tr("col_missing"): d["missing"]})
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"{key}_stats")
    st.markdown(f"#### {tr('compare_pairs')}")
    pairs = []
    for r in data["pairwise"].get(metric, []):
        if not r.get("available"):
            continue
        pairs.append({
            tr("col_pair"): f"{r['a']} − {r['b']}",
            tr("col_mean_diff"): r["mean_diff"],
            tr("col_ci"): _ci(r["ci95"]),
            tr("col_p_seeds", a=r["a"]): _pct(r.get("p_better_seeds")),
            tr("col_p_normal", a=r["a"]): _pct(r.get("p_better_normal")),
            tr("col_p_boot", a=r["a"]): _pct(r.get("p_mean_better_bootstrap")),
        })
    if pairs:
        st.dataframe(pd.DataFrame(pairs), hide_index=True, key=f"{key}_pairs")
        st.caption(tr("compare_pairs_explain"))
    rank = data["ranking"]
    if rank.get("available"):
        st.info(tr("compare_ranking", metric=metric_label(rank["metric"]), order=" > ".join(rank["order"]),
                   stability=f"{100 * rank['stability']:.0f}", n=rank["n_seeds"]))


with errors():
    path, scenario, digest = chosen_scenario()
    ids = [p.id for p in scenario.plans] or ["base"]
    plans = st.multiselect(tr("compare_plans"), ids, default=ids[:2], key="cmp_plans")
    c1, c2, c3 = st.columns(3)
    reps = int(c1.number_input(tr("reps"), min_value=1, max_value=200, value=10, step=1, key="cmp_reps",
                               help=tr("reps_help")))
    seed = int(c2.number_input(tr("first_seed"), min_value=0, value=0, step=1, key="cmp_seed"))
    with c3:
        agents = agents_input(scenario, key="cmp_agents")
    db = str(db_path())
    st.caption(tr("catalogue_at", db=db, workers=compute.workers()))
    args = (path, digest, tuple(plans), reps, seed, agents, db)
    if st.button(tr("compare_button"), type="primary", key="cmp_go", disabled=len(plans) < 1):
        bar = replicate_with_progress(*args)
        bar.progress(1.0, text=tr("compare_finished"))
        st.session_state["cmp_args"] = args
    shown = st.session_state.get("cmp_args")
    if shown is not None and shown[0] == path and shown[1] == digest:
        show_comparison(compute.comparison(*shown), key="cmp")
    else:
        st.info(tr("compare_none"))

    with st.expander(tr("compare_past")):
        past = [c for c in compute.past_comparisons(db) if c["scenario_sha256"] == digest]
        if not past:
            st.write(tr("compare_past_none"))
        else:
            st.dataframe(pd.DataFrame([{k: c[k] for k in ("id", "plans", "reps", "seed", "agents", "executed",
                                                          "from_catalogue", "finished_at")} for c in past]),
                         hide_index=True)
            cid = st.selectbox(tr("compare_past_pick"), [c["id"] for c in past], key="cmp_past_id")
            if st.button(tr("compare_past_show"), key="cmp_past_go"):
                st.session_state["cmp_past_shown"] = cid
            if st.session_state.get("cmp_past_shown") in {c["id"] for c in past}:
                stored = compute.stored_comparison(db, st.session_state["cmp_past_shown"])
                if stored:
                    show_comparison(stored, key="cmp_past")
