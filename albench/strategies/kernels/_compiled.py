"""Optional compiled (numba) versions of the hot uncertainty and selection kernels.

One pass over each row, no temporaries besides the O(n) output, float32 kept as float32.
(The entropy itself has no compiled version: NumPy's SIMD logarithm over cache-sized blocks
beats a compiled scalar loop. The compiled entropy passes bound or estimate it, to prune.)
The NumPy versions in :mod:`~albench.strategies.kernels.uncertainty` and
:mod:`~albench.strategies.kernels.selection` are the reference; the tests check both equal on
random inputs with ties. Used automatically when numba imports (``pip install 'albench[fast]'``),
unless the environment variable ``ALBENCH_KERNELS=numpy`` asks for the reference path (read
once, when albench is imported; :func:`numpy_path` switches within a process).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import numpy as np

try:  # pragma: no cover - depends on the environment
    import numba
except Exception:  # noqa: BLE001 - a broken numba install must not break albench
    numba = None

#: Whether the compiled kernels can be used at all (numba imported).
AVAILABLE = numba is not None


#: whether the NumPy reference path is forced (``ALBENCH_KERNELS=numpy`` at import, or
#: :func:`numpy_path`); a module flag, because reading the environment on every selection
#: cost more than a small pool's scoring (about 1.5 us per call)
_numpy_forced = os.environ.get("ALBENCH_KERNELS", "auto").strip().lower() == "numpy"


def enabled() -> bool:
    """Whether the kernels take the compiled path now (numba present, not switched off)."""
    return AVAILABLE and not _numpy_forced


@contextlib.contextmanager
def numpy_path(forced: bool = True) -> Iterator[None]:
    """Context in which the kernels take their NumPy reference path (or not, ``forced=False``).

    Parameters
    ----------
    forced : bool, default=True
        Whether the reference path is forced inside the context; the previous setting comes
        back on exit.
    """
    global _numpy_forced
    previous = _numpy_forced
    _numpy_forced = forced
    try:
        yield
    finally:
        _numpy_forced = previous


if AVAILABLE:  # pragma: no branch

    def _jit(func):
        """Compile lazily; cache the machine code on disk where a cache folder is writable."""
        try:
            return numba.njit(cache=True, nogil=True)(func)
        except RuntimeError:  # pragma: no cover - no writable cache location
            return numba.njit(cache=False, nogil=True)(func)

    #: columns from which a row is scanned in four interleaved lanes (shorter dependency
    #: chains; shorter rows overlap in the processor's out-of-order window anyway)
    LANES_FROM = 32

    @_jit
    def _max_step(x, a):  # pragma: no cover - compiled
        """Running maximum (a NaN never wins a comparison: finite input is assumed)."""
        return x if x > a else a

    @_jit
    def _top_two_step(x, a, b):  # pragma: no cover - compiled
        """One value into a row's running (largest, second largest), branch-free."""
        up = x > a
        hi = x if up else a
        lo = a if up else x
        return hi, (lo if lo > b else b)

    @_jit
    def _top_two_merge(a0, b0, a1, b1):  # pragma: no cover - compiled
        """Top two of the union of two parts: ``(max a, max(min a, b0, b1))``."""
        a, b = _top_two_step(a1, a0, b0)
        return a, (b1 if b1 > b else b)

    @_jit
    def _top_two_lanes(P, i):  # pragma: no cover - compiled
        """Largest and second-largest value of row ``i`` (``k >= 4``), four lanes merged.

        Merging the lanes' top twos gives the same values, repeated maxima included, as one
        sequential scan.
        """
        k = P.shape[1]
        ninf = P.dtype.type(-np.inf)
        a0 = P[i, 0]
        b0 = ninf
        a1 = b1 = a2 = b2 = a3 = b3 = ninf
        j = 1
        while j + 3 < k:
            a0, b0 = _top_two_step(P[i, j], a0, b0)
            a1, b1 = _top_two_step(P[i, j + 1], a1, b1)
            a2, b2 = _top_two_step(P[i, j + 2], a2, b2)
            a3, b3 = _top_two_step(P[i, j + 3], a3, b3)
            j += 4
        while j < k:
            a0, b0 = _top_two_step(P[i, j], a0, b0)
            j += 1
        a0, b0 = _top_two_merge(a0, b0, a1, b1)
        a2, b2 = _top_two_merge(a2, b2, a3, b3)
        return _top_two_merge(a0, b0, a2, b2)

    @_jit
    def _top_two_score(P, ratio):  # pragma: no cover - compiled
        """``-(p_(1) - p_(2))`` per row, or ``p_(2) / p_(1)`` (1 where ``p_(1) <= 0``) if ``ratio``.

        ``p_(2)`` is ``p_(1)`` again when the largest value repeats, 0 with a single column.
        Rows of at least :data:`LANES_FROM` columns are scanned in four lanes.
        """
        n, k = P.shape
        out = np.empty(n, P.dtype)
        one = P.dtype.type(1)
        if k >= LANES_FROM:
            for i in range(n):
                a, b = _top_two_lanes(P, i)
                out[i] = (b / a if not a <= 0 else one) if ratio else -(a - b)
            return out
        init = P.dtype.type(0) if k == 1 else P.dtype.type(-np.inf)
        for i in range(n):
            a = P[i, 0]
            b = init
            for j in range(1, k):
                a, b = _top_two_step(P[i, j], a, b)
            out[i] = (b / a if not a <= 0 else one) if ratio else -(a - b)
        return out

    @_jit
    def least_confident(P):  # pragma: no cover - compiled
        """``1 - max_c P[i, c]``.

        Rows of at least :data:`LANES_FROM` columns are scanned in four lanes (the maximum
        does not depend on the order of the comparisons).
        """
        n, k = P.shape
        out = np.empty(n, P.dtype)
        one = P.dtype.type(1)
        if k >= LANES_FROM:
            for i in range(n):
                a0 = P[i, 0]
                a1 = P[i, 1]
                a2 = P[i, 2]
                a3 = P[i, 3]
                j = 4
                while j + 3 < k:
                    a0 = _max_step(P[i, j], a0)
                    a1 = _max_step(P[i, j + 1], a1)
                    a2 = _max_step(P[i, j + 2], a2)
                    a3 = _max_step(P[i, j + 3], a3)
                    j += 4
                while j < k:
                    a0 = _max_step(P[i, j], a0)
                    j += 1
                out[i] = one - _max_step(_max_step(a1, a0), _max_step(a3, a2))
            return out
        for i in range(n):
            a = P[i, 0]
            for j in range(1, k):
                a = _max_step(P[i, j], a)
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
        for i in range(k):
            x = scores[i]
            x = -np.inf if x != x else np.float64(x)
            _heap_push(heap, i, x)
            cand_idx[m] = i
            cand_val[m] = x
            m += 1
        # the heap's minimum in the scores' own dtype (exact: it is one of the scores, or
        # -inf), so most rows are passed over by a single comparison without conversion
        below = scores.dtype.type(heap[0])
        for i in range(k, n):
            x = scores[i]
            if x < below:  # NaN goes on: it counts as -inf, which may equal the minimum
                continue
            x = -np.inf if x != x else np.float64(x)
            if x < heap[0]:
                continue
            if x > heap[0]:
                _heap_replace_top(heap, k, x)
                below = scores.dtype.type(heap[0])
            cand_idx[m] = i
            cand_val[m] = x
            m += 1
        return _split_candidates(cand_idx, cand_val, m, heap[0])

    @_jit
    def split_at_kth_ordered(scores, k):  # pragma: no cover - compiled
        """As :func:`split_at_kth`, the first part ordered by decreasing score (stable)."""
        above, above_val, tied = split_at_kth_values(scores, k)
        order = np.argsort(-above_val, kind="mergesort")
        return above[order], tied

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

        One pass; per row the sum ``S``, ``sum p^2`` and ``sum |p - 1/C|`` (float64), and
        ``max p`` for the rows the first upper bound keeps.
        With ``q = p / S``: lower bound ``-log sum q^2`` (Renyi-2 entropy, at most Shannon's),
        upper bounds Pinsker's ``log C - 2 TV(q, uniform)^2`` and the third-order
        ``log C - m2 / 2 + m3 / 6`` (``m_r`` the mean of ``(C q - 1)^r``; from
        ``x log x >= (x - 1) + (x - 1)^2 / 2 - (x - 1)^3 / 6`` for ``x >= 0``) and, only for
        rows those two do not prune, also Fano's ``h(q_1) + (1 - q_1) log(C - 1)``. Rows summing to 1
        within ``sum_tolerance = d`` have ``|H(p) - H(q)| <= d (log C + 1.01) = e``. A row is
        kept when its upper bound reaches the k-th largest lower bound minus ``2 e + slack``
        (``slack`` covers rounding of the bounds and of the reference entropy). Rows with a
        negative, NaN or infinite value, or a sum further from 1, are always kept. The k-th
        largest lower bound is tracked with a min-heap of ``-sum q^2`` (its logarithm is
        taken only when the heap's root changes).

        Returns the kept row indices in ascending order and ``True``, or an empty array and
        ``False`` when more than ``give_up_fraction`` of the rows between two doublings
        (8192 to 16384, ...) were kept, or more than 0.9 of them between 1024 and 8192
        (the bounds do not pay: the caller estimates every entropy instead).
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
        rounding = 8.0 * (c + 8) * 2.0**-52  # of the third-order bound's terms, with room
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
            # sums vectorise, a running max or min would not; |x| - x is 0 for x >= 0 and
            # positive for x < 0, so ``negative`` is 0 exactly when no value is negative
            s = 0.0
            s2 = 0.0
            dev = 0.0
            negative = 0.0
            for j in range(c):
                x = np.float64(P[i, j])
                s += x
                s2 += x * x
                dev += abs(x - inv_c)
                negative += abs(x) - x
            d = abs(s - 1.0)  # NaN or infinite values make it NaN or infinite
            if not (negative == 0.0 and d <= sum_tolerance):
                cand_idx[m] = i
                cand_up[m] = np.inf
                m += 1
                continue
            # TV(q) >= TV(p) - |1 - S| / 2
            tv = 0.5 * dev - 0.5 * d
            tv = tv if tv > 0.0 else 0.0
            up = log_c - 2.0 * tv * tv
            if up < threshold:
                # its lower bound is below the heap's minimum too: the heap would not take it
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
            # rows Pinsker's bound keeps: sum p^3 and max p (a second pass over the row)
            s3 = 0.0
            p1 = -np.inf
            for j in range(c):
                x = np.float64(P[i, j])
                s3 += x * x * x
                p1 = x if x > p1 else p1
            # third-order bound: x log x >= (x-1) + (x-1)^2/2 - (x-1)^3/6 for x >= 0, at
            # x = C q: H(q) <= log C - m2 / 2 + m3 / 6, plus its float64 rounding
            c2 = c * s2 / (s * s)
            c3 = c * c * s3 / (s * s * s)
            taylor = log_c - 0.5 * (c2 - 1.0) + (c3 - 3.0 * c2 + 2.0) / 6.0 + rounding * (c3 + 3.0 * c2 + 2.0)
            up = taylor if taylor < up else up
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

    # ------------------------------------------- entropy estimates with a proven error bound
    #: degree of the polynomial for ``log m`` on ``[1, 2)`` in :func:`entropy_estimates`
    LOG_DEGREE = 7
    #: |poly(m) - log m| on [1, 2]: Chebyshev interpolation error max|log^(D+1)| / ((D+1)! 2^D)
    #: (1/2)^(D+1) = 1 / (2^(2D+1) (D+1)), plus room for the coefficients' rounding
    LOG_ERROR = 1.0 / (2.0 ** (2 * LOG_DEGREE + 1) * (LOG_DEGREE + 1)) + 1e-12

    def _log_coefficients(degree):
        """Coefficients (constant first) in ``u = m - 1.5`` of the Chebyshev interpolant of ``log m``."""
        from numpy.polynomial import chebyshev

        nodes = 1.5 + 0.5 * np.cos(np.pi * (np.arange(degree + 1) + 0.5) / (degree + 1))
        cheb = chebyshev.chebfit(2.0 * (nodes - 1.5), np.log(nodes), degree)
        return tuple(float(v) for v in chebyshev.cheb2poly(cheb) * 2.0 ** np.arange(degree + 1))

    _L = _log_coefficients(LOG_DEGREE)
    _LN2 = float(np.log(2.0))

    @_jit_reassoc
    def _log_poly(u):  # pragma: no cover - compiled
        return (
            (((((_L[7] * u + _L[6]) * u + _L[5]) * u + _L[4]) * u + _L[3]) * u + _L[2]) * u + _L[1]
        ) * u + _L[0]

    @_jit_reassoc
    def _estimate_rows(P, bits, buf, mantissa, mask, one, shift, bias, sum_tolerance):  # pragma: no cover
        """The estimates of :func:`entropy_estimates`; ``bits`` views ``P`` as integers and
        ``mantissa`` views ``buf`` as floats, ``mask``/``one``/``shift``/``bias`` describe the format."""
        n, c = P.shape
        out = np.empty(n, np.float64)
        for i in range(n):
            for j in range(c):  # x = 2^e m with m in [1, 2): m's bits are x's with exponent 0
                buf[j] = (bits[i, j] & mask) | one
            h = 0.0
            s = 0.0
            negative = 0.0
            for j in range(c):
                x = np.float64(P[i, j])
                e = np.float64((bits[i, j] >> shift) - bias)
                h += x * (e * _LN2 + _log_poly(np.float64(mantissa[j]) - 1.5))
                s += x
                negative += abs(x) - x
            ok = negative == 0.0 and abs(s - 1.0) <= sum_tolerance
            out[i] = -h if ok else np.nan
        return out

    #: per dtype: (integer of the same width, mantissa mask, exponent bits of 1.0, mantissa
    #: bits, exponent bias)
    _FLOAT_FORMATS = {
        np.dtype(np.float64): (np.int64, 0x000FFFFFFFFFFFFF, 0x3FF0000000000000, 52, 1023),
        np.dtype(np.float32): (np.int32, 0x007FFFFF, 0x3F800000, 23, 127),
    }

    def entropy_estimates(P, sum_tolerance):
        """Each row's entropy ``-sum p log p`` to within ``LOG_ERROR * (1 + sum_tolerance)``.

        ``log x`` is taken as ``e log 2 + poly(m)`` from the bits of ``x = 2^e m`` (no
        logarithm call; the loop vectorises), with ``|poly(m) - log m| <= LOG_ERROR``; a zero
        contributes 0 and a subnormal less than 1e-300 either way. In float64, whatever the
        input's dtype; rounding adds a few ulp per value. NaN for rows with a negative, NaN
        or infinite value, or a sum further than ``sum_tolerance`` from 1 (no bound applies).
        """
        itype, mask, one, shift, bias = _FLOAT_FORMATS[P.dtype]
        buf = np.empty(P.shape[1], itype)
        return _estimate_rows(
            P, P.view(itype), buf, buf.view(P.dtype), itype(mask), itype(one), shift, bias, sum_tolerance
        )

    @_jit
    def estimate_candidates(est, k, margin):  # pragma: no cover - compiled
        """Rows (ascending) whose estimate is NaN or within ``margin`` of the k-th largest one.

        With every estimate within ``margin / 2`` of the true value, a row left out scores
        strictly below at least ``k`` rows. Fewer than ``k`` finite estimates: every row.
        """
        n = est.shape[0]
        heap = np.empty(k, np.float64)
        size = 0
        for i in range(n):
            x = est[i]
            if x != x:
                continue
            if size < k:
                _heap_push(heap, size, x)
                size += 1
            elif x > heap[0]:
                _heap_replace_top(heap, k, x)
        threshold = heap[0] - margin if size == k else -np.inf
        keep = np.empty(n, np.int64)
        m = 0
        for i in range(n):
            x = est[i]
            if x != x or x >= threshold:
                keep[m] = i
                m += 1
        return keep[:m].copy()
