"""The beam-search oracle ``bso`` (Lu et al. 2025) and the oracle access of the query context."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression

from albench.components import build_instance
from albench.errors import AlbenchInputError
from albench.strategies.base import (
    ORACLE_LABELS,
    ORACLE_TEST,
    QueryContext,
    check_strategy_model,
    is_oracle,
    oracle_fields,
)
from albench.strategies.oracle import BeamSearchOracle

from ._helpers import make_ctx


def bso(**params) -> BeamSearchOracle:
    return build_instance("strategy", "bso", params, "strategy")


def problem(seed: int = 0, n_labeled: int = 4, n_pool: int = 6, n_test: int = 300):
    """Two overlapping Gaussian classes: a labeled set with both classes, a pool, a large test set."""
    rng = np.random.default_rng(seed)
    n = n_labeled + n_pool + n_test
    y = rng.integers(0, 2, n)
    y[:n_labeled] = np.arange(n_labeled) % 2
    X = rng.normal(size=(n, 2)) + 1.2 * y[:, None]
    train = n_labeled + n_pool
    return X[:train], y[:train], X[train:], y[train:]


def context(X, y, X_test, y_test, labeled, template, needs=frozenset({ORACLE_LABELS, ORACLE_TEST})):
    labeled = np.asarray(labeled, dtype=np.int64)
    pool = np.setdiff1d(np.arange(X.shape[0]), labeled)
    return QueryContext(
        X=X,
        labeled=labeled,
        y_labeled=y[labeled],
        pool=pool,
        n_classes=2,
        model=clone(template).fit(X[labeled], y[labeled]),
        make_model=lambda: clone(template),
        **oracle_fields(needs, y, X_test, y_test),
    )


def accuracy(template, X, y, rows, X_eval, y_eval) -> float:
    """Accuracy on (X_eval, y_eval) of ``template`` fitted on ``rows`` (in order) with true labels."""
    model = clone(template).fit(X[rows], y[rows])
    return float(np.mean(model.predict(X_eval) == y_eval))


def advance(ctx: QueryContext, picked: np.ndarray) -> QueryContext:
    """The next round's context: ``picked`` labeled (true labels), out of the pool."""
    labeled = np.concatenate([ctx.labeled, picked])
    return QueryContext(
        X=ctx.X,
        labeled=labeled,
        y_labeled=ctx.oracle_labels[labeled],
        pool=np.setdiff1d(ctx.pool, picked),
        n_classes=ctx.n_classes,
        model=ctx.model,
        make_model=ctx.make_model,
        oracle_labels=ctx.oracle_labels,
        oracle_test=ctx.oracle_test,
    )


LR = LogisticRegression(C=1.0)


def test_horizon_one_queries_the_sample_whose_true_label_most_raises_test_accuracy():
    X, y, X_test, y_test = problem(seed=1)
    labeled = np.arange(4)
    pool = np.arange(4, 10)
    # brute force: the accuracy on the test set after adding each pool sample with its true label
    acc = {int(x): accuracy(LR, X, y, [*labeled, x], X_test, y_test) for x in pool}
    best = max(acc, key=acc.get)
    assert sorted(acc.values())[-1] > sorted(acc.values())[-2], "the example needs a unique best"
    ctx = context(X, y, X_test, y_test, labeled, LR)
    assert bso(horizon=1).query(ctx, 1, np.random.default_rng(0)).tolist() == [best]


def test_look_at_train_scores_the_whole_training_part_with_true_labels():
    X, y, X_test, y_test = problem(seed=4, n_pool=40)
    labeled = np.arange(4)
    everything = np.arange(X.shape[0])  # labeled set and pool, with their true labels
    acc = {int(x): accuracy(LR, X, y, [*labeled, x], X[everything], y[everything]) for x in range(4, 44)}
    top = sorted(acc.values())
    best = max(acc, key=acc.get)
    assert top[-1] > top[-2]
    strategy = bso(horizon=1, look_at="train")
    assert ORACLE_TEST not in strategy.needs  # the test part is not needed, so not given
    ctx = context(X, y, None, None, labeled, LR, needs=strategy.needs)
    assert ctx.oracle_test is None
    assert strategy.query(ctx, 1, np.random.default_rng(0)).tolist() == [best]


def test_depth_two_keeps_the_two_best_singles_and_their_best_extension():
    """Horizon 2, beam 5: by the published narrowing rule the first step keeps min(5, 2) = 2
    one-sample sequences, the second extends each by its best sample and keeps the best pair."""
    X, y, X_test, y_test = problem(seed=6, n_pool=6)
    labeled = [0, 1, 2, 3]
    pool = range(4, 10)
    single = {x: accuracy(LR, X, y, [*labeled, x], X_test, y_test) for x in pool}
    ranked = sorted(single, key=single.get, reverse=True)
    assert single[ranked[1]] > single[ranked[2]], "the example needs a unique top two"
    pairs = {
        (a, b): accuracy(LR, X, y, [*labeled, a, b], X_test, y_test)
        for a in ranked[:2]
        for b in pool
        if b != a
    }
    best_pair = max(pairs, key=pairs.get)
    assert sorted(pairs.values())[-1] > sorted(pairs.values())[-2]
    # (for contrast: the best pair over all ordered pairs, which a wider first step could reach)
    every = {
        (a, b): accuracy(LR, X, y, [*labeled, a, b], X_test, y_test)
        for a, b in itertools.permutations(pool, 2)
    }
    assert max(every.values()) >= pairs[best_pair]

    ctx = context(X, y, X_test, y_test, labeled, LR)
    strategy = bso(horizon=2)
    first = strategy.query(ctx, 1, np.random.default_rng(0))
    second = strategy.query(advance(ctx, first), 1, np.random.default_rng(0))
    assert (int(first[0]), int(second[0])) == best_pair


class SetScore(ClassifierMixin, BaseEstimator):
    """A stand-in model whose test accuracy is a table of the pool samples it was trained on.

    Feature 0 of each row is its id; ``table`` maps the frozenset of trained pool ids to the
    number of test rows predicted right (of ``len(y_test)``).
    """

    def __init__(self, table=None, y_test=None, pool_ids=()):
        self.table = table
        self.y_test = y_test
        self.pool_ids = pool_ids

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.trained_ = frozenset(int(i) for i in X[:, 0] if int(i) in self.pool_ids)
        return self

    def predict(self, X):
        right = self.table[self.trained_]
        out = np.array(self.y_test, copy=True)
        out[right:] = 1 - out[right:]
        return out


def test_full_horizon_follows_the_published_beam_step_by_step():
    """Pool {a, b, c} = positions 2, 3, 4; beam 2; the plan runs to the end of the pool.

    The published code keeps ``np.argpartition(scores, -w)[-w:]`` (its order, its ties) at
    every step, extends the kept sequences in that order, and replays the first sequence kept.
    """
    a, b, c = 2, 3, 4
    right = {  # correct test predictions (of 10) after training on L plus these pool samples
        frozenset({a}): 5,
        frozenset({b}): 4,
        frozenset({c}): 3,
        frozenset({a, b}): 6,
        frozenset({a, c}): 7,
        frozenset({b, c}): 9,
        frozenset({a, b, c}): 8,
    }
    acc = {k: v / 10 for k, v in right.items()}
    # step 1 (width min(2, 3) = 2): the singles in pool order
    singles = [[a], [b], [c]]
    kept = np.argpartition([acc[frozenset(s)] for s in singles], -2)[-2:]
    beams = [singles[i] for i in kept]
    # step 2 (gap 2, width 2): each beam, in order, keeps its 2 best extensions (here: both)
    grown = []
    for s in beams:
        ext = [[*s, x] for x in (a, b, c) if x not in s]
        keep = np.argpartition([acc[frozenset(e)] for e in ext], -2)[-2:]
        grown += [ext[i] for i in keep]
    kept = np.argpartition([acc[frozenset(g)] for g in grown], -2)[-2:]
    beams = [grown[i] for i in kept]
    assert {tuple(s) for s in beams} == {(a, c), (b, c)}  # 7/10 and 9/10: the best two of ab, ac, ba, bc
    # step 3 (gap 1, width 1): one extension each, all of score 8/10: the tie goes as argpartition says
    grown = [[*s, next(x for x in (a, b, c) if x not in s)] for s in beams]
    expected = grown[int(np.argpartition([acc[frozenset(g)] for g in grown], -1)[-1])]

    X = np.array([[0.0], [1.0], [a], [b], [c]])
    y = np.array([0, 1, 0, 1, 0])
    y_test = np.array([0, 1] * 5)
    model = SetScore(right, y_test, (a, b, c))
    ctx = QueryContext(
        X=X,
        labeled=np.array([0, 1]),
        y_labeled=y[:2],
        pool=np.array([a, b, c]),
        n_classes=2,
        model=clone(model).fit(X[:2], y[:2]),
        make_model=lambda: clone(model),
        **oracle_fields({ORACLE_LABELS, ORACLE_TEST}, y, np.zeros((10, 1)), y_test),
    )
    strategy = bso(num_beam=2)
    picks = []
    for _ in range(3):
        picked = strategy.query(ctx, 1, np.random.default_rng(0))
        picks.append(int(picked[0]))
        ctx = advance(ctx, picked)
    assert picks == expected


class CountingTemplate:
    def __init__(self, template):
        self.template, self.fits = template, 0

    def __call__(self):
        self.fits += 1
        return clone(self.template)


def test_the_plan_is_made_once_and_replayed_then_remade_when_the_state_departs():
    X, y, X_test, y_test = problem(seed=4, n_pool=7)
    ctx = context(X, y, X_test, y_test, np.arange(4), LR)
    counter = CountingTemplate(LR)
    ctx.make_model = counter
    strategy = bso(num_beam=2)
    first = strategy.query(ctx, 2, np.random.default_rng(0))
    n = 7  # one plan: n singles, then per step two beams times the remaining candidates
    assert counter.fits == n + sum(2 * (n - m) for m in range(1, n))
    plan = strategy.__dict__["_plan"]["sequence"]
    assert plan.shape[0] == n and np.unique(plan).shape[0] == n
    fits = counter.fits
    ctx2 = advance(ctx, first)
    second = strategy.query(ctx2, 3, np.random.default_rng(0))
    assert counter.fits == fits  # replayed: no refit
    np.testing.assert_array_equal(np.concatenate([first, second]), plan[:5])
    # the same instance on another state (a new cell): planned again, from that state
    again = strategy.query(ctx, 2, np.random.default_rng(0))
    assert counter.fits > fits
    np.testing.assert_array_equal(again, first)


def test_deterministic_and_independent_of_the_random_stream():
    ctx = make_ctx(n_samples=30, n_labeled=8, model="gaussian_nb", needs=bso().needs)
    a = bso(horizon=3).query(ctx, 2, np.random.default_rng(0))
    b = bso(horizon=3).query(ctx, 2, np.random.default_rng(99))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("param", "value"),
    [("num_beam", 0), ("num_beam", 2.5), ("look_at", "dev"), ("horizon", 0), ("horizon", "all")],
)
def test_bad_parameters_are_named(param, value):
    with pytest.raises(AlbenchInputError, match=param):
        bso(**{param: value})


def test_needs_declare_the_oracle_and_any_model_can_serve_it():
    assert is_oracle(bso()) and bso().needs >= {ORACLE_LABELS, ORACLE_TEST}
    assert not is_oracle(build_instance("strategy", "margin", {}, "strategy"))
    from albench.models import build_model

    for model in ("rbf_svm", "gaussian_nb", "logistic_regression"):
        check_strategy_model("bso", bso(), model, build_model(model, {}, 0))


def test_a_context_without_oracle_fields_refuses_the_labels_naming_the_need():
    ctx = make_ctx(n_samples=20, n_labeled=6)
    assert ctx.oracle_labels is None and ctx.oracle_test is None
    with pytest.raises(AlbenchInputError, match="ORACLE_LABELS"):
        ctx.true_labels()
    with pytest.raises(AlbenchInputError, match="ORACLE_TEST"):
        ctx.test_part()
    with pytest.raises(AlbenchInputError, match="ORACLE_LABELS"):
        bso().query(ctx, 1, np.random.default_rng(0))


def test_oracle_fields_are_read_only_copies_and_empty_for_other_needs():
    y = np.array([0, 1, 1, 0])
    fields = oracle_fields({ORACLE_LABELS}, y, None, None)
    assert set(fields) == {"oracle_labels"}
    with pytest.raises(ValueError):
        fields["oracle_labels"][0] = 1
    assert oracle_fields({"proba", "features"}, y, np.zeros((2, 1)), y[:2]) == {}
