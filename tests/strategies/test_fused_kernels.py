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
    with monkeypatch.context() as mp:
        mp.setenv("ALBENCH_KERNELS", "numpy")
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
    monkeypatch.setenv("ALBENCH_KERNELS", "numpy")
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
    rows, ok = real(_proba(40_000, 100, 2, "flat", np.float64), 10, *_bounds(100, np.zeros(1)), 0.5)
    assert not ok and rows.shape == (0,)
