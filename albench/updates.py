"""Model-update policies: how the model learns from new labels (the grid's ``updates`` axis).

``refit`` clones the model and fits it on every label (what published benchmarks do),
``warm_start`` continues from last round's solution, ``incremental`` calls ``partial_fit`` on
the new batch only. A policy the estimator cannot follow is rejected before any work. See
``docs/updates.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from albench.errors import AlbenchInputError
from albench.models import built_in_models
from albench.registry import UPDATES
from albench.strategies.base import check_int

#: Estimators whose warm start grows the ensemble (``n_estimators`` raised every round).
ENSEMBLES = ("RandomForestClassifier", "ExtraTreesClassifier", "GradientBoostingClassifier")


class UpdatePolicy(BaseEstimator):
    """Base class: fit a model on round 0, then update it every round."""

    def __init__(self) -> None:
        pass

    def validate(self) -> None:
        """Raise an input error naming a bad parameter."""

    def unsupported(self, estimator: Any) -> str | None:
        """Why ``estimator`` cannot follow this policy, or ``None`` when it can."""
        return None

    def start(self, template: Any, X: np.ndarray, y: np.ndarray, classes: np.ndarray) -> Any:
        """Round 0: a fresh model fitted on the initial set."""
        return clone(template).fit(X, y)

    def update(self, model: Any, template: Any, X_all, y_all, X_new, y_new, classes) -> Any:
        """A later round: the model after learning from the labels.

        ``X_all, y_all`` is the whole training set of the round, ``X_new, y_new`` what was
        added since the last fit.
        """
        raise NotImplementedError


@UPDATES.register("refit", description="Clone the model and fit it on all labels (default)")
class Refit(UpdatePolicy):
    """Fit a fresh clone on every label each round."""

    def update(self, model, template, X_all, y_all, X_new, y_new, classes):
        return clone(template).fit(X_all, y_all)


def _solver_reason(estimator: Any) -> str | None:
    name = type(estimator).__name__
    params = estimator.get_params(deep=False)
    if name == "MLPClassifier" and params.get("solver") not in ("sgd", "adam"):
        return f"its solver is {params.get('solver')!r} (use solver 'sgd' or 'adam')"
    if name == "LogisticRegression" and params.get("solver") == "liblinear":
        return "the liblinear solver ignores warm_start"
    return None


@UPDATES.register(
    "warm_start",
    description="Continue from last round's solution on all labels (linear models, MLP sgd/adam, SGD; "
    "forests and boosting add `add_estimators` trees per round)",
)
class WarmStart(UpdatePolicy):
    """Refit on all labels starting from the previous solution (``warm_start=True``).

    Parameters
    ----------
    add_estimators : int
        Trees added each round by forests and boosting (which otherwise would not change).
    """

    def __init__(self, add_estimators: int = 10) -> None:
        self.add_estimators = add_estimators

    def validate(self) -> None:
        check_int("add_estimators", self.add_estimators, 1)

    def unsupported(self, estimator):
        if "warm_start" not in estimator.get_params(deep=False):
            return "it has no warm_start parameter"
        return _solver_reason(estimator)

    def start(self, template, X, y, classes):
        return clone(template).set_params(warm_start=True).fit(X, y)

    def update(self, model, template, X_all, y_all, X_new, y_new, classes):
        if type(model).__name__ in ENSEMBLES:
            model.set_params(n_estimators=model.n_estimators + self.add_estimators)
        return model.fit(X_all, y_all)


@UPDATES.register(
    "incremental",
    description="partial_fit on the new batch only, `n_passes` times (SGD, MLP sgd/adam, naive Bayes, "
    "Perceptron)",
)
class Incremental(UpdatePolicy):
    """Learn from the new batch only with ``partial_fit``.

    Round 0 passes over the initial set; every later round over the batch just labeled
    (and the round's pseudo-labels, if any).

    Parameters
    ----------
    n_passes : int
        ``partial_fit`` calls per round on the same data (epochs).
    """

    def __init__(self, n_passes: int = 1) -> None:
        self.n_passes = n_passes

    def validate(self) -> None:
        check_int("n_passes", self.n_passes, 1)

    def unsupported(self, estimator):
        reason = _solver_reason(estimator)
        if reason is None and not hasattr(estimator, "partial_fit"):
            return "it has no partial_fit"
        return reason

    def _passes(self, model, X, y, classes):
        for _ in range(self.n_passes):
            model.partial_fit(X, y, classes=classes)
        return model

    def start(self, template, X, y, classes):
        return self._passes(clone(template), X, y, classes)

    def update(self, model, template, X_all, y_all, X_new, y_new, classes):
        if X_new.shape[0] == 0:
            return model
        return self._passes(model, X_new, y_new, classes)


def check_update_model(update_label: str, policy: UpdatePolicy, model_label: str, estimator: Any) -> None:
    """Reject, before any work, a model that cannot follow an update policy.

    The message names the model, the policy and the built-in models that support it.
    """
    reason = policy.unsupported(estimator)
    if reason is None:
        return
    ok = [name for name, est in built_in_models() if policy.unsupported(est) is None]
    raise AlbenchInputError(
        f"update {update_label!r} cannot be used with model {model_label!r} ({type(estimator).__name__}): "
        f"{reason}; models that support it: {', '.join(ok) or '(none)'}"
    )


def fit_iterations(model: Any) -> float:
    """Iterations the last fit used (``n_iter_``, the largest if per class), NaN if not exposed."""
    n_iter = getattr(model, "n_iter_", None)
    if n_iter is None:
        return float("nan")
    return float(np.max(np.asarray(n_iter)))
