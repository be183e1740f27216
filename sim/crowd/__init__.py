"""The crowd engine: agent-based evacuation in continuous space, numba kernels, mesa lifecycle."""
