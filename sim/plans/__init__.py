"""The plan layer: plans compared over replications, local or Dask execution, the run catalogue, readiness
scorecards, drill scripts (MSEL) and drill evaluation.

::

    from sim.plans import Catalogue, compare
    with Catalogue("runs.sqlite") as cat:
        result = compare("scenarios/bottleneck.yaml", plans=["A", "B"], reps=10, agents=60, catalogue=cat)
    result["ranking"]["order"]        # best first, by mean evacuation time
    print(result.table())

Replication ``i`` of every plan uses root seed ``S + i`` (common random numbers); results are keyed and ordered
by ``(plan, seed)``, so they do not depend on the executor (local processes or ``dask://HOST:PORT``).
"""

from sim.plans.catalogue import Catalogue, default_db_path
from sim.plans.compare import Comparison, compare, format_comparison
from sim.plans.drill import Drill, design_drill, write_msel
from sim.plans.evaluate import Evaluation, evaluate_drill
from sim.plans.metrics import METRIC_DIRECTIONS, collect_metrics, direction, timeline_metrics
from sim.plans.replicate import (
    DaskExecutor,
    LocalExecutor,
    Replication,
    ReplicationResult,
    make_executor,
    replications,
    run_all,
    run_replication,
)
from sim.plans.scorecard import Rubric, Scorecard, load_rubric, score, scorecard

__all__ = [
    "Catalogue",
    "default_db_path",
    "compare",
    "Comparison",
    "format_comparison",
    "Replication",
    "ReplicationResult",
    "replications",
    "run_replication",
    "run_all",
    "LocalExecutor",
    "DaskExecutor",
    "make_executor",
    "collect_metrics",
    "timeline_metrics",
    "direction",
    "METRIC_DIRECTIONS",
    "Rubric",
    "Scorecard",
    "load_rubric",
    "score",
    "scorecard",
    "Drill",
    "design_drill",
    "write_msel",
    "Evaluation",
    "evaluate_drill",
]
