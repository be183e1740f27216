"""End-to-end: the dashboard started by the project's own command (``drillsim dashboard --port P``), driven in a
real headless Chromium (Debian's ``chromium``) by Playwright through the main path of every page.

Screenshots and the measured start-up time go to ``tests/dashboard/artifacts/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import AGENTS, ARTIFACTS

playwright_api = pytest.importorskip("playwright.sync_api", reason="install the test extra: pip install playwright")

CHROMIUM = shutil.which("chromium")
#: Longest wait for one simulated step of the walk (replications of the metro station on a shared machine) [ms].
SLOW_MS = 420_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return int(s.getsockname()[1])


def dashboard_command(port: int, db: Path) -> list[str]:
    """``drillsim dashboard --port P --no-browser --db DB`` (through ``sim.cli.main``, the console script's
    entry point, with the verb module added if ``sim.cli`` does not list it yet)."""
    from sim.cli import VERB_MODULES

    args = ["dashboard", "--port", str(port), "--no-browser", "--db", str(db)]
    exe = shutil.which("drillsim") or str(Path(sys.executable).with_name("drillsim"))
    if "sim.dashboard" in VERB_MODULES and Path(exe).exists():
        return [exe, *args]
    code = "import sys, sim.cli as c; c.VERB_MODULES += ('sim.dashboard',); sys.exit(c.main(sys.argv[1:]))"
    return [sys.executable, "-c", code, *args]


@contextlib.contextmanager
def start_dashboard(tmp: Path) -> Iterator[dict]:
    """The dashboard on a free port, started as the user would; stopped (with its process group) afterwards.

    Yields ``url``, ``t0`` (perf_counter at the start of the command) and ``server_up_s``.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    env = dict(os.environ, DRILLSIM_DASHBOARD_UPLOADS=str(tmp / "uploads"))
    log = (tmp / "dashboard.log").open("w")
    t0 = time.perf_counter()
    proc = subprocess.Popen(dashboard_command(port, tmp / "catalogue.sqlite"), stdout=log, stderr=subprocess.STDOUT,
                            env=env, start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("the dashboard did not start:\n" + (tmp / "dashboard.log").read_text()[-3000:])
            time.sleep(0.1)
        yield {"url": url, "t0": t0, "server_up_s": time.perf_counter() - t0}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is not installed: apt-get install -y chromium (make test does it)")
    with start_dashboard(tmp_path_factory.mktemp("e2e")) as srv:
        yield srv


def nav(page, name: str) -> None:
    """Open a page through the sidebar navigation (same session: choices and results stay)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile(rf"{re.escape(name)}$")).click()
    page.get_by_role("heading", level=1).first.wait_for()


def set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(400)


def settle(page) -> None:
    """Wait until the script has finished its run (no 'running' indicator)."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=SLOW_MS)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def pick(page, select_label: str, option: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("combobox", name=select_label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_main_path_of_every_page_in_chromium(server):
    from playwright.sync_api import expect, sync_playwright

    timings = {"server_up_s": round(server["server_up_s"], 2)}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        # -- Scenario: the first page is interactive; pick the bottleneck, then the metro station
        expect.set_options(timeout=60_000)
        page.goto(server["url"])
        page.locator(".js-plotly-plot").first.wait_for()
        expect(page.get_by_role("heading", name="Scenario", exact=True)).to_be_visible()
        timings["first_page_interactive_s"] = round(time.perf_counter() - server["t0"], 2)
        pick(page, "Scenario", "bottleneck")
        expect(page.get_by_role("heading", name="Bottleneck room")).to_be_visible()
        pick(page, "Scenario", "metro_station")
        expect(page.get_by_role("heading", name="Island-platform metro station")).to_be_visible()
        expect(page.get_by_text("Level platform").first).to_be_visible()
        shot(page, "1-scenario")

        # -- Run a plan with few persons: progress bar, then figures and the metro check
        nav(page, "Run")
        set_number(page, "Persons simulated", AGENTS)
        t = time.perf_counter()
        page.get_by_role("button", name="Run", exact=True).click()
        expect(page.get_by_text(f"{AGENTS} / {AGENTS}")).to_be_visible(timeout=SLOW_MS)
        timings["run_metro_s"] = round(time.perf_counter() - t, 2)
        expect(page.get_by_text("Evacuation curve").first).to_be_visible()
        page.get_by_role("tab", name="Metro check").click()
        expect(page.get_by_text("Metro rule: platform cleared in 4 min").first).to_be_visible()
        page.get_by_role("tab", name="Replay").click()
        expect(page.get_by_text("Replay of positions").first).to_be_visible()
        shot(page, "2-run")

        # -- Compare two plans with 2 replications each
        nav(page, "Compare plans")
        set_number(page, "Replications", 2)
        set_number(page, "Persons simulated", AGENTS)
        t = time.perf_counter()
        page.get_by_role("button", name="Compare", exact=True).click()
        expect(page.get_by_text(re.compile("Compared all_running, one_escalator_out"))).to_be_visible(timeout=SLOW_MS)
        timings["compare_2x2_s"] = round(time.perf_counter() - t, 2)
        expect(page.get_by_text("Differences between plans (paired by seed)")).to_be_visible()
        expect(page.get_by_text(re.compile(r"Ranking by .* best first"))).to_be_visible()
        shot(page, "3-compare")

        # -- Response (the metro station has none: a shipped file with a response section is shown)
        nav(page, "Response")
        expect(page.get_by_text("Response timeline by unit").first).to_be_visible(timeout=SLOW_MS)
        expect(page.get_by_test_id("stMetricLabel").get_by_text("First unit on scene (mean)")).to_be_visible()
        shot(page, "4-response")

        # -- Shelters
        nav(page, "Shelters")
        expect(page.get_by_test_id("stMetricLabel").get_by_text("Covered (emergency tier)")).to_be_visible(
            timeout=SLOW_MS)
        expect(page.get_by_text("Population, emergency shelters and coverage").first).to_be_visible()
        shot(page, "5-shelters")

        # -- Drill: MSEL from the replications already in the catalogue, then example observations
        nav(page, "Drill")
        set_number(page, "Replications", 2)
        set_number(page, "Persons simulated", AGENTS)
        page.get_by_role("button", name="Generate the MSEL").click()
        expect(page.get_by_text(re.compile("injects for plan all_running"))).to_be_visible(timeout=SLOW_MS)
        expect(page.get_by_role("button", name="Download CSV")).to_be_visible()
        page.get_by_role("button", name="Use example observations").click()
        expect(page.get_by_test_id("stMetricLabel").get_by_text("Drill score")).to_be_visible(timeout=SLOW_MS)
        expect(page.get_by_role("heading", name="After-action report / 演练评估报告")).to_be_visible()
        shot(page, "6-drill")

        # -- Scorecard
        nav(page, "Scorecard")
        set_number(page, "Replications", 2)
        set_number(page, "Persons simulated", AGENTS)
        page.get_by_role("button", name="Score the plan").click()
        expect(page.get_by_test_id("stMetricLabel").get_by_text("Criteria assessed")).to_be_visible(timeout=SLOW_MS)
        expect(page.get_by_text(re.compile(r"\d+\.\d / 100")).first).to_be_visible()
        expect(page.get_by_role("button", name="Download the HTML report")).to_be_visible()
        shot(page, "7-scorecard")

        # -- the language switch: the same page in Chinese
        page.get_by_text("中文", exact=True).click()
        expect(page.get_by_role("heading", name="准备度评分卡")).to_be_visible()
        expect(page.get_by_test_id("stMetricLabel").get_by_text("Criteria assessed")).to_have_count(0)
        expect(page.get_by_test_id("stMetricLabel").get_by_text("已评估准则")).to_be_visible()
        expect(page.get_by_test_id("stSidebarNav").get_by_text("预案比较")).to_be_visible()
        shot(page, "8-scorecard-zh")
        browser.close()
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    assert timings["first_page_interactive_s"] < 60
