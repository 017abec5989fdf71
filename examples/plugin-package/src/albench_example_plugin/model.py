"""The model: a factory ``(random_state, **params) -> estimator``."""

from __future__ import annotations

from sklearn.linear_model import RidgeClassifier

from albench import register_model


@register_model("example_ridge", description="Ridge classifier: decision values only (example plugin)")
def example_ridge(random_state: int | None = None, alpha: float = 1.0) -> RidgeClassifier:
    """RidgeClassifier(alpha); albench passes the derived ``random_state``."""
    return RidgeClassifier(alpha=alpha, random_state=random_state)
