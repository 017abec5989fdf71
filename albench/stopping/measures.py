"""Pure functions over predictions that the stopping criteria monitor (no state, no loop)."""

from __future__ import annotations

import numpy as np


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa between two label vectors of equal length.

    ``(p_o - p_e) / (1 - p_e)`` with ``p_o`` the observed agreement and ``p_e`` the agreement
    expected from the two label distributions. When ``p_e == 1`` (both vectors predict one
    and the same class everywhere) the ratio is 0/0; the vectors agree perfectly, so this
    returns 1.0 (scikit-learn's ``cohen_kappa_score`` returns NaN there).
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 1 or a.shape[0] == 0:
        raise ValueError("cohen_kappa needs two non-empty 1-D label vectors of equal length")
    labels, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = inv[: a.shape[0]], inv[a.shape[0] :]
    n = float(a.shape[0])
    p_o = float(np.mean(ia == ib))
    p_e = float(
        np.sum(np.bincount(ia, minlength=labels.shape[0]) * np.bincount(ib, minlength=labels.shape[0]))
    )
    p_e /= n * n
    if p_e >= 1.0:
        return 1.0
    return (p_o - p_e) / (1.0 - p_e)


def normalized_entropy(proba: np.ndarray) -> np.ndarray:
    """Shannon entropy of each row of ``proba`` divided by ``log K``: 0 (certain) to 1 (uniform)."""
    p = np.asarray(proba, dtype=np.float64)
    k = p.shape[1]
    if k < 2:
        return np.zeros(p.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=1)
    return h / np.log(k)


def expected_error(proba: np.ndarray) -> float:
    """Mean of ``1 - max_k p_k`` over the rows: the error the model expects of itself."""
    p = np.asarray(proba, dtype=np.float64)
    return float(np.mean(1.0 - p.max(axis=1))) if p.shape[0] else float("nan")


def predicted_change_f(previous: np.ndarray, current: np.ndarray, n_classes: int) -> float:
    """Predicted change of F between two successive models (Altschuler & Bloodgood 2019).

    With ``a`` the stop-set samples both models call positive and ``b``, ``c`` those only
    one of them calls positive, the change is ``1 - 2a / (2a + b + c)`` (the F-measure of one
    model's predictions taken as the other's truth, subtracted from 1). Binary data: the
    positive class is class 1. More classes: the mean over classes taken one-vs-rest.
    Classes neither model predicts contribute 0 (no change).
    """
    prev, cur = np.asarray(previous), np.asarray(current)
    positives = [1] if n_classes == 2 else list(range(n_classes))
    changes = []
    for c in positives:
        p, q = prev == c, cur == c
        a = float(np.sum(p & q))
        bc = float(np.sum(p ^ q))
        changes.append(0.0 if a == 0 and bc == 0 else 1.0 - 2.0 * a / (2.0 * a + bc))
    return float(np.mean(changes))
