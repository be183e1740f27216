"""The verification suite: RiMEA 3.0 / IMO MSC.1/Circ.1533 / NIST TN 1822 / ISO 20414 tests 1-16 and the
validation against data (../shared/reference/pedestrian.md, sections 1 and 4).

Every test builds its scenario in code (:mod:`sim.verification.geometries`), runs it, and returns one or
more :class:`Row` objects: test id, name, the pass criterion in words, the measured value, the status and
the calibration profile. A criterion comes from the standard where the standard gives a number; where it is
only qualitative, the row states the number used and why. Statuses:

* ``pass`` / ``fail``;
* ``waiting``: the test needs an engine feature that does not exist yet (stairs for tests 2 and 13, group
  cohesion for the group half of test 16); it neither passes nor fails, and is listed;
* ``n/a``: the test does not apply to this calibration profile (e.g. the code profile is not meant to
  reproduce Weidmann's laboratory speeds), with the reason in ``measured``.

Two checks run over every simulation of the suite and are reported as rows of their own: the largest
overlap of two bodies (sampled every 0.5 s) and whether any agent's centre ever left the walkable area
(checked every step).

``quick=True`` runs fewer seeds, densities and widths (the test suite's mode); ``quick=False`` is the full
suite behind ``docs/verification.md``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy import stats
from scipy.spatial import cKDTree

from sim.crowd.model import CrowdModel
from sim.crowd.state import SAFE
from sim.scenario import scenario_from_dict
from sim.verification import geometries as geo
from sim.verification import validation

__all__ = [
    "Row",
    "SuiteResult",
    "TESTS",
    "CALIBRATIONS",
    "run_suite",
    "PASS",
    "FAIL",
    "WAITING",
    "NA",
]

PASS, FAIL, WAITING, NA = "pass", "fail", "waiting", "n/a"
CALIBRATIONS = ("empirical", "code")

#: Largest overlap of two bodies accepted anywhere [m] (pedestrian.md: "no overlap larger than a few cm").
MAX_OVERLAP_M = 0.05
#: Specific flow of a door in each profile's hand calculation [P/(m·s)]: Seyfried et al. (2009) 1.90 P/s
#: through 1.0 m for ``empirical``; the SFPE / IMO design value 1.33 for ``code``.
HAND_SPECIFIC_FLOW = {"empirical": 1.90, "code": 1.33}
#: Weidmann's free speed [m/s], used by the hand calculations.
FREE_SPEED = 1.34


@dataclass(frozen=True, kw_only=True)
class Row:
    """One line of the verification table.

    Attributes:
        test: test id (``"1"`` ... ``"16"``, ``"V2"`` for the bottleneck validation, ``"X1"``/``"X2"`` for the
            suite-wide overlap and wall checks; a letter suffix splits a test into separate criteria).
        name: short name.
        criterion: the pass criterion in words, with its numbers.
        measured: the measured value(s), in words with units.
        status: ``pass``, ``fail``, ``waiting`` or ``n/a``.
        calibration: ``empirical`` or ``code``.
        values: the numbers behind ``measured`` (for JSON and the report).
    """

    test: str
    name: str
    criterion: str
    measured: str
    status: str
    calibration: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The row as a JSON-ready mapping."""
        return {
            "test": self.test,
            "name": self.name,
            "criterion": self.criterion,
            "measured": self.measured,
            "status": self.status,
            "calibration": self.calibration,
            "values": _jsonable(self.values),
        }


@dataclass
class SuiteResult:
    """Rows of every test run, the validation tables, and the run time.

    Attributes:
        rows: the table.
        frames: ``"fd/<calibration>"`` (fundamental diagram) and ``"bottleneck/<calibration>"`` tables.
        wall_s: wall-clock time of the whole suite [s].
        quick: whether the quick mode ran.
    """

    rows: list[Row]
    frames: dict[str, pd.DataFrame]
    wall_s: float
    quick: bool

    @property
    def passed(self) -> bool:
        """True when no row failed (waiting and n/a rows do not count)."""
        return all(r.status != FAIL for r in self.rows)


# -- running a scenario with the suite-wide checks ------------------------------------------------------------
@dataclass
class _Checks:
    """Suite-wide safety checks accumulated over every simulation of one calibration."""

    max_overlap_m: float = 0.0
    overlap_where: str = ""
    outside_steps: int = 0
    outside_where: str = ""
    runs: int = 0
    agent_steps: int = 0


@dataclass
class _Context:
    calibration: str
    quick: bool
    checks: _Checks
    frames: dict[str, pd.DataFrame]

    @property
    def seeds(self) -> tuple[int, ...]:
        return (1,) if self.quick else (1, 2, 3)


def _max_overlap(pos: np.ndarray, radius: np.ndarray) -> float:
    if len(pos) < 2:
        return 0.0
    pairs = cKDTree(pos).query_pairs(2.0 * float(radius.max()), output_type="ndarray")
    if not len(pairs):
        return 0.0
    d = np.hypot(*(pos[pairs[:, 0]] - pos[pairs[:, 1]]).T)
    return max(0.0, float((radius[pairs[:, 0]] + radius[pairs[:, 1]] - d).max()))


def simulate(
    data: dict[str, Any],
    ctx: _Context,
    *,
    seed: int,
    max_time: float | None = None,
    setup: Callable[[CrowdModel], None] | None = None,
    on_step: Callable[[CrowdModel], None] | None = None,
    stop: Callable[[CrowdModel], bool] | None = None,
) -> CrowdModel:
    """Run a scenario mapping until everyone is out (or ``max_time``), with the suite-wide checks.

    Every step the centres of the agents still inside are checked against the walkable area (one counted
    violation per step with any agent outside); every 0.5 s the largest overlap of two bodies is taken.

    Args:
        data: scenario mapping (its ``calibration`` is replaced by the context's).
        ctx: the suite context (calibration, checks).
        seed: root seed.
        max_time: stop at this simulated time [s] (default: the scenario's ``simulation.max_time``).
        setup: called with the model before the first step.
        on_step: called after every step.
        stop: stop early when this returns True (checked after every step).

    Returns:
        The model in its final state.
    """
    data = {**data, "calibration": ctx.calibration}
    sc = scenario_from_dict(data, source=f"<verification: {data['name']}>")
    m = CrowdModel(sc, plan=sc.plan(None), seed=seed)
    if setup is not None:
        setup(m)
    free = shapely.union_all(m.world.level_geoms + m.world.strip_geoms)
    shapely.prepare(free)
    st = m.state
    limit = sc.simulation.max_time if max_time is None else max_time
    every = max(1, round(0.5 / m.dt))
    checks = ctx.checks
    checks.runs += 1
    while m.inside and m.t < limit - 1e-9:
        m.step()
        inside = st.status < SAFE
        p = st.pos[inside]
        if len(p) and not shapely.intersects_xy(free, p[:, 0], p[:, 1]).all():
            checks.outside_steps += 1
            checks.outside_where = checks.outside_where or f"{sc.name} at t = {m.t:.2f} s"
        if m.steps % every == 0:
            ov = _max_overlap(p, st.radius[inside])
            if ov > checks.max_overlap_m:
                checks.max_overlap_m = ov
                checks.overlap_where = f"{sc.name} at t = {m.t:.1f} s"
        if on_step is not None:
            on_step(m)
        if stop is not None and stop(m):
            break
    checks.agent_steps += m.agent_steps
    return m


class _Passage:
    """Records when each agent first passes a line (``past(pos) -> bool per agent``), or leaves."""

    def __init__(self, n: int, past: Callable[[np.ndarray], np.ndarray]) -> None:
        self.past = past
        self.t = np.full(n, np.nan)

    def __call__(self, m: CrowdModel) -> None:
        new = np.isnan(self.t) & (self.past(m.state.pos) | (m.state.status == SAFE))
        self.t[new] = m.t


def _row(ctx: _Context, test: str, name: str, criterion: str, measured: str, ok: bool | None, **values: Any) -> Row:
    status = NA if ok is None else (PASS if ok else FAIL)
    return Row(
        test=test, name=name, criterion=criterion, measured=measured, status=status, calibration=ctx.calibration,
        values=values,
    )


def _flow_whole_period(times: np.ndarray) -> float:
    """Persons per second from the first to the last passage: (n - 1) / (t_last - t_first)."""
    t = np.sort(times[np.isfinite(times)])
    return float((len(t) - 1) / (t[-1] - t[0])) if len(t) > 1 and t[-1] > t[0] else math.nan


# -- the tests ---------------------------------------------------------------------------------------------------
def _rotate(data: dict[str, Any], angle_deg: float) -> dict[str, Any]:
    """The same scenario mapping with every coordinate list rotated by ``angle_deg`` about the origin."""
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)

    def pt(p: list[float]) -> list[float]:
        return [ca * p[0] - sa * p[1], sa * p[0] + ca * p[1]]

    out = {**data}
    out["levels"] = [{**lv, "walkable": [pt(p) for p in lv["walkable"]]} for lv in data["levels"]]
    out["exits"] = [{**e, "line": [pt(p) for p in e["line"]]} for e in data["exits"]]
    out["populations"] = [{**p, "area": [pt(q) for q in p["area"]]} for p in data["populations"]]
    return out


def _t1(ctx: _Context) -> list[Row]:
    rows = []
    m = simulate(geo.corridor(speed=1.33), ctx, seed=1)
    t = float(np.nanmax(m.state.t_exit))
    rows.append(_row(ctx, "1a", "corridor 40 m at 1.33 m/s", "40 m take 26-34 s (RiMEA 3.0 test 1)",
                     f"{t:.2f} s", 26.0 <= t <= 34.0, time_s=t))
    m = simulate(geo.corridor(speed=1.0), ctx, seed=1)
    t1 = float(np.nanmax(m.state.t_exit))
    rows.append(_row(ctx, "1b", "corridor 40 m at 1.0 m/s", "40 m take 40 s ± 2 % (IMO test 1; start spot ± 0.3 m)",
                     f"{t1:.2f} s", abs(t1 - 40.0) <= 0.8, time_s=t1))
    m = simulate(_rotate(geo.corridor(speed=1.33), 37.0), ctx, seed=1)
    tr = float(np.nanmax(m.state.t_exit))
    rows.append(_row(ctx, "1c", "corridor rotated by 37°", "same time as unrotated within 1 %",
                     f"{tr:.2f} s vs {t:.2f} s", abs(tr - t) <= 0.01 * t, time_s=tr, unrotated_s=t))
    return rows


def _stair_scenario(*, start: str, count: int = 1) -> dict[str, Any]:
    """Two 12 x 6 m floors joined by a 2 m wide stair 10 m along the slope; stair speeds 0.6 up, 0.8 down."""
    room = [[0, 0], [12, 0], [12, 6], [0, 6]]
    lower = start == "lower"
    return {
        "name": f"stairs {'up' if lower else 'down'}",
        "levels": [{"id": "lower", "walkable": room}, {"id": "upper", "walkable": room}],
        "connectors": [{"id": "stair", "kind": "stair", "from": {"level": "lower", "line": [[12, 2], [12, 4]]},
                        "to": {"level": "upper", "line": [[0, 2], [0, 4]]}, "length": 10.0, "direction": "both"}],
        "exits": [{"id": "out", "level": "upper" if lower else "lower",
                   "line": [[12, 2], [12, 4]] if lower else [[0, 2], [0, 4]]}],
        "profiles": {"p": {"speed": 1.2, "radius": 0.2, "stair_up": 0.6, "stair_down": 0.8}},
        "populations": [{"id": "one", "level": start, "count": count, "profile": "p",
                         "area": [[2, 2.5], [3, 2.5], [3, 3.5], [2, 3.5]] if lower else [[9, 2.5], [10, 2.5],
                                                                                         [10, 3.5], [9, 3.5]]}],
    }


def _t2(ctx: _Context) -> list[Row]:
    rows = []
    for start, direction, speed in (("lower", "up", 0.6), ("upper", "down", 0.8)):
        on: list[float] = []

        def on_step(m: CrowdModel, on: list[float] = on) -> None:
            if m.where()[0] == len(m.world.level_ids):  # on the stair
                on.append(m.t)

        m = simulate(_stair_scenario(start=start), ctx, seed=1, on_step=on_step)
        t = (on[-1] - on[0] + m.dt) if on else math.inf
        want = 10.0 / speed
        rows.append(_row(ctx, "2" if direction == "up" else "2b", f"stairs {direction}",
                         f"time on a 2 m wide, 10 m stair = 10 m / assigned stair speed ({speed} m/s) ± 5 % "
                         "(RiMEA 3.0 test 2)",
                         f"{t:.2f} s vs {want:.2f} s", abs(t - want) <= 0.05 * want, time_s=t, expected_s=want))
    return rows


def fd_densities(quick: bool) -> tuple[float, ...]:
    """Densities of the fundamental diagram [P/m²]."""
    return (0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0) if quick else (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0)


def _t3(ctx: _Context) -> list[Row]:
    fd = validation.fundamental_diagram(
        fd_densities(ctx.quick), calibration=ctx.calibration, warmup_s=20.0 if ctx.quick else 30.0,
        measure_s=20.0 if ctx.quick else 30.0,
    )
    ctx.frames[f"fd/{ctx.calibration}"] = fd
    err = validation.fd_errors(fd)
    v = fd["speed_m_s"].to_numpy()
    rises = float(np.max(np.diff(v), initial=-np.inf))
    mono = rises <= validation.FD_NOISE_M_S
    below = bool((v <= FREE_SPEED + 1e-9).all())
    speeds = " / ".join(f"{x:.2f}" for x in v)
    dens = " / ".join(f"{x:g}" for x in fd_densities(ctx.quick))
    rows = [
        _row(ctx, "3a", "fundamental diagram: shape",
             f"speed never rises with density (by more than {validation.FD_NOISE_M_S} m/s of measurement noise) "
             "and never exceeds the free speed 1.34 m/s (RiMEA 3.0 test 3)",
             f"{speeds} m/s at {dens} P/m²; largest rise {max(rises, 0.0):.3f} m/s",
             mono and below, speeds=v.tolist(), largest_rise=rises),
    ]
    if ctx.calibration == "empirical":
        rows.append(_row(
            ctx, "3b", "fundamental diagram vs Weidmann",
            "|v - Weidmann| <= 0.2 m/s for 0.5 <= ρ <= 3 P/m² (issue #3; Weidmann 1993)",
            f"max |error| {err['max_abs_error_m_s']:.3f} m/s, RMSE {err['rmse_m_s']:.3f} m/s (0.5-3 P/m²); "
            f"RMSE over 0.5-6 P/m² {err['rmse_all_m_s']:.3f} m/s",
            err["max_abs_error_m_s"] <= 0.2, **err))
        rows.append(_row(
            ctx, "3c", "maximum specific flow", "max ρ·v between 1.0 and 2.0 P/(m·s) (issue #3; Weidmann 1.22)",
            f"{err['max_specific_flow']:.2f} P/(m·s) at {err['density_at_max_flow']:g} P/m²",
            1.0 <= err["max_specific_flow"] <= 2.0, **err))
    else:
        rows.append(_row(
            ctx, "3b", "fundamental diagram vs Weidmann", "not a target of the code profile",
            f"max |error| {err['max_abs_error_m_s']:.3f} m/s over 0.5-3 P/m² (for information)", None, **err))
        rows.append(_row(
            ctx, "3c", "maximum specific flow",
            "max ρ·v <= 1.33 P/(m·s) (code profile: corridor flow at most 1.33 P/(m·s), SFPE / IMO)",
            f"{err['max_specific_flow']:.2f} P/(m·s) at {err['density_at_max_flow']:g} P/m²",
            err["max_specific_flow"] <= 1.33, **err))
    ov = fd["max_overlap_m"].to_numpy()
    rows.append(_row(ctx, "3d", "overlap at every density",
                     f"largest overlap of two bodies < {MAX_OVERLAP_M * 100:g} cm at each density",
                     " / ".join(f"{x * 100:.1f}" for x in ov) + " cm", bool((ov < MAX_OVERLAP_M).all()),
                     overlaps_m=ov.tolist()))
    return rows


def _t4(ctx: _Context) -> list[Row]:
    data = geo.room_with_door(count=10, premovement={"dist": "uniform", "low": 10, "high": 100})
    state: dict[str, Any] = {}

    def setup(m: CrowdModel) -> None:
        state["start"] = m.state.pos.copy()
        state["started"] = np.full(m.state.n, np.nan)

    def on_step(m: CrowdModel) -> None:
        moved = np.hypot(*(m.state.pos - state["start"]).T) > 1e-9
        new = np.isnan(state["started"]) & (moved | (m.state.status == SAFE))
        state["started"][new] = m.t - m.dt  # the move happened in the step that began at t - dt

    m = simulate(data, ctx, seed=1, setup=setup, on_step=on_step)
    late = state["started"] - m.state.t_start
    worst = float(np.nanmax(np.abs(late - m.dt / 2))) + m.dt / 2 if np.isfinite(late).all() else math.inf
    ok = bool(np.isfinite(late).all() and (late >= -1e-9).all() and (late <= m.dt + 1e-9).all())
    return [_row(ctx, "4", "pre-movement times",
                 "each of 10 persons (pre-movement 10-100 s) starts moving at its time, within one step (0.05 s)",
                 f"start - assigned time in [{np.nanmin(late):.3f}, {np.nanmax(late):.3f}] s",
                 ok, worst_s=worst)]


def _t5(ctx: _Context) -> list[Row]:
    before = ctx.checks.outside_steps
    m = simulate(geo.l_corner(count=20), ctx, seed=1)
    out = int((m.state.status == SAFE).sum())
    inside_wall = ctx.checks.outside_steps - before
    return [_row(ctx, "5", "rounding a corner",
                 "all 20 round the corner and leave; no centre ever outside the walkable area (RiMEA 3.0 test 5)",
                 f"{out}/20 out, {inside_wall} steps with someone in a wall", out == 20 and inside_wall == 0,
                 out=out, steps_in_wall=inside_wall)]


#: IMO MSC.1/Circ.1533 walking speed on the flat, males 30-50 years [m/s] (uniform).
IMO_MALES_30_50 = (0.97, 1.62)


def _t6(ctx: _Context) -> list[Row]:
    lo, hi = IMO_MALES_30_50
    speed = {"dist": "uniform", "low": lo, "high": hi}
    acc: dict[str, np.ndarray] = {}

    def setup(m: CrowdModel) -> None:
        acc["sum"] = np.zeros(m.state.n)
        acc["k"] = np.zeros(m.state.n)

    def on_step(m: CrowdModel) -> None:
        mov = m.state.status == 1
        acc["sum"][mov] += np.hypot(m.state.vel[mov, 0], m.state.vel[mov, 1])
        acc["k"][mov] += 1

    m = simulate(geo.wide_corridor(count=50, speed=speed), ctx, seed=1, setup=setup, on_step=on_step)
    realised = acc["sum"] / np.maximum(acc["k"], 1)
    ks = stats.kstest(realised, stats.uniform(loc=lo, scale=hi - lo).cdf)
    crit = 1.36 / math.sqrt(len(realised))
    rel = np.abs(realised - m.state.v0) / m.state.v0
    return [_row(ctx, "6", "demographics (IMO speeds)",
                 f"realised speeds of 50 persons (IMO males 30-50: U({lo}, {hi}) m/s) match the assigned "
                 f"distribution: Kolmogorov-Smirnov D < {crit:.3f} (5 % level) and on average within 3 % of "
                 "each person's own speed",
                 f"D = {ks.statistic:.3f}; deviation from own speed: mean {rel.mean() * 100:.1f} %, largest "
                 f"{rel.max() * 100:.1f} % (someone briefly behind another)",
                 bool(ks.statistic < crit and rel.mean() <= 0.03), ks_d=float(ks.statistic),
                 mean_rel_dev=float(rel.mean()), max_rel_dev=float(rel.max()))]


def _door_run(ctx: _Context, data: dict[str, Any], seed: int, plane_x: float) -> tuple[CrowdModel, _Passage]:
    box: dict[str, _Passage] = {}

    def setup(m: CrowdModel) -> None:
        box["p"] = _Passage(m.state.n, lambda pos: pos[:, 0] >= plane_x)

    m = simulate(data, ctx, seed=seed, setup=setup, on_step=lambda mm: box["p"](mm))
    return m, box["p"]


def _t7(ctx: _Context) -> list[Row]:
    flows, steady = [], []
    for s in ctx.seeds:
        m, p = _door_run(ctx, geo.room_door_outside(count=100), s, plane_x=8.2)
        flows.append(_flow_whole_period(p.t))
        from sim.results import steady_flow

        f = steady_flow(p.t[np.isfinite(p.t)])
        steady.append(math.nan if f is None else f)
    lo_f, hi_f = min(flows), max(flows)
    measured = (f"{' / '.join(f'{x:.2f}' for x in flows)} P/s over the whole period "
                f"(steady 10-90 %: {' / '.join(f'{x:.2f}' for x in steady)} P/s)")
    if ctx.calibration == "code":
        return [_row(ctx, "7", "exit flow, 1 m door, 100 persons",
                     "flow over the whole period <= 1.33 P/s (IMO) and >= 1.0 P/s (issue #3), every seed",
                     measured, lo_f >= 1.0 and hi_f <= 1.33, flows=flows, steady=steady)]
    return [_row(ctx, "7", "exit flow, 1 m door, 100 persons",
                 "laboratory range: steady flow 1.6-2.0 P/s through 1 m (pedestrian.md §1: 1.6-2.0 P/(m·s))",
                 measured, 1.6 <= min(steady) and max(steady) <= 2.0, flows=flows, steady=steady)]


def counterflow_levels(quick: bool) -> tuple[int, ...]:
    """Numbers of opposing persons of test 8."""
    return (0, 10, 50, 100)


def _t8(ctx: _Context) -> list[Row]:
    t_last: dict[int, float] = {}
    stuck = 0
    for k in counterflow_levels(ctx.quick):
        ts = []
        for s in ctx.seeds:
            m = simulate(geo.counterflow(opposing=k), ctx, seed=s)
            stuck += int((m.state.status != SAFE).sum())
            fwd = m.state.population == 0
            ts.append(float(np.max(m.state.t_exit[fwd])) if np.isfinite(m.state.t_exit[fwd]).all() else math.inf)
        t_last[k] = float(np.mean(ts))
    ks = sorted(t_last)
    tv = [t_last[k] for k in ks]
    # "rises": every step up in counterflow takes at least as long (2 % allowance for seed noise) and the
    # largest counterflow clearly longer (+5 %) than none
    rising = all(b >= 0.98 * a for a, b in zip(tv[:-1], tv[1:], strict=True)) and tv[-1] >= 1.05 * tv[0]
    return [
        _row(ctx, "8a", "counterflow: nobody stuck",
             "with 0/10/50/100 opposing persons everyone leaves within 900 s (RiMEA 3.0 test 8)",
             f"{stuck} persons left inside", stuck == 0, stuck=stuck),
        _row(ctx, "8b", "counterflow: time rises",
             "time of the last of the 100 non-decreasing with 0/10/50/100 opposing (2 % noise allowance), "
             "and >= 5 % longer with 100 than with 0",
             " / ".join(f"{t:.1f}" for t in tv) + " s", rising, times_s=tv),
    ]


def _room_time(ctx: _Context, doors: int, seed: int, count: int) -> tuple[float, int]:
    box: dict[str, _Passage] = {}

    def setup(m: CrowdModel) -> None:
        box["p"] = _Passage(m.state.n, lambda pos: (pos[:, 1] < m.world.level_offsets[0][1] - 1e-9)
                            | (pos[:, 1] > 20.0 + m.world.level_offsets[0][1] + 1e-9))

    m = simulate(geo.large_room(doors=doors, count=count), ctx, seed=seed, setup=setup,
                 on_step=lambda mm: box["p"](mm))
    t = box["p"].t
    return (float(np.max(t)) if np.isfinite(t).all() else math.inf), int((m.state.status == SAFE).sum())


def hand_time_large_room(calibration: str, *, doors: int, count: int = 1000) -> float:
    """Hand calculation of RiMEA test 9: door capacity plus walking time [s].

    ``t = count / (doors x 1 m x specific flow) + 2 m / 1.34 m/s``: the doors pass people at the profile's
    specific flow (:data:`HAND_SPECIFIC_FLOW`) from the moment the first person, standing 2 m from the
    wall, reaches them (the queue forms at once: 1000 persons need far longer to pass than to walk).
    """
    return count / (doors * 1.0 * HAND_SPECIFIC_FLOW[calibration]) + 2.0 / FREE_SPEED


def _t9(ctx: _Context) -> list[Row]:
    count = 1000
    t4, t2, out4, out2 = [], [], [], []
    for s in ctx.seeds[:1] if ctx.quick else ctx.seeds[:2]:
        a, n4 = _room_time(ctx, 4, s, count)
        b, n2 = _room_time(ctx, 2, s, count)
        t4.append(a)
        t2.append(b)
        out4.append(n4)
        out2.append(n2)
    m4, m2 = float(np.mean(t4)), float(np.mean(t2))
    ratio = m2 / m4
    hand = hand_time_large_room(ctx.calibration, doors=4, count=count)
    dev = m4 / hand - 1.0
    return [
        _row(ctx, "9a", "large room: everyone out", "all 1000 leave with four and with two doors",
             f"{min(out4)}/1000 (4 doors), {min(out2)}/1000 (2 doors)", min(out4 + out2) == count),
        _row(ctx, "9b", "large room: 2 doors / 4 doors", "time ratio 1.6-2.4 (RiMEA 3.0 test 9)",
             f"{m2:.1f} s / {m4:.1f} s = {ratio:.2f}", 1.6 <= ratio <= 2.4, t2_s=m2, t4_s=m4, ratio=ratio),
        _row(ctx, "9c", "large room vs hand calculation",
             f"four-door time within ±25 % of 1000 / (4 x {HAND_SPECIFIC_FLOW[ctx.calibration]} P/s) + 2 m / "
             f"1.34 m/s = {hand:.1f} s",
             f"{m4:.1f} s ({dev * 100:+.1f} %)", abs(dev) <= 0.25, hand_s=hand, t4_s=m4, deviation=dev),
    ]


def _t10(ctx: _Context) -> list[Row]:
    data = geo.exit_allocation()
    m = simulate(data, ctx, seed=1)
    sc_assign = data["plans"][0]["assign_exits"]
    pops = [p["id"] for p in data["populations"]]
    exits = [e["id"] for e in data["exits"]]
    used = [exits[k] if k >= 0 else "" for k in m.state.exit_index]
    right = sum(used[i] in sc_assign[pops[m.state.population[i]]] for i in range(m.state.n))
    return [_row(ctx, "10", "exit allocation",
                 "all 23 persons leave through their assigned exit (100 %, RiMEA 3.0 test 10)",
                 f"{right}/{m.state.n} through the assigned exit", right == m.state.n == 23, correct=right)]


def _t11(ctx: _Context) -> list[Row]:
    count = 1000
    m = simulate(geo.exit_choice_room(count=count), ctx, seed=1)
    near = int((m.state.exit_index == 0).sum())
    far = int((m.state.exit_index == 1).sum())
    out = near + far
    return [_row(ctx, "11", "choice of exit",
                 "everyone leaves; the nearer exit takes the larger share (>= 50 %), the other at least 10 % "
                 "(RiMEA 3.0 test 11: most use the nearer exit, some the other)",
                 f"{out}/{count} out: nearer {near}, other {far}",
                 out == count and near >= far and far >= 0.1 * count, near=near, far=far)]


def _t12(ctx: _Context) -> list[Row]:
    """Congestion in front of the corridor only: 5 s mean density in 2 m x 2 m areas before each bottleneck."""
    samples: dict[str, list[float]] = {"corridor": [], "exit": []}
    boxes = {"corridor": (8.0, 4.0, 10.0, 6.0), "exit": (23.0, 4.0, 25.0, 6.0)}

    def on_step(m: CrowdModel) -> None:
        if m.steps % 10:
            return
        off = m.world.level_offsets[0]
        p = m.state.pos[m.state.status < SAFE] - off
        for k, (x0, y0, x1, y1) in boxes.items():
            inside = (p[:, 0] >= x0) & (p[:, 0] < x1) & (p[:, 1] >= y0) & (p[:, 1] < y1)
            samples[k].append(float(inside.sum()) / ((x1 - x0) * (y1 - y0)))

    m = simulate(geo.bottleneck_chain(count=150), ctx, seed=1, on_step=on_step)
    win = 10  # 10 samples of 0.5 s = 5 s

    def peak(x: list[float]) -> float:
        a = np.asarray(x)
        return float(np.convolve(a, np.ones(win) / win, mode="valid").max()) if len(a) >= win else float(a.mean())

    pc, pe = peak(samples["corridor"]), peak(samples["exit"])
    out = int((m.state.status == SAFE).sum())
    return [_row(ctx, "12", "bottlenecks: where the queue forms",
                 "5 s mean density in the 2 m x 2 m area before the corridor reaches >= 2 P/m² (a queue); before "
                 "the final exit it stays < 2 P/m² (no queue; 2 P/m² is the 'comfortable' limit of pedestrian.md "
                 "§2); all 150 out (RiMEA 3.0 test 12)",
                 f"peak {pc:.2f} P/m² before the corridor, {pe:.2f} P/m² before the exit; {out}/150 out",
                 pc >= 2.0 and pe < 2.0 and out == 150, before_corridor=pc, before_exit=pe)]


def _t13(ctx: _Context) -> list[Row]:
    """Room 5 x 8 -> 2 m corridor 12 m long -> stair up 3 m: the queue forms at the stair foot."""
    data = {
        "name": "congestion in front of stairs",
        "levels": [
            {"id": "ground", "walkable": [[0, 0], [5, 0], [5, 3], [17, 3], [17, 5], [5, 5], [5, 8], [0, 8]]},
            {"id": "upper", "walkable": [[0, 0], [6, 0], [6, 6], [0, 6]]},
        ],
        "connectors": [{"id": "stair", "kind": "stair", "from": {"level": "ground", "line": [[17, 3], [17, 5]]},
                        "to": {"level": "upper", "line": [[0, 2], [0, 4]]}, "length": 3.0, "direction": "up"}],
        "exits": [{"id": "out", "level": "upper", "line": [[6, 1], [6, 5]]}],
        "populations": [{"id": "crowd", "level": "ground", "area": [[0.3, 0.3], [4.7, 0.3], [4.7, 7.7],
                                                                    [0.3, 7.7]], "count": 150}],
    }
    samples: dict[str, list[float]] = {"stair_foot": [], "corridor": []}
    boxes = {"stair_foot": (15.0, 3.0, 17.0, 5.0), "corridor": (9.0, 3.0, 11.0, 5.0)}

    def on_step(m: CrowdModel) -> None:
        if m.steps % 10:
            return
        on_ground = m.where() == 0
        p = m.state.pos[on_ground] - m.world.level_offsets[0]
        for k, (x0, y0, x1, y1) in boxes.items():
            inside = (p[:, 0] >= x0) & (p[:, 0] < x1) & (p[:, 1] >= y0) & (p[:, 1] < y1)
            samples[k].append(float(inside.sum()) / ((x1 - x0) * (y1 - y0)))

    m = simulate(data, ctx, seed=1, on_step=on_step)
    win = 10

    def peak(x: list[float]) -> float:
        a = np.asarray(x)
        return float(np.convolve(a, np.ones(win) / win, mode="valid").max()) if len(a) >= win else float(a.mean())

    foot, mid = peak(samples["stair_foot"]), peak(samples["corridor"])
    out = int((m.state.status == SAFE).sum())
    return [_row(ctx, "13", "congestion in front of stairs",
                 "5 s mean density in the 2 m x 2 m area at the stair foot exceeds that in mid-corridor and reaches "
                 ">= 1.5 P/m² (Fruin level of service E: a standing queue, where the slower stair begins); all 150 "
                 "out (RiMEA 3.0 test 13)",
                 f"peak {foot:.2f} P/m² at the stair foot, {mid:.2f} P/m² mid-corridor; {out}/150 out",
                 foot >= 1.5 and foot > mid and out == 150, stair_foot=foot, corridor=mid)]


def _t14(ctx: _Context) -> list[Row]:
    count = 250 if ctx.quick else 500
    m = simulate(geo.street_corner(count=count), ctx, seed=1)
    tc = float(np.max(m.state.t_exit)) if (m.state.status == SAFE).all() else math.inf
    ti = float(np.max(simulate(geo.straight_street(length=44.0, count=count), ctx, seed=1).state.t_exit))
    to = float(np.max(simulate(geo.straight_street(length=75.4, count=count), ctx, seed=1).state.t_exit))
    return [_row(ctx, "14", f"large crowd around a corner ({count} persons)",
                 "time around the corner between the straight-corridor times for the inner (44 m) and outer "
                 "(75.4 m) path lengths (RiMEA 3.0 test 14); quickest-path routing",
                 f"{tc:.1f} s, bounds {ti:.1f}-{to:.1f} s", ti <= tc <= to, corner_s=tc, inner_s=ti, outer_s=to)]


#: Time at which test 15 closes the exit [s].
CLOSE_AT_S = 4.0


def _t15(ctx: _Context) -> list[Row]:
    info: dict[str, int] = {}

    def on_step(m: CrowdModel) -> None:
        if "heading" not in info and m.t >= CLOSE_AT_S - 1e-9:
            inside = m.state.status < SAFE
            info["heading"] = int((inside & (m.state.target == 0)).sum())
            info["out_west"] = int((m.state.exit_index == 0).sum())
            m.exit_open[0] = 0

    m = simulate(geo.two_exit_room(count=60), ctx, seed=1, on_step=on_step)
    after_west = int((m.state.exit_index == 0).sum()) - info.get("out_west", 0)
    east = int((m.state.exit_index == 1).sum())
    out = int((m.state.status == SAFE).sum())
    ok = info.get("heading", 0) > 0 and after_west == 0 and out == 60
    return [_row(ctx, "15", "dynamic exit availability",
                 f"the west exit closes at t = {CLOSE_AT_S:g} s: everyone heading for it reroutes; nobody uses it "
                 "afterwards; all 60 leave",
                 f"{info.get('heading', 0)} were heading west at closing; {east} left east, {after_west} west "
                 f"after closing, {out}/60 out", ok, heading=info.get("heading", 0), after=after_west)]


def _t16(ctx: _Context) -> list[Row]:
    slow = {"speed": 0.5, "radius": 0.3}
    base, with_slow = [], []
    for s in ctx.seeds:
        m0, _ = _door_run(ctx, geo.room_door_outside(count=50), s, plane_x=8.2)
        m1, _ = _door_run(ctx, geo.room_door_outside(count=50, slow=slow), s, plane_x=8.2)
        base.append(float(np.max(m0.state.t_exit)))
        with_slow.append(float(np.max(m1.state.t_exit)))
    b, w = float(np.mean(base)), float(np.mean(with_slow))
    # the slow person starts about 8.5 m from the door plus 3.2 m outside: it needs at least that walk
    own = 10.5 / slow["speed"]
    return [
        _row(ctx, "16a", "reduced mobility",
             "one slower (0.5 m/s), larger (r = 0.3 m) person lengthens the evacuation of 50 persons "
             f"(longer than without, and at least its own walking time {own:.0f} s)",
             f"{w:.1f} s with, {b:.1f} s without", w > b and w >= own, with_s=w, without_s=b),
        _t16b(ctx),
    ]


#: Test 16b: groups of this size, and the pre-movement spread of each person [s].
GROUP_SIZE = 3
GROUP_PREMOVEMENT = {"dist": "uniform", "low": 0.0, "high": 30.0}


def _t16b(ctx: _Context) -> Row:
    """Groups of 3 among 60 persons, each with its own pre-movement time (0-30 s), through a 1 m door.

    The same persons, positions and pre-movement draws walk once in groups and once alone; the spread of a
    group is the time from its first to its last member crossing the exit line.
    """
    grouped, alone = [], []
    for s in ctx.seeds:
        spreads = {}
        for size in (GROUP_SIZE, 1):
            data = geo.room_door_outside(count=60, premovement=GROUP_PREMOVEMENT)
            data["populations"][0]["group_size"] = size
            m = simulate(data, ctx, seed=s)
            if size > 1:
                leader = m.state.leader.copy()  # the groups; the run alone is measured on the same sets
            t = m.state.t_exit
            spreads[size] = [float(np.ptp(t[leader == g])) for g in np.unique(leader)]
        grouped += spreads[GROUP_SIZE]
        alone += spreads[1]
    med_g, med_a = float(np.median(grouped)), float(np.median(alone))
    return _row(ctx, "16b", "groups arrive together",
                f"groups of {GROUP_SIZE} (60 persons, own pre-movement 0-30 s): median time from a group's first "
                "to its last member leaving <= 10 s and clearly below (<= 2/3 of) that of the same persons "
                "walking alone (in a door queue strangers from the sides slip in between; 10 s is the time "
                "12-20 persons take through the door at these flows)",
                f"median {med_g:.1f} s in groups (largest {max(grouped):.1f} s), {med_a:.1f} s alone",
                med_g <= 10.0 and med_g <= 2.0 / 3.0 * med_a, median_s=med_g, median_alone_s=med_a,
                largest_s=float(max(grouped)))


def _v2(ctx: _Context) -> list[Row]:
    widths = validation.BOTTLENECK_WIDTHS_QUICK if ctx.quick else validation.BOTTLENECK_WIDTHS
    if ctx.calibration != "empirical":
        return [Row(test="V2", name="bottleneck flow vs width (Seyfried 2009)",
                    criterion="a target of the empirical profile only", measured="not run",
                    status=NA, calibration=ctx.calibration)]
    bn = validation.bottleneck_flows(widths, calibration=ctx.calibration, seeds=ctx.seeds, count=200)
    ctx.frames[f"bottleneck/{ctx.calibration}"] = bn
    e = validation.bottleneck_errors(bn)
    flows = " / ".join(f"{f:.2f}" for f in bn["flow_p_s"])
    return [
        _row(ctx, "V2a", "bottleneck flow vs Seyfried 2009",
             "|J - Seyfried| <= 0.3 P/s for widths 0.8-1.2 m (200 persons; issue #3)",
             f"errors {' / '.join(f'{x:+.2f}' for x in e['errors'])} P/s at "
             f"{' / '.join(f'{w:g}' for w in e['widths'])} m; RMSE {e['rmse_p_s']:.2f}",
             e["max_abs_error_p_s"] <= 0.3, **e),
        _row(ctx, "V2b", "bottleneck flow grows linearly with width",
             "flow rises at every width step 0.8-2.5 m and a straight line fits with R² >= 0.95 (Seyfried 2009, "
             "Liao 2014: linear, no steps)",
             f"{flows} P/s at {' / '.join(f'{w:g}' for w in bn['width_m'])} m; R² = {e['r2']:.3f}, "
             f"slope {e['slope']:.2f} P/(m·s)", e["increasing"] and e["r2"] >= 0.95, **e),
    ]


def _suite_checks(ctx: _Context) -> list[Row]:
    c = ctx.checks
    return [
        _row(ctx, "X1", "no overlap (all runs)",
             f"largest overlap of two bodies < {MAX_OVERLAP_M * 100:g} cm in every run of the suite (sampled "
             "every 0.5 s)", f"{c.max_overlap_m * 100:.1f} cm ({c.overlap_where or 'none'})",
             c.max_overlap_m < MAX_OVERLAP_M, max_overlap_m=c.max_overlap_m),
        _row(ctx, "X2", "nobody inside a wall (all runs)",
             "no agent's centre outside the walkable area at any step of any run",
             f"{c.outside_steps} steps with a violation ({c.outside_where or 'none'}); {c.runs} runs, "
             f"{c.agent_steps:,} agent-steps", c.outside_steps == 0, steps=c.outside_steps),
    ]


@dataclass(frozen=True)
class VerificationTest:
    """One entry of the suite: id, name and the function producing its rows."""

    id: str
    name: str
    run: Callable[[_Context], list[Row]]


#: The suite, in the order of pedestrian.md section 4, then the validation against bottleneck data.
TESTS: tuple[VerificationTest, ...] = (
    VerificationTest("1", "walking speed in a corridor", _t1),
    VerificationTest("2", "stairs", _t2),
    VerificationTest("3", "fundamental diagram", _t3),
    VerificationTest("4", "pre-movement", _t4),
    VerificationTest("5", "rounding a corner", _t5),
    VerificationTest("6", "demographics", _t6),
    VerificationTest("7", "exit flow rate", _t7),
    VerificationTest("8", "counterflow", _t8),
    VerificationTest("9", "large public room", _t9),
    VerificationTest("10", "exit allocation", _t10),
    VerificationTest("11", "choice of exit", _t11),
    VerificationTest("12", "bottlenecks", _t12),
    VerificationTest("13", "congestion in front of stairs", _t13),
    VerificationTest("14", "large crowd around a corner", _t14),
    VerificationTest("15", "dynamic exit availability", _t15),
    VerificationTest("16", "groups and reduced mobility", _t16),
    VerificationTest("V2", "bottleneck flow vs width", _v2),
)


def run_suite(
    calibrations: Iterable[str] = CALIBRATIONS,
    *,
    quick: bool = False,
    only: Iterable[str] | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> SuiteResult:
    """Run the verification suite.

    Args:
        calibrations: profiles to run (``empirical``, ``code``).
        quick: fewer seeds, densities and widths (the test suite's mode).
        only: test ids to run (default all); the suite-wide check rows X1 / X2 then cover only those.
        progress: called as ``progress(calibration, test_id)`` before each test.

    Returns:
        The rows (in test order, per calibration), the validation tables and the wall time.
    """
    t0 = time.perf_counter()
    wanted = None if only is None else set(only)
    rows: list[Row] = []
    frames: dict[str, pd.DataFrame] = {}
    for cal in calibrations:
        ctx = _Context(calibration=cal, quick=quick, checks=_Checks(), frames=frames)
        for test in TESTS:
            if wanted is not None and test.id not in wanted:
                continue
            if progress is not None:
                progress(cal, test.id)
            rows += test.run(ctx)
        rows += _suite_checks(ctx)
    return SuiteResult(rows=rows, frames=frames, wall_s=time.perf_counter() - t0, quick=quick)


def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v
