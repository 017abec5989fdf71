"""Query by committee picks the sample the committee splits on."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from albench.components import build_instance
from albench.errors import AlbenchInputError
from albench.registry import MODELS

from ._helpers import ctx_from


class Stump(ClassifierMixin, BaseEstimator):
    """Predicts class 1 when x > threshold; probability sigmoid(x - threshold). Ignores training data."""

    _parameter_constraints: dict = {}

    def __init__(self, threshold: float = 0.0, random_state=None) -> None:
        self.threshold = threshold
        self.random_state = random_state

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        p1 = 1.0 / (1.0 + np.exp(-(np.asarray(X)[:, 0] - self.threshold)))
        return np.column_stack([1 - p1, p1])

    def predict(self, X):
        return (np.asarray(X)[:, 0] > self.threshold).astype(np.int64)


@pytest.fixture
def stumps():
    names = []
    for t in (0.0, 1.0, 2.0, 3.0):
        name = f"_test_stump_{t:g}"

        def factory(random_state=None, _t=t):
            return Stump(threshold=_t, random_state=random_state)

        MODELS.add(name, factory, description="test stump", replace=True)
        names.append(name)
    yield names
    for name in names:
        MODELS._entries.pop(name, None)


def test_vote_entropy_picks_the_evenly_split_sample(stumps) -> None:
    # labeled: x = -5 (class 0), x = 9 (class 1); pool at 0.5, 1.5, 2.5, 4
    X = np.array([[-5.0], [9.0], [0.5], [1.5], [2.5], [4.0]])
    y = np.array([0, 1, 0, 1, 1, 1])
    ctx = ctx_from(X, y, [0, 1])
    qbc = build_instance("strategy", "qbc_vote_entropy", {"models": stumps}, "s")
    # votes: 0.5 -> 1 of 4 say "1"; 1.5 -> 2 of 4 (the split); 2.5 -> 3 of 4; 4 -> 4 of 4
    assert qbc.query(ctx, 1, np.random.default_rng(0)).tolist() == [3]
    assert sorted(qbc.query(ctx, 3, np.random.default_rng(0)).tolist()) == [2, 3, 4]


def test_kl_picks_where_members_distributions_diverge(stumps) -> None:
    X = np.array([[-5.0], [9.0], [-8.0], [1.5], [12.0]])
    y = np.array([0, 1, 0, 1, 1])
    ctx = ctx_from(X, y, [0, 1])
    qbc = build_instance("strategy", "qbc_kl", {"models": [stumps[0], stumps[3]]}, "s")
    # thresholds 0 and 3: at 1.5 the members say 0.82 vs 0.18; far away both agree
    assert qbc.query(ctx, 1, np.random.default_rng(0)).tolist() == [3]


def test_bagged_committee_is_seeded_and_needs_refit() -> None:
    from ._helpers import make_ctx

    ctx = make_ctx(n_classes=3, n_samples=60, model="random_forest")
    qbc = build_instance("strategy", "qbc_vote_entropy", {"n_members": 4}, "s")
    assert "refit" in qbc.needs
    a = qbc.query(ctx, 5, np.random.default_rng(1))
    b = qbc.query(ctx, 5, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)


def test_heterogeneous_list_is_validated_naming_the_entry() -> None:
    with pytest.raises(AlbenchInputError, match=r"models\[1\].*nope"):
        build_instance("strategy", "qbc_vote_entropy", {"models": ["gaussian_nb", "nope"]}, "s")
    with pytest.raises(AlbenchInputError, match=r"models\[0\].*linear_svm.*predict_proba"):
        build_instance("strategy", "qbc_kl", {"models": ["linear_svm", "gaussian_nb"]}, "s")
    with pytest.raises(AlbenchInputError, match="n_estimators"):
        build_instance(
            "strategy",
            "qbc_kl",
            {"models": [{"name": "random_forest", "n_estimators": -1}, "gaussian_nb"]},
            "s",
        )


def test_a_fixed_committee_seed_ignores_the_strategy_stream() -> None:
    from ._helpers import make_ctx

    ctx = make_ctx(n_classes=3, n_samples=60, model="logistic_regression")
    fixed = build_instance("strategy", "qbc_kl", {"n_members": 3, "seed": 7}, "s")
    np.testing.assert_array_equal(
        fixed.scores(ctx, np.random.default_rng(1)), fixed.scores(ctx, np.random.default_rng(2))
    )
    free = build_instance("strategy", "qbc_kl", {"n_members": 3}, "s")
    assert not np.array_equal(
        free.scores(ctx, np.random.default_rng(1)), free.scores(ctx, np.random.default_rng(2))
    )
