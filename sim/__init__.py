"""drillsim: emergency drill and incident simulation.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/bottleneck.yaml")
    result = sim.run(scenario, plan="A", seed=1)
    result["evacuation_time_s"]
"""

# ruff: noqa: E402 (the CPU target is set before any module that compiles kernels is imported)
from sim.cpu_target import pin

pin()  # before anything is compiled: the same numbers on every x86-64 machine (see sim.cpu_target)

from sim.errors import GeometryError, ScenarioError, SimError
from sim.results import RunResult
from sim.run import run
from sim.scenario import Scenario, load_scenario, scenario_from_dict
from sim.version import __version__

__all__ = [
    "load_scenario",
    "scenario_from_dict",
    "run",
    "Scenario",
    "RunResult",
    "SimError",
    "ScenarioError",
    "GeometryError",
    "__version__",
]
