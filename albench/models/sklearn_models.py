"""Built-in models: scikit-learn estimators with a reproducible random_state.

A model entry is a factory ``(random_state, **params) -> estimator``. Its parameters are
checked against the estimator's own ``get_params`` before any work, and the resolved
parameters (every parameter of the estimator except ``random_state``, which albench
derives) describe the model completely in the cell key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sklearn.base import BaseEstimator, clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Perceptron, SGDClassifier
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC, LinearSVC

from albench.errors import AlbenchInputError
from albench.registry import MODELS


def _register_estimator(name: str, estimator: BaseEstimator, description: str) -> None:
    """Register a factory that clones ``estimator`` with the user's parameters."""

    def factory(random_state: int | None = None, **params: Any) -> BaseEstimator:
        est = clone(estimator)
        est.set_params(**params)
        if "random_state" in est.get_params(deep=False):
            est.set_params(random_state=random_state)
        return est

    factory.__name__ = f"make_{name}"
    factory.__doc__ = f"Build {type(estimator).__name__} for the {name!r} model."
    MODELS.add(name, factory, description=description, estimator=type(estimator).__name__)


_register_estimator(
    "logistic_regression",
    LogisticRegression(max_iter=1000),
    "Multinomial logistic regression (lbfgs, C=1.0, max_iter=1000)",
)
_register_estimator(
    "linear_svm",
    LinearSVC(),
    "Linear support vector machine (decision values only, no probabilities)",
)
_register_estimator(
    "rbf_svm",
    SVC(kernel="rbf", gamma="scale"),
    "RBF-kernel SVM (decision values; set probability = true for Platt probabilities)",
)
_register_estimator(
    "random_forest",
    RandomForestClassifier(n_estimators=100),
    "Random forest (100 trees)",
)
_register_estimator(
    "knn",
    KNeighborsClassifier(n_neighbors=5),
    "k-nearest neighbours (k=5, probabilities from neighbour votes)",
)
_register_estimator(
    "lda",
    LinearDiscriminantAnalysis(),
    "Linear discriminant analysis (scikit-learn defaults: svd solver, no shrinkage; probabilities; "
    "deterministic)",
)
_register_estimator(
    "gaussian_nb",
    GaussianNB(),
    "Gaussian naive Bayes",
)
_register_estimator(
    "mlp",
    MLPClassifier(hidden_layer_sizes=(100,), max_iter=500),
    "Multi-layer perceptron (one hidden layer of 100 units, adam, max_iter=500); solver "
    "(adam | sgd | lbfgs), learning_rate_init and batch_size (mini-batch; at least the labeled-set "
    "size for full-batch gradient descent) are parameters",
)
_register_estimator(
    "sgd_classifier",
    SGDClassifier(loss="log_loss"),
    "Linear model trained by stochastic gradient descent (log loss, so probabilities; warm_start and "
    "partial_fit)",
)
_register_estimator(
    "perceptron",
    Perceptron(),
    "Perceptron (decision values only; warm_start and partial_fit)",
)
_register_estimator(
    "multinomial_nb",
    MultinomialNB(),
    "Multinomial naive Bayes (non-negative features: use protocol.standardize = 'none'; partial_fit)",
)
_register_estimator(
    "gradient_boosting",
    GradientBoostingClassifier(),
    "Gradient-boosted trees (100 stages; warm_start adds stages)",
)


def _make_rbf_svm_gram(random_state: int | None = None, **params: Any) -> BaseEstimator:
    """Build GramRBFSVC for the 'rbf_svm_gram' model (deterministic: no random_state)."""
    from albench.fastsvm import GramRBFSVC

    return GramRBFSVC(**params)


MODELS.add(
    "rbf_svm_gram",
    _make_rbf_svm_gram,
    description="RBF-kernel SVM with the cell's Gram matrix computed once (gamma 'auto' or a number; "
    "decision values like rbf_svm; needs protocol.standardize = 'train' or 'none')",
    estimator="GramRBFSVC",
)


def build_model(name: str, params: dict, random_state: int | None, field: str = "model") -> BaseEstimator:
    """Build a registered model, turning bad parameters into a clear input error.

    Parameters
    ----------
    name : str
        Registered model name.
    params : dict
        Parameters from the config.
    random_state : int or None
        The derived seed.
    field : str
        Config path used in error messages.
    """
    factory: Callable[..., BaseEstimator] = MODELS.get(name, field=field).obj
    if "random_state" in params:
        raise AlbenchInputError(
            f"{field} {name!r}: random_state is derived from the experiment seed; remove it"
        )
    try:
        est = factory(random_state=random_state, **params)
    except (ValueError, TypeError) as exc:
        raise AlbenchInputError(f"{field} {name!r}: bad parameters {params!r}: {exc}") from None
    if hasattr(est, "_validate_params") and hasattr(est, "_parameter_constraints"):
        try:
            est._validate_params()
        except (ValueError, TypeError) as exc:
            raise AlbenchInputError(f"{field} {name!r}: {exc}") from None
    return est


def resolved_model_params(estimator: BaseEstimator) -> dict:
    """Every parameter of ``estimator`` except the derived ``random_state``.

    A function among them (a plugin network's builder) is named by ``module.qualname``: the
    plugin's content hash already enters the key, and the spec stays plain data that a worker
    can unpickle before it has loaded the plugin.
    """
    params = estimator.get_params(deep=False)
    params.pop("random_state", None)
    for k, v in params.items():
        if callable(v) and not hasattr(v, "get_params"):
            params[k] = f"{getattr(v, '__module__', '?')}.{getattr(v, '__qualname__', repr(v))}"
    return params


def built_in_models() -> list[tuple[str, BaseEstimator]]:
    """Every registered model built with its default parameters (for messages listing support)."""
    out = []
    for entry in MODELS:
        try:
            out.append((entry.name, entry.obj(random_state=0)))
        except Exception:  # noqa: BLE001 - a plugin model that fails to build is simply not listed
            continue
    return out
