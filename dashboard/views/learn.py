"""Learn: guided walk-throughs of two shipped scenarios for students, one figure at a time, each explained."""

from __future__ import annotations

import streamlit as st

from dashboard import compute
from dashboard.analysis import shipped_scenarios
from dashboard.common import errors, lang, page_header, progress_callback, tr
from dashboard.figures.crowd import figure_density_map, figure_evacuation_curve
from dashboard.figures.layout import figure_metro_check, figure_scenario_layout

page_header("learn")

#: walk-through -> (scenario stem, plan, persons simulated, steps)
TOURS = {
    "bottleneck": ("bottleneck", "A", 150, ("layout", "curve", "flow", "density", "next")),
    "metro": ("metro_station", "all_running", 400, ("layout", "curve", "metro", "density", "next")),
}

with errors():
    tour = st.radio(tr("learn_pick"), list(TOURS), horizontal=True, key=f"learn_tour_{lang()}",
                    format_func=lambda k: tr(f"learn_tour_{k}"))
    stem, plan, agents, steps = TOURS[tour]
    path = str(shipped_scenarios()[stem])
    digest = compute.file_digest(path)
    scenario = compute.load(path, digest)
    st.markdown(tr(f"learn_{tour}_about"))
    step = st.select_slider(tr("learn_step"), options=list(steps), key=f"learn_step_{tour}_{lang()}",
                            format_func=lambda s: tr(f"learn_{tour}_{s}_title"))
    st.subheader(tr(f"learn_{tour}_{step}_title"))
    st.markdown(tr(f"learn_{tour}_{step}_text"))
    L = lang()
    if step == "layout":
        st.plotly_chart(figure_scenario_layout(scenario, lang=L), key="learn_layout")
    elif step == "next":
        st.markdown(tr("learn_next_pages"))
    else:
        key = (path, digest, plan, 0, agents)
        if st.session_state.get("learn_ran", {}).get(tour) != key:
            st.info(tr("learn_needs_run", n=agents, plan=plan))
            if st.button(tr("learn_run"), key=f"learn_run_{tour}"):
                bar = st.progress(0.0, text=tr("run_starting"))
                compute.run_bundle(*key, progress=progress_callback(bar, "run_progress"))
                bar.progress(1.0, text=tr("run_done"))
                st.session_state.setdefault("learn_ran", {})[tour] = key
        if st.session_state.get("learn_ran", {}).get(tour) == key:
            b = compute.run_bundle(*key)
            s = b["summary"]
            if step == "curve":
                st.plotly_chart(figure_evacuation_curve(agents=b["agents"], per_exit=True, lang=L), key="learn_curve")
                st.write(tr("learn_curve_numbers", evac="—" if s["evacuation_time_s"] is None
                            else f"{s['evacuation_time_s']:.0f}", t95="—" if s.get("t95_s") is None
                            else f"{s['t95_s']:.0f}"))
            elif step == "flow":
                flows = {e: f for e, f in s["exit_flow_p_per_s"].items() if f is not None}
                for e, f in flows.items():
                    st.metric(tr("learn_flow_metric", exit=e), f"{f:.2f} P/s")
                st.write(tr("learn_flow_compare"))
            elif step == "metro":
                st.plotly_chart(figure_metro_check(s["metro_check"], lang=L), key="learn_metro")
            elif step == "density":
                level = scenario.levels[0]
                st.plotly_chart(figure_density_map(cells=b["cells"], level=level.id,
                                                   outlines=[level.walkable, *level.obstacles], lang=L),
                                key="learn_density")
