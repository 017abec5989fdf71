"""The hinted SVM of HintSVM: an SVM dual with hint points, solved as one QP.

Li, Ferng & Lin (ACML 2012) add unlabeled *hint* points to a binary SVM and ask the
decision function to stay within ``epsilon`` of 0 on them. libact solves it with a modified
libsvm (``HINT_SVC`` in ``libact/query_strategies/src/hintsvm/svm.cpp``); this module writes
the same dual and hands it to Clarabel.

The dual (libsvm's ``solve_hint_svc``): a variable ``a_i`` per labeled sample (sign
``s_i = y_i``, linear term ``-1``, bound ``C``) and two per hint ``h`` (signs ``+1`` and
``-1``, linear term ``epsilon`` each), and::

    min  1/2 a^T Q a + p^T a   s.t.  s^T a = 0,  0 <= a <= ub,   Q_ij = s_i s_j k(x_i, x_j)

The hint variables' bound and diagonal depend on the hint loss (libsvm's ``degree``, which
libact also passes on as the polynomial degree): ``"hinge"`` (degree 1) bounds them by
``C * hint_weight``; ``"squared"`` (degree 2) leaves them unbounded and adds
``0.5 / (C * hint_weight)`` to their diagonal; ``"hard"`` (any other degree, libact's
default 3) leaves them unbounded, so ``|f(h)| <= epsilon`` on every hint. The decision
function is ``f(x) = sum_i c_i k(x_i, x) - rho`` with ``c_i = y_i a_i`` on labeled samples
and ``a_h+ - a_h-`` on hints; ``rho`` is minus the multiplier of the equality (libsvm's
mean of ``s_i G_i`` over the free variables).
"""

from __future__ import annotations

import numpy as np

from albench.strategies.kernels.representative import gram_matrix

#: Hint losses of :func:`hint_svm_decision` (libsvm's ``degree`` 1, 2 and any other).
HINT_LOSSES = ("hard", "hinge", "squared")


def hint_svm_decision(
    X_labeled: np.ndarray,
    y_signed: np.ndarray,
    X_hints: np.ndarray,
    X_eval: np.ndarray,
    *,
    C: float,
    hint_weight: float = 1.0,
    epsilon: float = 0.1,
    hint_loss: str = "hard",
    kernel: str = "rbf",
    gamma: float = 0.1,
    degree: int = 3,
    coef0: float = 0.0,
) -> np.ndarray:
    """Decision values on ``X_eval`` of the hinted SVM trained on labeled samples and hints.

    Parameters
    ----------
    X_labeled : ndarray of shape (n_labeled, n_features)
    y_signed : ndarray of shape (n_labeled,)
        Labels as +1 / -1.
    X_hints : ndarray of shape (n_hints, n_features)
        Hint points (may repeat; may be empty: then a plain C-SVC).
    X_eval : ndarray of shape (n_eval, n_features)
    C : float
        Weight of the labeled samples' hinge loss (libsvm's ``C``, libact's ``Cl``).
    hint_weight : float, default 1.0
        Factor of ``C`` for the hints (libact's ``Ch / Cl``); unused by ``"hard"``.
    epsilon : float, default 0.1
        Half-width of the band the hints should fall in (libsvm's ``p``).
    hint_loss : {"hard", "hinge", "squared"}, default "hard"
    kernel, gamma, degree, coef0
        The kernel, as :func:`~albench.strategies.kernels.representative.gram_matrix`.

    Returns
    -------
    ndarray of shape (n_eval,)
        ``f(x)``; positive on the side of the labels coded +1.

    Raises
    ------
    RuntimeError
        When the solver reaches no solution.

    Notes
    -----
    Cost: the kernel matrix O(m^2 d) and one interior-point QP over ``m = n_labeled + 2
    n_hints`` variables (a handful of O(m^3) factorisations), O(m^2) memory.
    """
    import clarabel
    import scipy.sparse as sp

    if hint_loss not in HINT_LOSSES:
        raise ValueError(f"hint_loss = {hint_loss!r}; allowed: {', '.join(HINT_LOSSES)}")
    X_labeled = np.asarray(X_labeled, dtype=np.float64)
    X_hints = np.asarray(X_hints, dtype=np.float64).reshape(-1, X_labeled.shape[1])
    y = np.asarray(y_signed, dtype=np.float64)
    n_l, n_h = X_labeled.shape[0], X_hints.shape[0]
    rows = np.concatenate([X_labeled, X_hints, X_hints])
    sign = np.concatenate([y, np.ones(n_h), -np.ones(n_h)])
    kp = (kernel, float(gamma), int(degree), float(coef0))
    K = gram_matrix(rows, None, *kp)
    Q = (sign[:, None] * sign[None, :]) * K
    linear = np.concatenate([-np.ones(n_l), np.full(2 * n_h, float(epsilon))])
    upper = np.concatenate([np.full(n_l, float(C)), np.full(2 * n_h, np.inf)])
    if hint_loss == "hinge":
        upper[n_l:] = float(C) * float(hint_weight)
    elif hint_loss == "squared":
        hint_vars = np.arange(n_l, n_l + 2 * n_h)
        Q[hint_vars, hint_vars] += 0.5 / (float(C) * float(hint_weight))
    m = n_l + 2 * n_h
    bounded = np.flatnonzero(np.isfinite(upper))
    A = sp.vstack(
        [
            sp.csc_matrix(sign[None, :]),
            -sp.identity(m, format="csc"),
            sp.identity(m, format="csc")[bounded],
        ],
        format="csc",
    )
    b = np.concatenate([[0.0], np.zeros(m), upper[bounded]])
    cones = [clarabel.ZeroConeT(1), clarabel.NonnegativeConeT(m + bounded.shape[0])]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.max_threads = 1
    solver = clarabel.DefaultSolver(sp.csc_matrix(np.triu(Q)), linear, A, b, cones, settings)
    solution = solver.solve()
    if str(solution.status) not in ("Solved", "AlmostSolved"):
        raise RuntimeError(f"the hinted SVM's QP was not solved ({solution.status}; {m} variables)")
    alpha = np.asarray(solution.x, dtype=np.float64)
    rho = -float(solution.z[0])
    coef = sign * alpha
    return gram_matrix(np.asarray(X_eval, dtype=np.float64), rows, *kp) @ coef - rho
