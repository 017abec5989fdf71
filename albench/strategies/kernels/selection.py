"""The shared top-k selection every score-based strategy ends with (DESIGN invariant 7)."""

from __future__ import annotations

import numpy as np

from albench.strategies.kernels import _compiled


def select_top_k(scores: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of the ``k`` highest scores, in O(n).

    Tie-breaking rule: samples scoring strictly above the k-th highest score are always
    taken; the remaining places go to samples whose score equals it, chosen uniformly at
    random (without replacement) with ``rng`` as ``rng.choice(tied, size=need,
    replace=False)`` over their indices in ascending order (``rng.permutation(tied)`` when
    all of them are needed). The result is sorted by decreasing score (equal scores above
    the threshold in index order, then the ties in random order), so it depends only on the
    scores and the state of ``rng``, identically on the NumPy and the compiled path. float32
    scores are compared in float32 (no copy to float64).

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
    scores = np.asarray(scores)
    if scores.dtype not in (np.float32, np.float64):
        scores = scores.astype(np.float64)
    scores = scores.reshape(-1)
    n = scores.shape[0]
    k = int(min(max(k, 0), n))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    if _compiled.enabled():
        above, tied = _compiled.split_at_kth_ordered(scores, k)
    else:
        above, tied = split_at_kth_numpy(scores, k)
        above = above[np.argsort(-scores[above], kind="stable")]
    return append_ties(above, tied, k, rng)


def append_ties(above: np.ndarray, tied: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """The batch of :func:`select_top_k` from its split at the k-th largest score.

    Parameters
    ----------
    above : ndarray of int
        Indices scoring strictly above the k-th largest score, by decreasing score (equal
        scores in index order).
    tied : ndarray of int
        Indices (ascending) scoring exactly the k-th largest score.
    k : int
        Batch size, ``len(above) < k <= len(above) + len(tied)``.
    rng : numpy.random.Generator
        Consumed by the tie-break as documented in :func:`select_top_k`.

    Returns
    -------
    ndarray of int64
    """
    need = k - above.shape[0]
    if need < tied.shape[0]:
        tied = rng.choice(tied, size=need, replace=False)
    elif tied.shape[0] > 1:  # a permutation of one index draws nothing from rng
        tied = rng.permutation(tied)
    return np.concatenate((above, tied)).astype(np.int64, copy=False)


def split_at_kth_numpy(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (ascending) strictly above and equal to the k-th largest score, in O(n).

    NaN counts as ``-inf``. The NumPy reference of the compiled path; ``1 <= k <= n``.
    """
    n = scores.shape[0]
    nan = np.isnan(scores)
    if nan.any():
        scores = np.where(nan, -np.inf, scores)
    threshold = np.partition(scores, n - k)[n - k]
    return np.flatnonzero(scores > threshold), np.flatnonzero(scores == threshold)
