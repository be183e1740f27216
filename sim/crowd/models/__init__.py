"""Pedestrian models: the interface and the implementations, by the id scenario files use."""

from collections.abc import Callable

from sim.crowd.models.base import PedestrianModel, StepContext
from sim.crowd.models.csm import CollisionFreeSpeedModel, CSMParameters

__all__ = ["PedestrianModel", "StepContext", "CollisionFreeSpeedModel", "CSMParameters", "MODELS"]

#: Model id (``simulation.model`` in a scenario) -> constructor taking the calibration's parameters.
MODELS: dict[str, Callable[..., PedestrianModel]] = {CollisionFreeSpeedModel.id: CollisionFreeSpeedModel}
