"""Labelers: who supplies the labels of queried samples.

A labeler decides, once per (seed, dataset, repetition, labeler), the label each training
sample *would* receive. Drawing the noise per sample up front keeps common random numbers:
every strategy of a repetition that queries a sample gets the same answer for it.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from albench.registry import LABELERS
from albench.strategies.base import check_float


class Labeler(BaseEstimator):
    """Base class: map true training labels to the labels this labeler reveals."""

    def __init__(self) -> None:  # so that an unknown parameter is named, not "takes no arguments"
        pass

    def validate(self) -> None:
        """Raise an input error naming a bad parameter."""

    def answers(self, y_true: np.ndarray, n_classes: int, rng: np.random.Generator) -> np.ndarray:
        """Return the label revealed for every training sample, should it be queried."""
        raise NotImplementedError


@LABELERS.register("oracle", description="Exact oracle: reveals the true label")
class Oracle(Labeler):
    """Reveal the true label."""

    def answers(self, y_true: np.ndarray, n_classes: int, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(y_true, dtype=np.int64).copy()


@LABELERS.register(
    "noisy",
    description="Noisy annotator: with probability noise_rate answers a uniformly random other class",
    reference="uniform class-flip label noise (e.g. Frenay & Verleysen 2014)",
)
class NoisyOracle(Labeler):
    """Flip each answer, with probability ``noise_rate``, to a uniformly chosen other class."""

    def __init__(self, noise_rate: float = 0.1) -> None:
        self.noise_rate = noise_rate

    def validate(self) -> None:
        check_float("noise_rate", self.noise_rate, 0.0, 1.0)

    def answers(self, y_true: np.ndarray, n_classes: int, rng: np.random.Generator) -> np.ndarray:
        y_true = np.asarray(y_true, dtype=np.int64)
        flip = rng.random(y_true.shape[0]) < self.noise_rate
        shift = rng.integers(1, n_classes, size=y_true.shape[0])
        return np.where(flip, (y_true + shift) % n_classes, y_true)
