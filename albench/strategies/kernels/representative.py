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


# ------------------------------------------------------------------------------ BMDR and SPAL

#: ALiPy's ADMM settings (``QueryInstanceBMDR.select`` / ``QueryInstanceSPAL.select``).
ADMM_MAX_ITER = 1000
ADMM_ABSTOL = 1e-4
ADMM_RELTOL = 1e-2
#: ALiPy stops alternating QP and ADMM after this many rounds (``iter_round > 15``).
MAX_ROUNDS = 15


def mmd_linear_term(K_ul: np.ndarray, K_uu: np.ndarray, n_labeled: int, batch_size: int) -> np.ndarray:
    """The linear part of the MMD (representativeness) term of BMDR and SPAL, per pool sample.

    ``(u - b) / N * 1^T K_LU - (l + b) / N * 1^T K_UU`` with ``N = l + u`` (column sums,
    diagonal included), as ALiPy writes it. ``K_ul`` has shape (u, l). Cost O(u^2 + u l).
    """
    u = K_uu.shape[0]
    n = n_labeled + u
    return (u - batch_size) / n * K_ul.sum(axis=1) - (n_labeled + batch_size) / n * K_uu.sum(axis=0)


def squared_hinge_like_loss(pred: np.ndarray) -> np.ndarray:
    """``f^2 + 2 |f|`` of each prediction, averaged over label columns: shape (u,).

    BMDR's and SPAL's bound on the loss of an unlabeled sample whatever its label,
    ``max_y (y - f)^2 - 1`` for ``y`` in {-1, +1}.
    """
    pred = np.asarray(pred, dtype=np.float64)
    return (pred * pred + 2.0 * np.abs(pred)).mean(axis=1)


def box_qp(
    P: np.ndarray, q: np.ndarray, weights: np.ndarray | None = None, total: float = 0.0
) -> np.ndarray | None:
    """Minimise ``x^T P x / 2 + q^T x`` over ``0 <= x <= 1`` (and ``weights^T x = total``).

    Solved by Clarabel (an interior-point solver, as ECOS, which ALiPy calls through cvxpy),
    single-threaded. Returns None when the solver does not reach a solution (infeasible
    equality, numerical failure). Cost: O(n^3) per interior-point iteration for a dense
    ``P`` of size n (a handful of iterations), O(n^2) memory.

    Raises
    ------
    ImportError
        When Clarabel is not installed (``pip install 'albench[qp]'``).
    """
    import clarabel
    import scipy.sparse as sp

    n = q.shape[0]
    blocks = [-sp.identity(n, format="csc"), sp.identity(n, format="csc")]
    rhs = [np.zeros(n), np.ones(n)]
    cones = [clarabel.NonnegativeConeT(2 * n)]
    if weights is not None:
        blocks.insert(0, sp.csc_matrix(np.asarray(weights, dtype=np.float64)[None, :]))
        rhs.insert(0, np.array([float(total)]))
        cones.insert(0, clarabel.ZeroConeT(1))
    A = sp.vstack(blocks, format="csc")
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.max_threads = 1
    try:
        settings.direct_solve_method = "faer"  # a dense-friendly factorisation, single-threaded
    except (AttributeError, ValueError, TypeError):  # pragma: no cover - older builds
        pass
    P_upper = sp.csc_matrix(np.triu(np.asarray(P, dtype=np.float64)))
    solver = clarabel.DefaultSolver(
        P_upper, np.asarray(q, dtype=np.float64), A, np.concatenate(rhs), cones, settings
    )
    solution = solver.solve()
    if str(solution.status) not in ("Solved", "AlmostSolved"):
        return None
    x = np.asarray(solution.x, dtype=np.float64)
    return x if np.isfinite(x).all() else None


def _converged(pred_q: np.ndarray, z: np.ndarray, z_old: np.ndarray, delta: np.ndarray, rho: float) -> bool:
    """ALiPy's ADMM stopping rule (primal and dual residuals under absolute + relative tolerances)."""
    m = np.sqrt(z.size)
    r_norm = np.linalg.norm(pred_q - z)
    s_norm = np.linalg.norm(-rho * (z - z_old))
    eps_pri = m * ADMM_ABSTOL + ADMM_RELTOL * max(np.linalg.norm(z), np.linalg.norm(pred_q))
    eps_dual = m * ADMM_ABSTOL + ADMM_RELTOL * np.linalg.norm(delta)
    return bool(r_norm < eps_pri and s_norm < eps_dual)


def bmdr_admm(
    K_ll: np.ndarray, K_lq: np.ndarray, Y: np.ndarray, tau: np.ndarray, gamma: float, rho: float
) -> np.ndarray:
    """BMDR's ADMM update of the kernel model ``f = tau^T K_L.`` given the chosen batch Q.

    Minimises ``||K_LL tau - y||^2 + gamma tau^T K_LL tau + sum_{q in Q} (f_q^2 + 2 |f_q|)``
    by ADMM on ``z = f_Q`` with ALiPy's steps and stopping rule (``QueryInstanceBMDR.select``).
    Columns of ``Y`` (+-1 codes) are independent problems solved together.

    Parameters
    ----------
    K_ll, K_lq : ndarray of shape (l, l), (l, b)
    Y : ndarray of shape (l, c)
    tau : ndarray of shape (l, c)
        The current coefficients (they start ``z``).
    gamma, rho : float
        Ridge weight and ADMM penalty.

    Returns
    -------
    ndarray of shape (l, c)
        Cost O(l^3) once (a pseudo-inverse) plus O(iterations * l * (b + c)).
    """
    A = K_ll @ K_ll + rho / 2.0 * (K_lq @ K_lq.T) + gamma * K_ll
    pinv_A = np.linalg.pinv(A)
    base = K_ll @ Y  # (y^T K_LL)^T
    delta = np.zeros((K_lq.shape[1], Y.shape[1]))
    z = K_lq.T @ tau
    shrink = 2.0 / (rho + 2.0)
    for _ in range(ADMM_MAX_ITER):
        tau = pinv_A @ (base + 0.5 * (K_lq @ delta) + rho / 2.0 * (K_lq @ z))
        z_old = z
        pred_q = K_lq.T @ tau
        v = (rho * pred_q - delta) / (rho + 2.0)
        z = np.sign(v) * np.maximum(np.abs(v) - shrink, 0.0)
        delta = delta + rho * (z - pred_q)
        if _converged(pred_q, z, z_old, delta, rho):
            break
    return tau


def spal_admm(
    K_ll: np.ndarray,
    K_lv: np.ndarray,
    Y: np.ndarray,
    theta: np.ndarray,
    weights: np.ndarray,
    gamma: float,
    rho: float,
) -> np.ndarray:
    """SPAL's ADMM update of the kernel model, the batch weighted by ``weights`` (ALiPy's steps).

    Minimises ``||K_LL theta - y||^2 + gamma theta^T K_LL theta + sum_v w_v (f_v^2 + 2 |f_v|)``
    over the pool samples ``v`` of weight ``w_v`` (ALiPy keeps those above 0.001), by ADMM on
    ``z = f_V`` with ALiPy's scaled updates and stopping rule (``QueryInstanceSPAL.select``).

    Parameters
    ----------
    K_ll, K_lv : ndarray of shape (l, l), (l, v)
    Y : ndarray of shape (l, c)
    theta : ndarray of shape (l, c)
    weights : ndarray of shape (v,)
        ``dr_weight * es_weight`` of the kept samples.
    gamma, rho : float

    Returns
    -------
    ndarray of shape (l, c)
        Cost O(l^3 + l^2 v) once plus O(iterations * l * v * c).
    """
    A = 2.0 * (K_ll @ K_ll) + rho * (K_lv @ K_lv.T) + 2.0 * gamma * K_ll
    pinv_A = np.linalg.pinv(A)
    rc = 2.0 * (K_ll @ Y)
    kdenom = np.sqrt(weights + rho / 2.0)[:, None]
    ci = weights[:, None] / kdenom
    delta = np.zeros((K_lv.shape[1], Y.shape[1]))
    z = K_lv.T @ theta
    for _ in range(ADMM_MAX_ITER):
        theta = pinv_A @ (rho * (K_lv @ z) + K_lv @ delta + rc)
        z_old = z
        pred_v = K_lv.T @ theta
        vi = (rho * pred_v - delta) / (2.0 * kdenom)
        z = np.sign(vi) * np.maximum(np.abs(vi) - ci, 0.0) / kdenom
        delta = delta + rho * (z - pred_v)
        if _converged(pred_v, z, z_old, delta, rho):
            break
    return theta
