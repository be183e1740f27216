"""drillsim: emergency drill and incident simulation.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/bottleneck.yaml")
    result = sim.run(scenario, plan="A", seed=1)
    result["evacuation_time_s"]
"""

# ruff: noqa: E402 (numba is configured before any module with kernels is imported)
from sim.jit import configure

configure()  # before anything is compiled: the same numbers on every x86-64 machine, a fresh cache per source

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
