"""Evaluate a fitted model on the test set: the metric values recorded every round.

Every metric of a round comes from one prediction of the test set: one ``predict_proba``
when the model has probabilities and its predicted class is, by construction, the most
probable one (the built-in probabilistic models), otherwise one ``predict`` (plus a
``predict_proba`` for models whose ``predict`` does not follow their probabilities, such as
an SVM with Platt probabilities). The confusion matrix is counted once and shared by the
metrics (:class:`albench.metrics.Prediction`). Inputs were validated when the data were
loaded, so the prediction skips scikit-learn's finiteness check (``assume_finite``).
"""

from __future__ import annotations

import numpy as np
import sklearn
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from albench.metrics import Prediction
from albench.registry import METRICS
from albench.strategies.base import expand_proba

#: Estimators whose ``predict`` is, in scikit-learn's code, literally the class of highest
#: ``predict_proba`` (the same floating-point array), so both give the same class bit for bit.
#: Models that predict from decision values or log-likelihoods (logistic regression, naive
#: Bayes, gradient boosting) and k-NN's weighted vote are left out: rounding in the
#: probabilities could tie two classes their ``predict`` tells apart.
ARGMAX_PREDICTORS: tuple[type, ...] = (
    RandomForestClassifier,
    ExtraTreesClassifier,
    DecisionTreeClassifier,
    MLPClassifier,
)


def predicts_argmax(model) -> bool:
    """Whether ``model.predict`` is the most probable class of ``model.predict_proba``.

    True for the estimators in :data:`ARGMAX_PREDICTORS` (and pipelines ending in one);
    False for everything else, including SVMs with Platt probabilities.
    """
    if isinstance(model, Pipeline):
        model = model.steps[-1][1]
    return isinstance(model, ARGMAX_PREDICTORS)


def predict_test(model, X_test: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Predicted classes and (when the model has them) probabilities of the test set.

    Parameters
    ----------
    model : fitted classifier
    X_test : ndarray of shape (n, d)
    n_classes : int
        Classes of the dataset; probability columns are expanded to this many.

    Returns
    -------
    y_pred : ndarray of shape (n,)
    proba : ndarray of shape (n, n_classes) or None
    """
    with sklearn.config_context(assume_finite=True):
        if hasattr(model, "predict_proba"):
            proba = expand_proba(model.predict_proba(X_test), model.classes_, n_classes)
            if predicts_argmax(model):
                return proba.argmax(axis=1), proba
            return model.predict(X_test), proba
        return model.predict(X_test), None


def evaluate(model, X_test, y_test, n_classes, metric_names) -> dict[str, float]:
    """Test metrics of a fitted model, by name, from one prediction of the test set.

    Parameters
    ----------
    model : fitted classifier
    X_test : ndarray of shape (n, d)
    y_test : ndarray of int, shape (n,)
        True classes, ``0 .. n_classes - 1``.
    n_classes : int
    metric_names : sequence of str
        Registered metric names.

    Returns
    -------
    dict
        Column name to value. A metric that yields several columns (``per_class_recall``)
        contributes each of them.
    """
    y_pred, proba = predict_test(model, X_test, n_classes)
    return metrics_of(Prediction(y_test, y_pred, proba, n_classes), metric_names)


def metrics_of(pred: Prediction, metric_names) -> dict[str, float]:
    """Values of the named metrics for one prediction (see :func:`evaluate`)."""
    out: dict[str, float] = {}
    for name in metric_names:
        func = METRICS.get(name).obj
        fast = getattr(func, "from_prediction", None)
        value = fast(pred) if fast is not None else func(pred.y_true, pred.y_pred, pred.proba, pred.n_classes)
        if isinstance(value, dict):
            out.update(value)
        else:
            out[name] = float(value)
    return out
