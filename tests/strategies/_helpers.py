"""Small synthetic query contexts for strategy tests."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification

from albench.models import build_model
from albench.strategies.base import QueryContext, is_oracle, oracle_fields


def make_ctx(
    n_classes: int = 2,
    n_samples: int = 60,
    n_labeled: int = 12,
    model: str | object = "logistic_regression",
    seed: int = 0,
    n_features: int = 4,
    needs: frozenset[str] = frozenset(),
) -> QueryContext:
    """A fitted query context over a synthetic problem; every class appears in the labeled set.

    An oracle strategy's ``needs`` (ORACLE_LABELS / ORACLE_TEST) add the true labels, and the
    whole problem as the test part; other needs add nothing.
    """
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
    return ctx_from(X, y, labeled, model=model, n_classes=n_classes, needs=needs)


def ctx_from(
    X: np.ndarray,
    y: np.ndarray,
    labeled: np.ndarray,
    model: str | object = "logistic_regression",
    n_classes: int | None = None,
    pool: np.ndarray | None = None,
    needs: frozenset[str] = frozenset(),
    test: tuple[np.ndarray, np.ndarray] | None = None,
) -> QueryContext:
    """Fit ``model`` on ``X[labeled]`` and wrap everything in a QueryContext.

    With oracle ``needs``: ``y`` as the true labels, ``test`` (default ``(X, y)``) as the test part.
    """
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
        **(oracle_fields(needs, y, *(test if test is not None else (X, y))) if is_oracle(needs) else {}),
    )


class TableModel:
    """A "fitted" model whose outputs are looked up from a table keyed by the feature row.

    Lets known-answer tests fix the probabilities (or decision values) of every pool sample.
    """

    def __init__(self, X: np.ndarray, proba: np.ndarray | None = None, decision: np.ndarray | None = None):
        self._keys = {np.asarray(x, dtype=np.float64).tobytes(): i for i, x in enumerate(np.asarray(X))}
        self._proba = None if proba is None else np.asarray(proba, dtype=np.float64)
        self._decision = None if decision is None else np.asarray(decision, dtype=np.float64)
        if self._proba is not None:
            self.classes_ = np.arange(self._proba.shape[1])
            self.predict_proba = self._predict_proba
        if self._decision is not None:
            self.decision_function = self._decision_function

    def _rows(self, X: np.ndarray) -> np.ndarray:
        return np.array([self._keys[np.asarray(x, dtype=np.float64).tobytes()] for x in np.asarray(X)])

    def _predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self._proba[self._rows(X)]

    def _decision_function(self, X: np.ndarray) -> np.ndarray:
        return self._decision[self._rows(X)]

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self._proba[self._rows(X)].argmax(axis=1)


def table_ctx(
    X: np.ndarray,
    labeled: np.ndarray,
    y_labeled: np.ndarray,
    proba: np.ndarray | None = None,
    decision: np.ndarray | None = None,
    n_classes: int | None = None,
) -> QueryContext:
    """A context over ``X`` whose query model returns the given per-row outputs."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    model = TableModel(X, proba, decision)
    k = n_classes or (np.asarray(proba).shape[1] if proba is not None else 2)
    labeled = np.asarray(labeled, dtype=np.int64)
    return QueryContext(
        X=X,
        labeled=labeled,
        y_labeled=np.asarray(y_labeled, dtype=np.int64),
        pool=np.setdiff1d(np.arange(X.shape[0]), labeled),
        n_classes=k,
        model=model,
        make_model=lambda: None,
    )
