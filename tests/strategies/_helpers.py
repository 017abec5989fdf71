"""Small synthetic query contexts for strategy tests."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification

from albench.models import build_model
from albench.strategies.base import QueryContext


def make_ctx(
    n_classes: int = 2,
    n_samples: int = 60,
    n_labeled: int = 12,
    model: str = "logistic_regression",
    seed: int = 0,
    n_features: int = 4,
) -> QueryContext:
    """A fitted query context over a synthetic problem; every class appears in the labeled set."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=min(n_features, max(2, n_classes)),
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    labeled = np.concatenate([rng.choice(np.flatnonzero(y == c), 2, replace=False) for c in range(n_classes)])
    rest = np.setdiff1d(np.arange(n_samples), labeled)
    extra = max(0, n_labeled - labeled.shape[0])
    labeled = np.sort(np.concatenate([labeled, rng.choice(rest, extra, replace=False)]))
    return ctx_from(X, y, labeled, model=model, n_classes=n_classes)


def ctx_from(
    X: np.ndarray,
    y: np.ndarray,
    labeled: np.ndarray,
    model: str | object = "logistic_regression",
    n_classes: int | None = None,
    pool: np.ndarray | None = None,
) -> QueryContext:
    """Fit ``model`` on ``X[labeled]`` and wrap everything in a QueryContext."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    labeled = np.asarray(labeled, dtype=np.int64)
    template = build_model(model, {}, random_state=0) if isinstance(model, str) else model
    fitted = clone(template).fit(X[labeled], y[labeled])
    if pool is None:
        pool = np.setdiff1d(np.arange(X.shape[0]), labeled)
    return QueryContext(
        X=X,
        labeled=labeled,
        y_labeled=y[labeled],
        pool=np.asarray(pool, dtype=np.int64),
        n_classes=int(n_classes if n_classes is not None else y.max() + 1),
        model=fitted,
        make_model=lambda: clone(template),
    )
