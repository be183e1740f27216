"""Pedestrian models: the interface and the implementations, by the id scenario files use."""

from sim.crowd.models.base import PedestrianModel, StepContext
from sim.crowd.models.csm import CollisionFreeSpeedModel, CSMParameters

__all__ = ["PedestrianModel", "StepContext", "CollisionFreeSpeedModel", "CSMParameters", "MODELS"]

#: Model id (``simulation.model`` in a scenario) -> class.
MODELS: dict[str, type[PedestrianModel]] = {CollisionFreeSpeedModel.id: CollisionFreeSpeedModel}
