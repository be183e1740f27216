"""drillsim dashboard: ``drillsim dashboard [--port N]`` (or ``streamlit run dashboard/app.py``).

The entry page: the language switch and the scenario choice in the sidebar, then the chosen page. Pages are
thin: they map widgets to a scenario, call ``sim`` through :mod:`dashboard.compute` (cached), and hand the
results to the pure figure builders of :mod:`dashboard.figures`.
"""

from __future__ import annotations

import streamlit as st

from dashboard.serve import wait_until_warm

wait_until_warm()  # started by `drillsim dashboard`: the heavy imports are being warmed in the background

from dashboard.common import errors, scenario_choices, tr  # noqa: E402
from dashboard.i18n import LANG_NAMES  # noqa: E402

st.set_page_config(page_title="drillsim", page_icon="🚨", layout="wide")

PAGES = (
    ("views/scenario.py", "page_scenario", "🗺️", "scenario"),
    ("views/run.py", "page_run", "▶️", "run"),
    ("views/compare.py", "page_compare", "⚖️", "compare"),
    ("views/response.py", "page_response", "🚒", "response"),
    ("views/shelters.py", "page_shelters", "⛺", "shelters"),
    ("views/drill.py", "page_drill", "📋", "drill"),
    ("views/scorecard.py", "page_scorecard", "✅", "scorecard"),
    ("views/learn.py", "page_learn", "🎓", "learn"),
)

with st.sidebar:
    st.radio("Language / 语言", list(LANG_NAMES), format_func=LANG_NAMES.get, key="lang", horizontal=True)
    choices = scenario_choices()
    if st.session_state.get("pending_scenario") in choices:  # a valid upload, chosen on the Scenario page
        st.session_state["scenario"] = st.session_state.pop("pending_scenario")
    if st.session_state.get("scenario") not in choices:
        st.session_state["scenario"] = "metro_station" if "metro_station" in choices else next(iter(choices))
    st.selectbox(tr("sidebar_scenario"), list(choices), key="scenario", help=tr("sidebar_scenario_help"))
    st.caption(tr("sidebar_caption"))

nav = st.navigation(
    [st.Page(path, title=tr(title), icon=icon, url_path=url, default=(url == "scenario"))
     for path, title, icon, url in PAGES]
)
with errors():
    nav.run()
