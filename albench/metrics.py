"""Test-set metrics recorded every round, all computed from one prediction of the test set.

A built-in metric is a function of a :class:`Prediction`: the true and predicted classes, the
probabilities when the model has them, and the confusion matrix, which is counted once (one
``bincount``) and shared by every metric of the round. Each built-in is also registered with
the public metric signature ``(y_true, y_pred, proba, n_classes) -> float`` that plugin
metrics use, so both paths compute the same value by construction. The tests check every
built-in against scikit-learn's metric functions.

Classes are the dataset's encoded labels ``0 .. n_classes - 1``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import numpy as np

from albench.registry import METRICS


class Prediction:
    """One prediction of the test set, with what every metric of a round is computed from.

    Parameters
    ----------
    y_true : ndarray of int, shape (n,)
        True classes of the test samples, in ``0 .. n_classes - 1``.
    y_pred : ndarray of int, shape (n,)
        Predicted classes.
    proba : ndarray of shape (n, n_classes) or None
        Predicted probabilities, one column per class of the dataset; None when the model
        has none.
    n_classes : int
        Number of classes of the dataset.
    """

    def __init__(self, y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, n_classes: int):
        self.y_true = np.asarray(y_true).astype(np.int64, copy=False)
        self.y_pred = np.asarray(y_pred).astype(np.int64, copy=False)
        self.proba = proba
        self.n_classes = int(n_classes)

    @cached_property
    def confusion(self) -> np.ndarray:
        """``C[i, j]`` = test samples of class ``i`` predicted as ``j``; O(n + K^2), counted once."""
        K = self.n_classes
        return np.bincount(self.y_true * K + self.y_pred, minlength=K * K).reshape(K, K)

    @cached_property
    def support(self) -> np.ndarray:
        """Test samples of each class."""
        return self.confusion.sum(axis=1)

    @cached_property
    def recalls(self) -> np.ndarray:
        """Recall of each class; NaN for a class absent from the test set."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.support > 0, np.diag(self.confusion) / self.support, np.nan)


#: Metric functions of a :class:`Prediction`, by registered name (the built-ins).
FROM_PREDICTION: dict[str, Callable[[Prediction], float | dict[str, float]]] = {}


def _builtin(name: str, description: str):
    """Register ``func(prediction)`` as metric ``name`` with the public metric signature too."""

    def decorator(func: Callable[[Prediction], float | dict[str, float]]):
        def metric(y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, n_classes: int):
            return func(Prediction(y_true, y_pred, proba, n_classes))

        metric.__name__ = name
        metric.__doc__ = func.__doc__
        metric.from_prediction = func  # type: ignore[attr-defined]
        FROM_PREDICTION[name] = func
        METRICS.add(name, metric, description=description)
        return func

    return decorator


@_builtin("accuracy", "Fraction of test samples classified correctly")
def accuracy(pred: Prediction) -> float:
    """Plain accuracy: the trace of the confusion matrix over its total."""
    cm = pred.confusion
    return float(np.trace(cm) / cm.sum())


@_builtin("balanced_accuracy", "Mean per-class recall")
def balanced_accuracy(pred: Prediction) -> float:
    """Balanced accuracy: mean recall over the classes present in the test set."""
    return float(np.nanmean(pred.recalls))


@_builtin("f1_macro", "Unweighted mean F1 over all classes")
def f1_macro(pred: Prediction) -> float:
    """Macro-averaged F1 over every class of the dataset (0 for a class never predicted nor present)."""
    cm = pred.confusion
    tp = np.diag(cm).astype(np.float64)
    denom = cm.sum(axis=0) + cm.sum(axis=1)  # 2 tp + fp + fn
    f1 = np.divide(2.0 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1.mean())


@_builtin("log_loss", "Cross-entropy of predicted probabilities (NaN for models without them)")
def log_loss(pred: Prediction) -> float:
    """Mean ``-log p(true class)``, probabilities clipped to ``[eps, 1 - eps]`` as scikit-learn does.

    NaN when the model gives no probabilities.
    """
    if pred.proba is None:
        return float("nan")
    proba = np.asarray(pred.proba)
    eps = np.finfo(proba.dtype).eps
    p_true = np.clip(proba[np.arange(proba.shape[0]), pred.y_true], eps, 1 - eps)
    return float(-np.log(p_true).mean())


@_builtin("minority_recall", "Recall of the smallest class of the test set")
def minority_recall(pred: Prediction) -> float:
    """Recall of the class with the fewest test samples (among those present; ties: lowest class)."""
    support = np.where(pred.support > 0, pred.support, np.iinfo(np.int64).max)
    return float(pred.recalls[int(np.argmin(support))])


@_builtin("g_mean", "Geometric mean of the per-class recalls")
def g_mean(pred: Prediction) -> float:
    """Geometric mean of the recalls of the classes present in the test set (0 if one is 0)."""
    r = pred.recalls[~np.isnan(pred.recalls)]
    return float(np.prod(r) ** (1.0 / r.shape[0]))


@_builtin("per_class_recall", "Recall of each class: columns per_class_recall_0 .. _{K-1}")
def per_class_recall(pred: Prediction) -> dict[str, float]:
    """Recall of every class of the dataset, one column each: ``per_class_recall_<class>``.

    The class is the dataset's encoded label; NaN for a class absent from the test set.
    """
    return {f"per_class_recall_{c}": float(r) for c, r in enumerate(pred.recalls)}


DEFAULT_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "log_loss")
