"""albench's uncertainty scores equal the definitions of modAL and scikit-activeml.

The peers' definitions are written here from their documentation (not imported):

- modAL (``modAL.uncertainty``): classifier uncertainty ``1 - max_c p``, selected largest;
  classifier margin ``p_(1) - p_(2)``, selected *smallest*; classifier entropy
  ``-sum_c p log p`` (natural log), selected largest.
- scikit-activeml (``skactiveml.pool.uncertainty_scores``): ``least_confident`` ``1 - max_c p``;
  ``margin_sampling`` ``1 - |p_(1) - p_(2)|``; ``entropy`` ``-sum_c p log p``; all selected
  largest.

On random probabilities (no ties) albench must score in the same order and pick the same
samples.
"""

import numpy as np
import pytest

from albench.strategies.kernels import entropy_scores, least_confident_scores, margin_scores, select_top_k


def _random_proba(seed: int, n: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(k), size=n)
    return p


def _top2(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.sort(p, axis=1)
    return s[:, -1], s[:, -2]


def modal_uncertainty(p):
    return 1.0 - p.max(axis=1)


def modal_margin(p):
    first, second = _top2(p)
    return first - second


def modal_entropy(p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=1)


def skal_least_confident(p):
    return 1.0 - p.max(axis=1)


def skal_margin(p):
    first, second = _top2(p)
    return 1.0 - np.abs(first - second)


def skal_entropy(p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nansum(-p * np.log(p), axis=1)


def _largest(u: np.ndarray, k: int) -> set[int]:
    return set(np.argsort(-u, kind="stable")[:k].tolist())


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k_classes", [2, 3, 7])
def test_scores_equal_peer_definitions(seed, k_classes):
    p = _random_proba(seed, 200, k_classes)
    assert np.allclose(least_confident_scores(p), modal_uncertainty(p))
    assert np.allclose(least_confident_scores(p), skal_least_confident(p))
    # albench's margin score is minus modAL's margin, and scikit-activeml's utility minus 1
    assert np.allclose(margin_scores(p), -modal_margin(p))
    assert np.allclose(margin_scores(p), skal_margin(p) - 1.0)
    assert np.allclose(entropy_scores(p), modal_entropy(p))
    assert np.allclose(entropy_scores(p), skal_entropy(p))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("batch", [1, 5, 20])
def test_same_samples_picked(seed, batch):
    p = _random_proba(100 + seed, 300, 4)
    rng = np.random.default_rng(0)
    picks = {
        "least_confident": set(select_top_k(least_confident_scores(p), batch, rng).tolist()),
        "margin": set(select_top_k(margin_scores(p), batch, rng).tolist()),
        "entropy": set(select_top_k(entropy_scores(p), batch, rng).tolist()),
    }
    # modAL: largest uncertainty, SMALLEST margin, largest entropy
    assert picks["least_confident"] == _largest(modal_uncertainty(p), batch)
    assert picks["margin"] == set(np.argsort(modal_margin(p), kind="stable")[:batch].tolist())
    assert picks["entropy"] == _largest(modal_entropy(p), batch)
    # scikit-activeml: largest utility for all three
    assert picks["least_confident"] == _largest(skal_least_confident(p), batch)
    assert picks["margin"] == _largest(skal_margin(p), batch)
    assert picks["entropy"] == _largest(skal_entropy(p), batch)
    # the three differ on 4 classes: the test would notice a kernel swapped for another
    assert len({frozenset(v) for v in picks.values()}) > 1


def test_entropy_with_zero_probabilities_matches_both_peers():
    p = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    assert np.allclose(entropy_scores(p), modal_entropy(p))
    assert np.allclose(entropy_scores(p), skal_entropy(p))
    assert entropy_scores(p)[1] == pytest.approx(np.log(2))
