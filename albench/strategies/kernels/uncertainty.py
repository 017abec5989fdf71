"""Uncertainty kernels over probabilities or decision values (higher score = more uncertain).

Every kernel costs O(n * k) for n rows and k columns, allocates O(n) besides its input (the
NumPy path adds one block of :data:`CHUNK_ROWS` rows, never an n x k temporary) and keeps
float32 input in float32. Each has a NumPy reference (``*_numpy``); the compiled path of
:mod:`~albench.strategies.kernels._compiled` is taken when numba is installed.
"""

from __future__ import annotations

import numpy as np

from albench.strategies.kernels import _compiled
from albench.strategies.kernels.selection import append_ties, select_top_k

#: Rows per block of the NumPy path: its temporaries are at most this many rows (never N x C).
CHUNK_ROWS = 4096
#: Values per block of the entropy (a cache-resident buffer).
ENTROPY_BLOCK_VALUES = 32768
#: least confident: rows of at least this many columns take NumPy's row maximum (SIMD, as fast
#: as the memory floor there; the compiled scan is 1.1-1.3x slower from 512 columns on, and
#: 2-9x faster below 256; measured in one run on the shared 2-core machine)
LEAST_CONFIDENT_NUMPY_FROM = 512


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
    out = P.max(axis=1)
    return np.subtract(1, out, out=out)


def margin_numpy(proba: np.ndarray) -> np.ndarray:
    """NumPy reference of :func:`margin_scores`."""
    top1, top2 = top_two_numpy(proba)
    return -(top1 - top2)


def ratio_numpy(proba: np.ndarray) -> np.ndarray:
    """NumPy reference of :func:`ratio_scores`."""
    top1, top2 = top_two_numpy(proba)
    return np.divide(top2, top1, out=np.ones_like(top1), where=~(top1 <= 0))  # NaN stays NaN


def entropy_numpy(proba: np.ndarray) -> np.ndarray:
    """Blocked NumPy entropy, the reference and (being faster than a compiled scalar loop) the only path.

    Per block of about 32k values (cache-resident): ``log(max(p, tiny))`` in place (NumPy's
    SIMD logarithm), times ``p``, row sums by ``einsum``. ``max(p, tiny)`` makes
    ``0 log 0 = 0`` without a mask; a subnormal ``p`` contributes ``p log tiny`` instead of
    ``p log p`` (below 1e-305). ``einsum``'s sum of a row does not depend on where the row
    sits (a matrix-vector product's may), so a row's entropy is the same computed alone or
    among others: the pruned selection of :func:`entropy_top_k` relies on it.
    """
    P = as_scores_input(proba)
    n, k = P.shape
    out = np.empty(n, dtype=P.dtype)
    rows = max(1, ENTROPY_BLOCK_VALUES // k)
    buf = np.empty((min(rows, n), k), dtype=P.dtype)
    tiny = np.array(np.finfo(P.dtype).tiny, dtype=P.dtype)
    for start in range(0, n, rows):
        block = P[start : start + rows]
        b = buf[: block.shape[0]]
        np.maximum(block, tiny, out=b)
        np.log(b, out=b)
        b *= block
        np.einsum("ij->i", b, out=out[start : start + rows])
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
    if _compiled.enabled() and P.shape[1] < LEAST_CONFIDENT_NUMPY_FROM:
        return _compiled.least_confident(P)
    return least_confident_numpy(P)


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


# ------------------------------------------------------- entropy: score + top-k, pruned
#: above this fraction of rows kept, the entropy's bounds give up and every row's entropy is
#: estimated instead (:func:`~albench.strategies.kernels._compiled.entropy_estimates`)
ENTROPY_GIVE_UP_FRACTION = 0.5
#: pools smaller than this, or than this many rows per selected one, are scored whole (the
#: bounds pass does not pay there)
ENTROPY_PRUNE_MIN_ROWS = 32768
ENTROPY_PRUNE_ROWS_PER_K = 64
#: smaller pools of at least this many classes (and this many rows per selected one) go
#: straight to the estimates, which beat scoring every row there (docs/bench.md)
ENTROPY_ESTIMATE_MIN_CLASSES = 32
ENTROPY_ESTIMATE_ROWS_PER_K = 4


def _top_k_reference(score, proba: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    return select_top_k(score(proba), k, rng)


def entropy_slack(n_classes: int, dtype) -> float:
    """Margin below the k-th lower bound under which a row may still be pruned.

    Covers the rounding of the reference entropy in ``dtype`` (a sum of ``C`` terms
    ``p log p`` with at most a few ulp each) and of the float64 bounds, with a factor 8 to spare.
    """
    eps = float(np.finfo(dtype).eps)
    return 8.0 * (n_classes + 4) * eps * (np.log(max(n_classes, 1)) + 2.0) + 1e-12


def entropy_sum_tolerance(n_classes: int, dtype) -> float:
    """How far from 1 a row's sum may be for the entropy bounds to prune it (else it is kept).

    ``64 C`` ulp of ``dtype``: rows of a softmax or a normalisation in that precision pass.
    """
    return 64.0 * n_classes * float(np.finfo(dtype).eps)


def entropy_top_k(proba: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``select_top_k(entropy_scores(proba), k, rng)``, exactly, computing few logarithms.

    The compiled path bounds each row's entropy without a logarithm per value (lower:
    Renyi-2 entropy ``-log sum p^2``; upper: the smallest of Pinsker's ``log C - 2 TV^2``, a
    third-order bound and Fano's ``h(p_1) + (1 - p_1) log(C - 1)``; docs/bench.md), keeps
    the rows whose upper bound reaches the k-th largest lower bound (less a rounding slack,
    :func:`entropy_slack`; rows whose sum is off 1 by more than
    :func:`entropy_sum_tolerance` are always kept), and computes the reference entropy of
    those rows only. Rows left out score strictly below the k-th largest entropy, so the
    selection and its tie-break are those of the reference. When the bounds keep more than
    :data:`ENTROPY_GIVE_UP_FRACTION` of the rows (near-uniform rows with many classes), every
    row's entropy is estimated instead to within ``LOG_ERROR`` (``log`` from the bits of
    each value and a polynomial, :func:`~albench.strategies.kernels._compiled.entropy_estimates`)
    and the rows within twice that error plus the slack of the k-th largest estimate are
    kept. Pools under :data:`ENTROPY_PRUNE_MIN_ROWS` rows or :data:`ENTROPY_PRUNE_ROWS_PER_K`
    ``k`` go straight to the estimates when they have at least
    :data:`ENTROPY_ESTIMATE_MIN_CLASSES` classes and :data:`ENTROPY_ESTIMATE_ROWS_PER_K` ``k``
    rows, and are scored whole otherwise.

    Parameters
    ----------
    proba : ndarray of shape (n, C)
        Class probabilities (float32 stays float32).
    k : int
        Batch size; ``min(k, n)`` indices are returned.
    rng : numpy.random.Generator
        Tie-break, as :func:`~albench.strategies.kernels.select_top_k`.

    Returns
    -------
    ndarray of int64
    """
    P = as_scores_input(proba)
    n, c = P.shape
    k = int(min(max(k, 0), n))
    if k == 0 or not _compiled.enabled() or c < 2:
        return _top_k_reference(entropy_scores, P, k, rng)
    slack, tolerance = entropy_slack(c, P.dtype), entropy_sum_tolerance(c, P.dtype)
    if n >= max(ENTROPY_PRUNE_MIN_ROWS, ENTROPY_PRUNE_ROWS_PER_K * k):
        rows, ok = _compiled.entropy_candidates(P, k, slack, tolerance, ENTROPY_GIVE_UP_FRACTION)
        estimate = not ok or rows.shape[0] > ENTROPY_GIVE_UP_FRACTION * n
    elif c >= ENTROPY_ESTIMATE_MIN_CLASSES and n >= ENTROPY_ESTIMATE_ROWS_PER_K * k:
        estimate = True
    else:
        return _top_k_reference(entropy_scores, P, k, rng)
    if estimate:  # estimates within a proven bound, no logarithm call
        estimates = _compiled.entropy_estimates(P, tolerance)
        margin = 2.0 * (_compiled.LOG_ERROR * (1.0 + tolerance) + slack)
        rows = _compiled.estimate_candidates(estimates, k, margin)
    sub = entropy_numpy(P[rows])
    above, tied = _compiled.split_at_kth_ordered(sub, k)
    return append_ties(rows[above], rows[tied], k, rng)
