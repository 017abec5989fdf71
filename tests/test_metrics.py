"""Every built-in metric equals scikit-learn's function on the same prediction."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from albench.metrics import FROM_PREDICTION, Prediction
from albench.registry import METRICS


def _sk_log_loss(y, proba, K):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the y_pred -> y_proba rename warning of newer versions
        return skm.log_loss(y, proba, labels=np.arange(K))


def _sklearn(name, y, yp, proba, K):
    present = np.unique(y)
    if name == "accuracy":
        return skm.accuracy_score(y, yp)
    if name == "balanced_accuracy":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "y_pred contains classes not in y_true"
            return skm.balanced_accuracy_score(y, yp)
    if name == "f1_macro":
        return skm.f1_score(y, yp, labels=np.arange(K), average="macro", zero_division=0)
    if name == "log_loss":
        return _sk_log_loss(y, proba, K)
    recalls = skm.recall_score(y, yp, labels=present, average=None, zero_division=0)
    if name == "minority_recall":
        counts = np.array([(y == c).sum() for c in present])
        return recalls[int(np.argmin(counts))]  # first smallest = lowest class
    if name == "g_mean":
        return float(np.prod(recalls) ** (1 / len(recalls)))
    raise AssertionError(name)


def _case(rng, n, K, skew):
    w = rng.dirichlet(np.full(K, skew))
    y = rng.choice(K, size=n, p=w)
    yp = np.where(rng.random(n) < 0.6, y, rng.integers(0, K, n))
    proba = rng.dirichlet(np.ones(K), size=n)
    return y, yp, proba


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 300),
    K=st.integers(2, 8),
    skew=st.sampled_from([0.3, 1.0, 10.0]),
)
def test_builtins_equal_sklearn(seed, n, K, skew):
    y, yp, proba = _case(np.random.default_rng(seed), n, K, skew)
    pred = Prediction(y, yp, proba, K)
    for name in ("accuracy", "balanced_accuracy", "f1_macro", "log_loss", "minority_recall", "g_mean"):
        assert FROM_PREDICTION[name](pred) == pytest.approx(_sklearn(name, y, yp, proba, K), rel=1e-12), name


def test_per_class_recall_one_column_per_class_nan_when_absent():
    rng = np.random.default_rng(3)
    K = 5
    y = rng.choice([0, 1, 3], size=200)  # classes 2 and 4 absent from the test set
    yp = np.where(rng.random(200) < 0.5, y, rng.integers(0, K, 200))
    cols = FROM_PREDICTION["per_class_recall"](Prediction(y, yp, None, K))
    assert list(cols) == [f"per_class_recall_{c}" for c in range(K)]
    expected = skm.recall_score(y, yp, labels=[0, 1, 3], average=None)
    assert [cols[f"per_class_recall_{c}"] for c in (0, 1, 3)] == pytest.approx(expected)
    assert np.isnan(cols["per_class_recall_2"]) and np.isnan(cols["per_class_recall_4"])


def test_confusion_matrix_is_sklearns():
    rng = np.random.default_rng(0)
    y, yp, _ = _case(rng, 500, 6, 1.0)
    np.testing.assert_array_equal(
        Prediction(y, yp, None, 6).confusion, skm.confusion_matrix(y, yp, labels=range(6))
    )


def test_public_signature_gives_the_same_values():
    rng = np.random.default_rng(1)
    y, yp, proba = _case(rng, 100, 4, 1.0)
    for name, func in FROM_PREDICTION.items():
        assert METRICS.get(name).obj(y, yp, proba, 4) == func(Prediction(y, yp, proba, 4))


def test_log_loss_nan_without_probabilities_and_clips_zero_probability():
    y = np.array([0, 1])
    assert np.isnan(METRICS.get("log_loss").obj(y, y, None, 2))
    proba = np.array([[1.0, 0.0], [1.0, 0.0]])  # the second sample's true class has probability 0
    assert METRICS.get("log_loss").obj(y, y, proba, 2) == pytest.approx(_sk_log_loss(y, proba, 2))


def test_g_mean_is_zero_when_a_class_is_never_recalled():
    y = np.array([0, 0, 1, 1, 2])
    yp = np.array([0, 0, 1, 1, 0])
    assert FROM_PREDICTION["g_mean"](Prediction(y, yp, None, 3)) == 0.0
    assert FROM_PREDICTION["minority_recall"](Prediction(y, yp, None, 3)) == 0.0
