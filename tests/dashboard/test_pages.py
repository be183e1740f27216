"""Every dashboard page under ``streamlit.testing.v1.AppTest``, in both languages, and the main actions of each.

Runs are scaled down (``AGENTS`` persons, 2-3 replications) and go into a catalogue in a temporary folder.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import t

from .conftest import AGENTS, APP

PAGES = {
    "views/scenario.py": "scenario_title",
    "views/run.py": "run_title",
    "views/compare.py": "compare_title",
    "views/response.py": "response_title",
    "views/shelters.py": "shelters_title",
    "views/drill.py": "drill_title",
    "views/scorecard.py": "sc_title",
    "views/learn.py": "learn_title",
}
BAD_YAML = b"name: broken\nlevels:\n  - id: hall\n    walkable: POLYGON ((0 0, 10 0\nexits: [\n"
UNKNOWN_KEY = b"name: typo\nlevelz: []\n"


def app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=600)
    at.run()
    if lang != "en":
        at.radio(key="lang").set_value(lang).run()
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    return at


def clean(at: AppTest) -> None:
    """No exception and no error message on the page."""
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def array(value) -> list:
    """A plotly JSON array: a list, or numpy's base64 encoding (``{"dtype", "bdata"}``) that plotly 6 writes."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def frame_with(at: AppTest, column: str):
    """The first table on the page with this column."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_in_both_languages(catalogue_env, page, lang):
    at = open_page(app(lang), page)
    clean(at)
    assert at.title[0].value == t(PAGES[page], lang)
    assert at.radio(key="lang").value == lang


def test_scenario_page_draws_every_level_of_the_metro_station(catalogue_env):
    at = app()
    assert at.selectbox(key="scenario").value == "metro_station"
    clean(at)
    fig = figures(at)[0]
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    for level in ("platform", "concourse", "street"):
        assert f"Level {level}" in titles
    assert any(tr_.get("name") == "Exits" for tr_ in fig["data"])
    assert metrics(at)["Levels"] == "3"


def test_malformed_upload_shows_a_readable_error_and_the_app_keeps_working(catalogue_env):
    at = app()
    at.file_uploader(key="scenario_upload").upload("broken.yaml", BAD_YAML, "application/x-yaml").run()
    assert not at.exception
    assert len(at.error) == 1
    msg = at.error[0].value
    assert "broken.yaml" in msg and "not a valid scenario" in msg
    assert "Traceback" not in msg
    assert at.selectbox(key="scenario").value == "metro_station"  # the valid choice is kept
    at.file_uploader(key="scenario_upload").upload("typo.yaml", UNKNOWN_KEY, "application/x-yaml").run()
    assert "levelz" in at.error[0].value  # unknown keys are named
    open_page(at, "views/learn.py")
    clean(at)
    assert at.title[0].value == t("learn_title", "en")


def test_valid_upload_becomes_the_chosen_scenario(catalogue_env):
    at = app()
    text = (APP.parents[1] / "scenarios" / "bottleneck.yaml").read_bytes()
    at.file_uploader(key="scenario_upload").upload("my_room.yaml", text, "application/x-yaml").run()
    clean(at)
    assert at.selectbox(key="scenario").value.endswith("my_room.yaml")
    assert at.subheader[0].value == "Bottleneck room"


def test_run_page_runs_a_metro_plan_and_shows_its_figures(catalogue_env):
    at = open_page(app(), "views/run.py")
    at.selectbox(key="run_plan").set_value("one_escalator_out")
    at.number_input(key="run_agents").set_value(AGENTS)
    at.button(key="run_go").click().run()
    clean(at)
    m = metrics(at)
    assert m["Evacuated"] == f"{AGENTS} / {AGENTS}"
    assert m["Evacuation time (last out)"].endswith(" s")
    figs = {f["layout"]["title"]["text"].split(" — ")[0]: f for f in figures(at)}
    assert "Evacuation curve" in figs
    curve = figs["Evacuation curve"]["data"][0]
    assert array(curve["y"])[-1] == AGENTS  # the curve ends with everyone out
    assert "Maximum density" in figs and "Worst level of service (Fruin walkway)" in figs
    replay = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("Replay"))
    assert len(replay["frames"]) >= 10 and replay["layout"]["sliders"][0]["steps"]
    states = {tr_["name"] for tr_ in replay["data"]}
    assert {"Waiting (pre-movement)", "Moving"} <= states
    metro = frame_with(at, "Check")
    assert list(metro["Check"]) == ["GB 50157 formula", "Platform cleared (simulated)", "Safe area reached (simulated)"]
    # the same inputs in Chinese: served from the cache, every label translated
    at.radio(key="lang").set_value("zh").run()
    clean(at)
    assert f"{AGENTS} / {AGENTS}" == metrics(at)["已疏散"]
    assert any(f["layout"]["title"]["text"] == "疏散曲线" for f in figures(at))


def test_compare_two_plans_with_progress_then_served_from_the_catalogue(catalogue_env):
    at = open_page(app(), "views/compare.py")
    assert at.multiselect(key="cmp_plans").value == ["all_running", "one_escalator_out"]
    at.number_input(key="cmp_reps").set_value(2)
    at.number_input(key="cmp_agents").set_value(AGENTS)
    at.button(key="cmp_go").click().run()
    clean(at)
    assert "4 runs made now, 0 served from the catalogue" in at.success[0].value
    stats = frame_with(at, "95 % CI")
    assert list(stats["Plan"]) == ["all_running", "one_escalator_out"] and list(stats["n"]) == [2, 2]
    pairs = frame_with(at, "A − B")
    assert list(pairs["A − B"]) == ["all_running − one_escalator_out"]
    box = figures(at)[0]
    assert [d["type"] for d in box["data"]] == ["box", "box"]
    at.radio(key="cmp_kind_en").set_value("violin").run()
    assert [d["type"] for d in figures(at)[0]["data"]] == ["violin", "violin"]
    # one more replication per plan: only the new seed runs, the first two come from the catalogue
    at.number_input(key="cmp_reps").set_value(3)
    at.button(key="cmp_go").click().run()
    clean(at)
    assert "2 runs made now, 4 served from the catalogue" in at.success[0].value


def test_drill_page_designs_an_msel_and_evaluates_observations(catalogue_env):
    at = open_page(app(), "views/drill.py")
    at.number_input(key="drill_reps").set_value(2)
    at.number_input(key="drill_agents").set_value(AGENTS)
    at.button(key="drill_go").click().run()
    clean(at)
    assert "injects for plan all_running from 2 replications" in at.success[0].value
    assert len(at.get("download_button")) >= 3  # CSV, Markdown, example observations
    at.button(key="drill_use_example").click().run()
    clean(at)
    score = metrics(at)["Drill score"]
    assert score.endswith("/ 100")
    objectives = frame_with(at, "Objective")
    assert set(objectives["Rating"]) & {"P", "S", "M", "U"}
    assert any("After-action report" in md.value for md in at.markdown)


def test_scorecard_page_rates_each_criterion_with_evidence(catalogue_env):
    at = open_page(app(), "views/scorecard.py")
    at.number_input(key="sc_reps").set_value(2)
    at.number_input(key="sc_agents").set_value(AGENTS)
    at.button(key="sc_go").click().run()
    clean(at)
    m = metrics(at)
    assert m["Score"].endswith("/ 100")
    table = frame_with(at, "Evidence")
    assessed = table[table["Rating"].isin(["P", "S", "M", "U"])]
    assert len(assessed) >= 2
    assert all("over 2 runs" in e or "given as a fact" in e for e in assessed["Evidence"])
    assert at.get("download_button")


def test_response_page_shows_gantt_map_and_response_times(catalogue_env):
    at = open_page(app(), "views/response.py")
    clean(at)
    assert at.info and "no response section" in at.info[0].value  # the metro station has none
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert titles == ["Response timeline by unit", "Stations, hospitals, incidents and routes driven",
                      "Response times over replications"]
    assert float(metrics(at)["First unit on scene (mean)"].rstrip(" s").replace(",", "")) > 0


def test_shelters_page_shows_coverage_loads_and_siting(catalogue_env):
    at = open_page(app("zh"), "views/shelters.py")
    clean(at)
    assert metrics(at)["覆盖率（紧急避难）"].endswith("%")
    assert any("负荷" in f["layout"]["title"]["text"] for f in figures(at))
    assert any(tr_.get("name") == "未覆盖" for tr_ in figures(at)[0]["data"])
    assert any("个候选点中最优的 2 个" in md.value for md in at.markdown)


def test_learn_page_walks_through_the_bottleneck(catalogue_env):
    at = open_page(app(), "views/learn.py")
    at.select_slider(key="learn_step_bottleneck_en").set_value("flow").run()
    at.button(key="learn_run_bottleneck").click().run()
    clean(at)
    flow = metrics(at)["Steady flow through corridor_end"]
    assert 0.8 < float(flow.split()[0]) < 3.0  # persons per second through a 1 m door
    at.select_slider(key="learn_step_bottleneck_en").set_value("density").run()
    assert figures(at)[0]["layout"]["title"]["text"].startswith("Maximum density")


def test_run_page_shows_hazard_zones_of_the_gas_street(catalogue_env):
    at = app()
    at.selectbox(key="scenario").set_value("underground_street_gas").run()
    open_page(at, "views/run.py")
    at.selectbox(key="run_plan").set_value("no_detectors")
    at.number_input(key="run_agents").set_value(AGENTS)
    at.button(key="run_go").click().run()
    clean(at)
    zones = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Overpressure zones")
    assert any("kPa" in (tr_.get("name") or "") for tr_ in zones["data"])
    assert any("ignition at 553 s" in md.value and "N2" in md.value for md in at.markdown)
