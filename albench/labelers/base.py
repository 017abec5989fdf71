"""The labeler interface and the per-cell labeler state the loop talks to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator


@dataclass(frozen=True)
class Answered:
    """What the labeler revealed for one batch of queries.

    Attributes
    ----------
    labels : ndarray of int64
        The revealed label of each queried position, ``-1`` where the query was refused.
    refused : ndarray of bool
        Where the annotator refused to answer.
    cost : float
        Cost of the batch (refusals cost too).
    """

    labels: np.ndarray
    refused: np.ndarray
    cost: float


class LabelerState:
    """A labeler's answers for one cell, drawn up front (common random numbers).

    Parameters
    ----------
    answers : ndarray of int64, shape (n_train,)
        The label revealed for every training position, should it be queried.
    costs : ndarray of float, shape (n_train,), optional
        Cost of one query of each position (default: ``labels_per_query`` each).
    labels_per_query : int
        Labels bought per query (``k`` for a vote of ``k`` annotators); what a budget in
        labels counts.
    refusals : ndarray of bool, shape (n_train, n_attempts), optional
        Whether the ``a``-th query of a position is refused (attempts beyond the last column
        reuse the columns cyclically).
    refused_leave_pool : bool
        A refused position leaves the pool (``True``) or returns to it.
    """

    def __init__(
        self,
        answers: np.ndarray,
        costs: np.ndarray | None = None,
        labels_per_query: int = 1,
        refusals: np.ndarray | None = None,
        refused_leave_pool: bool = False,
    ) -> None:
        self.answers = np.asarray(answers, dtype=np.int64)
        n = self.answers.shape[0]
        self.labels_per_query = int(labels_per_query)
        self.costs = (
            np.full(n, float(labels_per_query)) if costs is None else np.asarray(costs, dtype=np.float64)
        )
        self.refusals = refusals
        self.refused_leave_pool = refused_leave_pool
        self._attempts = np.zeros(n, dtype=np.int64)

    def price(self, positions: np.ndarray, unit: str) -> np.ndarray:
        """What querying each position takes from a budget counted in ``unit`` (labels or cost)."""
        if unit == "labels":
            return np.full(np.asarray(positions).shape[0], float(self.labels_per_query))
        return self.costs[positions]

    def answer(self, positions: np.ndarray) -> Answered:
        """Answer a batch of queries (in the order given)."""
        positions = np.asarray(positions, dtype=np.int64)
        if self.refusals is None:
            refused = np.zeros(positions.shape[0], dtype=bool)
        else:
            col = self._attempts[positions] % self.refusals.shape[1]
            refused = self.refusals[positions, col]
            self._attempts[positions] += 1
        labels = np.where(refused, -1, self.answers[positions])
        return Answered(labels.astype(np.int64), refused, float(self.costs[positions].sum()))

    def pseudo_labels(self, model, X: np.ndarray, pool: np.ndarray, n_classes: int, rnd: int):
        """Pool positions that join the next fit with the model's own label (none by default)."""
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)


class Labeler(BaseEstimator):
    """Base class of a labeler (scikit-learn style: ``__init__`` only stores parameters).

    A subclass overrides :meth:`answers` (a label per training sample) or, for costs,
    refusals or pseudo-labels, :meth:`start`.
    """

    def __init__(self) -> None:  # so that an unknown parameter is named, not "takes no arguments"
        pass

    #: Capabilities the model must have (checked before any work), e.g. ``{"proba"}``.
    needs: frozenset = frozenset()

    def validate(self) -> None:
        """Raise an input error naming a bad parameter."""

    def answers(self, y_true: np.ndarray, n_classes: int, rng: np.random.Generator) -> np.ndarray:
        """Return the label revealed for every training sample, should it be queried."""
        raise NotImplementedError

    def start(
        self, y_true: np.ndarray, X: np.ndarray, n_classes: int, rng: np.random.Generator
    ) -> LabelerState:
        """Draw this labeler's state for one cell.

        Parameters
        ----------
        y_true : ndarray of shape (n_train,)
            True labels of the training part, in pool order.
        X : ndarray of shape (n_train, n_features)
            Features of the training part as loaded (before scaling).
        n_classes : int
            Number of classes.
        rng : Generator
            The labeler's stream, seeded by (seed, dataset, repetition, labeler).
        """
        return LabelerState(self.answers(y_true, n_classes, rng))
