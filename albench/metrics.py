"""Test-set metrics recorded every round."""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

from albench.registry import METRICS


@METRICS.register("accuracy", description="Fraction of test samples classified correctly")
def accuracy(y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, n_classes: int) -> float:
    """Plain accuracy."""
    return float(skm.accuracy_score(y_true, y_pred))


@METRICS.register("balanced_accuracy", description="Mean per-class recall")
def balanced_accuracy(
    y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, n_classes: int
) -> float:
    """Balanced accuracy (mean recall over the classes present in the test set)."""
    return float(skm.balanced_accuracy_score(y_true, y_pred))


@METRICS.register("f1_macro", description="Unweighted mean F1 over all classes")
def f1_macro(y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, n_classes: int) -> float:
    """Macro-averaged F1 over every class of the dataset (0 for a class never predicted)."""
    return float(skm.f1_score(y_true, y_pred, labels=np.arange(n_classes), average="macro", zero_division=0))


@METRICS.register(
    "log_loss", description="Cross-entropy of predicted probabilities (NaN for models without them)"
)
def log_loss(y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, n_classes: int) -> float:
    """Log loss over every class of the dataset; NaN when the model gives no probabilities."""
    if proba is None:
        return float("nan")
    return float(skm.log_loss(y_true, proba, labels=np.arange(n_classes)))


DEFAULT_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "log_loss")
