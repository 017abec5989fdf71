"""Hierarchical sampling: the pruning follows the labels; sampling favours uncertain nodes."""

from __future__ import annotations

import numpy as np

from albench.components import build_instance
from albench.strategies.kernels import best_pruning, node_counts, tree_from_children

from ._helpers import table_ctx

# leaves 0-3; node 4 = {0, 1}, node 5 = {2, 3}, node 6 = root
CHILDREN = np.array([[0, 1], [2, 3], [4, 5]])


def test_tree_ranges_and_counts() -> None:
    tree = tree_from_children(CHILDREN)
    assert tree.size.tolist() == [1, 1, 1, 1, 2, 2, 4]
    assert tree.root == 6
    np.testing.assert_array_equal(node_counts(tree, np.array([1.0, 2.0, 3.0, 4.0])), [1, 2, 3, 4, 3, 7, 10])


def test_pruning_splits_a_mixed_root_into_pure_children() -> None:
    tree = tree_from_children(CHILDREN)
    onehot = np.zeros((4, 2))
    onehot[[0, 1], 0] = 1  # node 4 all class 0
    onehot[[2, 3], 1] = 1  # node 5 all class 1
    counts = node_counts(tree, onehot) * 10  # as if each leaf held 10 labels
    pruning, lower = best_pruning(tree, counts)
    assert sorted(pruning.tolist()) == [4, 5]
    # p = 1 with n = 20 labels: lower bound 1 - 1/20
    assert lower[4] == lower[5] == 0.95


def test_pruning_keeps_a_pure_root_and_an_unlabeled_tree_whole() -> None:
    tree = tree_from_children(CHILDREN)
    onehot = np.zeros((4, 2))
    onehot[:, 0] = 1
    assert best_pruning(tree, node_counts(tree, onehot) * 10)[0].tolist() == [6]
    assert best_pruning(tree, node_counts(tree, np.zeros((4, 2))))[0].tolist() == [6]


def test_sampling_favours_the_unlabeled_cluster() -> None:
    rng = np.random.default_rng(0)
    A = rng.normal(0, 0.1, size=(10, 2))
    B = rng.normal(0, 0.1, size=(10, 2)) + [10, 0]
    C = rng.normal(0, 0.1, size=(10, 2)) + [0, 30]
    X = np.vstack([A, B, C])
    labeled = np.r_[0:5, 10:15]
    y = np.r_[np.zeros(5), np.ones(5)].astype(int)
    ctx = table_ctx(X, labeled, y, proba=np.tile([0.5, 0.5], (30, 1)))
    s = build_instance("strategy", "hierarchical", {}, "s")
    picks = np.array([s.query(ctx, 1, np.random.default_rng(seed))[0] for seed in range(300)])
    # pure labeled nodes A and B weigh 10 * (1 - 0.8) = 2 each; C, unlabeled, weighs 10
    share_c = np.mean(picks >= 20)
    assert 0.6 < share_c < 0.85
    assert not np.isin(picks, labeled).any()
