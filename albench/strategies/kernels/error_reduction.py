"""Expected error reduction and Fisher-information variance reduction kernels."""

from __future__ import annotations

import numpy as np

from albench.strategies.kernels.uncertainty import entropy_scores

#: Losses accepted by :func:`expected_error_scores`.
EER_LOSSES = ("zero_one", "log")


def expected_error_scores(proba: np.ndarray, future_proba: np.ndarray, loss: str = "zero_one") -> np.ndarray:
    """Minus the expected future pool loss of labeling each candidate (Roy & McCallum 2001).

    Parameters
    ----------
    proba : ndarray of shape (n_candidates, n_classes)
        Current ``p(y | x)`` of each candidate.
    future_proba : ndarray of shape (n_candidates, n_classes, n_eval, n_classes)
        ``future_proba[c, y]``: probabilities on the evaluation set of the model retrained with
        candidate ``c`` labeled ``y``. Entries whose ``proba[c, y]`` is 0 are ignored.
    loss : {"zero_one", "log"}
        ``zero_one``: expected 0/1 loss ``1 - max_k p'(k | u)``; ``log``: expected log loss,
        the entropy of ``p'(. | u)``; both averaged over the evaluation set.

    Returns
    -------
    ndarray of shape (n_candidates,)
        ``-sum_y p(y | x) mean_u loss(p'_{x,y}(. | u))``: higher means a lower expected error.
        Cost O(n_candidates * n_classes * n_eval * n_classes), fully vectorised.
    """
    proba = np.asarray(proba, dtype=np.float64)
    future = np.asarray(future_proba, dtype=np.float64)
    if future.ndim != 4 or future.shape[:2] != proba.shape:
        raise ValueError(
            f"future_proba must have shape (n_candidates, n_classes, n_eval, n_classes) matching proba "
            f"{proba.shape}, got {future.shape}"
        )
    c, k, u, kk = future.shape
    if loss == "zero_one":
        per_u = 1.0 - future.max(axis=3)
    elif loss == "log":
        per_u = entropy_scores(future.reshape(-1, kk)).reshape(c, k, u)
    else:
        raise ValueError(f"unknown loss {loss!r}; allowed: {', '.join(EER_LOSSES)}")
    expected = per_u.mean(axis=2) if u else np.zeros((c, k))
    return -np.where(proba > 0, proba * expected, 0.0).sum(axis=1)


def softmax_covariances(proba: np.ndarray) -> np.ndarray:
    """Per-sample ``diag(p) - p p^T``, shape (n, k, k): the softmax output covariance."""
    proba = np.asarray(proba, dtype=np.float64)
    return proba[:, :, None] * np.eye(proba.shape[1])[None] - proba[:, :, None] * proba[:, None, :]


def fisher_information(X: np.ndarray, proba: np.ndarray, chunk_size: int | None = None) -> np.ndarray:
    """Fisher information ``sum_i (diag(p_i) - p_i p_i^T) kron x_i x_i^T`` of a softmax model.

    Parameters are ordered class-major (index ``k * d + j``). Cost O(n * k^2 * d^2) time,
    O(chunk_size * (k^2 + d^2) + (k d)^2) memory (one BLAS product per chunk; the default
    chunk keeps the per-chunk arrays near 2^22 numbers).

    Returns
    -------
    ndarray of shape (k * d, k * d)
    """
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    k = np.asarray(proba).shape[1]
    if chunk_size is None:
        chunk_size = max(1, 2**22 // (d * d + k * k))
    out = np.zeros((k * k, d * d))
    for start in range(0, n, chunk_size):
        S = softmax_covariances(proba[start : start + chunk_size]).reshape(-1, k * k)
        xx = np.einsum("ni,nj->nij", X[start : start + chunk_size], X[start : start + chunk_size])
        out += S.T @ xx.reshape(-1, d * d)
    return out.reshape(k, k, d, d).transpose(0, 2, 1, 3).reshape(k * d, k * d)


def variance_reduction_scores(
    X_candidates: np.ndarray,
    proba_candidates: np.ndarray,
    fisher_labeled: np.ndarray,
    fisher_pool: np.ndarray,
    chunk_size: int = 256,
) -> np.ndarray:
    """Reduction of ``tr(F_U F_L^{-1})`` from adding each candidate (Schein & Ungar 2007).

    With ``F_L`` the (regularised) Fisher information of the labeled set, ``F_U`` that of the
    pool and ``A_x = S_x kron x x^T`` the information one candidate adds, the score is
    ``tr(F_U F_L^{-1}) - tr(F_U (F_L + A_x)^{-1})``, the drop of the model's expected output
    variance over the pool (A-optimality). By the Woodbury identity it equals
    ``tr(S_x G_x^{-1} Q^M_x)`` with ``G_x = I + Q^F_x S_x``, ``Q^F_x = V^T F_L^{-1} V``,
    ``Q^M_x = V^T F_L^{-1} F_U F_L^{-1} V`` and ``V = I_k kron x``, so no (kd x kd) system is
    solved per candidate.

    Cost: one (kd)^3 inverse plus O(n_candidates * k^2 * d^2 + n_candidates * k^3),
    vectorised over candidates (chunks of ``chunk_size``) and classes.

    Parameters
    ----------
    X_candidates : ndarray of shape (n_candidates, d)
    proba_candidates : ndarray of shape (n_candidates, k)
    fisher_labeled, fisher_pool : ndarray of shape (k * d, k * d)
        Class-major, as :func:`fisher_information` returns; ``fisher_labeled`` must be
        positive definite (add a ridge).
    """
    Xc = np.asarray(X_candidates, dtype=np.float64)
    n, d = Xc.shape
    k = np.asarray(proba_candidates).shape[1]
    F_inv = np.linalg.inv(fisher_labeled)
    F_inv = (F_inv + F_inv.T) / 2
    M = F_inv @ fisher_pool @ F_inv
    F4 = F_inv.reshape(k, d, k, d)
    M4 = M.reshape(k, d, k, d)
    scores = np.empty(n)
    eye = np.eye(k)
    for start in range(0, n, chunk_size):
        x = Xc[start : start + chunk_size]
        S = softmax_covariances(proba_candidates[start : start + chunk_size])
        QF = np.einsum("ci,kilj,cj->ckl", x, F4, x, optimize=True)
        QM = np.einsum("ci,kilj,cj->ckl", x, M4, x, optimize=True)
        G = eye[None] + QF @ S
        scores[start : start + chunk_size] = np.einsum("ckl,clk->c", S, np.linalg.solve(G, QM))
    return scores


def newton_future_proba(
    proba_pool: np.ndarray,
    X_pool: np.ndarray,
    proba_candidates: np.ndarray,
    X_candidates: np.ndarray,
    hessian_inv: np.ndarray,
) -> np.ndarray:
    """Pool probabilities after one Newton step of a softmax-linear model, for every candidate and label.

    Adding ``(x, y)`` to the training set adds the gradient ``g = (p_x - e_y) kron x`` to a loss
    whose gradient was zero at the current fit, and the curvature ``S_x kron x x^T``
    (``S_x = diag(p_x) - p_x p_x^T``). One Newton step moves the parameters by
    ``-(H + S_x kron x x^T)^{-1} g``; with ``V = I_k kron x`` and ``g = V r`` the Woodbury identity
    gives ``-H^{-1} V (I + S_x Q_x)^{-1} r`` with ``Q_x = V^T H^{-1} V`` (k x k), so no
    (kd x kd) system is solved per candidate. The step shifts the logits of a pool sample u by
    ``Delta W x_u``; the new probabilities are ``softmax(log p_u + Delta W x_u)``. Only the
    current probabilities and the features are needed (no access to the model).

    Parameters
    ----------
    proba_pool : ndarray of shape (n, k)
    X_pool : ndarray of shape (n, d)
    proba_candidates : ndarray of shape (c, k)
    X_candidates : ndarray of shape (c, d)
    hessian_inv : ndarray of shape (k * d, k * d)
        Inverse of the (regularised) labeled-set Fisher information ``H``, class-major.

    Returns
    -------
    ndarray of shape (c, k, n, k)
        ``[c, y]``: the pool's probabilities had candidate c been labeled y. Cost
        O(c k^2 d^2 + c k^3 + c k^2 n d) time and O(c k^2 (n + d)) memory, no loop.
    """
    Pc = np.asarray(proba_candidates, dtype=np.float64)
    Xc = np.asarray(X_candidates, dtype=np.float64)
    c, k = Pc.shape
    d = Xc.shape[1]
    H4 = np.asarray(hessian_inv, dtype=np.float64).reshape(k, d, k, d)
    HV = np.einsum("kilj,cj->ckil", H4, Xc, optimize=True)  # H^{-1} V per candidate: (c, k, d, l)
    Q = np.einsum("ckil,ci->ckl", HV, Xc)  # V^T H^{-1} V: (c, k, l)
    S = softmax_covariances(Pc)
    residual = Pc[:, :, None] - np.eye(k)[None]  # (c, k, y): column y is p_x - e_y
    a = np.linalg.solve(np.eye(k)[None] + S @ Q, residual)  # (c, l, y)
    step = -np.einsum("ckil,cly->cyki", HV, a)  # (c, y, k, d)
    with np.errstate(divide="ignore"):
        logp = np.log(np.asarray(proba_pool, dtype=np.float64))
    z = logp[None, None] + np.einsum("cyki,ui->cyuk", step, np.asarray(X_pool, dtype=np.float64))
    z -= z.max(axis=3, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=3, keepdims=True)
