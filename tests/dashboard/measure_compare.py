"""Measure (by hand, not collected by pytest): a two-plan comparison of the metro station with 10 replications,
run from the Compare page in headless Chromium, the dashboard started by ``drillsim dashboard``.

    python -m tests.dashboard.measure_compare --agents 300

Prints the seconds from pressing Compare to the finished comparison, and whether the progress bar was seen.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.dashboard import test_e2e as e2e

    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=300)
    ap.add_argument("--reps", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, e2e.start_dashboard(Path(tmp)) as srv:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            expect.set_options(timeout=120_000)
            page.goto(srv["url"])
            page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
            interactive = time.perf_counter() - srv["t0"]
            e2e.nav(page, "Compare plans")
            e2e.set_number(page, "Replications", args.reps)
            e2e.set_number(page, "Persons simulated", args.agents)
            t = time.perf_counter()
            page.get_by_role("button", name="Compare", exact=True).click()
            bar = page.get_by_test_id("stProgress")
            bar.first.wait_for(timeout=120_000)
            progress_text = page.get_by_text(re.compile(r"\d+ of \d+ runs finished")).first
            progress_text.wait_for(timeout=1_200_000)
            seen = progress_text.inner_text()
            expect(page.get_by_text(re.compile("Compared all_running, one_escalator_out"))).to_be_visible(
                timeout=3_600_000)
            wall = time.perf_counter() - t
            page.screenshot(path=str(Path(__file__).parent / "artifacts" / "measure-compare.png"), full_page=True)
            browser.close()
        print(json.dumps({"agents": args.agents, "reps": args.reps, "plans": 2, "compare_wall_s": round(wall, 1),
                          "progress_seen": seen, "first_page_interactive_s": round(interactive, 2),
                          "server_up_s": round(srv["server_up_s"], 2)}))


if __name__ == "__main__":
    main()
