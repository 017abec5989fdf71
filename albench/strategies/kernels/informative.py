"""Kernels of the informative-and-representative samplers of Google's active-learning code.

``informative_diverse`` (InfoDiv) ranks the pool by margin and keeps the cluster proportions
of the training part in the batch: :func:`cluster_quotas` and :func:`quota_top_k`.
``margin_cluster_mean`` (MCM) clusters the pool samples that lie inside the margin of the
labeled set and takes the sample nearest each centroid: :func:`within_margin` and
:func:`nearest_to_centroids`. Pure functions over arrays; no loop over samples.
"""

from __future__ import annotations

import numpy as np

from albench.strategies.kernels.selection import select_top_k


def cluster_quotas(cluster_sizes: np.ndarray, k: int) -> np.ndarray:
    """Most members of each cluster a batch of ``k`` may hold, keeping the clusters' shares.

    Google's ``InformativeClusterDiverseSampler`` admits a sample of cluster ``c`` while the
    batch holds ``j`` members of it with ``j / k < p_c``, ``p_c`` the cluster's share of the
    training part; the largest admissible count is the number of integers ``j >= 0`` below
    ``p_c k``, i.e. ``ceil(p_c k)``, computed here exactly in integers:
    ``ceil(size_c k / total)``. A cluster of size 0 gets 0.

    Parameters
    ----------
    cluster_sizes : ndarray of int, shape (n_clusters,)
        Members of each cluster in the training part.
    k : int
        Batch size.

    Returns
    -------
    ndarray of int64, shape (n_clusters,)
    """
    sizes = np.asarray(cluster_sizes, dtype=np.int64)
    total = int(sizes.sum())
    if total <= 0:
        return np.zeros_like(sizes)
    return (sizes * int(k) + total - 1) // total


def quota_top_k(
    scores: np.ndarray, labels: np.ndarray, quotas: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    """The ``k`` best-scoring samples subject to at most ``quotas[c]`` from each cluster ``c``.

    This is the batch Google's greedy pass builds (visit samples by decreasing score, admit one
    while its cluster is under quota, stop at ``k``): the admitted samples are the ``k`` best of
    the union of every cluster's ``quotas[c]`` best members. When that union holds fewer than
    ``k`` samples (clusters exhausted), the batch is completed by the best-scoring samples left
    (Google completes it in the iteration order of a Python set instead, see
    :class:`~albench.strategies.informative.InformativeDiverse`). With ``k = 1`` and every
    quota at least 1 the result is ``select_top_k(scores, 1, rng)`` whenever the top score is
    unique: the best sample is admitted first, whatever the clusters.

    Ties are broken by :func:`~albench.strategies.kernels.select_top_k` (within a cluster, then
    across clusters). O(n) per cluster.

    Parameters
    ----------
    scores : ndarray of shape (n,)
        Higher is better (e.g. minus the margin).
    labels : ndarray of int, shape (n,)
        Cluster of each sample, in ``0 .. len(quotas) - 1``.
    quotas : ndarray of int
        Most members per cluster (:func:`cluster_quotas`).
    k : int
        Batch size; ``min(k, n)`` indices are returned.
    rng : numpy.random.Generator
        For the tie-breaks.

    Returns
    -------
    ndarray of int64
        Distinct indices into ``scores``.
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    quotas = np.asarray(quotas, dtype=np.int64)
    n = scores.shape[0]
    k = int(min(max(k, 0), n))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    order = np.argsort(labels, kind="stable")
    cuts = np.searchsorted(labels[order], np.arange(quotas.shape[0] + 1))
    parts = []
    for c in range(quotas.shape[0]):  # one pass per cluster, never per sample
        members = order[cuts[c] : cuts[c + 1]]
        q = int(min(quotas[c], members.shape[0]))
        if q > 0:
            parts.append(members[select_top_k(scores[members], q, rng)])
    eligible = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
    if eligible.shape[0] >= k:
        return eligible[select_top_k(scores[eligible], k, rng)]
    rest = np.setdiff1d(np.arange(n), eligible, assume_unique=True)
    fill = rest[select_top_k(scores[rest], k - eligible.shape[0], rng)]
    return np.concatenate([eligible[np.argsort(-scores[eligible], kind="stable")], fill]).astype(np.int64)


def within_margin(abs_pool: np.ndarray, abs_labeled: np.ndarray) -> np.ndarray:
    """Pool samples closer to the boundary than every labeled sample, for some class.

    Google's ``RepresentativeClusterMeanSampling``: with ``a = |f|`` the absolute decision
    values (one column per class, or one value in the binary case), a pool sample is inside
    the margin when ``a_ic < min_{l in labeled} a_lc`` for at least one class ``c``. No
    labeled sample: every pool sample is inside. O((n + m) K).

    Parameters
    ----------
    abs_pool : ndarray of shape (n,) or (n, K)
    abs_labeled : ndarray of shape (m,) or (m, K)

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    a_pool = np.asarray(abs_pool, dtype=np.float64)
    a_lab = np.asarray(abs_labeled, dtype=np.float64)
    n = a_pool.shape[0]
    a_pool = a_pool.reshape(n, -1)
    if a_lab.shape[0] == 0:
        return np.ones(n, dtype=bool)
    threshold = a_lab.reshape(a_lab.shape[0], -1).min(axis=0)
    return (a_pool < threshold).any(axis=1)


def nearest_to_centroids(dist_to_centroid: np.ndarray) -> np.ndarray:
    """Distinct samples nearest each centroid, from a ``(n, k)`` matrix of distances.

    The medoids of Google's MCM: ``argmin`` over the samples for each centroid (the first of
    equal distances), duplicates removed, in ascending order. At most ``k`` indices. O(n k).
    """
    dist = np.asarray(dist_to_centroid, dtype=np.float64)
    if dist.shape[0] == 0:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.argmin(dist, axis=0)).astype(np.int64)
