"""Scenario: pick a shipped scenario or upload a YAML file; see it drawn to scale, with its plans and sections."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import compute
from dashboard.common import current_scenario, current_scenario_path, errors, lang, page_header, save_upload, tr
from dashboard.figures.layout import figure_scenario_layout
from sim.errors import SimError

page_header("scenario")

upload = st.file_uploader(tr("upload_label"), type=["yaml", "yml"], key="scenario_upload", help=tr("upload_help"))
if upload is not None:
    data = upload.getvalue()
    path = save_upload(upload.name, data)
    try:
        compute.load(str(path), compute.file_digest(path))
    except SimError as exc:
        st.error(tr("upload_invalid", name=upload.name, msg=str(exc)))
    except Exception as exc:  # noqa: BLE001 - shown as a message; the app keeps working
        st.error(tr("upload_invalid", name=upload.name, msg=f"{type(exc).__name__}: {exc}"))
    else:
        label = f"{tr('uploaded')}: {upload.name}"
        uploads = st.session_state.setdefault("uploads", {})
        if uploads.get(label) != str(path):
            uploads[label] = str(path)
            st.session_state["pending_scenario"] = label
            st.rerun()
        st.success(tr("upload_ok", name=upload.name))

with errors():
    path = current_scenario_path()
    scenario = current_scenario()
    st.subheader(scenario.name)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("m_levels"), len(scenario.levels))
    c2.metric(tr("m_persons"), f"{scenario.total_count:,}")
    c3.metric(tr("m_exits"), len(scenario.exits))
    c4.metric(tr("m_connectors"), len(scenario.connectors))
    sections = [tr(f"section_{k}") for k, v in (("hazards", scenario.hazards), ("response", scenario.response),
                                                 ("shelters", scenario.shelters), ("metro", scenario.metro_check))
                if v]
    st.write(tr("scenario_sections", sections=", ".join(sections) if sections else tr("none"),
                calibration=scenario.calibration, file=path))
    plan_ids = [p.id for p in scenario.plans]
    shown_plan = st.selectbox(tr("scenario_show_plan"), ["—"] + plan_ids, key="scenario_plan",
                              help=tr("scenario_no_plan"))
    closed: tuple[str, ...] = ()
    if shown_plan != "—":
        p = scenario.plan(shown_plan)
        closed = tuple(p.close_exits) + tuple(p.close_connectors)
    st.plotly_chart(figure_scenario_layout(scenario, lang=lang(), closed=closed), key="scenario_layout")
    st.caption(tr("layout_explain"))
    if scenario.plans:
        st.markdown(f"#### {tr('plans')}")
        st.dataframe(pd.DataFrame({
            tr("col_plan"): [p.id for p in scenario.plans],
            tr("col_description"): [p.description for p in scenario.plans],
            tr("col_closed"): [", ".join((*p.close_exits, *p.close_connectors)) or "—" for p in scenario.plans],
            tr("col_events"): [len(p.events) for p in scenario.plans],
        }), hide_index=True)
    st.markdown(f"#### {tr('populations')}")
    st.dataframe(pd.DataFrame({
        tr("col_population"): [p.id for p in scenario.populations],
        tr("level"): [p.level for p in scenario.populations],
        tr("col_persons"): [p.count for p in scenario.populations],
        tr("col_profile"): [p.profile for p in scenario.populations],
        tr("col_area"): [round(p.area.area, 1) for p in scenario.populations],
    }), hide_index=True)
    with st.expander(tr("scenario_source")):
        st.code(open(path, encoding="utf-8").read(), language="yaml")
