"""Kernels of the informative-and-representative strategies (QUIRE, BMDR, SPAL).

These strategies work on a kernel (Gram) matrix of the training part, so unlike the other
kernels they hold O(n^2) matrices: their cost is stated with each function.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics.pairwise import linear_kernel, polynomial_kernel, rbf_kernel

#: Kernels accepted by :func:`gram_matrix`.
GRAM_KERNELS = ("rbf", "poly", "linear")


def gram_matrix(
    X: np.ndarray,
    Y: np.ndarray | None = None,
    kernel: str = "rbf",
    gamma: float = 1.0,
    degree: int = 3,
    coef0: float = 1.0,
) -> np.ndarray:
    """The kernel matrix ``k(X_i, Y_j)``, shape ``(len(X), len(Y))`` (``Y`` defaults to ``X``).

    ``rbf``: ``exp(-gamma ||x - y||^2)``; ``poly``: ``(gamma <x, y> + coef0)^degree``;
    ``linear``: ``<x, y>`` (scikit-learn's pairwise kernels). Cost O(n m d).
    """
    X = np.asarray(X, dtype=np.float64)
    Y = X if Y is None else np.asarray(Y, dtype=np.float64)
    if kernel == "rbf":
        return rbf_kernel(X, Y, gamma=gamma)
    if kernel == "poly":
        return polynomial_kernel(X, Y, degree=degree, gamma=gamma, coef0=coef0)
    if kernel == "linear":
        return linear_kernel(X, Y)
    raise ValueError(f"unknown kernel {kernel!r}; allowed: {', '.join(GRAM_KERNELS)}")


def signed_label_codes(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Labels as +-1 columns: one column (class 1 -> +1, class 0 -> -1) for two classes, else
    one one-vs-rest column per class. Shape ``(len(y), 1 or n_classes)``."""
    y = np.asarray(y, dtype=np.int64)
    if n_classes <= 2:
        return np.where(y == 1, 1.0, -1.0)[:, None]
    return np.where(y[:, None] == np.arange(n_classes)[None, :], 1.0, -1.0)


def quire_scores(
    L_uu: np.ndarray,
    L_ul: np.ndarray,
    K_uu: np.ndarray,
    K_ul: np.ndarray,
    y_codes: np.ndarray,
    lam: float,
    det_L_uu: float,
) -> np.ndarray:
    """QUIRE scores of the pool, libact's closed-form evaluation, vectorised (higher = query).

    With ``L = (K + lam I)^-1`` over the training part, ``U`` the pool and ``A = L_UU``,
    libact's evaluation of a candidate ``s`` (position ``i`` in the pool) is::

        eva_s = L_ss - det(L_UU) / L_ss + 2 |(L_sL - a_r^T M_s L_rL) y_L|

    with ``r = U \\ {s}``, ``a_r = L_{s,r}``, ``B = lam I + K_UU - K_UL K_LU / lam`` (libact's
    stand-in for ``inv(L_UU)``) and ``M_s = B_rr - (||B_{r,i}||^2 / B_ii) 1 1^T`` (libact's
    downdate subtracts a scalar, the inner product of the column with itself). Writing
    ``W = L_UL y_L`` and zeroing entry ``i``, ``a_r^T B_rr W_r`` expands into products over the
    whole pool, so every candidate is scored at once; the score is ``-eva``. With several
    label columns (one-vs-rest codes) the ``|.|`` term is their mean.

    Parameters
    ----------
    L_uu, L_ul : ndarray of shape (u, u), (u, l)
        Blocks of ``(K + lam I)^-1`` (pool x pool, pool x labeled).
    K_uu, K_ul : ndarray of shape (u, u), (u, l)
        Blocks of the kernel matrix.
    y_codes : ndarray of shape (l, c)
        +-1 label columns of the labeled set (:func:`signed_label_codes`).
    lam : float
        The regulariser ``lambda``.
    det_L_uu : float
        ``det(L_UU)``.

    Returns
    -------
    ndarray of shape (u,)
        Cost O(u^2 l + u^2 c) time, O(u^2) memory (libact's loop: O(u^4)).
    """
    A = np.asarray(L_uu, dtype=np.float64)
    u = A.shape[0]
    B = lam * np.eye(u) + K_uu - (K_ul @ K_ul.T) / lam
    W = np.asarray(L_ul, dtype=np.float64) @ np.asarray(y_codes, dtype=np.float64)  # (u, c)
    a_diag = np.diag(A).copy()
    b_diag = np.diag(B).copy()
    BW = B @ W
    ABW = A @ BW
    AB_diag = np.einsum("ij,ji->i", A, B)
    # a_r^T B_rr W_r: the full product minus the terms of entry i
    inner = ABW - W * AB_diag[:, None] - a_diag[:, None] * BW + (a_diag * b_diag)[:, None] * W
    c = ((B * B).sum(axis=0) - b_diag**2) / b_diag
    sum_a = A.sum(axis=1) - a_diag
    sum_w = W.sum(axis=0)[None, :] - W
    tmp = W - (inner - (c * sum_a)[:, None] * sum_w)
    eva = a_diag - det_L_uu / a_diag + 2.0 * np.abs(tmp).mean(axis=1)
    return -eva
