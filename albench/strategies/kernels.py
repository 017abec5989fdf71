"""Pure scoring kernels and the shared top-k selection (DESIGN invariant 7).

Convention: a **higher score means more worth querying**. Kernels take arrays and return a
1-D float array of scores, one per row; they hold no state and loop over no samples.
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


def select_top_k(scores: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of the ``k`` highest scores, in O(n).

    Tie-breaking rule: samples scoring strictly above the k-th highest score are always
    taken; the remaining places go to samples whose score equals it, chosen uniformly at
    random (without replacement) with ``rng``. The result is sorted by decreasing score
    (ties in random order), so it depends only on the scores and the state of ``rng``.

    Parameters
    ----------
    scores : ndarray of shape (n,)
        Higher is better; NaN counts as the lowest possible score.
    k : int
        How many to select; ``min(k, n)`` are returned.
    rng : numpy.random.Generator
        Source of randomness for the tie-break (consumed only when there is a tie at the
        threshold).

    Returns
    -------
    ndarray of int64
        Distinct indices into ``scores``.
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    n = scores.shape[0]
    k = int(min(max(k, 0), n))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    scores = np.where(np.isnan(scores), -np.inf, scores)
    # k-th largest value in O(n)
    threshold = np.partition(scores, n - k)[n - k]
    above = np.flatnonzero(scores > threshold)
    tied = np.flatnonzero(scores == threshold)
    need = k - above.shape[0]
    if need < tied.shape[0]:
        tied = rng.choice(tied, size=need, replace=False)
    else:
        tied = rng.permutation(tied)
    order = np.argsort(-scores[above], kind="stable")
    return np.concatenate([above[order], tied]).astype(np.int64)
