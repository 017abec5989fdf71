"""QUIRE, BMDR and SPAL against their definitions (the published code's evaluation, written out)."""

from __future__ import annotations

import numpy as np
import pytest

from albench.components import build_instance
from albench.errors import AlbenchInputError
from albench.strategies.base import QueryContext
from albench.strategies.kernels import representative as rk


def _ctx(X: np.ndarray, labeled, y_labeled, n_classes: int = 2, pool=None) -> QueryContext:
    labeled = np.asarray(labeled, dtype=np.int64)
    if pool is None:
        pool = np.setdiff1d(np.arange(X.shape[0]), labeled)
    return QueryContext(
        X=np.asarray(X, dtype=np.float64),
        labeled=labeled,
        y_labeled=np.asarray(y_labeled, dtype=np.int64),
        pool=np.asarray(pool, dtype=np.int64),
        n_classes=n_classes,
        model=None,
        make_model=lambda: None,
    )


def _rbf(X: np.ndarray, gamma: float) -> np.ndarray:
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    return np.exp(-gamma * d2)


def _quire_loop(K: np.ndarray, lab: list[int], unl: list[int], y_pm: np.ndarray, lam: float) -> np.ndarray:
    """libact's evaluation value, one candidate at a time, as its make_query writes it."""
    L = np.linalg.inv(K + lam * np.eye(K.shape[0]))
    det = np.linalg.det(L[np.ix_(unl, unl)])
    inv_laa = lam * np.eye(len(unl)) + K[np.ix_(unl, unl)] - K[np.ix_(unl, lab)] @ K[np.ix_(lab, unl)] / lam
    eva = []
    for i, s in enumerate(unl):
        r = [j for j in range(len(unl)) if j != i]
        u_r = [unl[j] for j in r]
        col = inv_laa[r, i]
        inv_luu = inv_laa[np.ix_(r, r)] - (col @ col) / inv_laa[i, i]  # a scalar, as in libact
        tmp = (L[s, lab] - L[s, u_r] @ inv_luu @ L[np.ix_(u_r, lab)]) @ y_pm
        eva.append(L[s, s] - det / L[s, s] + 2 * abs(tmp))
    return np.array(eva)


# ---------------------------------------------------------------------------------------- QUIRE


@pytest.mark.parametrize(("n", "n_labeled", "seed"), [(12, 4, 0), (30, 20, 1), (25, 9, 2)])
def test_quire_matches_libacts_loop(n: int, n_labeled: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * 0.6
    lab = np.sort(rng.choice(n, n_labeled, replace=False))
    unl = np.setdiff1d(np.arange(n), lab)
    y = rng.integers(0, 2, n_labeled)
    lam, gamma = 0.7, 0.8
    eva = _quire_loop(_rbf(X, gamma), lab.tolist(), unl.tolist(), np.where(y == 1, 1.0, -1.0), lam)
    # the kernel, fed the same blocks
    K = _rbf(X, gamma)
    L = np.linalg.inv(K + lam * np.eye(n))
    scores = rk.quire_scores(
        L[np.ix_(unl, unl)],
        L[np.ix_(unl, lab)],
        K[np.ix_(unl, unl)],
        K[np.ix_(unl, lab)],
        rk.signed_label_codes(y, 2),
        lam,
        np.linalg.det(L[np.ix_(unl, unl)]),
    )
    np.testing.assert_allclose(-scores, eva, rtol=1e-10, atol=1e-12)
    # the strategy (det(L_UU) directly when the pool is the smaller part, else by Jacobi's identity)
    s = build_instance("strategy", "quire", {"lambda_": lam, "gamma": gamma}, "s")
    ctx = _ctx(X, lab, y)
    assert s.query(ctx, 1, np.random.default_rng(0))[0] == unl[np.argmin(eva)]
    top4 = unl[np.argsort(eva, kind="stable")[:4]]
    np.testing.assert_array_equal(s.query(ctx, 4, np.random.default_rng(0)), top4)


def test_quire_two_pool_samples_by_hand() -> None:
    # linear kernel on 1-D points: every quantity of libact's evaluation written out
    X = np.array([[1.0], [0.0], [2.0]])  # row 0 labeled (+1), rows 1 and 2 the pool
    lam = 1.0
    K = X @ X.T
    L = np.linalg.inv(K + lam * np.eye(3))
    det = L[1, 1] * L[2, 2] - L[1, 2] ** 2
    b = lam * np.eye(2) + K[1:, 1:] - np.outer(K[1:, 0], K[1:, 0]) / lam
    # candidate 1: r = {2}; candidate 2: r = {1}; M is a 1 x 1 downdated block
    m1 = b[1, 1] - b[1, 0] ** 2 / b[0, 0]
    m2 = b[0, 0] - b[0, 1] ** 2 / b[1, 1]
    eva1 = L[1, 1] - det / L[1, 1] + 2 * abs(L[1, 0] - L[1, 2] * m1 * L[2, 0])
    eva2 = L[2, 2] - det / L[2, 2] + 2 * abs(L[2, 0] - L[2, 1] * m2 * L[1, 0])
    s = build_instance("strategy", "quire", {"kernel": "linear"}, "s")
    ctx = _ctx(X, [0], [1])
    assert s.query(ctx, 1, np.random.default_rng(0))[0] == (1 if eva1 < eva2 else 2)
    assert eva1 != pytest.approx(eva2)
    scores = rk.quire_scores(L[1:, 1:], L[1:, :1], K[1:, 1:], K[1:, :1], np.array([[1.0]]), lam, det)
    np.testing.assert_allclose(-scores, [eva1, eva2], rtol=1e-12)


def test_quire_label_sign_is_irrelevant_and_multiclass_averages_one_vs_rest() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 2))
    lab = np.arange(6)
    y = np.array([0, 1, 2, 0, 1, 2])
    K = _rbf(X, 1.0)
    unl = np.arange(6, 20)
    flipped = _quire_loop(K, lab.tolist(), unl.tolist(), np.where(y == 1, -1.0, 1.0), 1.0)
    straight = _quire_loop(K, lab.tolist(), unl.tolist(), np.where(y == 1, 1.0, -1.0), 1.0)
    np.testing.assert_allclose(flipped, straight, rtol=1e-12)
    # three classes: the |.| term is the mean of the three one-vs-rest evaluations'
    codes = [np.where(y == c, 1.0, -1.0) for c in range(3)]
    per_class = [_quire_loop(K, lab.tolist(), unl.tolist(), code, 1.0) for code in codes]
    expected = np.mean(per_class, axis=0)  # the first two terms are the same in each
    s = build_instance("strategy", "quire", {}, "s")
    assert s.query(_ctx(X, lab, y, n_classes=3), 1, np.random.default_rng(0))[0] == unl[np.argmin(expected)]


def test_quire_cache_is_keyed_by_the_data_and_parameters() -> None:
    rng = np.random.default_rng(4)
    X1, X2 = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    lab, y = np.arange(5), np.array([0, 1, 0, 1, 1])
    s = build_instance("strategy", "quire", {}, "s")
    first = s.query(_ctx(X1, lab, y), 5, np.random.default_rng(0))
    other = s.query(_ctx(X2, lab, y), 5, np.random.default_rng(0))  # replaces the cached inverse
    fresh = build_instance("strategy", "quire", {}, "s")
    np.testing.assert_array_equal(other, fresh.query(_ctx(X2, lab, y), 5, np.random.default_rng(0)))
    np.testing.assert_array_equal(first, s.query(_ctx(X1, lab, y), 5, np.random.default_rng(0)))
    s.set_params(gamma=0.05)  # a parameter change is a cache miss, not a stale inverse
    fresh = build_instance("strategy", "quire", {"gamma": 0.05}, "s")
    np.testing.assert_array_equal(
        s.query(_ctx(X1, lab, y), 5, np.random.default_rng(0)),
        fresh.query(_ctx(X1, lab, y), 5, np.random.default_rng(0)),
    )


@pytest.mark.parametrize(
    ("param", "value", "allowed"),
    [
        ("lambda_", 0.0, r"\(0.0, inf\]"),
        ("kernel", "sigmoid", "'rbf'"),
        ("gamma", -1.0, r"\(0.0"),
        ("degree", 0, ">= 1"),
    ],
)
def test_quire_bad_parameters_are_named(param: str, value: object, allowed: str) -> None:
    with pytest.raises(AlbenchInputError, match=rf"{param} = .*{allowed}"):
        build_instance("strategy", "quire", {param: value}, "s")
