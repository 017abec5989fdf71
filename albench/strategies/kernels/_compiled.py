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

    #: columns from which a row is scanned in four interleaved lanes (shorter dependency chains)
    LANES_FROM = 32

    @_jit
    def _top_two_lanes(P, i):  # pragma: no cover - compiled
        """Largest and second-largest value of row ``i`` (``k >= 4``), four lanes merged.

        The top two of a union are ``(max a, max(min a, max b))`` over the parts' ``(a, b)``:
        the same values, repeated maxima included, as one sequential scan.
        """
        k = P.shape[1]
        ninf = P.dtype.type(-np.inf)
        a0 = P[i, 0]
        b0 = ninf
        a1 = b1 = a2 = b2 = a3 = b3 = ninf
        j = 1
        while j + 3 < k:
            x = P[i, j]
            hi, lo = (x, a0) if x > a0 else (a0, x)
            b0, a0 = (lo if lo > b0 else b0), hi
            x = P[i, j + 1]
            hi, lo = (x, a1) if x > a1 else (a1, x)
            b1, a1 = (lo if lo > b1 else b1), hi
            x = P[i, j + 2]
            hi, lo = (x, a2) if x > a2 else (a2, x)
            b2, a2 = (lo if lo > b2 else b2), hi
            x = P[i, j + 3]
            hi, lo = (x, a3) if x > a3 else (a3, x)
            b3, a3 = (lo if lo > b3 else b3), hi
            j += 4
        while j < k:
            x = P[i, j]
            hi, lo = (x, a0) if x > a0 else (a0, x)
            b0, a0 = (lo if lo > b0 else b0), hi
            j += 1
        hi, lo = (a1, a0) if a1 > a0 else (a0, a1)
        b0 = b1 if b1 > b0 else b0
        b0, a0 = (lo if lo > b0 else b0), hi
        hi, lo = (a3, a2) if a3 > a2 else (a2, a3)
        b2 = b3 if b3 > b2 else b2
        b2, a2 = (lo if lo > b2 else b2), hi
        hi, lo = (a2, a0) if a2 > a0 else (a0, a2)
        b0 = b2 if b2 > b0 else b0
        b0, a0 = (lo if lo > b0 else b0), hi
        return a0, b0

    @_jit
    def _top_two_score(P, ratio):  # pragma: no cover - compiled
        """``-(p_(1) - p_(2))`` per row, or ``p_(2) / p_(1)`` (1 where ``p_(1) <= 0``) if ``ratio``.

        ``p_(2)`` is ``p_(1)`` again when the largest value repeats, 0 with a single column.
        Rows of at least :data:`LANES_FROM` columns are scanned in four lanes.
        """
        n, k = P.shape
        out = np.empty(n, P.dtype)
        if k >= LANES_FROM:
            for i in range(n):
                a, b = _top_two_lanes(P, i)
                if ratio:
                    out[i] = b / a if a > 0 else P.dtype.type(1)
                else:
                    out[i] = -(a - b)
            return out
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
    def _heap_replace_top(heap, k, x):  # pragma: no cover - compiled
        """Put ``x`` at the root of the size-``k`` min-heap and sift it down."""
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

    @_jit
    def _heap_push(heap, size, x):  # pragma: no cover - compiled
        """Add ``x`` to the min-heap holding ``size`` values (sift up)."""
        j = size
        heap[j] = x
        while j > 0:
            parent = (j - 1) >> 1
            if heap[parent] > heap[j]:
                heap[parent], heap[j] = heap[j], heap[parent]
                j = parent
            else:
                break

    @_jit
    def _split_candidates(cand_idx, cand_val, m, threshold):  # pragma: no cover - compiled
        """Split the first ``m`` candidates into those above and equal to ``threshold``."""
        n_above = 0
        n_tied = 0
        for t in range(m):
            if cand_val[t] > threshold:
                n_above += 1
            elif cand_val[t] == threshold:
                n_tied += 1
        above = np.empty(n_above, np.int64)
        above_val = np.empty(n_above, np.float64)
        tied = np.empty(n_tied, np.int64)
        a = 0
        b = 0
        for t in range(m):
            if cand_val[t] > threshold:
                above[a] = cand_idx[t]
                above_val[a] = cand_val[t]
                a += 1
            elif cand_val[t] == threshold:
                tied[b] = cand_idx[t]
                b += 1
        return above, above_val, tied

    @_jit
    def split_at_kth_values(scores, k):  # pragma: no cover - compiled
        """Indices strictly above (with their scores) and equal to the k-th largest score.

        NaN counts as -inf. One pass keeps a min-heap of the k best seen so far and notes
        every index that reaches the heap's minimum at the time (a superset of the final
        answer, since that minimum only grows); a pass over those notes splits them. O(n log k).
        """
        n = scores.shape[0]
        heap = np.empty(k, np.float64)
        cand_idx = np.empty(n, np.int64)  # pages are touched only as far as used
        cand_val = np.empty(n, np.float64)
        m = 0
        for i in range(n):
            x = scores[i]
            x = -np.inf if x != x else np.float64(x)
            if i < k:
                _heap_push(heap, i, x)
            elif x >= heap[0]:
                if x > heap[0]:
                    _heap_replace_top(heap, k, x)
            else:
                continue
            cand_idx[m] = i
            cand_val[m] = x
            m += 1
        return _split_candidates(cand_idx, cand_val, m, heap[0])

    def split_at_kth(scores, k):
        """Indices strictly above and equal to the k-th largest score (NaN counts as -inf)."""
        above, _, tied = split_at_kth_values(scores, k)
        return above, tied

    def _jit_reassoc(func):
        """As :func:`_jit`, letting the compiler reorder sums (bounds only: never a score)."""
        flags = {"reassoc", "contract"}
        try:
            return numba.njit(cache=True, nogil=True, fastmath=flags)(func)
        except RuntimeError:  # pragma: no cover - no writable cache location
            return numba.njit(cache=False, nogil=True, fastmath=flags)(func)

    @_jit_reassoc
    def entropy_candidates(P, k, slack, sum_tolerance, give_up_fraction):  # pragma: no cover - compiled
        """Rows whose entropy can reach the k-th largest, from bounds with no logarithm per row.

        One pass; per row the sum ``S``, ``sum p^2``, ``sum |p - 1/C|`` and ``max p`` (float64).
        With ``q = p / S``: lower bound ``-log sum q^2`` (Renyi-2 entropy, at most Shannon's),
        upper bound Pinsker's ``log C - 2 TV(q, uniform)^2`` and, only for rows that one
        does not prune, also Fano's ``h(q_1) + (1 - q_1) log(C - 1)``. Rows summing to 1
        within ``sum_tolerance = d`` have ``|H(p) - H(q)| <= d (log C + 1.01) = e``. A row is
        kept when its upper bound reaches the k-th largest lower bound minus ``2 e + slack``
        (``slack`` covers rounding of the bounds and of the reference entropy). Rows with a
        negative, NaN or infinite value, or a sum further from 1, are always kept. The k-th
        largest lower bound is tracked with a min-heap of ``-sum q^2`` (its logarithm is
        taken only when the heap's root changes).

        Returns the kept row indices in ascending order and ``True``, or an empty array and
        ``False`` when more than ``give_up_fraction`` of the rows between two doublings
        (8192 to 16384, ...) were kept, or more than 0.9 of them between 1024 and 8192
        (pruning does not pay: the caller computes every entropy instead).
        """
        n, c = P.shape
        heap = np.empty(k, np.float64)
        size = 0
        cand_idx = np.empty(n, np.int64)
        cand_up = np.empty(n, np.float64)
        m = 0
        checkpoint = 1024  # from here on, every doubling: did the last half keep too many?
        m_before = 0
        log_c = np.log(c)
        log_c1 = np.log(c - 1) if c > 1 else 0.0
        inv_c = 1.0 / c
        e2 = 2.0 * sum_tolerance * (log_c + 1.01) + slack
        threshold = -np.inf  # the k-th largest lower bound less e2, once k rows are in the heap
        for i in range(n):
            if i == checkpoint:
                # early windows keep more (the k-th bound is still low): give up there only
                # when nearly every row was kept
                limit = give_up_fraction if checkpoint > 8192 else max(give_up_fraction, 0.9)
                if checkpoint > 1024 and m - m_before > limit * (checkpoint // 2):
                    return cand_idx[:0].copy(), False
                m_before = m
                checkpoint *= 2
            s = 0.0
            s2 = 0.0
            dev = 0.0
            p1 = -np.inf
            p0 = np.inf
            for j in range(c):
                x = np.float64(P[i, j])
                s += x
                s2 += x * x
                dev += abs(x - inv_c)
                p1 = x if x > p1 else p1
                p0 = x if x < p0 else p0
            d = abs(s - 1.0)  # NaN or infinite values make it NaN or infinite
            if not (p0 >= 0.0 and d <= sum_tolerance):
                cand_idx[m] = i
                cand_up[m] = np.inf
                m += 1
                continue
            key = -(s2 / (s * s))
            if size < k:
                _heap_push(heap, size, key)
                size += 1
                if size == k:
                    threshold = -np.log(-heap[0]) - e2
            elif key > heap[0]:
                _heap_replace_top(heap, k, key)
                threshold = -np.log(-heap[0]) - e2
            # TV(q) >= TV(p) - |1 - S| / 2
            tv = 0.5 * dev - 0.5 * d
            tv = tv if tv > 0.0 else 0.0
            up = log_c - 2.0 * tv * tv
            if up >= threshold:
                q1 = p1 / s
                r = 1.0 - q1
                fano = -q1 * np.log(q1) if q1 > 0 else 0.0
                if r > 0:
                    fano += -r * np.log(r) + r * log_c1
                up = fano if fano < up else up
                if up >= threshold:
                    cand_idx[m] = i
                    cand_up[m] = up
                    m += 1
        keep = 0
        for t in range(m):
            if cand_up[t] >= threshold:
                cand_idx[keep] = cand_idx[t]
                keep += 1
        return cand_idx[:keep].copy(), True
