"""The shared top-k selection every score-based strategy ends with (DESIGN invariant 7)."""

from __future__ import annotations

import numpy as np


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
