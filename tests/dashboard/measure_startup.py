"""Measure (by hand, not collected by pytest): seconds from ``drillsim dashboard`` to the server answering, and
from opening the browser to the first page interactive (the Scenario page with the metro station drawn).

    python -m tests.dashboard.measure_startup
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.dashboard import test_e2e as e2e

    with tempfile.TemporaryDirectory() as tmp, e2e.start_dashboard(Path(tmp)) as srv:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=["--no-sandbox"])
            page = browser.new_page()
            t = time.perf_counter()
            page.goto(srv["url"])
            page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
            first = time.perf_counter() - t
            t = time.perf_counter()
            page.reload()
            page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
            again = time.perf_counter() - t
            browser.close()
    print(json.dumps({"server_up_s": round(srv["server_up_s"], 2), "browser_to_interactive_s": round(first, 2),
                      "new_session_interactive_s": round(again, 2)}))


if __name__ == "__main__":
    main()
