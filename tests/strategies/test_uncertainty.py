"""Known answers for the uncertainty family on a hand-built pool."""

from __future__ import annotations

import numpy as np
import pytest

from albench.registry import STRATEGIES

from ._helpers import table_ctx

# row 0 labeled; pool rows 1-3
PROBA = np.array(
    [
        [1.0, 0.0, 0.0],
        [0.9, 0.05, 0.05],  # confident
        [0.5, 0.49, 0.01],  # top two nearly tied: smallest margin and ratio closest to 1
        [0.4, 0.3, 0.3],  # lowest top probability, flattest: least confident, highest entropy
    ]
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("least_confident", 3), ("entropy", 3), ("margin", 2), ("ratio", 2)],
)
def test_probability_strategies_pick_by_hand(name: str, expected: int) -> None:
    ctx = table_ctx(np.arange(4.0), [0], [0], proba=PROBA)
    assert STRATEGIES.get(name).obj().query(ctx, 1, np.random.default_rng(0)).tolist() == [expected]
    out = STRATEGIES.get(name).obj().query(ctx, 2, np.random.default_rng(0))
    assert sorted(out.tolist()) == [2, 3]


def test_decision_margin_picks_the_sample_nearest_the_boundary() -> None:
    ctx = table_ctx(np.arange(5.0), [0], [0], decision=np.array([0.0, -2.0, 0.3, -0.1, 1.0]))
    out = STRATEGIES.get("decision_margin").obj().query(ctx, 2, np.random.default_rng(0))
    assert out.tolist() == [3, 2]


def test_decision_margin_multiclass_uses_the_top_two_gap() -> None:
    dec = np.array([[0, 0, 0], [1.0, 0.9, -1.0], [2.0, 0.0, -1.0], [0.5, -0.5, 0.45]])
    ctx = table_ctx(np.arange(4.0), [0], [0], decision=dec, n_classes=3)
    out = STRATEGIES.get("decision_margin").obj().query(ctx, 1, np.random.default_rng(0))
    assert out.tolist() == [3]  # gap 0.05 < 0.1 < 2


def test_margin_falls_back_to_decision_values() -> None:
    ctx = table_ctx(np.arange(4.0), [0], [0], decision=np.array([0.0, 3.0, -0.2, 0.5]))
    out = STRATEGIES.get("margin").obj().query(ctx, 1, np.random.default_rng(0))
    assert out.tolist() == [2]


def test_missing_class_columns_are_expanded() -> None:
    """A model that never saw class 2 still yields three columns (class 2 at probability 0)."""
    from ._helpers import ctx_from

    X = np.array([[0.0], [0.1], [1.0], [1.1], [0.5], [0.55], [5.0]])
    y = np.array([0, 0, 1, 1, 0, 1, 2])
    ctx = ctx_from(X, y, [0, 1, 2, 3], n_classes=3)
    assert ctx.predict_proba().shape == (3, 3)
    assert np.all(ctx.predict_proba()[:, 2] == 0)
    for name in ("least_confident", "entropy", "margin", "ratio"):
        out = STRATEGIES.get(name).obj().query(ctx, 1, np.random.default_rng(0))
        assert out[0] in (4, 5)  # between the two labeled groups, not the far point at 5.0
