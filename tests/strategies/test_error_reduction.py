"""Expected error reduction and variance reduction: known answers and the definitions."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from albench.components import build_instance
from albench.strategies.base import QueryContext

from ._helpers import ctx_from, make_ctx


class GroupModel(ClassifierMixin, BaseEstimator):
    """p(y | x) = (labels y in x's group + 1) / (labels in the group + 2); group = round(x / 10)."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        g = np.round(np.asarray(X)[:, 0] / 10).astype(int)
        self.counts_ = {}
        for gi, yi in zip(g.tolist(), np.asarray(y).tolist(), strict=True):
            self.counts_.setdefault(gi, np.zeros(2))[yi] += 1
        return self

    def predict_proba(self, X):
        g = np.round(np.asarray(X)[:, 0] / 10).astype(int)
        c = np.array([self.counts_.get(gi, np.zeros(2)) for gi in g.tolist()])
        return (c + 1) / (c.sum(axis=1, keepdims=True) + 2)

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)


def test_eer_picks_the_label_that_resolves_the_largest_uncertain_group() -> None:
    # labeled: x=20 (group 2). Pool: four points in group 0, one in group 1, all at p = 1/2.
    # Labeling a group-0 point: its group goes to 2/3 -> expected 0/1 loss (4 * 1/3 + 1/2) / 5 = 0.367;
    # labeling the group-1 point: (4 * 1/2 + 1/3) / 5 = 0.467. So any group-0 point is best.
    X = np.array([[20.0], [0.0], [0.1], [0.2], [-0.1], [10.0]])
    y = np.array([0, 0, 1, 0, 1, 1])
    ctx = ctx_from(X, y, [0], model=GroupModel(), n_classes=2)
    for name in ("eer_zero_one", "eer_log"):
        s = build_instance("strategy", name, {"n_candidates": None}, "s")
        out = s.query(ctx, 4, np.random.default_rng(0))
        assert sorted(out.tolist()) == [1, 2, 3, 4], name
        assert s.query(ctx, 5, np.random.default_rng(0))[-1] == 5


def _brute_force_eer(ctx: QueryContext, loss: str) -> np.ndarray:
    """The definition, one candidate and one label at a time."""
    out = []
    for pos in ctx.pool:
        p = ctx.predict_proba(np.array([pos]))[0]
        total = 0.0
        for y in range(ctx.n_classes):
            if p[y] == 0:
                continue
            m = clone(ctx.make_model()).fit(
                np.vstack([ctx.X[ctx.labeled], ctx.X[pos]]), np.append(ctx.y_labeled, y)
            )
            q = np.zeros((ctx.pool.shape[0], ctx.n_classes))
            q[:, m.classes_] = m.predict_proba(ctx.X[ctx.pool])
            if loss == "zero_one":
                per = 1 - q.max(axis=1)
            else:
                per = -np.sum(np.where(q > 0, q * np.log(np.where(q > 0, q, 1)), 0), axis=1)
            total += p[y] * per.mean()
        out.append(-total)
    return np.array(out)


def test_eer_matches_the_definition_with_logistic_regression() -> None:
    ctx = make_ctx(n_classes=3, n_samples=24, n_labeled=9, seed=4)
    for name, loss in (("eer_zero_one", "zero_one"), ("eer_log", "log")):
        s = build_instance("strategy", name, {"n_candidates": None}, "s")
        np.testing.assert_allclose(s.scores(ctx, ctx.pool), _brute_force_eer(ctx, loss), rtol=1e-6, atol=1e-9)
        best = ctx.pool[np.argmax(_brute_force_eer(ctx, loss))]
        assert s.query(ctx, 1, np.random.default_rng(0))[0] == best


def test_eer_candidate_subsample_is_seeded_and_respected() -> None:
    ctx = make_ctx(n_classes=2, n_samples=40, n_labeled=8, seed=5)
    s = build_instance("strategy", "eer_zero_one", {"n_candidates": 3}, "s")
    a = s.query(ctx, 3, np.random.default_rng(2))
    np.testing.assert_array_equal(a, s.query(ctx, 3, np.random.default_rng(2)))
    # a batch larger than the subsample: at least batch_size candidates are scored
    assert np.unique(s.query(ctx, 6, np.random.default_rng(2))).shape[0] == 6
    seen = []
    s.scores = lambda c, cand: seen.append(len(cand)) or np.zeros(len(cand))  # type: ignore[method-assign]
    s.query(ctx, 6, np.random.default_rng(2))
    s.query(ctx, 2, np.random.default_rng(2))
    assert seen == [6, 3]


def test_variance_reduction_matches_the_trace_definition() -> None:
    ctx = make_ctx(n_classes=3, n_samples=40, n_labeled=10, seed=6)
    s = build_instance("strategy", "variance_reduction", {}, "s")
    K = ctx.n_classes

    def aug(rows):
        return np.hstack([ctx.X[rows], np.ones((len(rows), 1))])

    def fisher(rows):
        P = ctx.predict_proba(rows)
        return sum(
            np.kron(np.diag(p) - np.outer(p, p), np.outer(x, x)) for x, p in zip(aug(rows), P, strict=True)
        )

    F_L = fisher(ctx.labeled) + (1.0 / ctx.model.C) * np.eye(K * aug(ctx.labeled).shape[1])
    F_U = fisher(ctx.pool)
    base = np.trace(F_U @ np.linalg.inv(F_L))
    expected = [base - np.trace(F_U @ np.linalg.inv(F_L + fisher(np.array([pos])))) for pos in ctx.pool]
    np.testing.assert_allclose(s.scores(ctx, ctx.pool), expected, rtol=1e-7)
    assert s.query(ctx, 1, np.random.default_rng(0))[0] == ctx.pool[int(np.argmax(expected))]


def test_both_updates_query_the_dense_uncertain_cluster() -> None:
    rng = np.random.default_rng(0)
    labeled_x = [-3.0, -2.5, -2.0, 2.0, 2.5, 3.0]
    cluster = list(0.2 + rng.normal(0, 0.05, size=8))
    X = np.array(labeled_x + cluster + [6.0, -6.0])[:, None]
    y = np.array([0, 0, 0, 1, 1, 1] + [1] * 8 + [1, 0])
    ctx = ctx_from(X, y, np.arange(6))
    for name in ("eer_zero_one", "eer_log"):
        for update in ("refit", "newton"):
            s = build_instance("strategy", name, {"n_candidates": None, "update": update}, "s")
            assert 6 <= s.query(ctx, 1, np.random.default_rng(0))[0] <= 13, (name, update)


def test_newton_update_needs_no_refit() -> None:
    s = build_instance("strategy", "eer_zero_one", {"update": "newton"}, "s")
    assert "refit" not in s.needs and "features" in s.needs
    ctx = make_ctx(n_classes=4, n_samples=80, n_labeled=16, seed=9)
    ctx.make_model = None  # would fail if called
    out = s.query(ctx, 5, np.random.default_rng(0))
    assert np.unique(out).shape[0] == 5 and np.isin(out, ctx.pool).all()


def test_eer_log_without_the_candidate_is_alipys_expected_error_reduction() -> None:
    """ALiPy's QueryExpectedErrorReduction: sum_y p(y|x) * sum over the pool without x of the
    entropy of the refitted model's probabilities; the smallest is queried."""
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression

    from ._helpers import make_ctx

    ctx = make_ctx(n_classes=2, n_samples=40, n_labeled=8, seed=2)
    template = LogisticRegression(max_iter=1000)
    pv = ctx.model.predict_proba(ctx.X[ctx.pool])
    alipy = []
    for i, pos in enumerate(ctx.pool):
        rest = np.delete(ctx.pool, i)
        total = 0.0
        for yi in (0, 1):
            m = clone(template).fit(np.vstack([ctx.X[ctx.labeled], ctx.X[pos]]), np.append(ctx.y_labeled, yi))
            prob = m.predict_proba(ctx.X[rest])
            total += pv[i, yi] * float(-(prob * np.log(prob)).sum())
        alipy.append(total)
    alipy = np.array(alipy)
    s = build_instance("strategy", "eer_log", {"n_candidates": None, "exclude_candidate": True}, "s")
    np.testing.assert_allclose(s.scores(ctx, ctx.pool), -alipy / ctx.pool.shape[0], rtol=1e-6)
    assert s.query(ctx, 1, np.random.default_rng(0)).tolist() == [ctx.pool[np.argmin(alipy)]]
    # the Newton approximation leaves the candidate out the same way (its own row has loss 0)
    newton = build_instance(
        "strategy", "eer_log", {"n_candidates": None, "exclude_candidate": True, "update": "newton"}, "s"
    )
    full = build_instance("strategy", "eer_log", {"n_candidates": None, "update": "newton"}, "s")
    assert not np.allclose(newton.scores(ctx, ctx.pool), full.scores(ctx, ctx.pool))
