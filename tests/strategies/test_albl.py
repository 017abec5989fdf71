"""ALBL: follows its experts, learns from importance-weighted accuracy, resets between cells."""

from __future__ import annotations

import numpy as np
import pytest

from albench.components import build_instance
from albench.errors import AlbenchInputError

from ._helpers import ctx_from, make_ctx


def test_a_single_expert_without_exploration_is_followed() -> None:
    ctx = make_ctx(n_classes=3, n_samples=60, n_labeled=9)
    albl = build_instance("strategy", "albl", {"strategies": ["coreset"], "exploration": 1e-12}, "s")
    expert = build_instance("strategy", "coreset", {}, "s")
    out = albl.query(ctx, 5, np.random.default_rng(0))
    assert sorted(out.tolist()) == sorted(expert.query(ctx, 5, np.random.default_rng(0)).tolist())


def test_reward_moves_weight_to_the_expert_that_was_followed() -> None:
    exploration, k, n_pool0 = 0.5, 4, 70
    ctx = make_ctx(n_classes=2, n_samples=80, n_labeled=10, seed=3)
    albl = build_instance(
        "strategy", "albl", {"strategies": ["least_confident", "coreset"], "exploration": exploration}, "s"
    )
    out = albl.query(ctx, k, np.random.default_rng(0))
    pending = albl.__dict__["_bandit"]["pending"]
    hits = np.array([h for h, *_ in pending])  # which expert advised each drawn sample
    followed = hits.sum(axis=0)
    assert followed[0] != followed[1], "the setup must follow one expert more often (no tie)"
    # round 1's mixture by hand: uniform weights, p_min = exploration / K over K = 70, 69, ...
    p_min = exploration / (n_pool0 - np.arange(k))
    q_chosen = p_min + (1 - exploration) * hits.sum(axis=1) / 2
    np.testing.assert_allclose([q for *_, q, _ in pending], q_chosen, rtol=1e-12)
    advice_q = np.array([a for _, a, _, _ in pending])
    # next round: the queried samples are labeled and the model refitted
    y_all = np.zeros(ctx.X.shape[0], dtype=int)
    y_all[ctx.labeled] = ctx.y_labeled
    y_all[out] = ctx.model.predict(ctx.X[out])  # labels the model gets right: positive reward
    labeled = np.sort(np.concatenate([ctx.labeled, out]))
    nxt = ctx_from(ctx.X, y_all, labeled, n_classes=2)
    albl.query(nxt, k, np.random.default_rng(1))
    log_w = albl.__dict__["_bandit"]["log_w"]
    # EXP4.P by hand: r = (1 / (n T)) sum_t [h(x_t) = y_t] / q_t with the refitted model, then
    # w_i *= exp(p_min / 2 * (r [i advised x_t] / q_t + sqrt(ln(N / delta) / (K T_h)) / q(a_i)))
    right = nxt.model.predict(ctx.X[out]) == y_all[out]
    r = np.sum(right / q_chosen) / (n_pool0 * k)
    assert r > 0
    bonus = np.sqrt(np.log(2 / 0.1) / ((n_pool0 - np.arange(k)) * 100))
    step = (p_min / 2)[:, None] * (hits * r / q_chosen[:, None] + bonus[:, None] / advice_q)
    expected = step.sum(axis=0) - step.sum(axis=0).max()
    np.testing.assert_allclose(log_w, expected, rtol=1e-12, atol=1e-15)
    assert (log_w[0] > log_w[1]) == (followed[0] > followed[1])


def test_state_resets_for_a_new_cell() -> None:
    ctx = make_ctx(n_classes=2, n_samples=50, n_labeled=10)
    albl = build_instance("strategy", "albl", {}, "s")
    a = albl.query(ctx, 3, np.random.default_rng(5))
    b = albl.query(ctx, 3, np.random.default_rng(5))  # same labeled set again: not a continuation
    np.testing.assert_array_equal(a, b)


def test_needs_are_the_union_of_the_experts() -> None:
    albl = build_instance("strategy", "albl", {"strategies": ["entropy", "coreset"]}, "s")
    assert "proba" in albl.needs
    albl = build_instance("strategy", "albl", {"strategies": ["decision_margin", "coreset"]}, "s")
    assert "decision" in albl.needs and "proba" not in albl.needs


def test_experts_are_validated_by_position() -> None:
    with pytest.raises(AlbenchInputError, match=r"strategies\[1\].*nope"):
        build_instance("strategy", "albl", {"strategies": ["margin", "nope"]}, "s")
    with pytest.raises(AlbenchInputError, match=r"strategies\[0\].*beta"):
        build_instance("strategy", "albl", {"strategies": [{"name": "hierarchical", "beta": 0.1}]}, "s")
    with pytest.raises(AlbenchInputError, match="strategies"):
        build_instance("strategy", "albl", {"strategies": []}, "s")


def test_an_expert_with_its_own_query_model_sees_that_model() -> None:
    from sklearn.linear_model import LogisticRegression

    from albench.models import build_model
    from albench.strategies.base import check_strategy_model

    # ALBL's query model is an SVM without probabilities; the expert brings its own LR (C = 0.01)
    ctx = make_ctx(n_classes=2, n_samples=60, n_labeled=10, seed=5, model="rbf_svm")
    expert = {"name": "least_confident", "query_model": {"name": "logistic_regression", "C": 0.01}}
    albl = build_instance("strategy", "albl", {"strategies": [expert], "exploration": 1e-12}, "s")
    assert "proba" not in albl.needs
    check_strategy_model("albl", albl, "rbf_svm", build_model("rbf_svm", {}, random_state=0))
    out = albl.query(ctx, 1, np.random.default_rng(0))
    direct = LogisticRegression(C=0.01, max_iter=1000).fit(ctx.X[ctx.labeled], ctx.y_labeled)
    least_confident = 1.0 - direct.predict_proba(ctx.X[ctx.pool]).max(axis=1)
    assert out.tolist() == [ctx.pool[np.argmax(least_confident)]]
    # the same expert without its own model would need probabilities from ALBL's query model
    plain = build_instance("strategy", "albl", {"strategies": ["least_confident"]}, "s")
    assert "proba" in plain.needs


def test_an_expert_query_model_is_validated_naming_the_entry() -> None:
    with pytest.raises(AlbenchInputError, match=r"strategies\[0\]\.query_model.*no_such"):
        build_instance(
            "strategy", "albl", {"strategies": [{"name": "margin", "query_model": "no_such"}]}, "s"
        )
    with pytest.raises(AlbenchInputError, match=r"strategies\[1\].*predict_proba"):
        build_instance(
            "strategy",
            "albl",
            {"strategies": ["margin", {"name": "entropy", "query_model": "linear_svm"}]},
            "s",
        )
