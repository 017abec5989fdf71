"""Build a :class:`RoundObservation` from a fitted model: what the loop shows the criteria.

The simulation loop and :mod:`albench.stopping_replay` both use :func:`observe_model`, so a
criterion sees the same observation whether it ran during the run or on stored cells.
Only deterministic predictions of the round's model are taken; no random generator of the
run is touched (DESIGN invariant 10: observers never change the run).
"""

from __future__ import annotations

import numpy as np

from albench.stopping.base import RoundObservation


def _proba(model, X: np.ndarray, n_classes: int) -> np.ndarray | None:
    """Class probabilities over all ``n_classes`` columns, or None when the model has none."""
    if not hasattr(model, "predict_proba"):
        return None
    try:
        p = model.predict_proba(X)
    except AttributeError:  # e.g. SVC(probability=False) exposes the name but refuses
        return None
    out = np.zeros((X.shape[0], n_classes))
    out[:, np.asarray(model.classes_, dtype=np.int64)] = p
    return out


def _decision(model, X: np.ndarray) -> np.ndarray | None:
    if not hasattr(model, "decision_function"):
        return None
    try:
        return model.decision_function(X)
    except AttributeError:
        return None


def observe_model(
    model,
    X_train: np.ndarray,
    stop_set: np.ndarray,
    pool: np.ndarray,
    *,
    round: int,
    n_labeled: int,
    spent: int,
    budget: int,
    n_classes: int,
    queried: np.ndarray,
) -> RoundObservation:
    """The observation of one round's fitted model.

    Parameters
    ----------
    model : fitted estimator
        The round's evaluation model.
    X_train : ndarray
        The training part as the model sees it (scaled as in the loop).
    stop_set, pool : ndarray of int
        Positions within the training part: the stop set (drawn once per cell) and the
        samples still unlabeled.
    round, n_labeled, spent, budget, n_classes : int
        As in :class:`RoundObservation`.
    queried : ndarray of int
        Positions labeled in the previous round (empty at round 0).

    Returns
    -------
    RoundObservation
    """
    X_stop = X_train[stop_set]
    has_pool = pool.shape[0] > 0
    X_pool = X_train[pool]
    return RoundObservation(
        round=round,
        n_labeled=n_labeled,
        spent=spent,
        budget=budget,
        n_classes=n_classes,
        stop_pred=model.predict(X_stop),
        stop_proba=_proba(model, X_stop, n_classes),
        stop_decision=_decision(model, X_stop),
        pool=pool,
        pool_pred=model.predict(X_pool) if has_pool else np.empty(0, dtype=np.int64),
        pool_proba=_proba(model, X_pool, n_classes) if has_pool else np.empty((0, n_classes)),
        pool_decision=_decision(model, X_pool) if has_pool else None,
        queried=queried,
    )
