"""Evaluate a fitted model on the test set: the metric values recorded every round."""

from __future__ import annotations

from albench.registry import METRICS
from albench.strategies.base import expand_proba


def evaluate(model, X_test, y_test, n_classes, metric_names):
    """Test metrics of a fitted model, by name."""
    y_pred = model.predict(X_test)
    proba = None
    if hasattr(model, "predict_proba"):
        proba = expand_proba(model.predict_proba(X_test), model.classes_, n_classes)
    return {m: METRICS.get(m).obj(y_test, y_pred, proba, n_classes) for m in metric_names}
