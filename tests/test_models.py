import numpy as np
import pytest

from albench.errors import AlbenchInputError
from albench.models import build_model, resolved_model_params
from albench.registry import MODELS
from albench.strategies.base import DECISION, PROBA, model_capabilities


@pytest.mark.parametrize("name", MODELS.names())
def test_every_model_fits_and_is_reproducible(name):
    from sklearn.datasets import make_classification

    # networks over images or spectrograms take (1, 8, 8); the text network token ids from a
    # vocabulary of 50; every other model a small table
    shaped = {"torch_cnn": (1, 8, 8), "torch_audio_cnn": (1, 8, 8), "torch_text_cnn": (20,)}
    shape = shaped.get(name, (5,))
    X, y = make_classification(n_samples=80, n_features=int(np.prod(shape)), random_state=0)
    X = abs(X)  # multinomial_nb needs non-negative features
    vocab = None
    if name == "torch_text_cnn":
        X, vocab = np.floor(X * 10) % 50, 50

    def fitted():
        model = build_model(name, {}, random_state=11)
        if hasattr(model, "with_data"):
            model.with_data(X.shape[1], 2, shape if name in shaped else (), vocab)
        return model.fit(X, y)

    a, b = fitted().predict(X), fitted().predict(X)
    assert (a == b).all()


def test_capabilities_follow_the_estimator():
    assert PROBA in model_capabilities(build_model("logistic_regression", {}, 0))
    svm = build_model("rbf_svm", {}, 0)
    assert PROBA not in model_capabilities(svm) and DECISION in model_capabilities(svm)
    assert PROBA in model_capabilities(build_model("rbf_svm", {"probability": True}, 0))
    nb = model_capabilities(build_model("gaussian_nb", {}, 0))
    assert PROBA in nb and DECISION not in nb


def test_parameters_from_config_reach_the_estimator():
    est = build_model("random_forest", {"n_estimators": 7, "max_depth": 3}, random_state=5)
    assert est.n_estimators == 7 and est.max_depth == 3 and est.random_state == 5
    params = resolved_model_params(est)
    assert "random_state" not in params and params["n_estimators"] == 7


def test_bad_parameters_are_input_errors():
    with pytest.raises(AlbenchInputError, match="grid.models\\[0\\] 'logistic_regression'"):
        build_model("logistic_regression", {"bogus": 1}, 0, field="grid.models[0]")
    with pytest.raises(AlbenchInputError, match="C"):
        build_model("logistic_regression", {"C": -1.0}, 0)
    with pytest.raises(AlbenchInputError, match="random_state is derived"):
        build_model("knn", {"random_state": 3}, 0)
    with pytest.raises(AlbenchInputError, match="unknown model"):
        build_model("xgboost_magic", {}, 0)


def test_plugin_estimator_without_sklearn_parameter_constraints():
    from sklearn.base import BaseEstimator, ClassifierMixin

    from albench.registry import MODELS

    class Majority(ClassifierMixin, BaseEstimator):
        def __init__(self, random_state=None):
            self.random_state = random_state

        def fit(self, X, y):
            import numpy as np

            self.classes_, counts = np.unique(y, return_counts=True)
            self.majority_ = self.classes_[counts.argmax()]
            return self

        def predict(self, X):
            import numpy as np

            return np.full(len(X), self.majority_)

    MODELS.add(
        "majority_test",
        lambda random_state=None, **p: Majority(random_state, **p),
        description="test only",
        replace=True,
    )
    est = build_model("majority_test", {}, random_state=3)
    assert est.random_state == 3
