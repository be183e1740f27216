"""Fixtures of the dashboard tests: a run catalogue in a temporary folder, small runs, the app under AppTest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

#: The dashboard's entry script.
APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
#: Screenshots and timings of the browser tests (git-ignored).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
#: Persons simulated in the dashboard tests (the metro station has 2 100; scaled down for speed).
AGENTS = 60


@pytest.fixture(scope="module")
def catalogue_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``DRILLSIM_DB`` pointing at a fresh catalogue for the tests of one module (restored afterwards)."""
    db = tmp_path_factory.mktemp("catalogue") / "catalogue.sqlite"
    old = {k: os.environ.get(k) for k in ("DRILLSIM_DB", "DRILLSIM_DASHBOARD_UPLOADS")}
    os.environ["DRILLSIM_DB"] = str(db)
    os.environ["DRILLSIM_DASHBOARD_UPLOADS"] = str(tmp_path_factory.mktemp("uploads"))
    yield db
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
