"""``drillsim dashboard [--port N] [--no-browser] [--db PATH]``: start the Streamlit dashboard on localhost.

The dashboard lives in ``dashboard/app.py`` of the checkout; this verb starts it as a subprocess
(``python -m dashboard.serve run dashboard/app.py``: Streamlit's own ``streamlit run``, with the heavy imports
warmed in the background while the server starts) from the repository folder, with the shipped scenarios, the run
catalogue (``--db``, else ``$DRILLSIM_DB``, else the user data folder) and local workers. ``sim`` never imports
streamlit: the verb only launches it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from sim.errors import ScenarioError

__all__ = ["register", "dashboard_command", "APP"]

#: The Streamlit entry script (the dashboard runs from a checkout, beside ``sim/``).
APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def register(verbs: argparse._SubParsersAction) -> None:
    """Add ``drillsim dashboard`` to the command line."""
    from sim.cli import positive_int

    p = verbs.add_parser(
        "dashboard",
        help="start the Streamlit dashboard on localhost (compare plans, watch runs, response, shelters, drills)",
        description="Start the dashboard at http://localhost:PORT with the shipped scenarios, the run catalogue "
        "and local workers. Stop it with Ctrl+C.",
    )
    p.add_argument("--port", type=positive_int, default=8501, help="port on localhost (default 8501)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.add_argument("--db", type=Path, default=None, help="run catalogue (default $DRILLSIM_DB or the user data dir)")
    p.set_defaults(func=_cmd_dashboard)


def dashboard_command(port: int, *, browser: bool = True) -> list[str]:
    """The command line that starts the dashboard (``streamlit run`` through :mod:`dashboard.serve`)."""
    return [
        sys.executable, "-m", "dashboard.serve", "run", str(APP),
        "--server.port", str(port),
        "--server.address", "localhost",
        "--server.headless", "false" if browser else "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip


def _cmd_dashboard(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("streamlit") is None:
        raise ScenarioError(
            "streamlit is not installed", field="dashboard", fix="install it: pip install streamlit (or make install)"
        )
    if not APP.is_file():
        raise ScenarioError(
            "the dashboard is not found", field="dashboard", value=str(APP), fix="run drillsim from a checkout"
        )
    root = APP.parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    if args.db is not None:
        env["DRILLSIM_DB"] = str(args.db.expanduser().resolve())
    print(f"drillsim dashboard: http://localhost:{args.port}  (Ctrl+C to stop)", file=sys.stderr)
    proc = subprocess.Popen(dashboard_command(args.port, browser=not args.no_browser), cwd=root, env=env)

    def stop(signum: int, frame: object) -> None:  # a terminated drillsim stops its dashboard too
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
