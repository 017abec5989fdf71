"""Kernels equal their definitions on hand-computed inputs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from albench.strategies import kernels as K
from albench.strategies.kernels import _compiled

P3 = np.array(
    [
        [0.9, 0.05, 0.05],
        [0.5, 0.49, 0.01],
        [0.4, 0.3, 0.3],
    ]
)


def test_uncertainty_kernels_by_hand() -> None:
    np.testing.assert_allclose(K.least_confident_scores(P3), [0.1, 0.5, 0.6])
    np.testing.assert_allclose(K.margin_scores(P3), [-0.85, -0.01, -0.1])
    np.testing.assert_allclose(K.ratio_scores(P3), [0.05 / 0.9, 0.49 / 0.5, 0.3 / 0.4])
    h = [
        -(0.9 * np.log(0.9) + 2 * 0.05 * np.log(0.05)),
        -(0.5 * np.log(0.5) + 0.49 * np.log(0.49) + 0.01 * np.log(0.01)),
        -(0.4 * np.log(0.4) + 2 * 0.3 * np.log(0.3)),
    ]
    np.testing.assert_allclose(K.entropy_scores(P3), h)
    np.testing.assert_allclose(K.uncertainty_measure(P3, "entropy"), np.array(h) / np.log(3))
    np.testing.assert_allclose(K.uncertainty_measure(P3, "margin"), [0.15, 0.99, 0.9])
    np.testing.assert_allclose(K.uncertainty_measure(P3, "least_confident"), [0.1, 0.5, 0.6])
    with pytest.raises(ValueError, match="vibes"):
        K.uncertainty_measure(P3, "vibes")


def test_two_classes_ties_and_zero_probabilities() -> None:
    p = np.array([[0.5, 0.5], [1.0, 0.0], [0.2, 0.8]])
    np.testing.assert_allclose(K.least_confident_scores(p), [0.5, 0.0, 0.2])
    np.testing.assert_allclose(K.margin_scores(p), [0.0, -1.0, -0.6])
    np.testing.assert_allclose(K.ratio_scores(p), [1.0, 0.0, 0.25])
    h = -(0.2 * np.log(0.2) + 0.8 * np.log(0.8))
    np.testing.assert_allclose(K.entropy_scores(p), [np.log(2), 0.0, h])


def test_one_column_probabilities() -> None:
    p = np.ones((3, 1))
    np.testing.assert_allclose(K.least_confident_scores(p), 0.0)
    np.testing.assert_allclose(K.margin_scores(p), -1.0)
    np.testing.assert_allclose(K.ratio_scores(p), 0.0)
    np.testing.assert_allclose(K.entropy_scores(p), 0.0)
    np.testing.assert_allclose(K.uncertainty_measure(p, "entropy"), 0.0)


def test_many_classes_uniform_is_most_uncertain() -> None:
    k = 10
    p = np.full((1, k), 1 / k)
    assert K.entropy_scores(p)[0] == pytest.approx(np.log(k))
    assert K.least_confident_scores(p)[0] == pytest.approx(1 - 1 / k)
    assert K.margin_scores(p)[0] == pytest.approx(0.0)
    assert K.ratio_scores(p)[0] == pytest.approx(1.0)


def test_decision_margin_binary_and_multiclass() -> None:
    np.testing.assert_allclose(K.decision_margin_scores(np.array([-2.0, 0.3, -0.1])), [-2.0, -0.3, -0.1])
    np.testing.assert_allclose(K.decision_margin_scores(np.array([[0.5], [-1.0]])), [-0.5, -1.0])
    d = np.array([[1.0, 0.9, -1.0], [2.0, 0.0, -1.0]])
    np.testing.assert_allclose(K.decision_margin_scores(d), [-0.1, -2.0])


def test_select_top_k_order_and_ties() -> None:
    s = np.array([0.1, 0.9, 0.5, 0.9, 0.3, np.nan])
    out = K.select_top_k(s, 2, np.random.default_rng(0))
    assert sorted(out.tolist()) == [1, 3]
    out = K.select_top_k(s, 3, np.random.default_rng(0))
    assert set(out[:2].tolist()) == {1, 3} and out[2] == 2
    assert K.select_top_k(s, 10, np.random.default_rng(0)).shape[0] == 6  # NaN comes last
    assert K.select_top_k(s, 10, np.random.default_rng(0))[-1] == 5
    assert K.select_top_k(s, 0, np.random.default_rng(0)).shape == (0,)


def test_select_top_k_tie_break_is_seeded_and_uniform() -> None:
    s = np.zeros(10)
    a = K.select_top_k(s, 3, np.random.default_rng(5))
    b = K.select_top_k(s, 3, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    counts = np.zeros(10)
    rng = np.random.default_rng(0)
    for _ in range(2000):
        counts[K.select_top_k(s, 3, rng)] += 1
    assert counts.min() > 450 and counts.max() < 750  # each index expected 600 times


@pytest.mark.parametrize("kernels_path", ["auto", "numpy"])
def test_select_top_k_draws_from_rng_only_on_a_tie(kernels_path, monkeypatch) -> None:
    monkeypatch.setattr(_compiled, "_numpy_forced", kernels_path == "numpy")
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    s = np.array([0.2, 0.9, 0.4, 0.7])
    np.testing.assert_array_equal(K.select_top_k(s, 2, rng), [1, 3])
    np.testing.assert_array_equal(K.select_top_k(s, 4, rng), [1, 3, 2, 0])
    assert rng.bit_generator.state == state  # no tie at the k-th score: nothing drawn
    K.select_top_k(np.array([0.2, 0.9, 0.9, 0.7]), 2, rng)  # two tied, both needed: permuted
    assert rng.bit_generator.state != state


def test_ratio_of_a_row_holding_nan_is_nan_on_the_numpy_path() -> None:
    from albench.strategies.kernels import uncertainty as U

    out = U.ratio_numpy(np.array([[np.nan, 0.5, 0.5], [0.2, 0.8, 0.0], [0.0, 0.0, 0.0]]))
    assert np.isnan(out[0]) and out[1] == pytest.approx(0.25) and out[2] == 1.0


def test_select_top_k_matches_a_full_sort_on_large_input() -> None:
    rng = np.random.default_rng(1)
    s = rng.random(100_000)
    out = K.select_top_k(s, 50, rng)
    np.testing.assert_array_equal(out, np.argsort(-s)[:50])


def test_vote_entropy_by_hand() -> None:
    votes = np.array([[0, 0, 1], [0, 1, 1], [0, 1, 2], [0, 0, 0]])  # 4 members, 3 samples
    expected = [0.0, np.log(2), -(0.5 * np.log(0.5) + 2 * 0.25 * np.log(0.25))]
    np.testing.assert_allclose(K.vote_entropy_scores(votes, 3), expected)


def test_kl_to_consensus_by_hand() -> None:
    a = np.array([[0.5, 0.5], [1.0, 0.0]])
    b = np.array([[0.5, 0.5], [0.0, 1.0]])
    out = K.kl_to_consensus_scores(np.stack([a, b]))
    # sample 0: members agree; sample 1: each member puts mass 1 where consensus has 1/2
    np.testing.assert_allclose(out, [0.0, np.log(2)])


def test_expected_error_by_hand() -> None:
    proba = np.array([[0.5, 0.5], [1.0, 0.0]])
    future = np.zeros((2, 2, 2, 2))
    future[0, 0] = [[0.9, 0.1], [0.7, 0.3]]  # 0/1 losses 0.1, 0.3 -> mean 0.2
    future[0, 1] = [[0.6, 0.4], [0.5, 0.5]]  # 0.4, 0.5 -> 0.45
    future[1, 0] = [[0.8, 0.2], [0.8, 0.2]]  # 0.2
    future[1, 1] = [[0.5, 0.5], [0.5, 0.5]]  # ignored: p = 0
    np.testing.assert_allclose(K.expected_error_scores(proba, future, "zero_one"), [-(0.1 + 0.225), -0.2])

    def h(p):
        return -sum(q * np.log(q) for q in p if q > 0)

    log0 = 0.5 * (h([0.9, 0.1]) + h([0.7, 0.3])) / 2 + 0.5 * (h([0.6, 0.4]) + h([0.5, 0.5])) / 2
    np.testing.assert_allclose(K.expected_error_scores(proba, future, "log")[0], -log0)
    with pytest.raises(ValueError, match="hinge"):
        K.expected_error_scores(proba, future, "hinge")


def test_fisher_information_is_the_kronecker_sum() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 3))
    P = rng.dirichlet(np.ones(4), size=7)
    expected = sum(np.kron(np.diag(p) - np.outer(p, p), np.outer(x, x)) for x, p in zip(X, P, strict=True))
    np.testing.assert_allclose(K.fisher_information(X, P, chunk_size=3), expected, atol=1e-12)


@pytest.mark.parametrize("k", [2, 4])
def test_variance_reduction_equals_the_trace_definition(k: int) -> None:
    rng = np.random.default_rng(k)
    d = 3
    XL, PL = rng.normal(size=(6, d)), rng.dirichlet(np.ones(k), size=6)
    XU, PU = rng.normal(size=(9, d)), rng.dirichlet(np.ones(k), size=9)
    F = K.fisher_information(XL, PL) + 0.5 * np.eye(k * d)
    FU = K.fisher_information(XU, PU)
    scores = K.variance_reduction_scores(XU, PU, F, FU, chunk_size=4)
    base = np.trace(FU @ np.linalg.inv(F))
    for x, p, s in zip(XU, PU, scores, strict=True):
        A = np.kron(np.diag(p) - np.outer(p, p), np.outer(x, x))
        assert s == pytest.approx(base - np.trace(FU @ np.linalg.inv(F + A)), rel=1e-8, abs=1e-10)


def test_similarities_by_hand() -> None:
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    R = np.array([[1.0, 0.0], [-3.0, 0.0], [0.0, 1.0]])
    # cos to each reference: row 0 -> 1, -1, 0 ; row 1 -> 0, 0, 1
    np.testing.assert_allclose(K.mean_cosine_similarity(X, R), [(2 + 0 + 1) / 6, (1 + 1 + 2) / 6])
    d2 = np.array([[0, 16, 2], [5, 13, 1]], dtype=float)
    rbf = K.mean_rbf_similarity(X, R, gamma=0.5, chunk_size=1)
    np.testing.assert_allclose(rbf, np.exp(-0.5 * d2).mean(1))
    np.testing.assert_allclose(K.information_density_scores([0.5, 1.0], [0.25, 0.5], beta=2), [0.03125, 0.25])


def test_min_distances_chunked() -> None:
    X = np.array([[0.0], [3.0], [10.0]])
    C = np.array([[1.0], [4.0], [8.0]])
    np.testing.assert_allclose(K.min_distances(X, C, chunk_size=1), [1.0, 1.0, 2.0])
    assert np.isinf(K.min_distances(X, np.empty((0, 1)))).all()


def test_k_center_picks_the_farthest_point_each_step() -> None:
    X = np.array([[1.0], [3.0], [5.0], [-4.0]])
    out = K.k_center_greedy(X, np.array([[0.0]]), 3, np.random.default_rng(0), chunk_size=1)
    # 5 is farthest from 0; then -4 (4 away from 0) beats 3 (2 from 5); then 3 (2 away) beats 1 (1 away)
    np.testing.assert_array_equal(out, [2, 3, 1])


def test_ranked_batch_by_hand() -> None:
    X = np.array([[1.0], [4.0]])
    L = np.array([[0.0]])
    # alpha = 2/3; sims 1/2 and 1/5: scores 1/3 + u/3 vs 8/15 + 0
    assert K.ranked_batch(X, L, np.array([0.5, 0.0]), 1, np.random.default_rng(0))[0] == 1
    assert K.ranked_batch(X, L, np.array([0.8, 0.0]), 1, np.random.default_rng(0))[0] == 0


def test_badge_seeding_by_hand() -> None:
    R = np.array([[0.1, -0.1], [0.4, -0.4], [0.1, -0.1], [0.1, -0.1]])
    X = np.array([[1.0], [1.0], [1.0], [1.0]])
    rng = np.random.default_rng(0)
    out = K.gradient_embedding_kmeanspp(R, X, 2, rng)
    assert out[0] == 1  # largest gradient norm
    assert out[1] in (0, 2, 3)
    # identical embeddings have distance 0: only the distinct one can follow the first pick
    R2 = np.array([[0.5, -0.5], [0.5, -0.5], [0.1, -0.1]])
    out = K.gradient_embedding_kmeanspp(R2, np.ones((3, 1)), 2, np.random.default_rng(3))
    assert out[0] in (0, 1) and out[1] == 2


def test_graph_density_by_hand() -> None:
    W = sparse.csr_matrix(np.array([[0, 1.0, 0.5], [1.0, 0, 0], [0.5, 0, 0]]))
    np.testing.assert_allclose(K.graph_density(W), [0.75, 1.0, 0.5])
    # node 1 first (1.0); it damps node 0 by 1.0 * 1.0 -> -0.25, so node 2 (0.5) comes next
    out = K.graph_density_select(K.graph_density(W), W, np.arange(3), 2, np.random.default_rng(0))
    np.testing.assert_array_equal(out, [1, 2])
    # a labeled node 2 damps node 0 first: 0.75 - 0.5 * 0.5 = 0.5 < 1.0
    out = K.graph_density_select(K.graph_density(W), W, np.array([0, 1]), 1, np.random.default_rng(0), [2])
    np.testing.assert_array_equal(out, [1])


def test_knn_graph_is_symmetric_with_gaussian_weights() -> None:
    X = np.array([[0.0], [1.0], [3.0]])
    W = K.knn_graph(X, n_neighbors=1, gamma=1.0).toarray()
    np.testing.assert_allclose(W, W.T)
    assert W[0, 1] == pytest.approx(np.exp(-1.0)) and W[1, 2] == pytest.approx(np.exp(-4.0))
    assert W[0, 2] == 0


@pytest.mark.parametrize("k", [2, 3])
def test_newton_future_proba_equals_the_explicit_newton_step(k: int) -> None:
    rng = np.random.default_rng(10 + k)
    d = 3
    XL, PL = rng.normal(size=(8, d)), rng.dirichlet(np.ones(k), size=8)
    H = K.fisher_information(XL, PL) + 0.7 * np.eye(k * d)
    XU, PU = rng.normal(size=(5, d)), rng.dirichlet(np.ones(k), size=5)
    Xc, Pc = rng.normal(size=(4, d)), rng.dirichlet(np.ones(k), size=4)
    future = K.newton_future_proba(PU, XU, Pc, Xc, np.linalg.inv(H))
    for c in range(4):
        S = np.diag(Pc[c]) - np.outer(Pc[c], Pc[c])
        H_new = H + np.kron(S, np.outer(Xc[c], Xc[c]))
        for y in range(k):
            g = np.kron(Pc[c] - np.eye(k)[y], Xc[c])
            W = -np.linalg.solve(H_new, g).reshape(k, d)
            z = np.log(PU) + XU @ W.T
            expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            np.testing.assert_allclose(future[c, y], expected, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- property-based (hypothesis)
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(
    scores=arrays(
        np.float64,
        st.integers(0, 60),
        elements=st.one_of(st.sampled_from([0.0, 0.5, 1.0, np.nan]), st.floats(-5, 5)),
    ),
    k=st.integers(0, 70),
    seed=st.integers(0, 2**16),
)
def test_select_top_k_is_a_top_k_by_definition(scores, k, seed) -> None:
    """Distinct indices, exactly min(k, n) of them, none scoring below any index left out."""
    out = K.select_top_k(scores, k, np.random.default_rng(seed))
    n = scores.shape[0]
    assert out.shape == (min(k, n),) and np.unique(out).shape == out.shape
    s = np.where(np.isnan(scores), -np.inf, scores)
    rest = np.setdiff1d(np.arange(n), out)
    if out.size and rest.size:
        assert s[out].min() >= s[rest].max()
    assert np.all(s[out][:-1] >= s[out][1:])  # sorted by decreasing score
    again = K.select_top_k(scores, k, np.random.default_rng(seed))
    assert np.array_equal(out, again)


# ------------------------------------------------ compiled path equals the NumPy reference
from albench.strategies.kernels import uncertainty as U  # noqa: E402
from albench.strategies.kernels.selection import split_at_kth_numpy  # noqa: E402

needs_numba = pytest.mark.skipif(not _compiled.AVAILABLE, reason="numba is not installed")

# values drawn from a small set make ties (within and across rows) frequent
_tied_proba = st.tuples(st.integers(1, 40), st.integers(1, 12), st.integers(0, 2**32 - 1), st.booleans())


def _proba_with_ties(n, k, seed, coarse, dtype):
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 4, size=(n, k)) if coarse else rng.random((n, k))
    raw = raw.astype(np.float64)
    raw[raw.sum(axis=1) == 0, 0] = 1.0
    return (raw / raw.sum(axis=1, keepdims=True)).astype(dtype)


@needs_numba
@settings(max_examples=150, deadline=None)
@given(case=_tied_proba, dtype=st.sampled_from([np.float64, np.float32]))
def test_compiled_uncertainty_kernels_equal_numpy(case, dtype) -> None:
    P = _proba_with_ties(*case, dtype)
    for fast, ref in [
        (_compiled.least_confident, U.least_confident_numpy),
        (_compiled.margin, U.margin_numpy),
        (_compiled.ratio, U.ratio_numpy),
    ]:
        got, expected = fast(P), ref(P)
        assert got.dtype == expected.dtype == dtype
        np.testing.assert_array_equal(got, expected)


@needs_numba
@settings(max_examples=150, deadline=None)
@given(
    scores=arrays(
        st.sampled_from([np.float64, np.float32]),
        st.integers(1, 80),
        elements=st.one_of(st.sampled_from([0.0, 0.5, 1.0, np.nan, -np.inf]), st.floats(-5, 5, width=32)),
    ),
    k=st.integers(1, 90),
    seed=st.integers(0, 2**16),
)
def test_compiled_selection_equals_numpy_ties_included(scores, k, seed) -> None:
    k = min(k, scores.shape[0])
    above_f, tied_f = _compiled.split_at_kth(scores, k)
    above_n, tied_n = split_at_kth_numpy(scores, k)
    np.testing.assert_array_equal(above_f, above_n)
    np.testing.assert_array_equal(tied_f, tied_n)
    fast = K.select_top_k(scores, k, np.random.default_rng(seed))
    with _compiled.numpy_path():
        assert not _compiled.enabled()
        ref = K.select_top_k(scores, k, np.random.default_rng(seed))
    np.testing.assert_array_equal(fast, ref)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uncertainty_kernels_keep_the_input_precision(dtype) -> None:
    P = _proba_with_ties(50, 4, 0, False, dtype)
    for kern in (K.least_confident_scores, K.margin_scores, K.ratio_scores, K.entropy_scores):
        assert kern(P).dtype == dtype
    np.testing.assert_allclose(
        K.entropy_scores(P), -(P.astype(np.float64) * np.log(P.astype(np.float64))).sum(axis=1), rtol=1e-5
    )


def test_entropy_blocks_equal_the_definition_across_block_edges(monkeypatch) -> None:
    monkeypatch.setattr(U, "ENTROPY_BLOCK_VALUES", 21)  # 7 rows of 3 per block, last block partial
    P = _proba_with_ties(50, 3, 1, True, np.float64)  # coarse: many exact zeros
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = -np.where(P > 0, P * np.log(P), 0.0).sum(axis=1)
    np.testing.assert_allclose(K.entropy_scores(P), expected, rtol=1e-13, atol=1e-300)


def test_numpy_path_blocks_do_not_change_margin(monkeypatch) -> None:
    P = _proba_with_ties(30, 5, 2, True, np.float64)
    whole = U.margin_numpy(P)
    monkeypatch.setattr(U, "CHUNK_ROWS", 7)
    np.testing.assert_array_equal(U.margin_numpy(P), whole)
    np.testing.assert_array_equal(whole, -np.diff(np.sort(P, axis=1)[:, -2:], axis=1)[:, 0])


@needs_numba
@settings(max_examples=60, deadline=None)
@given(
    case=st.tuples(
        st.integers(1, 30), st.integers(_compiled.LANES_FROM, 90), st.integers(0, 2**32 - 1), st.booleans()
    ),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_compiled_top_two_in_lanes_equals_numpy(case, dtype) -> None:
    """Rows of many columns are scanned in four lanes: same margin and ratio, ties included."""
    P = _proba_with_ties(*case, dtype)
    np.testing.assert_array_equal(_compiled.margin(P), U.margin_numpy(P))
    np.testing.assert_array_equal(_compiled.ratio(P), U.ratio_numpy(P))


def test_environment_variable_forces_the_numpy_path_at_import() -> None:
    import os
    import subprocess
    import sys

    code = "from albench.strategies.kernels import _compiled; print(_compiled.enabled())"
    env = {**os.environ, "ALBENCH_KERNELS": " NumPy "}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_numpy_path_context_restores_the_setting_after_an_error() -> None:
    before = _compiled.enabled()
    with pytest.raises(RuntimeError), _compiled.numpy_path():
        assert not _compiled.enabled()
        raise RuntimeError("boom")
    assert _compiled.enabled() == before
    with _compiled.numpy_path(), _compiled.numpy_path(forced=False):
        assert _compiled.enabled() == _compiled.AVAILABLE
