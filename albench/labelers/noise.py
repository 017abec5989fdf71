"""The exact oracle and the noisy annotators: uniform flips, a confusion matrix, boundary noise."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from albench.errors import AlbenchInputError
from albench.labelers.base import Labeler, LabelerState
from albench.registry import LABELERS
from albench.strategies.base import check_float


@LABELERS.register("oracle", description="Exact oracle: reveals the true label")
class Oracle(Labeler):
    """Reveal the true label."""

    def answers(self, y_true: np.ndarray, n_classes: int, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(y_true, dtype=np.int64).copy()


def flip_to_other(
    y_true: np.ndarray, flip: np.ndarray, n_classes: int, rng: np.random.Generator
) -> np.ndarray:
    """Where ``flip`` holds, replace the label by a uniformly drawn other class."""
    shift = rng.integers(1, n_classes, size=y_true.shape[0])
    return np.where(flip, (y_true + shift) % n_classes, y_true)


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
        return flip_to_other(y_true, flip, n_classes, rng)


@LABELERS.register(
    "confusion",
    description="Class-conditional noise: answers drawn from row y of a confusion matrix P(answer | true)",
    reference="class-conditional label noise (Frenay & Verleysen 2014, NCAR model)",
)
class ConfusionNoise(Labeler):
    """Answer class ``j`` for a sample of true class ``i`` with probability ``matrix[i][j]``.

    Parameters
    ----------
    matrix : list of lists of float
        A square row-stochastic matrix with one row and column per class.
    """

    def __init__(self, matrix: list | None = None) -> None:
        self.matrix = matrix

    def validate(self) -> None:
        m = self._array()
        if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] < 2:
            raise AlbenchInputError(
                f"matrix = {self.matrix!r}: must be a square list of rows (one per class)"
            )
        if (m < 0).any() or not np.allclose(m.sum(axis=1), 1.0, atol=1e-9):
            raise AlbenchInputError(
                f"matrix = {self.matrix!r}: rows must be probabilities (>= 0) that sum to 1"
            )

    def _array(self) -> np.ndarray:
        if self.matrix is None:
            raise AlbenchInputError("matrix: required (a square row-stochastic list of rows, one per class)")
        try:
            return np.asarray(self.matrix, dtype=np.float64)
        except (TypeError, ValueError):
            raise AlbenchInputError(f"matrix = {self.matrix!r}: must be a list of rows of numbers") from None

    def answers(self, y_true: np.ndarray, n_classes: int, rng: np.random.Generator) -> np.ndarray:
        m = self._array()
        if m.shape[0] != n_classes:
            raise AlbenchInputError(
                f"labeler 'confusion': matrix has {m.shape[0]} rows, the dataset has {n_classes} classes"
            )
        y_true = np.asarray(y_true, dtype=np.int64)
        cum = np.cumsum(m, axis=1)
        cum[:, -1] = 1.0
        u = rng.random(y_true.shape[0])
        return (u[:, None] >= cum[y_true]).sum(axis=1).astype(np.int64)


def boundary_weights(X: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """``1 - margin`` of a reference logistic regression fitted on the whole training part.

    The margin is the gap between the two largest class probabilities: 0 on the class
    boundary, near 1 far from it.
    """
    Xs = StandardScaler().fit_transform(X)
    proba = LogisticRegression(max_iter=1000).fit(Xs, y_true).predict_proba(Xs)
    top = np.sort(proba, axis=1)
    return 1.0 - (top[:, -1] - top[:, -2])


@LABELERS.register(
    "boundary_noise",
    description="Sample-dependent noise: flips are likelier near the class boundary "
    "(a reference model's margin); noise_rate is the mean flip probability",
    reference="instance-dependent label noise (e.g. Du & Cai 2015)",
)
class BoundaryNoise(Labeler):
    """Flip sample ``i`` with probability ``noise_rate * w_i / mean(w)`` (capped at 1).

    ``w_i = 1 - margin_i`` of a reference logistic regression fitted on the training part
    with the true labels, so the average flip probability is ``noise_rate`` (unless the cap
    binds) and samples near the boundary are flipped most.
    """

    def __init__(self, noise_rate: float = 0.1) -> None:
        self.noise_rate = noise_rate

    def validate(self) -> None:
        check_float("noise_rate", self.noise_rate, 0.0, 1.0)

    def flip_probabilities(self, X: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        """Per-sample flip probability."""
        w = boundary_weights(X, y_true)
        mean = w.mean()
        if mean <= 0:
            return np.full(w.shape[0], float(self.noise_rate))
        return np.minimum(1.0, self.noise_rate * w / mean)

    def start(self, y_true, X, n_classes, rng) -> LabelerState:
        y_true = np.asarray(y_true, dtype=np.int64)
        flip = rng.random(y_true.shape[0]) < self.flip_probabilities(X, y_true)
        return LabelerState(flip_to_other(y_true, flip, n_classes, rng))
