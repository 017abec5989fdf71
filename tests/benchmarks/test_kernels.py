"""Timings of the scoring kernels and select_top_k at a few pool sizes (pytest-benchmark).

Normal runs pass ``--benchmark-disable`` (pyproject addopts), which executes each once as a
smoke test; ``pytest tests/benchmarks --benchmark-enable`` times them.
"""

from __future__ import annotations

import numpy as np
import pytest

from albench.strategies import kernels as K

SIZES = [1_000, 10_000, 100_000]
N_CLASSES = 10
N_FEATURES = 16
BATCH = 10


def _proba(n: int, k: int = N_CLASSES, seed: int = 0) -> np.ndarray:
    return np.random.default_rng([n, seed]).dirichlet(np.ones(k), size=n)


def _X(n: int, d: int = N_FEATURES) -> np.ndarray:
    return np.random.default_rng(n + 1).normal(size=(n, d))


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(
    "kernel",
    [K.least_confident_scores, K.margin_scores, K.entropy_scores, K.ratio_scores],
    ids=lambda f: f.__name__,
)
def test_uncertainty_kernels(benchmark, kernel, n: int) -> None:
    proba = _proba(n)
    out = benchmark(kernel, proba)
    assert out.shape == (n,)


@pytest.mark.parametrize("n", SIZES)
def test_decision_margin(benchmark, n: int) -> None:
    out = benchmark(K.decision_margin_scores, _X(n, N_CLASSES))
    assert out.shape == (n,)


@pytest.mark.parametrize("n", SIZES)
def test_select_top_k(benchmark, n: int) -> None:
    scores = np.random.default_rng(n).random(n)
    out = benchmark(lambda: K.select_top_k(scores, BATCH, np.random.default_rng(0)))
    assert out.shape == (BATCH,)


@pytest.mark.parametrize("n", SIZES)
def test_committee_kernels(benchmark, n: int) -> None:
    probas = np.stack([_proba(n, seed=m) for m in range(5)])
    out = benchmark(K.kl_to_consensus_scores, probas)
    assert out.shape == (n,)
    votes = probas.argmax(axis=2)
    assert K.vote_entropy_scores(votes, N_CLASSES).shape == (n,)


@pytest.mark.parametrize("n", SIZES)
def test_k_center_greedy(benchmark, n: int) -> None:
    X = _X(n)
    out = benchmark(lambda: K.k_center_greedy(X, X[:50], BATCH, np.random.default_rng(0)))
    assert np.unique(out).shape == (BATCH,)


@pytest.mark.parametrize("n", SIZES)
def test_badge_kmeanspp(benchmark, n: int) -> None:
    proba = _proba(n)
    R = proba.copy()
    R[np.arange(n), proba.argmax(1)] -= 1
    X = _X(n)
    out = benchmark(lambda: K.gradient_embedding_kmeanspp(R, X, BATCH, np.random.default_rng(0)))
    assert np.unique(out).shape == (BATCH,)


@pytest.mark.parametrize("n", SIZES)
def test_ranked_batch(benchmark, n: int) -> None:
    X = _X(n)
    u = K.least_confident_scores(_proba(n))
    out = benchmark(lambda: K.ranked_batch(X, X[:50], u, BATCH, np.random.default_rng(0)))
    assert np.unique(out).shape == (BATCH,)


@pytest.mark.parametrize("n", SIZES)
def test_information_density_cosine(benchmark, n: int) -> None:
    X = _X(n)
    out = benchmark(K.mean_cosine_similarity, X, X)
    assert out.shape == (n,)


@pytest.mark.parametrize("n", SIZES)
def test_information_density_rbf_1000_references(benchmark, n: int) -> None:
    X = _X(n)
    out = benchmark(K.mean_rbf_similarity, X, X[:1000])
    assert out.shape == (n,)


@pytest.mark.parametrize("n", SIZES[:2])
def test_graph_density(benchmark, n: int) -> None:
    X = _X(n, 4)

    def run():
        W = K.knn_graph(X, 10)
        return K.graph_density_select(K.graph_density(W), W, np.arange(n), BATCH, np.random.default_rng(0))

    assert np.unique(benchmark(run)).shape == (BATCH,)


@pytest.mark.parametrize("n", SIZES[:2])
def test_variance_reduction(benchmark, n: int) -> None:
    k, d = 3, 8
    X, P = _X(n, d), _proba(n, k)

    def run():
        F_l = K.fisher_information(X[:50], P[:50]) + np.eye(k * d)
        return K.variance_reduction_scores(X, P, F_l, K.fisher_information(X, P))

    assert benchmark(run).shape == (n,)


@pytest.mark.parametrize("n", SIZES)
def test_expected_error(benchmark, n: int) -> None:
    # C candidates x K labels x n evaluation samples x K: the retrained models' outputs
    c, k = 10, 3
    future = _proba(c * k * n, k).reshape(c, k, n, k)
    out = benchmark(K.expected_error_scores, _proba(c, k), future, "zero_one")
    assert out.shape == (c,)
