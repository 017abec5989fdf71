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


def test_uniform_bootstrap_fits_each_listed_member_on_the_rows_the_seed_gives() -> None:
    """libact's bagging: member by member, random_state then n rows drawn uniformly with
    replacement (redrawn while a class is missing); checked against direct scikit-learn fits."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression

    from ._helpers import make_ctx

    ctx = make_ctx(n_classes=2, n_samples=50, n_labeled=10, seed=3)
    models = [{"name": "logistic_regression", "max_iter": 100}, "lda"]
    qbc = build_instance("strategy", "qbc_vote_entropy", {"models": models, "bootstrap": "uniform"}, "s")
    members = qbc.committee(ctx, np.random.default_rng(11))

    X_l, y_l = ctx.X[ctx.labeled], ctx.y_labeled
    rng = np.random.default_rng(11)
    expected = []
    for est in (LogisticRegression(max_iter=100), LinearDiscriminantAnalysis()):
        rng.integers(0, 2**31 - 1)  # the member's random_state
        rows = rng.integers(0, 10, size=10)
        while np.unique(y_l[rows]).shape[0] < 2:
            rows = rng.integers(0, 10, size=10)
        assert np.unique(rows).shape[0] < 10  # a real bootstrap sample, not a permutation
        expected.append(est.fit(X_l[rows], y_l[rows]))
    for got, want in zip(members, expected, strict=True):
        np.testing.assert_allclose(got.coef_, want.coef_, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got.intercept_, want.intercept_, rtol=1e-10, atol=1e-12)
    # without the option, listed members see the whole labeled set (the behaviour before it)
    whole = build_instance("strategy", "qbc_vote_entropy", {"models": models}, "s")
    direct = LinearDiscriminantAnalysis().fit(X_l, y_l)
    np.testing.assert_allclose(whole.committee(ctx, np.random.default_rng(11))[1].coef_, direct.coef_)


def test_uniform_bootstrap_redraws_until_every_class_is_present() -> None:
    from albench.strategies.committee import uniform_bootstrap

    y = np.array([0] * 9 + [1])  # one sample of class 1: a draw misses it with probability 0.9**10
    for seed in range(30):
        rows = uniform_bootstrap(y, np.random.default_rng(seed))
        assert rows.shape == (10,) and 9 in rows
    # the first draw that holds both classes is the one returned
    rng = np.random.default_rng(0)
    draws = [rng.integers(0, 10, size=10) for _ in range(50)]
    first_ok = next(d for d in draws if 9 in d)
    np.testing.assert_array_equal(uniform_bootstrap(y, np.random.default_rng(0)), first_ok)


def test_lda_model_is_registered_as_scikit_learns_defaults() -> None:
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    from albench.models import build_model

    est = build_model("lda", {}, random_state=5)
    assert isinstance(est, LinearDiscriminantAnalysis)
    assert est.get_params() == LinearDiscriminantAnalysis().get_params()
    with pytest.raises(AlbenchInputError, match="lda"):
        build_model("lda", {"solver": "nope"}, random_state=0)
