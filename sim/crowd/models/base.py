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

    The neighbour search uses bins finer than the world's neighbour grid: each world cell (side
    ``world.cell_size``, the model's cut-off) is split into ``k x k`` bins (``k`` =
    :data:`sim.crowd.kernels.BIN_SPLIT`), numbered row-major, so a run of columns in one row of bins is a
    contiguous slice of ``order`` and ``sorted_xyr``.

    Attributes:
        world: the static world (walls, exits, navigation fields).
        exit_open: (K,) uint8, 1 where the exit is open.
        cell_of: (N,) world neighbour-grid cell of each agent (indexes ``world.cell_seg_*``), -1 once safe.
        n_inside: agents still inside (waiting or moving) this step: the valid length of ``order``.
        order: (N,) agent indices sorted by bin (first ``n_inside`` entries valid).
        sorted_xyr: (3, N) x, y and radius of the agents in ``order``'s order (first ``n_inside`` columns).
        bin_start: (bin_nx * bin_ny + 1,) CSR offsets of each bin's slice of ``order``.
        bin_x0, bin_y0, bin_size, bin_nx, bin_ny: origin [m], side [m] and counts of the bins.
        bin_max: the most agents in one bin this step (bounds the size of a neighbourhood).
        stripes: (5, L) float32 neighbourhood stripes (:func:`sim.crowd.kernels.build_stripes`): x and y
            relative to ``stripe_x0, stripe_y0``, radius and last walking direction (``AgentState.heading``)
            of the agents inside, arranged so that the ``(2 stripe_reach + 1)^2`` bins around any bin are
            one contiguous slice.
        stripe_start: (bin_ny, bin_nx + 1) where each column of each stripe starts.
        stripe_reach: rows and columns of bins on each side of a bin that its slice covers (the cut-off
            in bins).
        stripe_x0, stripe_y0: origin [m] of the stripes' coordinates.
        t: current time [s].
        dt: time step [s].
        heading_out: (N, 2) where a model writes each agent's walking direction of this step (the model
            reads last step's from ``stripes``; ``AgentState.heading`` and this
            buffer are swapped after the step).
    """

    world: World
    exit_open: np.ndarray
    cell_of: np.ndarray
    n_inside: int
    order: np.ndarray
    sorted_xyr: np.ndarray
    bin_start: np.ndarray
    bin_x0: float
    bin_y0: float
    bin_size: float
    bin_nx: int
    bin_ny: int
    bin_max: int
    stripes: np.ndarray
    stripe_start: np.ndarray
    stripe_reach: int
    stripe_x0: float
    stripe_y0: float
    t: float
    dt: float
    heading_out: np.ndarray


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

    @property
    def contact_overlap(self) -> float:
        """Largest overlap [m] of two bodies that a step deflected by a wall may create (negative: no limit).

        The integrator cuts such moves short (see :func:`sim.crowd.kernels.integrate`); the model's own
        velocities are its business.
        """
        return -1.0

    @abstractmethod
    def velocities(self, state: AgentState, ctx: StepContext, out: np.ndarray) -> None:
        """Write the velocity [m/s] of every agent into ``out`` (N, 2); zero for agents not moving."""
