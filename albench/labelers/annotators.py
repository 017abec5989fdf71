"""Several simulated annotators with their own accuracies; one answers, or k vote."""

from __future__ import annotations

import numpy as np

from albench.errors import AlbenchInputError
from albench.labelers.base import Labeler, LabelerState
from albench.registry import LABELERS
from albench.strategies.base import check_int


@LABELERS.register(
    "annotators",
    description="Several annotators with their own accuracies: a query is answered by one drawn at "
    "random, or by `votes` of them with majority vote (costing `votes` labels)",
    reference="multiple noisy annotators (e.g. ALiPy's oracles, Yan et al. 2011)",
)
class Annotators(Labeler):
    """A crowd of annotators.

    Annotator ``a`` answers correctly with probability ``accuracies[a]``, else a uniformly
    drawn other class. Each query is answered by ``votes`` distinct annotators drawn at
    random; the majority answer is revealed (a tie goes to the first drawn annotator's
    answer when it is among the tied, else to the lowest tied class). A query costs
    ``votes`` labels.

    Parameters
    ----------
    accuracies : list of float
        Each annotator's accuracy, in [0, 1].
    votes : int
        Annotators asked per query, between 1 and ``len(accuracies)``.
    """

    def __init__(self, accuracies: list | None = None, votes: int = 1) -> None:
        self.accuracies = accuracies
        self.votes = votes

    def validate(self) -> None:
        acc = self.accuracies
        if (
            not isinstance(acc, list)
            or not acc
            or not all(isinstance(a, (int, float)) and not isinstance(a, bool) and 0 <= a <= 1 for a in acc)
        ):
            raise AlbenchInputError(
                f"accuracies = {acc!r}: must be a non-empty list of accuracies in [0, 1], one per annotator"
            )
        check_int("votes", self.votes, 1, len(acc))

    def start(self, y_true, X, n_classes, rng) -> LabelerState:
        y_true = np.asarray(y_true, dtype=np.int64)
        n, A, k = y_true.shape[0], len(self.accuracies), int(self.votes)
        acc = np.asarray(self.accuracies, dtype=np.float64)
        wrong = rng.random((n, A)) >= acc[None, :]
        shift = rng.integers(1, n_classes, size=(n, A))
        said = np.where(wrong, (y_true[:, None] + shift) % n_classes, y_true[:, None])
        order = np.argsort(rng.random((n, A)), axis=1)[:, :k]  # the k annotators asked, in draw order
        asked = np.take_along_axis(said, order, axis=1)
        answers = majority(asked, n_classes)
        return LabelerState(answers, labels_per_query=k)


def majority(votes: np.ndarray, n_classes: int) -> np.ndarray:
    """Majority answer of each row; ties go to the first vote if it is tied, else the lowest class."""
    n = votes.shape[0]
    counts = np.zeros((n, n_classes), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(n), votes.shape[1]), votes.ravel()), 1)
    best = counts.max(axis=1)
    first = votes[:, 0]
    return np.where(counts[np.arange(n), first] == best, first, counts.argmax(axis=1)).astype(np.int64)
