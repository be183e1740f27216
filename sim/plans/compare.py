"""Compare plans of a scenario over replications: distributions, paired differences, ranking stability.

:func:`compare` runs every plan for seeds ``S, S+1, ..., S+N-1`` (common random numbers, see
:mod:`sim.plans.replicate`), serving runs already in the catalogue, and returns a :class:`Comparison`.

Statistics (all computed from the metrics of the runs, ordered by ``(plan, seed)``; nothing depends on the
executor or on completion order):

* per plan and metric: ``n`` (runs where the metric exists), ``missing``, mean, sample standard deviation
  (ddof 1), percentiles p5 / p50 / p95 (numpy's default linear interpolation), and the 95 % confidence
  interval of the mean from Student's t with n-1 degrees of freedom. A metric a plan never produces is
  reported as ``available: false``.
* pairwise, for every ordered pair (A, B) and metric: the differences ``A - B`` paired by seed (only seeds
  where both have the metric), their mean, standard deviation and 95 % t confidence interval, and the
  probability that A beats B, estimated two ways:

  - ``p_better_seeds``: the share of seeds where A is strictly better (ties count one half);
  - ``p_better_normal``: ``Phi(-mean_d / sd_d)`` for lower-is-better metrics (``Phi(mean_d / sd_d)`` for
    higher-is-better), the probability under a normal model of the paired difference that A does better
    than B in one new replication with the same seed for both;
  - ``p_mean_better_bootstrap``: the share of bootstrap resamples of the seeds in which A's mean is better.

  Which way is better comes from :data:`sim.plans.metrics.METRIC_DIRECTIONS`; neutral metrics get
  differences but no probabilities.
* ranking stability: the plans ranked by the mean of the ranking metric (default ``evacuation_time_s``) over
  seeds where every plan has it; then ``resamples`` bootstrap resamples of those seeds (the same seeds for
  every plan, which keeps the pairing); the share of resamples whose ranking equals the full-sample ranking.
  The bootstrap generator is seeded from ``(S, N)``, so the share is reproducible.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats as sps

from sim.errors import ScenarioError
from sim.plans.catalogue import Catalogue
from sim.plans.metrics import direction
from sim.plans.replicate import Executor, Replication, ReplicationResult, make_executor, replications

__all__ = ["compare", "Comparison", "describe", "paired_difference", "ranking_stability", "format_comparison"]

#: Bootstrap resamples for ranking stability and the bootstrap probability.
RESAMPLES = 2000


def _r(x: float | None, nd: int = 4) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


def describe(values: Sequence[float]) -> dict[str, Any]:
    """Mean, sd, p5/p50/p95 and the 95 % t confidence interval of the mean of ``values``.

    Returns:
        ``{"available": False, "n": 0}`` for no values; otherwise ``n, mean, sd, p5, p50, p95, ci95`` (sd and
        ci95 are ``None`` with a single value).
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n == 0:
        return {"available": False, "n": 0}
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else None
    p5, p50, p95 = (float(v) for v in np.percentile(x, [5, 50, 95]))
    ci: list[float | None] | None = None
    if sd is not None:
        half = float(sps.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
        ci = [_r(mean - half), _r(mean + half)]
    return {
        "available": True,
        "n": n,
        "mean": _r(mean),
        "sd": _r(sd),
        "p5": _r(p5),
        "p50": _r(p50),
        "p95": _r(p95),
        "ci95": ci,
    }


def paired_difference(
    metric: str, a: dict[int, float], b: dict[int, float], *, rng: np.random.Generator, resamples: int = RESAMPLES
) -> dict[str, Any]:
    """Differences ``A - B`` paired by seed, with a 95 % t CI and the probability that A beats B.

    Args:
        metric: metric name (decides which direction is better).
        a, b: seed -> value for plan A and plan B.
        rng: generator for the bootstrap.
        resamples: bootstrap resamples.
    """
    seeds = sorted(set(a) & set(b))
    if not seeds:
        return {"available": False, "n": 0}
    d = np.array([a[s] - b[s] for s in seeds])
    n = len(d)
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else None
    out: dict[str, Any] = {"available": True, "n": n, "mean_diff": _r(mean), "sd_diff": _r(sd), "ci95": None}
    if sd is not None:
        half = float(sps.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
        out["ci95"] = [_r(mean - half), _r(mean + half)]
    way = direction(metric)
    if way == "neutral":
        out.update(p_better_seeds=None, p_better_normal=None, p_mean_better_bootstrap=None)
        return out
    sign = -1.0 if way == "lower" else 1.0  # sign * d > 0 means A is better
    gain = sign * d
    out["p_better_seeds"] = _r(float(((gain > 0).sum() + 0.5 * (gain == 0).sum()) / n))
    if sd is None or sd == 0.0:
        m = sign * mean
        out["p_better_normal"] = 0.5 if m == 0 else (1.0 if m > 0 else 0.0)
    else:
        out["p_better_normal"] = _r(float(sps.norm.cdf(sign * mean / sd)))
    idx = rng.integers(0, n, size=(resamples, n))
    boot = gain[idx].mean(axis=1)
    out["p_mean_better_bootstrap"] = _r(float(((boot > 0).sum() + 0.5 * (boot == 0).sum()) / resamples))
    return out


def ranking_stability(
    values: dict[str, dict[int, float]],
    metric: str,
    *,
    rng: np.random.Generator,
    resamples: int = RESAMPLES,
) -> dict[str, Any]:
    """How stable the ranking of plans by the mean of ``metric`` is under bootstrap resampling of seeds.

    Args:
        values: plan -> (seed -> value).
        metric: the ranking metric (its direction orders the plans; neutral metrics rank lower first).

    Returns:
        ``metric, order`` (best first), ``means``, ``n_seeds`` (seeds where every plan has the metric),
        ``resamples``, ``stability`` (share of resamples with the same order) or ``available: false``.
    """
    plans = list(values)
    seeds = sorted(set.intersection(*(set(v) for v in values.values()))) if plans else []
    if len(plans) < 1 or not seeds:
        return {"metric": metric, "available": False, "n_seeds": 0}
    x = np.array([[values[p][s] for s in seeds] for p in plans])  # (plans, seeds)
    sign = -1.0 if direction(metric) == "higher" else 1.0  # sort ascending on sign * mean: best first
    means = x.mean(axis=1)
    base = np.argsort(sign * means, kind="stable")
    idx = rng.integers(0, len(seeds), size=(resamples, len(seeds)))
    boot_means = x[:, idx].mean(axis=2)  # (plans, resamples)
    orders = np.argsort(sign * boot_means, axis=0, kind="stable")
    same = np.all(orders == base[:, None], axis=0)
    return {
        "metric": metric,
        "available": True,
        "order": [plans[i] for i in base],
        "means": {p: _r(float(m)) for p, m in zip(plans, means, strict=True)},
        "n_seeds": len(seeds),
        "resamples": resamples,
        "stability": _r(float(same.mean())),
    }


@dataclasses.dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`; ``data`` is the JSON object printed by ``drillsim compare --json``."""

    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def table(self) -> str:
        """A readable report (see :func:`format_comparison`)."""
        return format_comparison(self.data)


class _Bar:
    def __init__(self, total: int, done: int, enabled: bool, label: str) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, desc=label, unit="run", file=sys.stderr, leave=False)

    def update(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def compare(
    scenario_path: str | os.PathLike[str],
    *,
    plans: Sequence[str] | None = None,
    reps: int = 10,
    seed: int = 0,
    agents: int | None = None,
    calibration: str | None = None,
    executor: str | Executor | None = None,
    workers: int | None = None,
    catalogue: Catalogue | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    rank_by: str = "evacuation_time_s",
    progress: bool = False,
    on_result: Callable[[ReplicationResult], None] | None = None,
) -> Comparison:
    """Run every plan for ``reps`` seeds (``seed .. seed+reps-1``, common to all plans) and compare them.

    Args:
        scenario_path: scenario file.
        plans: plan ids (default: every plan of the scenario).
        reps: replications per plan.
        seed: first root seed ``S``; replication ``i`` of every plan uses ``S + i``.
        agents: rescale the populations to this many persons (default: the scenario's count).
        calibration: override the scenario's calibration (``empirical`` / ``code``).
        executor: ``None``/``"local"``, ``"dask://HOST:PORT"``, or an :class:`~sim.plans.replicate.Executor`.
        workers: local worker processes (default ``min(2, CPUs)``).
        catalogue: where runs are looked up and recorded (``None``: no catalogue, every run is made).
        out_dir: if given, each run writes its result files to ``out_dir/PLAN/seed-N``.
        rank_by: metric for the ranking and its stability.
        progress: show a progress bar over replications on stderr.
        on_result: called with each new result as it arrives (after it is recorded).

    Returns:
        The comparison (see the module doc for the statistics).

    Raises:
        ScenarioError: invalid scenario, unknown plan, bad ``reps``/``agents``, unreachable scheduler.
    """
    from sim.scenario import load_scenario
    from sim.version import code_version

    if reps < 1:
        raise ScenarioError("must be at least 1", field="--reps", value=reps, fix="give --reps 1 or more")
    scenario = load_scenario(scenario_path)
    plan_ids = list(plans) if plans else [p.id for p in scenario.plans] or ["base"]
    for p in plan_ids:
        scenario.plan(p)  # raises a ScenarioError naming the valid plans
    if len(set(plan_ids)) != len(plan_ids):
        raise ScenarioError("lists a plan twice", field="--plans", value=",".join(plan_ids), fix="name each plan once")
    n_agents = scenario.total_count if agents is None else int(agents)
    if n_agents < 1:
        raise ScenarioError("must be at least 1", field="--agents", value=agents, fix="give a positive number")
    calib = scenario.calibration if calibration is None else calibration
    version = code_version()
    reps_list = replications(
        scenario_path=scenario.source,
        scenario_sha256=scenario.sha256,
        plans=plan_ids,
        reps=reps,
        seed=seed,
        agents=n_agents,
        calibration=calib,
        out_dir=out_dir,
    )
    exe: Executor | None = executor if executor is not None and not isinstance(executor, str) else None
    exe_name = exe.name if exe is not None else (executor if isinstance(executor, str) else "local")
    comparison_id = None
    if catalogue is not None:
        comparison_id = catalogue.start_comparison(
            scenario=scenario.name,
            scenario_path=str(Path(scenario.source).resolve()),
            scenario_sha256=scenario.sha256,
            plans=plan_ids,
            reps=reps,
            seed=seed,
            agents=n_agents,
            code_version=version,
            calibration=calib,
            executor=str(exe_name),
        )
    metrics: dict[tuple[str, int], dict[str, float]] = {}
    pending: list[Replication] = []
    served_ids: list[int] = []
    for rep in reps_list:
        found = catalogue.find_run(rep, version) if catalogue is not None else None
        if found is not None:
            metrics[rep.key] = found["metrics"]
            served_ids.append(found["id"])
        else:
            pending.append(rep)
    if catalogue is not None and comparison_id is not None and served_ids:
        catalogue.link_runs(comparison_id, served_ids)
    executed = 0
    if pending:
        own = exe is None
        if exe is None:
            exe = make_executor(executor if isinstance(executor, str) else None, workers=workers)
            exe_name = exe.name
        bar = _Bar(len(reps_list), len(reps_list) - len(pending), progress, f"{scenario.name}: replications")
        try:
            for res in exe.map_unordered(pending):
                if catalogue is not None:
                    catalogue.record_run(res, executor=exe.name, comparison_id=comparison_id)
                metrics[res.replication.key] = res.metrics
                executed += 1
                bar.update()
                if on_result is not None:
                    on_result(res)
        except BaseException:
            if catalogue is not None and comparison_id is not None:
                catalogue.finish_comparison(
                    comparison_id, result={}, executed=executed, from_catalogue=len(reps_list) - len(pending),
                    status="failed",
                )
            raise
        finally:
            bar.close()
            if own:
                exe.close()
    data = _statistics(
        metrics,
        plan_ids=plan_ids,
        seeds=[seed + i for i in range(reps)],
        rank_by=rank_by,
        boot_seed=(seed, reps),
    )
    data = {
        "scenario": scenario.name,
        "scenario_file": scenario.source,
        "scenario_sha256": scenario.sha256,
        "plans": plan_ids,
        "reps": reps,
        "seed": seed,
        "seeds": [seed + i for i in range(reps)],
        "common_random_numbers": "replication i of every plan uses root seed S+i",
        "agents": n_agents,
        "calibration": calib,
        "code_version": version,
        "executor": str(exe_name),
        "db": None if catalogue is None else str(catalogue.path),
        "comparison_id": comparison_id,
        "executed": executed,
        "from_catalogue": len(reps_list) - len(pending),
        **data,
    }
    if catalogue is not None and comparison_id is not None:
        catalogue.finish_comparison(
            comparison_id, result=data, executed=executed, from_catalogue=len(reps_list) - len(pending)
        )
    return Comparison(data)


def _statistics(
    metrics: dict[tuple[str, int], dict[str, float]],
    *,
    plan_ids: Sequence[str],
    seeds: Sequence[int],
    rank_by: str,
    boot_seed: tuple[int, int],
) -> dict[str, Any]:
    names = sorted({m for vals in metrics.values() for m in vals})
    by_metric: dict[str, dict[str, dict[int, float]]] = {
        m: {p: {s: metrics[(p, s)][m] for s in seeds if m in metrics[(p, s)]} for p in plan_ids} for m in names
    }
    out_metrics: dict[str, Any] = {}
    pairwise: dict[str, Any] = {}
    for m in names:
        per_plan = {}
        for p in plan_ids:
            vals = [by_metric[m][p][s] for s in seeds if s in by_metric[m][p]]
            d = describe(vals)
            d["missing"] = len(seeds) - len(vals)
            per_plan[p] = d
        out_metrics[m] = {"direction": direction(m), "plans": per_plan}
        rows = []
        for i, a in enumerate(plan_ids):
            for b in plan_ids[i + 1 :]:
                rng = np.random.default_rng([boot_seed[0], boot_seed[1], zlib.crc32(f'{m}|{a}|{b}'.encode())])
                diff = paired_difference(m, by_metric[m][a], by_metric[m][b], rng=rng)
                rows.append({"a": a, "b": b, **diff})
        pairwise[m] = rows
    if rank_by in by_metric:
        rank = ranking_stability(
            by_metric[rank_by], rank_by, rng=np.random.default_rng([boot_seed[0], boot_seed[1], 0xB007])
        )
    else:
        rank = {"metric": rank_by, "available": False, "n_seeds": 0}
    runs = [
        {"plan": p, "seed": s, "metrics": dict(sorted(metrics[(p, s)].items()))} for p in plan_ids for s in seeds
    ]
    return {"metrics": out_metrics, "pairwise": pairwise, "ranking": rank, "runs": runs}


def _f(v: Any, nd: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    return str(v)


def format_comparison(data: dict[str, Any]) -> str:
    """A readable report of a comparison: per-metric tables, pairwise differences, ranking stability."""
    lines = [
        f"scenario   {data['scenario']}  ({data['scenario_file']}, sha256 {data['scenario_sha256'][:12]})",
        f"plans      {', '.join(data['plans'])}",
        f"replications {data['reps']} per plan, seeds {data['seeds'][0]}..{data['seeds'][-1]} "
        f"(common random numbers), {data['agents']:,} persons, calibration {data['calibration']}",
        f"runs       {data['executed']} executed ({data['executor']}), {data['from_catalogue']} from the catalogue"
        + (f" {data['db']}" if data.get("db") else ""),
        "",
    ]
    way_text = {"lower": "lower is better", "higher": "higher is better", "neutral": "no preferred direction"}
    for m, entry in data["metrics"].items():
        lines.append(f"{m}  ({way_text[entry['direction']]})")
        lines.append(
            f"  {'plan':<14}{'n':>4}{'mean':>11}{'sd':>9}{'p5':>10}{'p50':>10}{'p95':>10}   {'95 % CI of mean'}"
        )
        for p, st in entry["plans"].items():
            if not st.get("available"):
                lines.append(f"  {p:<14}{0:>4}   not available (missing in {st['missing']} runs)")
                continue
            ci = st["ci95"]
            ci_text = "—" if ci is None else f"[{_f(ci[0])}, {_f(ci[1])}]"
            miss = f"  ({st['missing']} missing)" if st["missing"] else ""
            lines.append(
                f"  {p:<14}{st['n']:>4}{_f(st['mean']):>11}{_f(st['sd']):>9}{_f(st['p5']):>10}{_f(st['p50']):>10}"
                f"{_f(st['p95']):>10}   {ci_text}{miss}"
            )
        if entry["direction"] != "neutral":
            for row in data["pairwise"][m]:
                if not row.get("available"):
                    lines.append(f"  {row['a']} − {row['b']}: not available (no seed where both have it)")
                    continue
                ci = row["ci95"]
                ci_text = "—" if ci is None else f"[{_f(ci[0])}, {_f(ci[1])}]"
                lines.append(
                    f"  {row['a']} − {row['b']}: {_f(row['mean_diff'])} {ci_text}  "
                    f"P({row['a']} better): seeds {_f(row['p_better_seeds'])}, normal {_f(row['p_better_normal'])}, "
                    f"mean (bootstrap) {_f(row['p_mean_better_bootstrap'])}"
                )
        lines.append("")
    rank = data["ranking"]
    if rank.get("available"):
        lines.append(
            f"ranking by mean {rank['metric']}, best first: {', '.join(rank['order'])}; unchanged in "
            f"{rank['stability'] * 100:.1f} % of {rank['resamples']} bootstrap resamples of {rank['n_seeds']} seeds"
        )
    else:
        lines.append(f"ranking by {rank['metric']}: not available (no seed where every plan has it)")
    return "\n".join(lines)
