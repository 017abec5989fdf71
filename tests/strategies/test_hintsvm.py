"""HintSVM: the hinted SVM against its definition, scikit-learn's SVC and libact's extension."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.svm import SVC

from albench.components import build_instance
from albench.errors import AlbenchInputError
from albench.strategies.base import QueryContext
from albench.strategies.hintsvm import LIBACT_FALLBACK, HintSVM
from albench.strategies.kernels.hint_svm import hint_svm_decision

pytest.importorskip("clarabel")

LIBACT_VALUES = Path(__file__).parent / "data" / "hintsvm_libact.json"


def _problem(seed: int, n_l: int = 14, n_h: int = 20, d: int = 3):
    r = np.random.default_rng(seed)
    X_l = r.normal(size=(n_l, d))
    y = np.where(X_l[:, 0] + 0.5 * r.normal(size=n_l) > 0, 1.0, -1.0)
    y[0], y[1] = 1.0, -1.0
    return X_l, y, r.normal(size=(n_h, d)), r.normal(size=(25, d))


@pytest.mark.parametrize("kernel,gamma", [("linear", 0.1), ("rbf", 0.5), ("poly", 0.3)])
def test_without_hints_it_is_scikit_learns_svc(kernel, gamma) -> None:
    X_l, y, _, X_e = _problem(1)
    ours = hint_svm_decision(X_l, y, np.empty((0, 3)), X_e, C=0.7, kernel=kernel, gamma=gamma, coef0=1.0)
    svc = SVC(C=0.7, kernel=kernel, gamma=gamma, coef0=1.0, degree=3, tol=1e-8).fit(X_l, y)
    # scikit-learn's positive side is classes_[1] = +1, as ours
    np.testing.assert_allclose(ours, svc.decision_function(X_e), atol=1e-5)


def _primal(f_l, f_h, w_norm2, y, C, hint_weight, epsilon, hint_loss):
    hinge = np.maximum(0.0, 1.0 - y * f_l).sum()
    out = np.maximum(0.0, np.abs(f_h) - epsilon)
    hint = {"hinge": out.sum(), "squared": (out**2).sum(), "hard": 0.0}[hint_loss]
    return 0.5 * w_norm2 + C * hinge + C * hint_weight * hint


@pytest.mark.parametrize("hint_loss", ["hard", "hinge", "squared"])
def test_the_linear_primal_is_optimal_where_the_dual_says(hint_loss) -> None:
    """Linear kernel: f = w.x - rho from the dual; its primal value cannot be lowered by
    moving w or rho (checked against many perturbations), and hard hints sit in the band."""
    X_l, y, X_h, _ = _problem(2)
    C, hw, eps = 0.5, 2.0, 0.1
    # recover (w, rho) from decision values at the origin and the unit vectors
    probe = np.vstack([np.zeros(3), np.eye(3)])
    opts = {"C": C, "hint_weight": hw, "epsilon": eps, "hint_loss": hint_loss, "kernel": "linear"}
    f0 = hint_svm_decision(X_l, y, X_h, probe, **opts)
    rho, w = -f0[0], f0[1:] - f0[0]
    np.testing.assert_allclose(
        hint_svm_decision(X_l, y, X_h, X_h, **opts),
        X_h @ w - rho,
        atol=1e-9,
    )

    def value(w_, rho_):
        return _primal(X_l @ w_ - rho_, X_h @ w_ - rho_, w_ @ w_, y, C, hw, eps, hint_loss)

    if hint_loss == "hard":
        assert np.abs(X_h @ w - rho).max() <= eps + 1e-6
    best = value(w, rho)
    r = np.random.default_rng(0)
    for _ in range(300):
        dw, drho = r.normal(scale=0.05, size=3), r.normal(scale=0.05)
        w2, rho2 = w + dw, rho + drho
        if hint_loss == "hard":  # stay feasible: shrink the step until the hints are in the band
            t = 1.0
            while np.abs(X_h @ (w + t * dw) - (rho + t * drho)).max() > eps and t > 1e-6:
                t /= 2
            w2, rho2 = w + t * dw, rho + t * drho
        assert value(w2, rho2) >= best - 1e-6


def test_decision_values_match_libacts_compiled_extension() -> None:
    """Values printed by libact's ``_hintsvm.hintsvm_query`` (tools/hintsvm_libact_reference.py)."""
    data = json.loads(LIBACT_VALUES.read_text(encoding="utf-8"))
    assert len(data["problems"]) == 7
    for case in data["problems"]:
        loss = {1: "hinge", 2: "squared"}.get(case["libsvm_degree"], "hard")
        ours = hint_svm_decision(
            np.array(case["X_labeled"]),
            np.array(case["y"]),
            np.array(case["X_hints"]).reshape(-1, np.array(case["X_labeled"]).shape[1]),
            np.array(case["X_eval"]),
            C=case["C"],
            hint_weight=case["hint_weight"],
            hint_loss=loss,
            kernel=case["kernel"],
            gamma=case["gamma"],
            degree=case["libsvm_degree"],
            coef0=case["coef0"],
        )
        np.testing.assert_allclose(ours, case["decision"], atol=2e-4, err_msg=f"{case['kernel']} {loss}")


def _ctx(X, labeled, y_labeled, n_classes=2) -> QueryContext:
    labeled = np.asarray(labeled, dtype=np.int64)
    return QueryContext(
        X=X,
        labeled=labeled,
        y_labeled=np.asarray(y_labeled, dtype=np.int64),
        pool=np.setdiff1d(np.arange(X.shape[0]), labeled),
        n_classes=n_classes,
        model=None,
        make_model=lambda: None,
    )


def _data(seed=3, n=60):
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, 4))
    y = (X[:, 0] + 0.3 * r.normal(size=n) > 0).astype(int)
    return X, y


def test_the_query_is_the_largest_absolute_decision_value_with_the_round_hints() -> None:
    X, y = _data()
    labeled = np.array([0, 1, 2, 3, 4, 5])
    ctx = _ctx(X, labeled, y[labeled])
    s = HintSVM(cl=1.0, ch=1.0, p=0.5, kernel="rbf", gamma="auto")
    chosen = s.query(ctx, 1, np.random.default_rng(7))
    # by hand: the same stream draws int(0.5 u) hints with replacement
    r = np.random.default_rng(7)
    pool = ctx.pool
    hints = X[pool[r.integers(0, pool.shape[0], size=int(pool.shape[0] * 0.5))]]
    signed = np.where(y[labeled] == y[labeled][0], 1.0, -1.0)
    f = hint_svm_decision(X[labeled], signed, hints, X[pool], C=1.0, kernel="rbf", gamma=1 / 4)
    assert chosen.tolist() == [pool[np.argmax(np.abs(f))]]
    batch = s.query(_ctx(X, labeled, y[labeled]), 4, np.random.default_rng(7))
    np.testing.assert_array_equal(np.sort(batch), np.sort(pool[np.argsort(-np.abs(f))[:4]]))


def test_reset_after_first_query_switches_to_libacts_fallback_parameters() -> None:
    X, y = _data(4)
    first, second = np.arange(8), np.arange(9)
    published = HintSVM(cl=1.0, ch=1.0, p=0.5, kernel="rbf", gamma="auto", reset_after_first_query=True)
    assert published._solver_params(_ctx(X, first, y[first]))["kernel"] == "rbf"
    assert published._solver_params(_ctx(X, second, y[second])) == LIBACT_FALLBACK
    # a new run (the labeled set does not grow the last one) starts over with its own parameters
    assert published._solver_params(_ctx(X, first, y[first]))["kernel"] == "rbf"
    plain = HintSVM(cl=1.0, ch=1.0, p=0.5, kernel="rbf", gamma="auto")
    plain._solver_params(_ctx(X, first, y[first]))
    assert plain._solver_params(_ctx(X, second, y[second]))["kernel"] == "rbf"
    # the second query of the published setting is the linear C = 0.1 HintSVM's
    published.query(_ctx(X, first, y[first]), 1, np.random.default_rng(0))
    fallback = HintSVM(cl=0.1, ch=0.1, p=0.5, kernel="linear", gamma=0.1)
    np.testing.assert_array_equal(
        published.query(_ctx(X, second, y[second]), 3, np.random.default_rng(5)),
        fallback.query(_ctx(X, second, y[second]), 3, np.random.default_rng(5)),
    )


def test_one_labeled_class_and_many_classes_give_valid_batches() -> None:
    X, y = _data(5)
    s = HintSVM(kernel="rbf", gamma=0.5)
    out = s.query(_ctx(X, [0, 1, 2], [1, 1, 1]), 3, np.random.default_rng(1))
    assert len(set(out.tolist())) == 3 and not set(out.tolist()) & {0, 1, 2}
    y3 = np.arange(X.shape[0]) % 3
    labeled = np.arange(9)
    ctx3 = _ctx(X, labeled, y3[labeled], n_classes=3)
    out = HintSVM(kernel="linear").query(ctx3, 5, np.random.default_rng(1))
    assert len(set(out.tolist())) == 5 and not set(out.tolist()) & set(labeled.tolist())


@pytest.mark.parametrize(
    "params,field",
    [
        ({"p": 1.5}, "p"),
        ({"cl": 0.0}, "cl"),
        ({"kernel": "sigmoid"}, "kernel"),
        ({"gamma": "big"}, "gamma"),
        ({"hint_loss": "soft"}, "hint_loss"),
        ({"reset_after_first_query": "yes"}, "reset_after_first_query"),
    ],
)
def test_bad_parameters_name_the_field(params, field) -> None:
    with pytest.raises(AlbenchInputError, match=field):
        build_instance("strategy", "hintsvm", params, "strategies[0]").validate()
