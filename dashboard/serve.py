"""``python -m dashboard.serve run dashboard/app.py ...``: Streamlit's own command line, with the dashboard's
heavy imports (``sim`` with numba, plotly, pandas, shapely) warmed in a background thread while the server
starts, so that the first page a browser opens does not wait for them.

``drillsim dashboard`` starts the dashboard this way; ``streamlit run dashboard/app.py`` works as well (only
the first page is slower).
"""

from __future__ import annotations

import sys
import threading

#: Set when :func:`warm` is done; the app waits for it before its first page (two threads importing plotly's
#: lazily loaded modules at once can see them half initialised).
WARMED = threading.Event()


def warm() -> None:
    """Import what the first page needs and draw the default scenario once (plotly loads its validators lazily)."""
    try:
        import dashboard.compute  # noqa: F401
        import dashboard.figures.crowd  # noqa: F401
        from dashboard.analysis import shipped_scenarios
        from dashboard.figures.layout import figure_scenario_layout
        from sim.scenario import load_scenario

        path = shipped_scenarios().get("metro_station")
        if path is not None:
            figure_scenario_layout(load_scenario(path))
    except Exception:  # noqa: BLE001 - warming is an optimisation; the page reports real errors itself
        pass
    finally:
        WARMED.set()


def wait_until_warm(timeout: float = 60.0) -> None:
    """In a dashboard started by :func:`main`: wait for the warm-up (no-op under ``streamlit run`` or AppTest)."""
    event = getattr(sys.modules.get("__main__"), "WARMED", None)
    if isinstance(event, threading.Event):
        event.wait(timeout)


def main() -> int:
    from streamlit.web.cli import main as streamlit_main  # first, in this thread: streamlit imports plotly

    threading.Thread(target=warm, name="drillsim-warm", daemon=True).start()

    sys.argv[0] = "streamlit"
    return int(streamlit_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
