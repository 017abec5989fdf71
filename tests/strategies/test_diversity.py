"""Core-set, ranked batch, cluster-margin, TypiClust and BADGE on hand-built pools."""

from __future__ import annotations

import numpy as np

from albench.components import build_instance
from albench.strategies.kernels import round_robin

from ._helpers import table_ctx


def test_coreset_picks_the_farthest_point_then_the_next_farthest() -> None:
    X = np.array([0.0, 1.0, 3.0, 5.0, -4.0])
    ctx = table_ctx(X, [0], [0], proba=np.tile([0.5, 0.5], (5, 1)))
    s = build_instance("strategy", "coreset", {}, "s")
    assert s.query(ctx, 2, np.random.default_rng(0)).tolist() == [3, 4]


def test_ranked_batch_by_hand() -> None:
    X = np.array([0.0, 1.0, 4.0])
    # alpha = 2/3; similarities to the labeled x=0: 1/2 and 1/5
    p = np.zeros((3, 5))
    p[:, 0] = 1.0
    p[1] = [0.6, 0.1, 0.1, 0.1, 0.1]  # least-confident 0.4: score 2/3*1/2 + 1/3*0.4 = 0.467 < 0.533
    ctx = table_ctx(X, [0], [0], proba=p)
    s = build_instance("strategy", "ranked_batch", {}, "s")
    assert s.query(ctx, 1, np.random.default_rng(0)).tolist() == [2]
    p[1] = 0.2  # least-confident 0.8: score 1/3 + 0.8/3 = 0.6 > 0.533
    ctx = table_ctx(X, [0], [0], proba=p)
    assert s.query(ctx, 1, np.random.default_rng(0)).tolist() == [1]


def test_round_robin_visits_small_clusters_first() -> None:
    labels = np.array([0, 0, 0, 1, 1, 2])
    out = round_robin(labels, 3, np.random.default_rng(0))
    assert labels[out].tolist() == [2, 1, 0]
    out = round_robin(labels, 5, np.random.default_rng(0))
    assert labels[out].tolist() == [2, 1, 0, 1, 0]
    assert np.unique(out).shape[0] == 5


def test_cluster_margin_takes_one_per_uncertain_group() -> None:
    rng = np.random.default_rng(0)
    g1 = rng.normal(0, 0.1, size=(3, 2))
    g2 = rng.normal(0, 0.1, size=(3, 2)) + 10
    certain = rng.normal(0, 0.1, size=(4, 2)) + [10, -10]
    X = np.vstack([[[-10.0, 10.0]], g1, g2, certain])
    p = np.tile([0.95, 0.05], (X.shape[0], 1))
    p[1:7, 0] = [0.51, 0.52, 0.53, 0.505, 0.515, 0.525]
    p[1:7, 1] = 1 - p[1:7, 0]
    ctx = table_ctx(X, [0], [0], proba=p)
    s = build_instance("strategy", "cluster_margin", {"margin_factor": 3.0}, "s")
    out = s.query(ctx, 2, np.random.default_rng(0)).tolist()
    assert sum(1 <= i <= 3 for i in out) == 1 and sum(4 <= i <= 6 for i in out) == 1


def test_typiclust_picks_the_most_typical_point_of_the_uncovered_cluster() -> None:
    A = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [-0.1, 0.0], [0.0, -0.1]])
    B = np.array([[10.0, 10.0], [10.3, 10.0], [10.0, 10.3], [9.7, 10.0], [10.0, 9.7], [10.6, 10.0]])
    X = np.vstack([A, B])
    ctx = table_ctx(X, [0], [0], proba=np.tile([0.5, 0.5], (X.shape[0], 1)))
    s = build_instance("strategy", "typiclust", {"n_neighbors": 4}, "s")
    # |L| + 1 = 2 clusters: A (covered by the label) and B; B's centre (10, 10) is row 5
    assert s.query(ctx, 1, np.random.default_rng(0)).tolist() == [5]


def test_badge_first_pick_has_the_largest_gradient_and_duplicates_are_not_repeated() -> None:
    X = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    p = np.array([[1, 0], [0.6, 0.4], [0.6, 0.4], [0.6, 0.4], [0.9, 0.1]])
    ctx = table_ctx(X, [0], [0], proba=p)
    # gradient norms: rows 1-3: |(-0.4, 0.4)| * |(1, 0, 1)| = 0.8; row 4: |(-0.1, 0.1)| * |(2, 0, 1)| = 0.316
    s = build_instance("strategy", "badge", {}, "s")
    out = s.query(ctx, 2, np.random.default_rng(0)).tolist()
    assert out[0] in (1, 2, 3) and out[1] == 4  # identical embeddings have distance 0
