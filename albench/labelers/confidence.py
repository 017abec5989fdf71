"""Confidence-based labeling in the spirit of CEAL (Wang et al. 2016).

Besides the human batch, pool samples the current model is confident about join the next
fit with the model's own label. They never spend budget, stay in the pool (a strategy may
still query them) and are re-decided every round.
"""

from __future__ import annotations

import numpy as np

from albench.labelers.base import LabelerState
from albench.labelers.noise import Oracle
from albench.registry import LABELERS
from albench.strategies.base import PROBA, check_choice, check_float, check_int, expand_proba


class ConfidentState(LabelerState):
    """Exact human answers plus pseudo-labels for confident pool samples."""

    def __init__(self, answers, labeler: ConfidentLabeler) -> None:
        super().__init__(answers)
        self.labeler = labeler

    def pseudo_labels(self, model, X, pool, n_classes, rnd):
        lab = self.labeler
        if pool.shape[0] == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        proba = expand_proba(model.predict_proba(X[pool]), model.classes_, n_classes)
        threshold = lab.threshold_at(rnd)
        if lab.criterion == "probability":
            score = proba.max(axis=1)
            keep = score > threshold
            order = np.argsort(-score, kind="stable")
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                score = -np.sum(np.where(proba > 0, proba * np.log(proba), 0.0), axis=1)
            keep = score < threshold
            order = np.argsort(score, kind="stable")
        chosen = order[keep[order]]
        if lab.max_per_round is not None:
            chosen = chosen[: lab.max_per_round]
        chosen = np.sort(chosen)
        return pool[chosen].astype(np.int64), proba[chosen].argmax(axis=1).astype(np.int64)


@LABELERS.register(
    "confident",
    description="Exact oracle plus CEAL-style pseudo-labels: confident pool samples (max probability "
    "above, or entropy below, a threshold decaying per round) join the fit with the model's label",
    reference="Wang, Zhang, Li, Zhang & Lin 2016, Cost-Effective Active Learning (CEAL)",
)
class ConfidentLabeler(Oracle):
    """The exact oracle for queries; the model itself for samples it is confident about.

    Parameters
    ----------
    criterion : {"probability", "entropy"}
        Confident means largest class probability ``> threshold``, or prediction entropy
        (natural log) ``< threshold``.
    threshold : float
        The threshold in round 1 (pseudo-labels are first decided by the round-0 model).
    decay : float
        Subtracted from the threshold every round (``threshold - decay * (round - 1)``,
        floored at 0): with entropy a stricter criterion over time, as in CEAL; with
        probability a looser one.
    max_per_round : int, optional
        At most this many pseudo-labels per round, the most confident first.
    """

    needs = frozenset({PROBA})

    def __init__(
        self,
        criterion: str = "probability",
        threshold: float = 0.95,
        decay: float = 0.0,
        max_per_round: int | None = None,
    ) -> None:
        self.criterion = criterion
        self.threshold = threshold
        self.decay = decay
        self.max_per_round = max_per_round

    def validate(self) -> None:
        check_choice("criterion", self.criterion, ("probability", "entropy"))
        if self.criterion == "probability":
            check_float("threshold", self.threshold, 0.0, 1.0)
        else:
            check_float("threshold", self.threshold, 0.0)
        check_float("decay", self.decay, 0.0)
        if self.max_per_round is not None:
            check_int("max_per_round", self.max_per_round, 1)

    def threshold_at(self, rnd: int) -> float:
        """The threshold used for the pseudo-labels of round ``rnd`` (>= 1)."""
        return max(0.0, float(self.threshold) - float(self.decay) * max(0, rnd - 1))

    def start(self, y_true, X, n_classes, rng) -> LabelerState:
        return ConfidentState(np.asarray(y_true, dtype=np.int64).copy(), self)
