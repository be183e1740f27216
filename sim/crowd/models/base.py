"""The interface every pedestrian model implements.

A pedestrian model turns the current state into a velocity per agent ("compute all"); the shared
integrator in :mod:`sim.crowd.kernels` then applies the velocities, keeps agents out of walls and detects
exit crossings ("then apply"). A second model (e.g. social force) plugs in by subclassing
:class:`PedestrianModel` and registering in :data:`sim.crowd.models.MODELS`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from sim.crowd.state import AgentState
from sim.crowd.world import World

__all__ = ["PedestrianModel", "StepContext"]


@dataclass
class StepContext:
    """What a model may read in one step besides the agent state.

    Attributes:
        world: the static world (walls, exits, navigation fields).
        exit_open: (K,) uint8, 1 where the exit is open.
        cell_of, cell_start, cell_items: the neighbour cell list of this step.
        t: current time [s].
        dt: time step [s].
    """

    world: World
    exit_open: np.ndarray
    cell_of: np.ndarray
    cell_start: np.ndarray
    cell_items: np.ndarray
    t: float
    dt: float


class PedestrianModel(ABC):
    """A microscopic pedestrian model: computes each moving agent's velocity for the next step."""

    #: Short id used in scenario files (``simulation.model``).
    id: str = ""

    @property
    @abstractmethod
    def cutoff(self) -> float:
        """Interaction range [m]; the neighbour grid uses cells of this size."""

    @property
    def wall_fraction(self) -> float:
        """Hard minimum distance from walls as a fraction of the body radius (enforced by the integrator)."""
        return 0.5

    @abstractmethod
    def velocities(self, state: AgentState, ctx: StepContext, out: np.ndarray) -> None:
        """Write the velocity [m/s] of every agent into ``out`` (N, 2); zero for agents not moving."""
