"""Probability distributions that scenario files use for speeds, pre-movement times and durations.

A distribution is data (``{dist: normal, mean: 1.34, sd: 0.26, min: 0.5, max: 2.2}``), validated when the
scenario is loaded and sampled with an explicit ``numpy.random.Generator``. ``min`` / ``max`` truncate the
distribution (by redrawing out-of-range values, so no probability mass piles up at the bounds).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

__all__ = ["Distribution", "DISTRIBUTION_PARAMS"]

#: Required and optional parameters of each distribution kind (besides the optional ``min`` / ``max``).
DISTRIBUTION_PARAMS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {
        "fixed": (("value",), ()),
        "uniform": (("low", "high"), ()),
        "normal": (("mean", "sd"), ()),
        # lognormal given by the mean and standard deviation of the variable itself (not of its log)
        "lognormal": (("mean", "sd"), ("loc",)),
        "weibull": (("shape", "scale"), ("loc",)),
        "gamma": (("shape", "scale"), ("loc",)),
    }
)


@dataclass(frozen=True, kw_only=True)
class Distribution:
    """A univariate distribution with optional truncation to ``[min, max]``.

    Attributes:
        dist: one of ``fixed, uniform, normal, lognormal, weibull, gamma``.
        params: the parameters of that kind (see :data:`DISTRIBUTION_PARAMS`), in the variable's unit.
        min: lower truncation bound (inclusive) or ``None``.
        max: upper truncation bound (inclusive) or ``None``.
    """

    dist: str
    params: Mapping[str, float]
    min: float | None = None
    max: float | None = None

    @classmethod
    def fixed(cls, value: float) -> Distribution:
        """A point mass at ``value``."""
        return cls(dist="fixed", params=MappingProxyType({"value": float(value)}))

    @property
    def mean(self) -> float:
        """The mean of the untruncated distribution (a planning figure, e.g. for the summary table)."""
        p = self.params
        loc = p.get("loc", 0.0)
        if self.dist == "fixed":
            return p["value"]
        if self.dist == "uniform":
            return 0.5 * (p["low"] + p["high"])
        if self.dist in ("normal", "lognormal"):
            return p["mean"] + (loc if self.dist == "lognormal" else 0.0)
        if self.dist == "weibull":
            try:
                return loc + p["scale"] * math.gamma(1.0 + 1.0 / p["shape"])
            except OverflowError:  # shape -> 0: the mean grows without bound
                return math.inf
        return loc + p["shape"] * p["scale"]  # gamma

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        p = self.params
        loc = p.get("loc", 0.0)
        if self.dist == "fixed":
            return np.full(n, p["value"], dtype=float)
        if self.dist == "uniform":
            return rng.uniform(p["low"], p["high"], n)
        if self.dist == "normal":
            return rng.normal(p["mean"], p["sd"], n)
        if self.dist == "lognormal":
            m, s = p["mean"], p["sd"]
            r = s / m
            # log(1 + r^2); for huge r (whose square would overflow) that is 2 log r to double precision
            sigma2 = math.log1p(r**2) if r < 1e150 else 2.0 * math.log(r)
            mu = math.log(m) - 0.5 * sigma2
            return loc + rng.lognormal(mu, math.sqrt(sigma2), n)
        if self.dist == "weibull":
            return loc + p["scale"] * rng.weibull(p["shape"], n)
        if self.dist == "gamma":
            return loc + rng.gamma(p["shape"], p["scale"], n)
        raise ValueError(f"unknown distribution {self.dist!r}")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values.

        Values outside ``[min, max]`` are redrawn (up to 50 rounds; any still outside are then clipped,
        which only happens when the bounds hold almost no probability mass).

        Args:
            rng: the generator to draw from (one of the run's named generators).
            n: number of values.

        Returns:
            Array of shape ``(n,)``.
        """
        out = self._draw(rng, n)
        lo = -np.inf if self.min is None else self.min
        hi = np.inf if self.max is None else self.max
        for _ in range(50):
            bad = (out < lo) | (out > hi)
            k = int(bad.sum())
            if k == 0:
                break
            out[bad] = self._draw(rng, k)
        return np.clip(out, lo, hi)

    def to_dict(self) -> dict[str, float | str]:
        """The scenario-file form of this distribution."""
        d: dict[str, float | str] = {"dist": self.dist, **self.params}
        if self.min is not None:
            d["min"] = self.min
        if self.max is not None:
            d["max"] = self.max
        return d
