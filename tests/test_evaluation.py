"""evaluate: all metrics of a round from one prediction, equal to scikit-learn's functions."""

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC, LinearSVC

from albench import evaluation
from albench.evaluation import evaluate, predicts_argmax
from albench.metrics import DEFAULT_METRICS
from albench.registry import METRICS

MODELS = {
    "logistic_regression": lambda: LogisticRegression(max_iter=500),
    "random_forest": lambda: RandomForestClassifier(n_estimators=20, random_state=0),
    "knn": lambda: KNeighborsClassifier(3),
    "gaussian_nb": GaussianNB,
    "rbf_svm": SVC,
    "rbf_svm_platt": lambda: SVC(probability=True, random_state=0),
    "linear_svm": LinearSVC,
    "mlp": lambda: MLPClassifier(hidden_layer_sizes=(10,), max_iter=300, random_state=0),
}


class CountingModel:
    """Wraps a fitted model and counts its prediction calls."""

    def __init__(self, model):
        self.model, self.calls = model, []
        self.classes_ = model.classes_
        for name in ("predict", "predict_proba", "decision_function"):
            if hasattr(model, name):
                setattr(self, name, self._counted(name))

    def _counted(self, name):
        def call(X):
            self.calls.append(name)
            return getattr(self.model, name)(X)

        return call


def _data(n_classes, seed=0):
    X, y = make_classification(
        n_samples=400, n_features=8, n_informative=5, n_classes=n_classes, random_state=seed
    )
    return X[:120], y[:120], X[120:], y[120:]


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("name", list(MODELS))
def test_evaluate_equals_sklearn_on_the_models_own_predictions(name, n_classes):
    Xtr, ytr, Xte, yte = _data(n_classes)
    model = MODELS[name]().fit(Xtr, ytr)
    names = (*DEFAULT_METRICS, "minority_recall", "g_mean", "per_class_recall")
    got = evaluate(model, Xte, yte, n_classes, names)
    yp = model.predict(Xte)
    K = np.arange(n_classes)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(yte, yp), rel=1e-12)
    assert got["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(yte, yp), rel=1e-12)
    assert got["f1_macro"] == pytest.approx(
        skm.f1_score(yte, yp, labels=K, average="macro", zero_division=0), rel=1e-12
    )
    recalls = skm.recall_score(yte, yp, labels=K, average=None)
    assert [got[f"per_class_recall_{c}"] for c in K] == pytest.approx(recalls, rel=1e-12)
    assert got["g_mean"] == pytest.approx(np.prod(recalls) ** (1 / n_classes), rel=1e-12)
    smallest = np.argmin(np.bincount(yte, minlength=n_classes))
    assert got["minority_recall"] == pytest.approx(recalls[smallest], rel=1e-12)
    if hasattr(model, "predict_proba"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = skm.log_loss(yte, model.predict_proba(Xte), labels=K)
        assert got["log_loss"] == pytest.approx(expected, rel=1e-12)
    else:
        assert np.isnan(got["log_loss"])


@pytest.mark.parametrize(
    ("name", "expected_calls"),
    [
        ("random_forest", ["predict_proba"]),
        ("mlp", ["predict_proba"]),
        # they predict from decision values / log-likelihoods / a weighted vote, not from the
        # probabilities' argmax: one predict_proba (log loss) and one predict (the classes)
        ("logistic_regression", ["predict_proba", "predict"]),
        ("knn", ["predict_proba", "predict"]),
        ("gaussian_nb", ["predict_proba", "predict"]),
        ("rbf_svm", ["predict"]),
        ("linear_svm", ["predict"]),
        # Platt probabilities do not decide SVC's predictions: both are needed
        ("rbf_svm_platt", ["predict_proba", "predict"]),
    ],
)
def test_one_prediction_of_the_test_set_per_round(name, expected_calls, monkeypatch):
    Xtr, ytr, Xte, yte = _data(3)
    fitted = MODELS[name]().fit(Xtr, ytr)
    wrapped = CountingModel(fitted)
    if predicts_argmax(fitted):  # judge the wrapper by the model it wraps
        monkeypatch.setattr(evaluation, "ARGMAX_PREDICTORS", (*evaluation.ARGMAX_PREDICTORS, CountingModel))
    evaluate(wrapped, Xte, yte, 3, DEFAULT_METRICS)
    assert wrapped.calls == expected_calls


def test_a_plugin_metric_with_the_public_signature_still_works():
    seen = {}

    def plugin(y_true, y_pred, proba, n_classes):
        seen.update(y_pred=y_pred, proba=proba, n_classes=n_classes)
        return float((y_true == y_pred).mean())

    METRICS.add("test_plugin_accuracy", plugin, description="test")
    try:
        Xtr, ytr, Xte, yte = _data(3)
        model = LogisticRegression(max_iter=500).fit(Xtr, ytr)
        got = evaluate(model, Xte, yte, 3, ["test_plugin_accuracy", "accuracy"])
        assert got["test_plugin_accuracy"] == got["accuracy"] == skm.accuracy_score(yte, model.predict(Xte))
        assert seen["proba"].shape == (Xte.shape[0], 3) and seen["n_classes"] == 3
    finally:
        METRICS._entries.pop("test_plugin_accuracy", None)


def test_missing_training_class_gets_zero_probability_columns():
    Xtr, ytr, Xte, yte = _data(3)
    keep = ytr != 1  # the model never sees class 1
    model = LogisticRegression(max_iter=500).fit(Xtr[keep], ytr[keep])
    got = evaluate(model, Xte, yte, 3, ["accuracy", "per_class_recall"])
    assert got["per_class_recall_1"] == 0.0
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(yte, model.predict(Xte)))
