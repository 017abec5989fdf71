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
    ctx = make_ctx(n_classes=2, n_samples=80, n_labeled=10, seed=3)
    albl = build_instance(
        "strategy", "albl", {"strategies": ["least_confident", "coreset"], "exploration": 0.5}, "s"
    )
    out = albl.query(ctx, 4, np.random.default_rng(0))
    state = albl.__dict__["_bandit"]
    hits = np.array([h for h, *_ in state["pending"]])  # which expert advised each drawn sample
    # next round: the queried samples are labeled and the model refitted
    y_all = np.zeros(ctx.X.shape[0], dtype=int)
    y_all[ctx.labeled] = ctx.y_labeled
    y_all[out] = ctx.model.predict(ctx.X[out])  # labels the model gets right: positive reward
    labeled = np.sort(np.concatenate([ctx.labeled, out]))
    nxt = ctx_from(ctx.X, y_all, labeled, n_classes=2)
    albl.query(nxt, 4, np.random.default_rng(1))
    log_w = albl.__dict__["_bandit"]["log_w"]
    followed = hits.sum(axis=0)
    if followed[0] != followed[1]:
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
