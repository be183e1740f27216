"""What every page shares: the language, the chosen scenario, the catalogue, and errors shown as messages."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import compute
from dashboard.analysis import ROOT, files_with_section, shipped_scenarios
from dashboard.i18n import LANGS, t
from sim.errors import SimError

__all__ = ["lang", "tr", "page_header", "errors", "scenario_choices", "current_scenario_path", "current_scenario",
           "chosen_scenario", "section_files", "file_select", "db_path", "save_upload", "agents_input", "plan_select",
           "replicate_with_progress"]


def lang() -> str:
    """The language chosen in the sidebar (``en`` or ``zh``)."""
    value = st.session_state.get("lang", "en")
    return value if value in LANGS else "en"


def tr(key: str, **kw: Any) -> str:
    """The text of ``key`` in the chosen language."""
    return t(key, lang(), **kw)


def page_header(page: str) -> None:
    """The page's title and introduction: the texts ``{page}_title`` and ``{page}_intro``."""
    st.title(tr(f"{page}_title"))
    st.caption(tr(f"{page}_intro"))


@contextlib.contextmanager
def errors() -> Iterator[None]:
    """Show a drillsim error (or any other failure) as one readable message, never as a traceback."""
    try:
        yield
    except SimError as exc:
        st.error(tr("error_input", msg=str(exc)))
    except Exception as exc:  # noqa: BLE001 - the page keeps working; the reason is shown in one line
        st.error(tr("error_unexpected", kind=type(exc).__name__, msg=str(exc).splitlines()[0] if str(exc) else ""))


def db_path() -> Path:
    """The run catalogue: ``$DRILLSIM_DB`` (``drillsim dashboard --db``) or the user data folder."""
    from sim.plans.catalogue import default_db_path

    return default_db_path()


def _upload_dir() -> Path:
    d = Path(os.environ.get("DRILLSIM_DASHBOARD_UPLOADS", Path(tempfile.gettempdir()) / "drillsim-dashboard"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def save_upload(name: str, data: bytes) -> Path:
    """Keep an uploaded file under a name derived from its content (the same upload maps to the same file)."""
    digest = hashlib.sha256(data).hexdigest()[:12]
    path = _upload_dir() / f"{Path(name).stem}-{digest}{Path(name).suffix or '.yaml'}"
    if not path.exists():
        path.write_bytes(data)
    return path


def scenario_choices() -> dict[str, str]:
    """Label -> path of every scenario to choose from: the shipped ones, then valid uploads of this session."""
    out = {name: str(path) for name, path in shipped_scenarios().items()}
    for label, path in st.session_state.get("uploads", {}).items():
        out[label] = path
    return out


def current_scenario_path() -> str:
    """Path of the scenario chosen in the sidebar."""
    choices = scenario_choices()
    key = st.session_state.get("scenario")
    if key not in choices:
        key = "metro_station" if "metro_station" in choices else next(iter(choices))
    return choices[key]


def current_scenario() -> Any:
    """The chosen scenario, loaded and validated (cached by file content); raises :class:`SimError`."""
    path = current_scenario_path()
    return compute.load(path, compute.file_digest(path))


def chosen_scenario() -> tuple[str, Any, str]:
    """The chosen scenario's path, the scenario (as :func:`current_scenario`) and its file digest (cache key)."""
    path = current_scenario_path()
    scenario = current_scenario()
    return path, scenario, compute.file_digest(path)


def section_files(section: str) -> dict[str, Path]:
    """Label -> path of the shipped files with a ``section`` (scenarios, then ``scenarios/districts/*{section}*``).

    The chosen scenario's file comes first when it is among them.
    """
    files = files_with_section(section, extra=sorted((ROOT / "scenarios" / "districts").glob(f"*{section}*.yaml")))
    current = current_scenario_path()
    for label, p in list(files.items()):
        if str(p) == current:
            files = {label: p, **{k: v for k, v in files.items() if k != label}}
    return files


def file_select(files: dict[str, Path], *, section: str, key: str) -> str:
    """A select box (``{section}_file``) over :func:`section_files`; returns the path chosen.

    With no files, warns (``{section}_no_files``) and stops the page.
    """
    if not files:
        st.warning(tr(f"{section}_no_files"))
        st.stop()
    label = st.selectbox(tr(f"{section}_file"), list(files), key=key)
    return str(files[label])


def agents_input(scenario: Any, *, key: str, default: int | None = None) -> int:
    """A number input for the persons simulated (populations rescaled); default the scenario's own count."""
    total = int(scenario.total_count)
    value = total if default is None else min(default, total)
    return int(
        st.number_input(tr("agents"), min_value=1, max_value=max(total * 4, 10), value=value, step=10, key=key,
                        help=tr("agents_help", total=total))
    )


def plan_select(scenario: Any, *, key: str, label_key: str = "plan") -> str:
    """A select box over the scenario's plans (with their descriptions); returns the plan id."""
    ids = [p.id for p in scenario.plans] or ["base"]
    desc = {p.id: p.description for p in scenario.plans}
    return str(
        st.selectbox(tr(label_key), ids, key=key,
                     format_func=lambda p: f"{p} — {desc[p]}" if desc.get(p) else p)
    )


def replicate_with_progress(path: str, digest: str, plans: tuple[str, ...], reps: int, seed: int, agents: int,
                            db: str) -> Any:
    """Run :func:`dashboard.compute.comparison` with a progress bar counting the replications of ``plans``.

    Returns the bar, still open: the caller sets it to ``compare_finished`` when its own work is done.
    """
    total = len(plans) * reps
    bar = st.progress(0.0, text=tr("compare_starting", total=total))
    done = {"n": 0}

    def on_result(res: Any) -> None:
        done["n"] += 1
        bar.progress(min(done["n"] / total, 1.0), text=tr("compare_progress", n=done["n"], total=total,
                                                          plan=res.replication.plan, seed=res.replication.seed))

    compute.comparison(path, digest, plans, reps, seed, agents, db, on_result=on_result)
    return bar


def progress_callback(bar: Any, label_key: str) -> Any:
    """A ``sim.run`` progress callback that moves a streamlit progress bar (persons out of the total)."""

    def update(t_s: float, inside: int, total: int) -> None:
        done = 0.0 if total <= 0 else (total - inside) / total
        bar.progress(min(max(done, 0.0), 1.0), text=tr(label_key, t=f"{t_s:.0f}", out=total - inside, total=total))

    return update


def metric_label(metric: str) -> str:
    """A metric's name in the chosen language (its id when the strings table has no name for it)."""
    from dashboard.i18n import has

    return f"{tr('metric_' + metric)} ({metric})" if has("metric_" + metric) else metric
