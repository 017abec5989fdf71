"""Known answers for the InfoDiv and MCM kernels, from their definitions in Google's code."""

from __future__ import annotations

import numpy as np
import pytest

from albench.strategies.kernels import cluster_quotas, nearest_to_centroids, quota_top_k, within_margin


def _quota_by_rule(size: int, total: int, k: int) -> int:
    """How many members Google's rule admits: j is admitted while j / k < size / total."""
    j = 0
    while j <= k and j / k < size / total:
        j += 1
    return j


@pytest.mark.parametrize("k", [1, 2, 3, 4, 7, 10])
def test_cluster_quotas_follow_the_admission_rule(k: int) -> None:
    sizes = np.array([3, 1, 0, 4, 12])
    expected = [_quota_by_rule(int(s), int(sizes.sum()), k) for s in sizes]
    assert cluster_quotas(sizes, k).tolist() == expected


def test_cluster_quotas_by_hand() -> None:
    # shares 3/4 and 1/4 of a batch of 2: ceil(1.5) = 2 and ceil(0.5) = 1
    assert cluster_quotas(np.array([3, 1]), 2).tolist() == [2, 1]
    # shares exactly 1/2 of a batch of 4: 2 each (j = 2 is not below 2)
    assert cluster_quotas(np.array([5, 5]), 4).tolist() == [2, 2]
    # every non-empty cluster admits one sample of a batch of 1
    assert cluster_quotas(np.array([1, 99, 0]), 1).tolist() == [1, 1, 0]


def _greedy(scores: np.ndarray, labels: np.ndarray, sizes: np.ndarray, k: int) -> set[int]:
    """Google's InformativeClusterDiverseSampler loop, transcribed: rank, admit under quota, stop."""
    share = sizes / sizes.sum()
    counts = np.zeros(sizes.shape[0])
    batch: list[int] = []
    for i in np.argsort(-scores):
        if len(batch) == k:
            break
        if counts[labels[i]] / k < share[labels[i]]:
            batch.append(int(i))
            counts[labels[i]] += 1
    return set(batch)


def test_quota_top_k_is_the_greedy_pass() -> None:
    rng = np.random.default_rng(0)
    for _ in range(300):
        n = int(rng.integers(1, 40))
        n_clusters = int(rng.integers(1, 5))
        scores = rng.permutation(n).astype(float)  # distinct scores: one greedy answer
        labels = rng.integers(0, n_clusters, n)
        # the training part holds the pool plus labeled samples of each cluster
        sizes = np.bincount(labels, minlength=n_clusters) + rng.integers(0, 30, n_clusters)
        k = int(rng.integers(1, n + 1))
        expected = _greedy(scores, labels, sizes, k)
        if len(expected) < k:
            continue  # the filler differs on purpose; tested below
        out = quota_top_k(scores, labels, cluster_quotas(sizes, k), k, np.random.default_rng(1))
        assert set(out.tolist()) == expected


def test_quota_top_k_by_hand() -> None:
    # cluster 0 holds 3/4 of the training part, cluster 1 a quarter; batch of 4: quotas 3 and 1
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.1])
    labels = np.array([0, 0, 0, 0, 0, 1])
    out = quota_top_k(scores, labels, cluster_quotas(np.array([6, 2]), 4), 4, np.random.default_rng(0))
    assert sorted(out.tolist()) == [0, 1, 2, 5]  # the 4th best (index 3) waits behind the quota


def test_quota_top_k_fills_exhausted_clusters_by_score() -> None:
    # cluster 1 has one pool sample but a quota of 2: the batch is completed by the best left
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.2])
    labels = np.array([0, 0, 0, 0, 1])
    quotas = np.array([2, 2])
    out = quota_top_k(scores, labels, quotas, 4, np.random.default_rng(0))
    assert sorted(out.tolist()) == [0, 1, 2, 4]


def test_quota_top_k_with_batch_one_is_the_best_whatever_the_clusters() -> None:
    rng = np.random.default_rng(3)
    for _ in range(100):
        n = int(rng.integers(1, 50))
        scores = rng.normal(size=n)
        labels = rng.integers(0, 4, n)
        sizes = np.bincount(labels, minlength=4) + 1
        out = quota_top_k(scores, labels, cluster_quotas(sizes, 1), 1, np.random.default_rng(0))
        assert out.tolist() == [int(np.argmax(scores))]


def test_within_margin_by_hand() -> None:
    # binary: the labeled set's smallest |f| is 0.5; pool samples strictly below it are inside
    assert within_margin(np.array([0.1, 0.5, 0.7, 0.49]), np.array([0.9, 0.5, 2.0])).tolist() == [
        True,
        False,
        False,
        True,
    ]
    # per class: inside when any column is below that column's labeled minimum (0.3, 1.0)
    pool = np.array([[0.2, 5.0], [0.4, 0.9], [0.4, 1.5]])
    lab = np.array([[0.3, 1.0], [0.8, 2.0]])
    assert within_margin(pool, lab).tolist() == [True, True, False]
    # no labeled sample: every pool sample is inside
    assert within_margin(np.array([3.0, 4.0]), np.empty(0)).tolist() == [True, True]


def test_nearest_to_centroids_by_hand() -> None:
    dist = np.array([[0.5, 3.0], [0.1, 2.0], [4.0, 0.2], [0.1, 9.0]])
    # centroid 0: rows 1 and 3 tie at 0.1, the first is taken; centroid 1: row 2
    assert nearest_to_centroids(dist).tolist() == [1, 2]
    # two centroids nearest the same sample: one index
    assert nearest_to_centroids(np.array([[0.0, 0.0], [1.0, 1.0]])).tolist() == [0]
