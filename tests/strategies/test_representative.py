"""QUIRE, BMDR and SPAL against their definitions (the published code's evaluation, written out)."""

from __future__ import annotations

import numpy as np
import pytest

from albench.components import build_instance
from albench.errors import AlbenchInputError
from albench.strategies.base import QueryContext
from albench.strategies.kernels import representative as rk


def _ctx(X: np.ndarray, labeled, y_labeled, n_classes: int = 2, pool=None) -> QueryContext:
    labeled = np.asarray(labeled, dtype=np.int64)
    if pool is None:
        pool = np.setdiff1d(np.arange(X.shape[0]), labeled)
    return QueryContext(
        X=np.asarray(X, dtype=np.float64),
        labeled=labeled,
        y_labeled=np.asarray(y_labeled, dtype=np.int64),
        pool=np.asarray(pool, dtype=np.int64),
        n_classes=n_classes,
        model=None,
        make_model=lambda: None,
    )


def _rbf(X: np.ndarray, gamma: float) -> np.ndarray:
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    return np.exp(-gamma * d2)


def _quire_loop(K: np.ndarray, lab: list[int], unl: list[int], y_pm: np.ndarray, lam: float) -> np.ndarray:
    """libact's evaluation value, one candidate at a time, as its make_query writes it."""
    L = np.linalg.inv(K + lam * np.eye(K.shape[0]))
    det = np.linalg.det(L[np.ix_(unl, unl)])
    inv_laa = lam * np.eye(len(unl)) + K[np.ix_(unl, unl)] - K[np.ix_(unl, lab)] @ K[np.ix_(lab, unl)] / lam
    eva = []
    for i, s in enumerate(unl):
        r = [j for j in range(len(unl)) if j != i]
        u_r = [unl[j] for j in r]
        col = inv_laa[r, i]
        inv_luu = inv_laa[np.ix_(r, r)] - (col @ col) / inv_laa[i, i]  # a scalar, as in libact
        tmp = (L[s, lab] - L[s, u_r] @ inv_luu @ L[np.ix_(u_r, lab)]) @ y_pm
        eva.append(L[s, s] - det / L[s, s] + 2 * abs(tmp))
    return np.array(eva)


# ---------------------------------------------------------------------------------------- QUIRE


@pytest.mark.parametrize(("n", "n_labeled", "seed"), [(12, 4, 0), (30, 20, 1), (25, 9, 2)])
def test_quire_matches_libacts_loop(n: int, n_labeled: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * 0.6
    lab = np.sort(rng.choice(n, n_labeled, replace=False))
    unl = np.setdiff1d(np.arange(n), lab)
    y = rng.integers(0, 2, n_labeled)
    lam, gamma = 0.7, 0.8
    eva = _quire_loop(_rbf(X, gamma), lab.tolist(), unl.tolist(), np.where(y == 1, 1.0, -1.0), lam)
    # the kernel, fed the same blocks
    K = _rbf(X, gamma)
    L = np.linalg.inv(K + lam * np.eye(n))
    scores = rk.quire_scores(
        L[np.ix_(unl, unl)],
        L[np.ix_(unl, lab)],
        K[np.ix_(unl, unl)],
        K[np.ix_(unl, lab)],
        rk.signed_label_codes(y, 2),
        lam,
        np.linalg.det(L[np.ix_(unl, unl)]),
    )
    np.testing.assert_allclose(-scores, eva, rtol=1e-10, atol=1e-12)
    # the strategy (det(L_UU) directly when the pool is the smaller part, else by Jacobi's identity)
    s = build_instance("strategy", "quire", {"lambda_": lam, "gamma": gamma}, "s")
    ctx = _ctx(X, lab, y)
    assert s.query(ctx, 1, np.random.default_rng(0))[0] == unl[np.argmin(eva)]
    top4 = unl[np.argsort(eva, kind="stable")[:4]]
    np.testing.assert_array_equal(s.query(ctx, 4, np.random.default_rng(0)), top4)


def test_quire_two_pool_samples_by_hand() -> None:
    # linear kernel on 1-D points: every quantity of libact's evaluation written out
    X = np.array([[1.0], [0.0], [2.0]])  # row 0 labeled (+1), rows 1 and 2 the pool
    lam = 1.0
    K = X @ X.T
    L = np.linalg.inv(K + lam * np.eye(3))
    det = L[1, 1] * L[2, 2] - L[1, 2] ** 2
    b = lam * np.eye(2) + K[1:, 1:] - np.outer(K[1:, 0], K[1:, 0]) / lam
    # candidate 1: r = {2}; candidate 2: r = {1}; M is a 1 x 1 downdated block
    m1 = b[1, 1] - b[1, 0] ** 2 / b[0, 0]
    m2 = b[0, 0] - b[0, 1] ** 2 / b[1, 1]
    eva1 = L[1, 1] - det / L[1, 1] + 2 * abs(L[1, 0] - L[1, 2] * m1 * L[2, 0])
    eva2 = L[2, 2] - det / L[2, 2] + 2 * abs(L[2, 0] - L[2, 1] * m2 * L[1, 0])
    s = build_instance("strategy", "quire", {"kernel": "linear"}, "s")
    ctx = _ctx(X, [0], [1])
    assert s.query(ctx, 1, np.random.default_rng(0))[0] == (1 if eva1 < eva2 else 2)
    assert eva1 != pytest.approx(eva2)
    scores = rk.quire_scores(L[1:, 1:], L[1:, :1], K[1:, 1:], K[1:, :1], np.array([[1.0]]), lam, det)
    np.testing.assert_allclose(-scores, [eva1, eva2], rtol=1e-12)


def test_quire_label_sign_is_irrelevant_and_multiclass_averages_one_vs_rest() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 2))
    lab = np.arange(6)
    y = np.array([0, 1, 2, 0, 1, 2])
    K = _rbf(X, 1.0)
    unl = np.arange(6, 20)
    flipped = _quire_loop(K, lab.tolist(), unl.tolist(), np.where(y == 1, -1.0, 1.0), 1.0)
    straight = _quire_loop(K, lab.tolist(), unl.tolist(), np.where(y == 1, 1.0, -1.0), 1.0)
    np.testing.assert_allclose(flipped, straight, rtol=1e-12)
    # three classes: the |.| term is the mean of the three one-vs-rest evaluations'
    codes = [np.where(y == c, 1.0, -1.0) for c in range(3)]
    per_class = [_quire_loop(K, lab.tolist(), unl.tolist(), code, 1.0) for code in codes]
    expected = np.mean(per_class, axis=0)  # the first two terms are the same in each
    s = build_instance("strategy", "quire", {}, "s")
    assert s.query(_ctx(X, lab, y, n_classes=3), 1, np.random.default_rng(0))[0] == unl[np.argmin(expected)]


def test_quire_cache_is_keyed_by_the_data_and_parameters() -> None:
    rng = np.random.default_rng(4)
    X1, X2 = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    lab, y = np.arange(5), np.array([0, 1, 0, 1, 1])
    s = build_instance("strategy", "quire", {}, "s")
    first = s.query(_ctx(X1, lab, y), 5, np.random.default_rng(0))
    other = s.query(_ctx(X2, lab, y), 5, np.random.default_rng(0))  # replaces the cached inverse
    fresh = build_instance("strategy", "quire", {}, "s")
    np.testing.assert_array_equal(other, fresh.query(_ctx(X2, lab, y), 5, np.random.default_rng(0)))
    np.testing.assert_array_equal(first, s.query(_ctx(X1, lab, y), 5, np.random.default_rng(0)))
    s.set_params(gamma=0.05)  # a parameter change is a cache miss, not a stale inverse
    fresh = build_instance("strategy", "quire", {"gamma": 0.05}, "s")
    np.testing.assert_array_equal(
        s.query(_ctx(X1, lab, y), 5, np.random.default_rng(0)),
        fresh.query(_ctx(X1, lab, y), 5, np.random.default_rng(0)),
    )


@pytest.mark.parametrize(
    ("param", "value", "allowed"),
    [
        ("lambda_", 0.0, r"\(0.0, inf\]"),
        ("kernel", "sigmoid", "'rbf'"),
        ("gamma", -1.0, r"\(0.0"),
        ("degree", 0, ">= 1"),
    ],
)
def test_quire_bad_parameters_are_named(param: str, value: object, allowed: str) -> None:
    with pytest.raises(AlbenchInputError, match=rf"{param} = .*{allowed}"):
        build_instance("strategy", "quire", {param: value}, "s")


# ----------------------------------------------------------------------------------- BMDR, SPAL


def _clarabel() -> None:
    pytest.importorskip("clarabel", reason="BMDR and SPAL need the Clarabel QP solver (albench[qp])")


def _qp_by_enumeration(
    P: np.ndarray, q: np.ndarray, total: float | None, w: np.ndarray | None = None
) -> np.ndarray:
    """The QP's minimiser (``w^T x = total`` if given) by trying each variable at 0, 1 or free (KKT)."""
    import itertools

    n = q.shape[0]
    w = np.ones(n) if w is None else w
    best, best_f = None, np.inf
    for status in itertools.product((0, 1, 2), repeat=n):  # 0: at 0, 1: at 1, 2: free
        x = np.array([float(s == 1) for s in status])
        free = [i for i in range(n) if status[i] == 2]
        if free:
            fixed = [i for i in range(n) if status[i] != 2]
            rhs = -q[free] - P[np.ix_(free, fixed)] @ x[fixed]
            if total is None:
                sol = np.linalg.solve(P[np.ix_(free, free)], rhs)
            else:  # with the multiplier of sum(x) = total
                m = len(free)
                wf = w[free][:, None]
                kkt = np.block([[P[np.ix_(free, free)], wf], [wf.T, np.zeros((1, 1))]])
                if abs(np.linalg.det(kkt)) < 1e-14:
                    continue
                sol = np.linalg.solve(kkt, np.append(rhs, total - w[fixed] @ x[fixed]))[:m]
            x[free] = sol
        if (x < -1e-12).any() or (x > 1 + 1e-12).any():
            continue
        if total is not None and abs(w @ x - total) > 1e-9:
            continue
        f = 0.5 * x @ P @ x + q @ x
        if f < best_f - 1e-12:
            best, best_f = x, f
    return best


@pytest.mark.parametrize("with_equality", [True, False])
def test_box_qp_finds_the_minimiser(with_equality: bool) -> None:
    _clarabel()
    rng = np.random.default_rng(5)
    G = rng.normal(size=(4, 4))
    P = G @ G.T + 0.1 * np.eye(4)
    q = rng.normal(size=4) * 3
    expected = _qp_by_enumeration(P, q, 1.0 if with_equality else None)
    x = rk.box_qp(P, q, np.ones(4), 1.0) if with_equality else rk.box_qp(P, q)
    np.testing.assert_allclose(x, expected, atol=1e-6)


def _fit_tau(K_ll, y_pm, gamma):
    return np.linalg.inv(K_ll + gamma * np.eye(K_ll.shape[0])) @ y_pm


def _alipy_bmdr_loop(K, lab, unl, y_pm, beta, gamma, rho, b):
    """The fork's QueryInstanceBMDR.select, step by step (its QP solved by enumeration)."""
    KLL, KLU, KUU = K[np.ix_(lab, lab)], K[np.ix_(lab, unl)], K[np.ix_(unl, unl)]
    L_len, U_len = len(lab), len(unl)
    N = L_len + U_len
    tau = _fit_tau(KLL, y_pm, gamma)
    last, it = [], 0
    while True:
        it += 1
        P = 0.5 * beta * KUU
        pred = tau @ KLU
        q = beta * ((U_len - b) / N * np.ones(L_len) @ KLU - (L_len + b) / N * np.ones(U_len) @ KUU)
        q = q + pred * pred + 2 * np.abs(pred)
        x = _qp_by_enumeration(P, q, float(b))
        sel = [unl[i] for i in np.argsort(x)[len(x) - b :]]
        if set(last) == set(sel) or it > 15:
            return sel
        last = sel
        delta = np.zeros(b)
        KLQ = K[np.ix_(lab, sel)]
        z = tau @ KLQ
        for _ in range(1000):
            A = KLL @ KLL + rho / 2 * KLQ @ KLQ.T + gamma * KLL
            r = y_pm @ KLL + 0.5 * delta @ KLQ.T + rho / 2 * z @ KLQ.T
            tau = np.linalg.pinv(A) @ r
            z_old = z
            v = (rho * tau @ KLQ - delta) / (rho + 2)
            z = np.sign(v) * np.maximum(np.abs(v) - 2 / (rho + 2), 0)
            delta = delta + rho * (z - tau @ KLQ)
            r_norm = np.linalg.norm(tau @ KLQ - z)
            s_norm = np.linalg.norm(-rho * (z - z_old))
            eps_pri = np.sqrt(b) * 1e-4 + 1e-2 * max(np.linalg.norm(z), np.linalg.norm(tau @ KLQ))
            eps_dual = np.sqrt(b) * 1e-4 + 1e-2 * np.linalg.norm(delta)
            if r_norm < eps_pri and s_norm < eps_dual:
                break


def _small_problem(seed: int, n: int = 13, n_labeled: int = 5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(int)
    lab = np.concatenate([np.flatnonzero(y == 0)[:2], np.flatnonzero(y == 1)[: n_labeled - 2]])
    return X, y, lab


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bmdr_matches_the_forks_loop(seed: int) -> None:
    _clarabel()
    X, y, lab = _small_problem(seed)
    unl = [i for i in range(X.shape[0]) if i not in lab]
    y_pm = np.where(y[lab] == 1, 1.0, -1.0)
    expected = _alipy_bmdr_loop(_rbf(X, 0.5), list(lab), unl, y_pm, beta=10.0, gamma=0.1, rho=1.0, b=2)
    s = build_instance("strategy", "bmdr", {"beta": 10.0, "gamma_ker": 0.5}, "s")
    out = s.query(_ctx(X, lab, y[lab]), 2, np.random.default_rng(0))
    assert set(out.tolist()) == set(expected)


def _alipy_spal_loop(K, lab, unl, y_pm, mu, gamma, rho, lam, b, constrained=False):
    """The fork's QueryInstanceSPAL.select as the published run executes it (QP over the box),
    or as written (``constrained``: with ``es^T x = b`` when the box allows it)."""
    KLL, KLU, KUU = K[np.ix_(lab, lab)], K[np.ix_(lab, unl)], K[np.ix_(unl, unl)]
    L_len, U_len = len(lab), len(unl)
    N = L_len + U_len
    theta = _fit_tau(KLL, y_pm, gamma)
    es = np.ones(U_len)
    last, it = [], 0
    while True:
        it += 1
        P = 0.5 * mu * KUU
        pred = theta @ KLU
        loss = pred * pred + 2 * np.abs(pred)
        q = mu * ((U_len - b) / N * np.ones(L_len) @ KLU - (L_len + b) / N * np.ones(U_len) @ KUU) + es * loss
        x = _qp_by_enumeration(P, q, float(b), es) if constrained and es.sum() >= b else None
        x = _qp_by_enumeration(P, q, None) if x is None else x
        worst = x * loss
        es = np.where(worst < lam, 1 - worst / lam, 0.0)
        sel = [unl[i] for i in np.argsort(x * es)[U_len - b :]]
        if set(last) == set(sel) or it > 15:
            return sel, x * es
        last = sel
        mix = np.maximum(x * es, 0)
        valid = np.flatnonzero(mix > 0.001)
        if len(valid) < 1:
            valid = np.argsort(mix)[-1:]
        vK = KLU[:, valid]
        delta, z = np.zeros(len(valid)), theta @ vK
        pinv_A = np.linalg.pinv(2 * KLL @ KLL + rho * vK @ vK.T + 2 * gamma * KLL)
        kd = np.sqrt(mix[valid] + rho / 2)
        ci = mix[valid] / kd
        for _ in range(1000):
            theta = pinv_A @ (rho * vK @ z + vK @ delta + 2 * KLL @ y_pm)
            z_old = z
            vi = (rho * theta @ vK - delta) / (2 * kd)
            z = np.sign(vi) * np.maximum(np.abs(vi) - ci, 0) / kd
            delta = delta + rho * (z - theta @ vK)
            r_norm = np.linalg.norm(theta @ vK - z)
            s_norm = np.linalg.norm(-rho * (z - z_old))
            m = np.sqrt(len(valid))
            eps_pri = m * 1e-4 + 1e-2 * max(np.linalg.norm(z), np.linalg.norm(theta @ vK))
            eps_dual = m * 1e-4 + 1e-2 * np.linalg.norm(delta)
            if r_norm < eps_pri and s_norm < eps_dual:
                break


@pytest.mark.parametrize("constrained", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spal_matches_the_forks_loop(seed: int, constrained: bool) -> None:
    _clarabel()
    X, y, lab = _small_problem(seed)
    unl = [i for i in range(X.shape[0]) if i not in lab]
    y_pm = np.where(y[lab] == 1, 1.0, -1.0)
    params = {"mu": 5.0, "gamma": 0.1, "rho": 1.0, "lam": 2.0, "constrained": constrained}
    expected, weights = _alipy_spal_loop(_rbf(X, 0.5), list(lab), unl, y_pm, b=1, **params)
    assert np.sort(weights)[-1] - np.sort(weights)[-2] > 1e-3  # a clear winner: no solver near-tie
    s = build_instance(
        "strategy",
        "spal",
        {"mu": 5.0, "lambda_init": 2.0, "gamma_ker": 0.5, "batch_constraint": constrained},
        "s",
    )
    assert s.query(_ctx(X, lab, y[lab]), 1, np.random.default_rng(0)).tolist() == expected


# The picks of the published code on one example: QueryInstanceBMDR of the ALiPy fork the
# benchmark runs (ariapoy/ALiPy at ef2a840, through cvxpy 1.6.0 with OSQP 1.1.3), 8 rounds of
# batch 1, each pick labeled before the next: X = default_rng(seed).normal(size=(n, d)),
# y = X[:, 0] + 0.5 * normal(size=n) > 0, the first 3 of each class labeled, gamma_ker as given.
FORK_PICKS = {
    (0, 80, 2, 1.0): [10, 30, 52, 43, 13, 42, 70, 62],
    (1, 120, 5, 0.3): [113, 35, 76, 107, 63, 99, 61, 56],
}


@pytest.mark.parametrize(("seed", "n", "d", "gamma_ker"), list(FORK_PICKS))
def test_bmdr_reproduces_the_published_codes_picks(seed: int, n: int, d: int, gamma_ker: float) -> None:
    _clarabel()
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    lab = list(np.concatenate([np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)[:3]]))
    s = build_instance("strategy", "bmdr", {"gamma_ker": gamma_ker}, "s")
    picks = []
    for _ in range(8):
        picks.append(int(s.query(_ctx(X, lab, y[lab]), 1, np.random.default_rng(0))[0]))
        lab.append(picks[-1])
    assert picks == FORK_PICKS[(seed, n, d, gamma_ker)]


def test_qp_strategies_are_listed_unavailable_without_the_solver(monkeypatch) -> None:
    from albench.registry import STRATEGIES
    from albench.strategies import representative

    monkeypatch.setattr(representative, "_qp_available", lambda: False)
    name = "bmdr_without_solver_probe"
    try:
        representative.register_qp(name, "probe", "none")(type("Probe", (representative.BMDR,), {}))
        assert name not in STRATEGIES.names()
        assert "clarabel" in STRATEGIES.unavailable[name]
        with pytest.raises(AlbenchInputError, match="unavailable on this machine.*albench\\[qp\\]"):
            STRATEGIES.get(name)
    finally:
        STRATEGIES._unavailable.pop(name, None)


@pytest.mark.parametrize(
    ("name", "param", "value"),
    [
        ("bmdr", "beta", 0.0),
        ("bmdr", "batch_constraint", "yes"),
        ("bmdr", "gamma_ker", -1.0),
        ("spal", "lambda_init", 0.0),
        ("spal", "mu", -0.1),
        ("spal", "kernel", "sigmoid"),
    ],
)
def test_qp_strategies_bad_parameters_are_named(name: str, param: str, value: object) -> None:
    _clarabel()
    with pytest.raises(AlbenchInputError, match=rf"{param} = "):
        build_instance("strategy", name, {param: value}, "s")
