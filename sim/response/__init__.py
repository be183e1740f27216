"""The emergency-response engine: incidents, dispatch of teams over a road network, tasks, hospitals.

Typical use::

    from sim.response import load_response_section, simulate_response, summary
    from sim.seeding import stream

    config = load_response_section("scenarios/districts/riverside_response.yaml", plan="base")
    result = simulate_response(config, alarm_time_s=0.0, rng=stream(1, "response"), seed=1)
    summary(result)["first_unit_s"]

With the crowd engine, pass its ``simpy.Environment`` as ``env=`` before running it (one clock).
"""

from sim.response.commands import load_response_section
from sim.response.config import (
    ResponseConfig,
    ResponsePlanChanges,
    apply_response_plan_changes,
    read_response,
    read_response_plan_changes,
)
from sim.response.engine import Casualty, simulate_response
from sim.response.metrics import Replications, replicate_response, summary
from sim.response.results import ResponseResult

__all__ = [
    "Casualty",
    "ResponseConfig",
    "ResponsePlanChanges",
    "ResponseResult",
    "Replications",
    "apply_response_plan_changes",
    "load_response_section",
    "read_response",
    "read_response_plan_changes",
    "replicate_response",
    "simulate_response",
    "summary",
]
