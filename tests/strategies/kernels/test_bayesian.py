"""Known answers for the posterior kernels, computed by hand or from the definitions."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from albench.strategies.kernels import bayesian as kb
from albench.strategies.kernels import select_top_k


def _h(*p: float) -> float:
    """Entropy in nats, by hand."""
    return -sum(x * math.log(x) for x in p if x > 0)


# T = 2 samples, N = 4 rows, C = 2 classes
P2 = np.array(
    [
        [[0.5, 0.5], [1.0, 0.0], [1.0, 0.0], [0.9, 0.1]],
        [[0.5, 0.5], [0.0, 1.0], [1.0, 0.0], [0.1, 0.9]],
    ]
)


def test_bald_by_hand() -> None:
    # row 0: both samples uniform -> no disagreement; row 1: certain and opposite -> ln 2;
    # row 2: certain and equal -> 0; row 3: ln 2 - H(0.9, 0.1)
    expected = [0.0, math.log(2), 0.0, math.log(2) - _h(0.9, 0.1)]
    np.testing.assert_allclose(kb.bald_scores(P2), expected, atol=1e-15)


def test_entropies_by_hand() -> None:
    np.testing.assert_allclose(kb.predictive_entropy_scores(P2), [math.log(2), math.log(2), 0.0, math.log(2)])
    np.testing.assert_allclose(kb.expected_entropy(P2), [math.log(2), 0.0, 0.0, _h(0.9, 0.1)])
    np.testing.assert_allclose(kb.mean_probabilities(P2)[3], [0.5, 0.5])


def test_mean_std_by_hand() -> None:
    # row 3: class 0 takes 0.9 and 0.1 (mean 0.5, population std 0.4), class 1 the same
    np.testing.assert_allclose(kb.mean_std_scores(P2), [0.0, 0.5, 0.0, 0.4], atol=1e-15)


def test_variation_ratios_by_hand() -> None:
    P = np.array(
        [
            [[0.6, 0.4, 0.0], [0.2, 0.3, 0.5], [0.5, 0.5, 0.0]],
            [[0.7, 0.3, 0.0], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7]],
            [[0.1, 0.9, 0.0], [0.6, 0.3, 0.1], [0.4, 0.6, 0.0]],
        ]
    )
    # votes: row 0 -> 0, 0, 1 (mode share 2/3); row 1 -> 2, 1, 0 (1/3);
    # row 2 -> 0 (a tie within the sample goes to the lowest class), 2, 1 (1/3)
    np.testing.assert_allclose(kb.variation_ratios_scores(P), [1 / 3, 2 / 3, 2 / 3])


def test_kernels_reject_a_wrong_shape() -> None:
    with pytest.raises(ValueError, match=r"\(T, N, C\)"):
        kb.bald_scores(np.ones((3, 2)))


def _brute_joint_entropy(P: np.ndarray, rows: list[int]) -> float:
    """H[y_rows] from the definition: every configuration enumerated."""
    T, _, C = P.shape
    total = 0.0
    for config in itertools.product(range(C), repeat=len(rows)):
        p = 0.0
        for t in range(T):
            q = 1.0
            for r, c in zip(rows, config, strict=True):
                q *= P[t, r, c]
            p += q / T
        if p > 0:
            total -= p * math.log(p)
    return total


def _brute_batchbald_scores(P: np.ndarray, batch: list[int]) -> np.ndarray:
    """a_BatchBALD(batch + [j]) for every j, from the definition (loops over everything)."""
    T, N, _ = P.shape
    cond = [sum(_h(*P[t, i]) for t in range(T)) / T for i in range(N)]
    out = np.full(N, -np.inf)
    for j in range(N):
        if j in batch:
            continue
        out[j] = _brute_joint_entropy(P, [*batch, j]) - sum(cond[i] for i in [*batch, j])
    return out


def _random_posterior(T: int, N: int, C: int, seed: int) -> np.ndarray:
    logits = np.random.default_rng(seed).normal(scale=2.0, size=(T, N, C))
    e = np.exp(logits - logits.max(axis=2, keepdims=True))
    return e / e.sum(axis=2, keepdims=True)


def test_exact_joint_entropy_matches_enumeration() -> None:
    P = _random_posterior(T=5, N=6, C=3, seed=1)
    batch = [4, 1]
    joint = kb._joint_exact(P[:, batch, :].transpose(1, 0, 2))
    assert joint.shape == (9, 5)
    got = kb._joint_entropies(joint, P, sampled=False)
    for j in range(6):
        rows = [*batch, j]
        assert got[j] == pytest.approx(_brute_joint_entropy(P, rows), rel=1e-12)


def test_batchbald_greedy_matches_brute_force() -> None:
    P = _random_posterior(T=4, N=7, C=3, seed=2)
    got = kb.batchbald_select(P, 3, np.random.default_rng(0))
    batch: list[int] = []
    for _ in range(3):
        batch.append(int(np.argmax(_brute_batchbald_scores(P, batch))))
    assert got.tolist() == batch


def test_batchbald_with_batch_one_is_bald() -> None:
    P = _random_posterior(T=6, N=30, C=4, seed=3)
    got = kb.batchbald_select(P, 1, np.random.default_rng(5))
    want = select_top_k(kb.bald_scores(P), 1, np.random.default_rng(5))
    assert got.tolist() == want.tolist()


def _duplicates_pool() -> np.ndarray:
    """Rows 0 and 1 identical (most informative), row 2 informative and independent, row 3 not."""
    T = 8
    a = np.array([[0.95, 0.05] if t % 2 else [0.05, 0.95] for t in range(T)])  # disagree on t's parity
    b = np.array([[0.9, 0.1] if t < T // 2 else [0.1, 0.9] for t in range(T)])  # on t's half
    flat = np.full((T, 2), 0.5)
    return np.stack([a, a, b, flat], axis=1)  # (T, 4, 2)


@pytest.mark.parametrize("n_configurations", [10_000, 1])
def test_batchbald_skips_a_duplicate_that_bald_takes(n_configurations: int) -> None:
    P = _duplicates_pool()
    bald = kb.bald_scores(P)
    assert bald[0] == bald[1] > bald[2] > bald[3]  # BALD's top 2 are the two copies
    picks = kb.batchbald_select(P, 2, np.random.default_rng(0), n_configurations=n_configurations)
    assert picks[0] in (0, 1) and picks[1] == 2  # the copy adds nothing once one is in the batch


def test_sampled_joint_entropy_converges_to_exact() -> None:
    P = _random_posterior(T=10, N=5, C=3, seed=4)
    P_sel = P[:, [0, 1, 2], :].transpose(1, 0, 2)
    exact = kb._joint_entropies(kb._joint_exact(P_sel), P, sampled=False)
    sampled = kb._joint_entropies(
        kb._joint_sampled(P_sel, 200_000, np.random.default_rng(0)), P, sampled=True
    )
    np.testing.assert_allclose(sampled, exact, rtol=0.02)


def test_batchbald_switches_to_sampling_beyond_the_configuration_cap() -> None:
    P = _random_posterior(T=8, N=40, C=3, seed=5)
    # C ** 2 = 9 > 8: the third pick is scored on sampled configurations, drawn from rng
    a = kb.batchbald_select(P, 4, np.random.default_rng(1), n_configurations=8)
    b = kb.batchbald_select(P, 4, np.random.default_rng(1), n_configurations=8)
    assert a.tolist() == b.tolist() and len(set(a.tolist())) == 4
    exact = kb.batchbald_select(P, 2, np.random.default_rng(1), n_configurations=8)
    assert a[:2].tolist() == exact.tolist()  # the first two picks are exact (C ** 1 = 3 <= 8)


def test_batchbald_scores_rows_in_blocks(monkeypatch) -> None:
    P = _random_posterior(T=4, N=50, C=3, seed=6)
    whole = kb.batchbald_select(P, 3, np.random.default_rng(0))
    monkeypatch.setattr(kb, "_BLOCK_ELEMENTS", 7)  # one row per block
    assert kb.batchbald_select(P, 3, np.random.default_rng(0)).tolist() == whole.tolist()


def test_batchbald_edge_sizes() -> None:
    P = _random_posterior(T=3, N=4, C=2, seed=7)
    assert kb.batchbald_select(P, 0, np.random.default_rng(0)).size == 0
    assert sorted(kb.batchbald_select(P, 9, np.random.default_rng(0)).tolist()) == [0, 1, 2, 3]


def test_power_select_first_pick_follows_score_to_the_beta() -> None:
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.0])
    rng = np.random.default_rng(0)
    draws = 20_000
    firsts = np.array([kb.power_select(scores, 1, rng, beta=2.0)[0] for _ in range(draws)])
    freq = np.bincount(firsts, minlength=5) / draws
    want = scores**2 / (scores**2).sum()
    assert freq[4] == 0.0  # a zero score is never taken while a positive one is left
    tolerance = 4 * np.sqrt(want * (1 - want) / draws) + 1e-12  # four binomial standard errors
    assert np.all(np.abs(freq - want) <= tolerance), (freq, want)


def test_power_select_large_beta_is_top_k_and_zero_scores_fill_last() -> None:
    scores = np.array([0.3, 0.1, 0.7, 0.0, 0.5, 0.0])
    assert kb.power_select(scores, 3, np.random.default_rng(0), beta=1e6).tolist() == [2, 4, 0]
    out = kb.power_select(scores, 6, np.random.default_rng(0), beta=1.0)
    assert sorted(out[:4].tolist()) == [0, 1, 2, 4] and sorted(out[4:].tolist()) == [3, 5]


def test_power_select_is_a_function_of_the_stream() -> None:
    scores = np.random.default_rng(3).random(100)
    a = kb.power_select(scores, 10, np.random.default_rng(9))
    b = kb.power_select(scores, 10, np.random.default_rng(9))
    assert a.tolist() == b.tolist() and len(set(a.tolist())) == 10
