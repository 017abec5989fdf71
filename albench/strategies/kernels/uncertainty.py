"""Uncertainty kernels over probabilities or decision values (higher score = more uncertain).

Every kernel costs O(n * k) for n rows and k columns, allocates O(n) besides its input (the
NumPy path adds one block of :data:`CHUNK_ROWS` rows, never an n x k temporary) and keeps
float32 input in float32. Each has a NumPy reference (``*_numpy``); the compiled path of
:mod:`~albench.strategies.kernels._compiled` is taken when numba is installed.
"""

from __future__ import annotations

import numpy as np

from albench.strategies.kernels import _compiled

#: Rows per block of the NumPy path: its temporaries are at most this many rows (never N x C).
CHUNK_ROWS = 4096
#: Values per block of the entropy (a cache-resident buffer).
ENTROPY_BLOCK_VALUES = 32768


def as_scores_input(values: np.ndarray, ndim: int | None = 2) -> np.ndarray:
    """The input as a float32 or float64 array (other dtypes become float64; no copy otherwise).

    Raises
    ------
    ValueError
        When ``ndim`` is given and the array has another number of dimensions or no column.
    """
    values = np.asarray(values)
    if values.dtype not in (np.float32, np.float64):
        values = values.astype(np.float64)
    if ndim is not None and (values.ndim != ndim or (ndim == 2 and values.shape[1] == 0)):
        raise ValueError(f"expected a {ndim}-D array with at least one column, got shape {values.shape}")
    return values


def _chunks(n: int):
    for start in range(0, n, CHUNK_ROWS):
        yield slice(start, min(start + CHUNK_ROWS, n))


def top_two_numpy(proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest and second-largest value of each row, NumPy reference path.

    The second is the largest again when it repeats, and 0 with a single column. Partitions
    blocks of :data:`CHUNK_ROWS` rows, so extra memory is O(n) plus one block.
    """
    P = as_scores_input(proba)
    n, k = P.shape
    if k == 1:
        return P[:, 0].copy(), np.zeros(n, dtype=P.dtype)
    top1, top2 = np.empty(n, dtype=P.dtype), np.empty(n, dtype=P.dtype)
    for sl in _chunks(n):
        part = np.partition(P[sl], -2, axis=1)
        top1[sl], top2[sl] = part[:, -1], part[:, -2]
    return top1, top2


def least_confident_numpy(proba: np.ndarray) -> np.ndarray:
    """NumPy reference of :func:`least_confident_scores`."""
    P = as_scores_input(proba)
    return 1 - P.max(axis=1)


def margin_numpy(proba: np.ndarray) -> np.ndarray:
    """NumPy reference of :func:`margin_scores`."""
    top1, top2 = top_two_numpy(proba)
    return -(top1 - top2)


def ratio_numpy(proba: np.ndarray) -> np.ndarray:
    """NumPy reference of :func:`ratio_scores`."""
    top1, top2 = top_two_numpy(proba)
    return np.divide(top2, top1, out=np.ones_like(top1), where=top1 > 0)


def entropy_numpy(proba: np.ndarray) -> np.ndarray:
    """Blocked NumPy entropy, the reference and (being faster than a compiled scalar loop) the only path.

    Per block of about 32k values (cache-resident): ``log(max(p, tiny))`` in place (NumPy's
    SIMD logarithm), times ``p``, row sums by a matrix-vector product. ``max(p, tiny)`` makes
    ``0 log 0 = 0`` without a mask; a subnormal ``p`` contributes ``p log tiny`` instead of
    ``p log p`` (below 1e-305).
    """
    P = as_scores_input(proba)
    n, k = P.shape
    out = np.empty(n, dtype=P.dtype)
    rows = max(1, ENTROPY_BLOCK_VALUES // k)
    buf = np.empty((min(rows, n), k), dtype=P.dtype)
    ones = np.ones(k, dtype=P.dtype)
    tiny = np.finfo(P.dtype).tiny
    for start in range(0, n, rows):
        block = P[start : start + rows]
        b = buf[: block.shape[0]]
        np.maximum(block, tiny, out=b)
        np.log(b, out=b)
        b *= block
        np.matmul(b, ones, out=out[start : start + rows])
    return np.negative(out, out=out)


def least_confident_scores(proba: np.ndarray) -> np.ndarray:
    """``1 - max_c p(c | x)`` (Lewis & Gale 1994).

    Parameters
    ----------
    proba : ndarray of shape (n, k)
        Class probabilities; float32 stays float32.

    Returns
    -------
    ndarray of shape (n,)
    """
    P = as_scores_input(proba)
    return _compiled.least_confident(P) if _compiled.enabled() else least_confident_numpy(P)


def margin_scores(proba: np.ndarray) -> np.ndarray:
    """``-(p_(1) - p_(2))``, minus the gap between the two most probable classes (Scheffer et al. 2001)."""
    P = as_scores_input(proba)
    return _compiled.margin(P) if _compiled.enabled() else margin_numpy(P)


def entropy_scores(proba: np.ndarray) -> np.ndarray:
    """Shannon entropy ``-sum_c p log p`` in nats, with ``0 log 0 = 0`` (Settles 2009).

    Computed in the input's precision (float32 stays float32).
    """
    return entropy_numpy(proba)


def decision_margin_scores(decision: np.ndarray) -> np.ndarray:
    """Margin from decision values, for models without probabilities.

    Binary (1-D input): ``-|f(x)|``, minus the distance to the boundary (Tong & Koller 2001).
    Multi-class (one column per class, one-vs-rest): minus the gap between the two largest
    decision values.
    """
    decision = as_scores_input(decision, ndim=None)
    if decision.ndim == 1:
        return -np.abs(decision)
    if decision.ndim == 2 and decision.shape[1] == 1:
        return -np.abs(decision[:, 0])
    return margin_scores(decision)


def ratio_scores(proba: np.ndarray) -> np.ndarray:
    """``p_(2) / p_(1)``, the ratio of the second-largest to the largest probability.

    Ranking by the highest ``p_(2) / p_(1)`` is ranking by the *smallest* ratio
    ``p_(1) / p_(2)`` of the top two probabilities ("ratio of confidence", e.g. Munro,
    Human-in-the-Loop Machine Learning, 2021). Scores lie in ``[0, 1]``; one column gives 0.
    """
    P = as_scores_input(proba)
    return _compiled.ratio(P) if _compiled.enabled() else ratio_numpy(P)


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
        proba = as_scores_input(proba)
        k = proba.shape[1]
        return entropy_scores(proba) / np.log(k) if k > 1 else np.zeros(proba.shape[0])
    raise ValueError(f"unknown uncertainty measure {kind!r}; allowed: {', '.join(UNCERTAINTY_MEASURES)}")
