"""Optional compiled (numba) versions of the hot uncertainty and selection kernels.

One pass over each row, no temporaries besides the O(n) output, float32 kept as float32.
(The entropy has no compiled version: NumPy's SIMD logarithm over cache-sized blocks beats a
compiled scalar loop.)
The NumPy versions in :mod:`~albench.strategies.kernels.uncertainty` and
:mod:`~albench.strategies.kernels.selection` are the reference; the tests check both equal on
random inputs with ties. Used automatically when numba imports (``pip install 'albench[fast]'``),
unless the environment variable ``ALBENCH_KERNELS=numpy`` asks for the reference path.
"""

from __future__ import annotations

import os

import numpy as np

try:  # pragma: no cover - depends on the environment
    import numba
except Exception:  # noqa: BLE001 - a broken numba install must not break albench
    numba = None

#: Whether the compiled kernels can be used at all (numba imported).
AVAILABLE = numba is not None


def enabled() -> bool:
    """Whether the kernels take the compiled path now (numba present, not switched off)."""
    return AVAILABLE and os.environ.get("ALBENCH_KERNELS", "auto").lower() != "numpy"


if AVAILABLE:  # pragma: no branch

    def _jit(func):
        """Compile lazily; cache the machine code on disk where a cache folder is writable."""
        try:
            return numba.njit(cache=True, nogil=True)(func)
        except RuntimeError:  # pragma: no cover - no writable cache location
            return numba.njit(cache=False, nogil=True)(func)

    @_jit
    def _top_two_score(P, ratio):  # pragma: no cover - compiled
        """``-(p_(1) - p_(2))`` per row, or ``p_(2) / p_(1)`` (1 where ``p_(1) <= 0``) if ``ratio``.

        ``p_(2)`` is ``p_(1)`` again when the largest value repeats, 0 with a single column.
        """
        n, k = P.shape
        out = np.empty(n, P.dtype)
        for i in range(n):
            a = P[i, 0]
            b = P.dtype.type(0) if k == 1 else P.dtype.type(-np.inf)
            for j in range(1, k):
                x = P[i, j]
                # branch-free: the larger of (a, x) becomes a, the smaller competes for b
                hi = x if x > a else a
                lo = a if x > a else x
                b = lo if lo > b else b
                a = hi
            if ratio:
                out[i] = b / a if a > 0 else P.dtype.type(1)
            else:
                out[i] = -(a - b)
        return out

    @_jit
    def least_confident(P):  # pragma: no cover - compiled
        """``1 - max_c P[i, c]``."""
        n, k = P.shape
        out = np.empty(n, P.dtype)
        one = P.dtype.type(1)
        for i in range(n):
            a = P[i, 0]
            for j in range(1, k):
                x = P[i, j]
                a = x if x > a else a
            out[i] = one - a
        return out

    def margin(P):
        """``-(p_(1) - p_(2))``."""
        return _top_two_score(P, False)

    def ratio(P):
        """``p_(2) / p_(1)``, 1 where ``p_(1) <= 0``."""
        return _top_two_score(P, True)

    @_jit
    def split_at_kth(scores, k):  # pragma: no cover - compiled
        """Indices strictly above and equal to the k-th largest score (NaN counts as -inf).

        One pass with a min-heap of the k best seen so far, one pass to collect; O(n log k).
        """
        n = scores.shape[0]
        heap = np.empty(k, np.float64)
        size = 0
        for i in range(n):
            x = scores[i]
            x = -np.inf if x != x else np.float64(x)
            if size < k:
                # sift up
                j = size
                heap[j] = x
                size += 1
                while j > 0:
                    parent = (j - 1) >> 1
                    if heap[parent] > heap[j]:
                        heap[parent], heap[j] = heap[j], heap[parent]
                        j = parent
                    else:
                        break
            elif x > heap[0]:
                heap[0] = x
                j = 0
                while True:
                    left = 2 * j + 1
                    if left >= k:
                        break
                    m = left
                    if left + 1 < k and heap[left + 1] < heap[left]:
                        m = left + 1
                    if heap[m] < heap[j]:
                        heap[m], heap[j] = heap[j], heap[m]
                        j = m
                    else:
                        break
        threshold = heap[0]
        n_above = 0
        n_tied = 0
        for i in range(n):
            x = scores[i]
            x = -np.inf if x != x else np.float64(x)
            if x > threshold:
                n_above += 1
            elif x == threshold:
                n_tied += 1
        above = np.empty(n_above, np.int64)
        tied = np.empty(n_tied, np.int64)
        a = 0
        t = 0
        for i in range(n):
            x = scores[i]
            x = -np.inf if x != x else np.float64(x)
            if x > threshold:
                above[a] = i
                a += 1
            elif x == threshold:
                tied[t] = i
                t += 1
        return above, tied
