"""Uncertainty kernels over probabilities or decision values (higher score = more uncertain).

Every kernel costs O(n * k) for n rows and k columns and allocates O(n) besides its input.
"""

from __future__ import annotations

import numpy as np


def _top_two(proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest and second-largest value of each row in O(n * k) (second is 0 with one column)."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2 or proba.shape[1] == 0:
        raise ValueError(f"expected a 2-D array with at least one column, got shape {proba.shape}")
    if proba.shape[1] == 1:
        return proba[:, 0], np.zeros(proba.shape[0])
    part = np.partition(proba, -2, axis=1)
    return part[:, -1], part[:, -2]


def least_confident_scores(proba: np.ndarray) -> np.ndarray:
    """``1 - max_c p(c | x)`` (Lewis & Gale 1994)."""
    top1, _ = _top_two(proba)
    return 1.0 - top1


def margin_scores(proba: np.ndarray) -> np.ndarray:
    """``-(p_(1) - p_(2))``, minus the gap between the two most probable classes (Scheffer et al. 2001)."""
    top1, top2 = _top_two(proba)
    return -(top1 - top2)


def entropy_scores(proba: np.ndarray) -> np.ndarray:
    """Shannon entropy ``-sum_c p log p`` in nats, with ``0 log 0 = 0`` (Settles 2009)."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2:
        raise ValueError(f"expected a 2-D array, got shape {proba.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(proba > 0, proba * np.log(proba), 0.0)
    return -terms.sum(axis=1)


def decision_margin_scores(decision: np.ndarray) -> np.ndarray:
    """Margin from decision values, for models without probabilities.

    Binary (1-D input): ``-|f(x)|``, minus the distance to the boundary (Tong & Koller 2001).
    Multi-class (one column per class, one-vs-rest): minus the gap between the two largest
    decision values.
    """
    decision = np.asarray(decision, dtype=np.float64)
    if decision.ndim == 1:
        return -np.abs(decision)
    if decision.ndim == 2 and decision.shape[1] == 1:
        return -np.abs(decision[:, 0])
    top1, top2 = _top_two(decision)
    return -(top1 - top2)


def ratio_scores(proba: np.ndarray) -> np.ndarray:
    """``p_(2) / p_(1)``, the ratio of the second-largest to the largest probability.

    Ranking by the highest ``p_(2) / p_(1)`` is ranking by the *smallest* ratio
    ``p_(1) / p_(2)`` of the top two probabilities ("ratio of confidence", e.g. Munro,
    Human-in-the-Loop Machine Learning, 2021). Scores lie in ``[0, 1]``; one column gives 0.
    """
    top1, top2 = _top_two(proba)
    return np.divide(top2, top1, out=np.ones_like(top1), where=top1 > 0)


#: Names accepted by :func:`uncertainty_measure`.
UNCERTAINTY_MEASURES = ("least_confident", "margin", "entropy")


def uncertainty_measure(proba: np.ndarray, kind: str = "entropy") -> np.ndarray:
    """A non-negative uncertainty in ``[0, 1]``, for strategies that multiply or mix it.

    ``least_confident``: ``1 - p_(1)``; ``margin``: ``1 - (p_(1) - p_(2))``; ``entropy``:
    the entropy divided by ``log k`` (0 with a single column).
    """
    if kind == "least_confident":
        return least_confident_scores(proba)
    if kind == "margin":
        return 1.0 + margin_scores(proba)
    if kind == "entropy":
        proba = np.asarray(proba, dtype=np.float64)
        k = proba.shape[1]
        return entropy_scores(proba) / np.log(k) if k > 1 else np.zeros(proba.shape[0])
    raise ValueError(f"unknown uncertainty measure {kind!r}; allowed: {', '.join(UNCERTAINTY_MEASURES)}")
