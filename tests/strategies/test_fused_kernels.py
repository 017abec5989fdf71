"""The fused, pruned entropy top-k selects exactly what scoring then ``select_top_k`` selects."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albench.strategies import kernels as K
from albench.strategies.kernels import _compiled
from albench.strategies.kernels import uncertainty as U

needs_numba = pytest.mark.skipif(not _compiled.AVAILABLE, reason="numba is not installed")

FUSED = [(K.entropy_top_k, K.entropy_scores)]


def _proba(n, c, seed, style, dtype):
    """Rows with ties (coarse), peaked rows (entropy pruning prunes), or flat rows."""
    rng = np.random.default_rng(seed)
    if style == "coarse":
        raw = rng.integers(0, 4, size=(n, c)).astype(np.float64)
        raw[raw.sum(axis=1) == 0, 0] = 1.0
    elif style == "peaked":
        raw = rng.random((n, c)) ** 8
    else:
        raw = rng.random((n, c))
    P = raw / raw.sum(axis=1, keepdims=True)
    if n > 3:
        P[n // 2] = P[0]  # an exact duplicate row: a tie whatever the measure
    return P.astype(dtype)


def _bounds(c, P):
    return U.entropy_slack(c, P.dtype), U.entropy_sum_tolerance(c, P.dtype)


def _prune_any_pool(mp):
    """Let entropy_top_k prune however small the pool (it scores small pools whole)."""
    mp.setattr(U, "ENTROPY_PRUNE_MIN_ROWS", 0)
    mp.setattr(U, "ENTROPY_PRUNE_ROWS_PER_K", 0)


def _reference(score, P, k, seed, monkeypatch):
    with _compiled.numpy_path():
        return K.select_top_k(score(P), k, np.random.default_rng(seed))


@needs_numba
@settings(max_examples=120, deadline=None)
@given(
    n=st.integers(1, 300),
    c=st.integers(1, 12),
    k=st.integers(0, 40),
    seed=st.integers(0, 2**16),
    style=st.sampled_from(["coarse", "peaked", "flat"]),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_fused_equals_score_then_select_on_random_inputs_with_ties(n, c, k, seed, style, dtype) -> None:
    P = _proba(n, c, seed, style, dtype)
    with pytest.MonkeyPatch.context() as mp:
        _prune_any_pool(mp)
        for fused, score in FUSED:
            got = fused(P, k, np.random.default_rng(seed))
            np.testing.assert_array_equal(got, _reference(score, P, k, seed, mp))


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("style", ["peaked", "flat", "coarse"])
def test_entropy_pruning_on_a_pool_large_enough_to_prune(style, dtype, monkeypatch) -> None:
    """Past the first 4,096 rows the pruning is in force (or gives up): same batch either way."""
    _prune_any_pool(monkeypatch)
    P = _proba(20_000, 10, 3, style, dtype)
    P[7:12] = P[5]  # a block of exact ties
    for k in (1, 5, 50):
        got = K.entropy_top_k(P, k, np.random.default_rng(k))
        np.testing.assert_array_equal(got, _reference(K.entropy_scores, P, k, k, monkeypatch))


@needs_numba
def test_entropy_candidates_prune_peaked_rows_and_keep_the_top() -> None:
    P = _proba(20_000, 10, 4, "peaked", np.float64)
    rows, ok = _compiled.entropy_candidates(P, 20, *_bounds(10, P), 1.0)
    assert ok and rows.shape[0] < P.shape[0] // 4
    top = np.argsort(-U.entropy_numpy(P), kind="stable")[:20]
    assert np.isin(top, rows).all()
    assert np.all(np.diff(rows) > 0)


@needs_numba
def test_entropy_rows_off_the_simplex_are_always_kept() -> None:
    P = _proba(6_000, 5, 5, "peaked", np.float64)
    P[100] *= 3.0  # not a distribution: bounds do not apply
    P[200, 0] = np.nan
    rows, ok = _compiled.entropy_candidates(P, 3, *_bounds(5, P), 1.0)
    assert ok and {100, 200} <= set(rows.tolist())


@needs_numba
def test_entropy_gives_up_on_near_uniform_rows_and_still_agrees(monkeypatch) -> None:
    P = _proba(20_000, 100, 6, "flat", np.float64)
    _, ok = _compiled.entropy_candidates(P, 10, *_bounds(100, P), U.ENTROPY_GIVE_UP_FRACTION)
    assert not ok
    got = K.entropy_top_k(P, 10, np.random.default_rng(0))
    np.testing.assert_array_equal(got, _reference(K.entropy_scores, P, 10, 0, monkeypatch))


def test_entropy_of_a_row_does_not_depend_on_its_neighbours() -> None:
    rng = np.random.default_rng(7)
    for dtype in (np.float64, np.float32):
        P = _proba(5_000, 7, 8, "flat", dtype)
        whole = U.entropy_numpy(P)
        for size in (1, 3, 17, 1000):
            rows = np.sort(rng.choice(P.shape[0], size, replace=False))
            np.testing.assert_array_equal(U.entropy_numpy(P[rows]), whole[rows])


def test_numpy_path_of_the_fused_kernels_is_the_reference(monkeypatch) -> None:
    monkeypatch.setattr(_compiled, "_numpy_forced", True)
    P = _proba(500, 6, 9, "coarse", np.float64)
    for fused, score in FUSED:
        a = fused(P, 30, np.random.default_rng(1))
        b = K.select_top_k(score(P), 30, np.random.default_rng(1))
        np.testing.assert_array_equal(a, b)
        assert a.shape == (30,)


@needs_numba
def test_entropy_top_k_prunes_only_where_it_pays(monkeypatch) -> None:
    """Small pools, and near-uniform rows of many classes, are scored whole."""
    calls = []
    real = _compiled.entropy_candidates
    monkeypatch.setattr(_compiled, "entropy_candidates", lambda *a: calls.append(a[0].shape) or real(*a))
    rng = np.random.default_rng(0)
    K.entropy_top_k(_proba(1_000, 10, 1, "peaked", np.float64), 10, rng)
    assert calls == []
    K.entropy_top_k(_proba(U.ENTROPY_PRUNE_MIN_ROWS, 10, 1, "peaked", np.float64), 10, rng)
    assert calls == [(U.ENTROPY_PRUNE_MIN_ROWS, 10)]
    estimated = []
    real_estimates = _compiled.entropy_estimates
    monkeypatch.setattr(
        _compiled, "entropy_estimates", lambda *a: estimated.append(a[0].shape) or real_estimates(*a)
    )
    P = _proba(1_000, U.ENTROPY_ESTIMATE_MIN_CLASSES, 1, "flat", np.float64)
    got = K.entropy_top_k(P, 10, np.random.default_rng(2))
    assert estimated == [(1_000, U.ENTROPY_ESTIMATE_MIN_CLASSES)]  # a small pool of many classes
    np.testing.assert_array_equal(got, _reference(K.entropy_scores, P, 10, 2, monkeypatch))
    K.entropy_top_k(P, 300, rng)  # fewer than 4 rows per selected one: scored whole
    K.entropy_top_k(_proba(1_000, U.ENTROPY_ESTIMATE_MIN_CLASSES - 1, 1, "flat", np.float64), 10, rng)
    assert len(estimated) == 1 and len(calls) == 1
    rows, ok = real(_proba(40_000, 100, 2, "flat", np.float64), 10, *_bounds(100, np.zeros(1)), 0.5)
    assert not ok and rows.shape == (0,)


def _entropy_pool(n, c, seed, style, dtype):
    """Pools of many shapes: near-uniform, Dirichlet with small and large alpha, one-hot-like."""
    rng = np.random.default_rng(seed)
    if style.startswith("dirichlet"):
        alpha = float(style.split(":")[1])
        P = rng.dirichlet(np.full(c, alpha), size=n)
    elif style == "one_hot":
        P = np.full((n, c), 1e-9)
        P[np.arange(n), rng.integers(0, c, n)] = 1.0
        P[: n // 3] = rng.random((n // 3, c))
        P /= P.sum(axis=1, keepdims=True)
    else:
        return _proba(n, c, seed, style, dtype)
    return P.astype(dtype)


@needs_numba
@settings(max_examples=60, deadline=None)
@given(
    c=st.sampled_from([2, 3, 5, 10, 31, 50, 100]),
    k=st.integers(1, 30),
    seed=st.integers(0, 2**16),
    style=st.sampled_from(
        ["flat", "peaked", "coarse", "dirichlet:0.1", "dirichlet:1", "dirichlet:20", "one_hot"]
    ),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_entropy_candidates_never_drop_a_row_of_the_top_k(c, k, seed, style, dtype) -> None:
    """The bounds (Renyi-2 below; Pinsker, third-order and Fano above) hold on every row shape."""
    P = _entropy_pool(3_000, c, seed, style, dtype)
    rows, ok = _compiled.entropy_candidates(P, k, *_bounds(c, P), 1.0)
    assert ok
    H = U.entropy_numpy(P)
    kth = np.sort(H)[-k]
    must = np.flatnonzero(H >= kth)  # every row that can be selected, ties at the k-th included
    assert np.isin(must, rows).all()


@pytest.mark.parametrize("c", [2, 3, 10, 100, 1000])
def test_third_order_bound_is_above_the_entropy_by_definition(c) -> None:
    """``H(q) <= log C - m2/2 + m3/6`` with ``m_r`` the mean of ``(C q - 1)^r``, on many row shapes."""
    rng = np.random.default_rng(c)
    rows = [rng.dirichlet(np.full(c, a), size=400) for a in (0.05, 0.5, 1.0, 5.0, 100.0)]
    rows.append(np.eye(c)[:5])  # one-hot rows: the bound is far off but still above
    Q = np.vstack(rows)
    x = c * Q
    with np.errstate(divide="ignore", invalid="ignore"):
        H = -np.where(Q > 0, Q * np.log(Q), 0.0).sum(axis=1)
    bound = np.log(c) - ((x - 1) ** 2).mean(axis=1) / 2 + ((x - 1) ** 3).mean(axis=1) / 6
    assert np.all(bound >= H - 1e-9)
    near_uniform = Q[1600:2000]  # alpha = 100: the bound is tight to about m4 / 12
    gap = (bound - H)[1600:2000]
    assert np.all(gap <= (((c * near_uniform - 1) ** 4).mean(axis=1) / 3) + 1e-9)


@needs_numba
def test_third_order_bound_prunes_near_uniform_rows_pinsker_keeps() -> None:
    """On near-uniform rows of 10 classes, Pinsker and Fano alone kept 762 of 20,000 rows."""
    P = _proba(20_000, 10, 3, "flat", np.float64)
    rows, ok = _compiled.entropy_candidates(P, 20, *_bounds(10, P), 1.0)
    assert ok and rows.shape[0] < 400


@needs_numba
def test_log_polynomial_error_is_within_its_stated_bound() -> None:
    """``|poly(m) - log m| <= LOG_ERROR`` on a dense grid of [1, 2], and the bound is the formula's."""
    from numpy.polynomial import polynomial

    m = np.linspace(1.0, 2.0, 1_000_001)
    err = np.abs(polynomial.polyval(m - 1.5, _compiled._L) - np.log(m)).max()
    assert err <= _compiled.LOG_ERROR
    d = _compiled.LOG_DEGREE  # Chebyshev interpolation: max|log^(d+1)| / ((d+1)! 2^d) (1/2)^(d+1)
    assert _compiled.LOG_ERROR == pytest.approx(1.0 / (2 ** (2 * d + 1) * (d + 1)), rel=1e-5)
    assert err > _compiled.LOG_ERROR / 100  # the bound is not vacuous either


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_entropy_estimates_are_within_the_bound_of_the_reference(dtype) -> None:
    pools = [
        _entropy_pool(2_000, c, c, style, dtype)
        for c in (2, 7, 64)
        for style in ("flat", "dirichlet:0.05", "one_hot", "coarse")
    ]
    for P in pools:
        c = P.shape[1]
        tol = U.entropy_sum_tolerance(c, P.dtype)
        est = _compiled.entropy_estimates(P, tol)
        bound = _compiled.LOG_ERROR * (1 + tol) + U.entropy_slack(c, P.dtype)
        assert not np.isnan(est).any()
        assert np.abs(est - U.entropy_numpy(P)).max() <= bound
    P = _entropy_pool(10, 5, 0, "flat", dtype)
    P[1, 2] = -P[1, 2]  # negative
    P[3, 0] = np.nan
    P[5, 1] = np.inf
    P[7] *= 2  # sums to 2
    P[8, 0] = 0.0  # a zero, and a sum off 1
    P[9] = np.array([1.0, 0, 0, 0, 0], dtype=dtype)
    est = _compiled.entropy_estimates(P, U.entropy_sum_tolerance(5, P.dtype))
    assert np.isnan(est[[1, 3, 5, 7, 8]]).all() and not np.isnan(est[[0, 2, 4, 6, 9]]).any()
    assert abs(est[9]) <= _compiled.LOG_ERROR  # one-hot: entropy 0


@needs_numba
@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 400),
    c=st.sampled_from([2, 3, 10, 33, 100]),
    k=st.integers(0, 40),
    seed=st.integers(0, 2**16),
    style=st.sampled_from(["coarse", "peaked", "flat", "dirichlet:0.1", "one_hot"]),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_estimate_path_equals_score_then_select(n, c, k, seed, style, dtype) -> None:
    """With the bounds made to give up, the estimates prune: still the reference's batch."""
    P = _entropy_pool(n, c, seed, style, dtype)
    if n > 3:
        P[n // 2] = P[0]  # exact duplicate rows: ties
    with pytest.MonkeyPatch.context() as mp:
        _prune_any_pool(mp)
        mp.setattr(U, "ENTROPY_GIVE_UP_FRACTION", -1.0)  # any row kept by the bounds is too many
        got = K.entropy_top_k(P, k, np.random.default_rng(seed))
        np.testing.assert_array_equal(got, _reference(K.entropy_scores, P, k, seed, mp))


@needs_numba
def test_near_uniform_rows_of_many_classes_are_pruned_by_the_estimates(monkeypatch) -> None:
    P = _proba(40_000, 100, 6, "flat", np.float64)
    P[100:110] = P[5]  # ten exact ties
    calls = []
    real = _compiled.estimate_candidates
    monkeypatch.setattr(_compiled, "estimate_candidates", lambda *a: calls.append(1) or real(*a))
    for k in (1, 10, 100):
        got = K.entropy_top_k(P, k, np.random.default_rng(k))
        np.testing.assert_array_equal(got, _reference(K.entropy_scores, P, k, k, monkeypatch))
    assert len(calls) == 3
    tol = U.entropy_sum_tolerance(100, P.dtype)
    rows = real(_compiled.entropy_estimates(P, tol), 100, 1e-5)
    assert rows.shape[0] < 200  # of 40,000
