"""``drillsim dashboard``: the verb, the command it starts, and ``sim`` staying free of streamlit."""

from __future__ import annotations

import subprocess
import sys

import pytest

import sim.cli
from sim.dashboard import APP, dashboard_command


def test_the_verb_is_registered_with_the_command_line():
    assert "sim.dashboard" in sim.cli.VERB_MODULES, "add 'sim.dashboard' to VERB_MODULES in sim/cli.py"


def test_dashboard_verb_parses_port_and_options(monkeypatch):
    monkeypatch.setattr(sim.cli, "VERB_MODULES", tuple(dict.fromkeys((*sim.cli.VERB_MODULES, "sim.dashboard"))))
    args = sim.cli.build_parser().parse_args(["dashboard", "--port", "8765", "--no-browser", "--db", "x.sqlite"])
    assert (args.port, args.no_browser, str(args.db)) == (8765, True, "x.sqlite")
    with pytest.raises(SystemExit) as exc:
        sim.cli.build_parser().parse_args(["dashboard", "--port", "0"])
    assert exc.value.code == 2


def test_command_runs_streamlit_on_the_app_on_localhost():
    cmd = dashboard_command(9123, browser=False)
    assert cmd[:5] == [sys.executable, "-m", "dashboard.serve", "run", str(APP)]
    assert cmd[cmd.index("--server.port") + 1] == "9123"
    assert cmd[cmd.index("--server.headless") + 1] == "true"
    assert cmd[cmd.index("--server.address") + 1] == "localhost"
    assert APP.is_file()
    assert dashboard_command(1, browser=True)[dashboard_command(1).index("--server.headless") + 1] == "false"


def test_sim_never_imports_streamlit():
    code = "import sys, sim, sim.cli, sim.dashboard, sim.plans; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
