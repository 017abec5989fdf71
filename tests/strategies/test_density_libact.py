"""DWUS pre-clustering (libact's DWUS) and Google's graph-density bookkeeping, checked against
direct computations written from the published code's definitions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import multivariate_normal
from sklearn.cluster import KMeans

from albench.components import build_instance
from albench.errors import AlbenchInputError
from albench.strategies import kernels

from ._helpers import ctx_from


def test_cluster_prior_em_by_hand() -> None:
    # two centres at 0 and 2 (1-D), points at 0, 0 and 2; sigma = 1
    sq = np.array([[0.0, 4.0], [0.0, 4.0], [4.0, 0.0]])
    prior, post = kernels.cluster_prior_em(sq, sigma=1.0, max_iter=1)
    e = np.exp(-2.0)  # exp(-4 / 2)
    # one step from uniform weights: P(k|x) = (1, e) / (1 + e) for the first two points
    np.testing.assert_allclose(post[0], [1 / (1 + e), e / (1 + e)])
    np.testing.assert_allclose(prior, [(2 / (1 + e) + e / (1 + e)) / 3, (2 * e / (1 + e) + 1 / (1 + e)) / 3])
    # more steps: libact's loop, written with plain exponentials
    dis = np.exp(-sq / 2.0)
    P_k = np.ones(2) / 2
    for _ in range(7):
        temp = dis * P_k
        P_k_x = temp / temp.sum(axis=1, keepdims=True)
        P_k = P_k_x.mean(axis=0)
    prior, post = kernels.cluster_prior_em(sq, sigma=1.0, max_iter=7)
    np.testing.assert_allclose(prior, P_k)
    np.testing.assert_allclose(post, P_k_x)


def test_cluster_prior_em_stays_defined_where_plain_exponentials_underflow() -> None:
    sq = np.array([[4000.0, 4100.0], [0.0, 1.0]])
    prior, post = kernels.cluster_prior_em(sq, sigma=0.1, max_iter=3)
    assert np.all(np.isfinite(post)) and np.all(np.isfinite(prior))
    np.testing.assert_allclose(post.sum(axis=1), 1.0)


def _libact_dwlr(P_lab: np.ndarray, centers: np.ndarray, y_pm: np.ndarray, C: float) -> np.ndarray:
    """libact's DensityWeightedLogisticRegression: CG on its likelihood, numerical gradient."""

    def sigmoid(t):
        return 1.0 / (1.0 + np.exp(-t))

    def likelihood(w):
        w = w.reshape(-1, 1)
        z = centers @ w[:-1] + w[-1]  # (K, 1)
        inner = np.sum(P_lab * sigmoid(y_pm.reshape(-1, 1) @ z.T), axis=1)
        return (C / 2.0 * (w[:-1].T @ w[:-1]) - np.sum(np.log(inner)))[0, 0]

    res = minimize(likelihood, np.zeros(centers.shape[1] + 1), method="CG")
    w = res.x
    return sigmoid(centers @ w[:-1] + w[-1])


def test_cluster_logistic_matches_libacts_density_weighted_logistic_regression() -> None:
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(4, 3))
    P_lab = rng.dirichlet(np.ones(4), size=12)
    y = rng.integers(0, 2, size=12)
    got = kernels.cluster_logistic_proba(P_lab, y, centers, 2, C=1.0)
    want = _libact_dwlr(P_lab, centers, np.where(y == 1, 1.0, -1.0), C=1.0)
    np.testing.assert_allclose(got.sum(axis=1), 1.0)
    np.testing.assert_allclose(got[:, 1], want, atol=2e-4)


def test_pre_clustering_dwus_picks_what_libacts_dwus_picks() -> None:
    rng = np.random.default_rng(4)
    X = np.vstack([rng.normal(loc=c, scale=0.4, size=(20, 2)) for c in ((0, 0), (3, 0), (0, 3), (3, 3))])
    y = (X[:, 0] + 0.3 * X[:, 1] > 1.8).astype(np.int64)
    labeled = np.array([0, 1, 20, 21, 40, 60, 61])
    ctx = ctx_from(X, y, labeled)
    params = {"variant": "pre_clustering", "n_components": 4, "sigma": 0.5, "max_iter": 50, "C": 1.0}
    s = build_instance("strategy", "dwus", params, "s")
    assert s.needs == frozenset({"features", "labeled"})
    got = s.query(ctx, 1, np.random.default_rng(9))

    # libact's DWUS, step by step: k-means seeded by the strategy stream's first draw
    seed = int(np.random.default_rng(9).integers(0, 2**31 - 1))
    km = KMeans(n_clusters=4, n_init=10, random_state=seed).fit(X)
    centers = km.cluster_centers_
    dis = np.stack([np.exp(-((X - c) ** 2).sum(axis=1) / 2 / 0.5) for c in centers], axis=1)
    P_k = np.ones(4) / 4
    for _ in range(50):
        temp = dis * P_k
        P_k_x = temp / temp.sum(axis=1, keepdims=True)
        P_k = P_k_x.mean(axis=0)
    p_x_k = np.stack(
        [multivariate_normal.pdf(X, mean=c, cov=np.ones(2) * np.sqrt(0.5)) for c in centers], axis=1
    )
    p_x = p_x_k @ P_k
    P_y_k = _libact_dwlr(P_k_x[labeled], centers, np.where(y[labeled] == 1, 1.0, -1.0), 1.0)
    pool = ctx.pool
    P_y_x = P_k_x[pool] @ P_y_k
    err = np.where(P_y_x >= 0.5, 1 - P_y_x, P_y_x)
    assert got.tolist() == [pool[np.argmax(err * p_x[pool])]]
    # the clustering is computed once per training part: a second round reuses it
    assert s.query(ctx, 1, np.random.default_rng(123)).tolist() == got.tolist()


def test_pre_clustering_runs_multiclass_and_refuses_bad_values() -> None:
    from ._helpers import make_ctx

    ctx = make_ctx(n_classes=3, n_samples=60)
    s = build_instance("strategy", "dwus", {"variant": "pre_clustering"}, "s")
    out = s.query(ctx, 4, np.random.default_rng(0))
    assert np.unique(out).shape[0] == 4 and np.isin(out, ctx.pool).all()
    for param, bad in {
        "variant": "libact",
        "sigma": 0.0,
        "max_iter": 0,
        "C": -1.0,
        "n_init": 0,
        "density_variance": -2.0,
    }.items():
        with pytest.raises(AlbenchInputError, match=param):
            build_instance("strategy", "dwus", {param: bad}, "s")


def _google_graph_density_picks(X: np.ndarray, initial: np.ndarray, rounds: int) -> list[int]:
    """Google's GraphDensitySampler, written from its code: k = 10 Manhattan neighbours, weights
    exp(-d_1 / n_features), densities kept across rounds, damped by its own picks only."""
    from sklearn.metrics import pairwise_distances
    from sklearn.neighbors import kneighbors_graph

    connect = kneighbors_graph(X, 10, p=1).tolil()
    gamma = 1.0 / X.shape[1]
    rows, cols = connect.nonzero()
    for i, j in zip(rows, cols, strict=True):
        w = np.exp(-pairwise_distances(X[[i]], X[[j]], metric="manhattan")[0, 0] * gamma)
        connect[i, j] = w
        connect[j, i] = w
    connect = connect.tocsr()
    density = np.array([connect[i, :].sum() / (connect[i, :] > 0).sum() for i in range(X.shape[0])])
    selected = list(initial)
    picks = []
    for _ in range(rounds):
        density[selected] = density.min() - 1
        pick = int(np.argmax(density))
        neighbors = (connect[pick, :] > 0).nonzero()[1]
        density[neighbors] = density[neighbors] - density[pick]
        selected.append(pick)
        picks.append(pick)
    return picks


def test_graph_density_with_carried_damping_replays_googles_sampler() -> None:
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(size=(40, 3)), rng.normal(loc=4.0, scale=0.5, size=(20, 3))])
    y = (X[:, 0] > 2).astype(np.int64)
    initial = np.array([0, 5, 41, 50])
    params = {"metric": "manhattan", "weight": "exponential", "gamma": "n_features", "damping": "picks"}
    s = build_instance("strategy", "graph_density", params, "s")
    labeled = initial.copy()
    got = []
    for _ in range(6):
        ctx = ctx_from(X, y, np.sort(labeled))
        pick = int(s.query(ctx, 1, np.random.default_rng(0))[0])
        got.append(pick)
        labeled = np.append(labeled, pick)
    assert got == _google_graph_density_picks(X, initial, 6)


def test_graph_density_refuses_bad_new_values() -> None:
    for param, bad in {"metric": "cosine", "weight": "flat", "damping": "never", "gamma": "auto"}.items():
        with pytest.raises(AlbenchInputError, match=param):
            build_instance("strategy", "graph_density", {param: bad}, "s")
