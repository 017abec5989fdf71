"""Kappa against scikit-learn, entropy and the predicted change of F against written-out formulas."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

from albench.stopping.measures import cohen_kappa, expected_error, normalized_entropy, predicted_change_f


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("k", [2, 3, 5])
def test_kappa_equals_scikit_learn(seed, k):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, k, 50)
    b = np.where(rng.random(50) < 0.7, a, rng.integers(0, k, 50))
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_kappa_of_identical_constant_predictions_is_one():
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) == 1.0
    with pytest.raises(ValueError):
        cohen_kappa([0, 1], [0])


def test_entropy_and_expected_error():
    p = np.array([[0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    assert normalized_entropy(p) == pytest.approx([1.0, 0.0, 0.5])  # log 2 / log 4 = 0.5
    assert expected_error(p) == pytest.approx((0.75 + 0.0 + 0.5) / 3)


@pytest.mark.parametrize("seed", range(5))
def test_predicted_change_f_is_one_minus_f_of_one_model_against_the_other(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2, 40)
    b = np.where(rng.random(40) < 0.8, a, 1 - a)
    assert predicted_change_f(a, b, 2) == pytest.approx(1 - f1_score(a, b))
    c3 = rng.integers(0, 3, 40)
    d3 = np.where(rng.random(40) < 0.8, c3, rng.integers(0, 3, 40))
    assert predicted_change_f(c3, d3, 3) == pytest.approx(1 - f1_score(c3, d3, average="macro"))
