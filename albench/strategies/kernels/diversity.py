"""Diversity kernels for batch-mode strategies: k-center greedy, ranked batch, k-means++.

None of them forms an n x n matrix: distances to the growing set of centers are kept as one
running minimum per sample and updated with each new center.
"""

from __future__ import annotations

import numpy as np

from albench.strategies.kernels.density import sq_distances
from albench.strategies.kernels.selection import select_top_k


def _matvec(A: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``A @ v`` without BLAS: a threaded gemv, called once per greedy step, is several times
    slower than this single pass on a shared machine (thread wake-up per call)."""
    return np.einsum("ij,j->i", A, v)


def _sq_dist_to_row(X: np.ndarray, sq_norms: np.ndarray, i: int) -> np.ndarray:
    """Squared distances from every row of ``X`` to row ``i``, O(n d), clipped at 0."""
    return np.maximum(sq_norms + sq_norms[i] - 2.0 * _matvec(X, X[i]), 0.0)


def min_distances(X: np.ndarray, centers: np.ndarray, chunk_size: int = 1024) -> np.ndarray:
    """Euclidean distance from each row of ``X`` to its nearest row of ``centers``.

    ``inf`` when there is no center. Computed in blocks of ``chunk_size`` rows of ``X`` by
    ``chunk_size`` centers: O(n m d) time, O(n + chunk_size^2) memory.
    """
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(centers, dtype=np.float64).reshape(-1, X.shape[1])
    best = np.full(X.shape[0], np.inf)
    for r in range(0, X.shape[0], chunk_size):
        rows = slice(r, r + chunk_size)
        for s in range(0, C.shape[0], chunk_size):
            block = sq_distances(X[rows], C[s : s + chunk_size]).min(axis=1)
            np.minimum(best[rows], block, out=best[rows])
    return np.sqrt(best)


def k_center_greedy(
    X: np.ndarray, centers: np.ndarray, k: int, rng: np.random.Generator, chunk_size: int = 1024
) -> np.ndarray:
    """Greedy k-center (core-set) selection (Sener & Savarese, ICLR 2018).

    Repeatedly take the row of ``X`` farthest from its nearest center (the initial
    ``centers`` plus the rows taken so far); ties broken by ``rng``. Cost O((m + k) n d)
    time, O(n + chunk_size^2) memory (no n x m matrix).

    Returns
    -------
    ndarray of int
        ``min(k, n)`` distinct row indices of ``X``, in selection order.
    """
    X = np.asarray(X, dtype=np.float64)
    k = min(k, X.shape[0])
    dist = min_distances(X, centers, chunk_size)
    sq_norms = np.einsum("ij,ij->i", X, X)
    chosen = np.empty(k, dtype=np.int64)
    for t in range(k):
        i = select_top_k(dist, 1, rng)[0]
        chosen[t] = i
        dist = np.minimum(dist, np.sqrt(_sq_dist_to_row(X, sq_norms, i)))
        dist[chosen[: t + 1]] = -np.inf
    return chosen


def ranked_batch(
    X: np.ndarray,
    labeled: np.ndarray,
    uncertainty: np.ndarray,
    k: int,
    rng: np.random.Generator,
    chunk_size: int = 1024,
) -> np.ndarray:
    """Ranked batch-mode selection (Cardoso et al., Information Sciences 2017).

    Each step takes the row maximising ``alpha (1 - s) + (1 - alpha) u``, where ``u`` is its
    uncertainty in [0, 1], ``s = 1 / (1 + dist)`` its similarity to the nearest labeled or
    already-ranked sample and ``alpha = |U| / (|U| + |L|)`` the share of still-unranked
    samples, recomputed after each step. Cost O((m + k) n d) time, O(n + chunk_size^2) memory.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The pool.
    labeled : ndarray of shape (m, d)
        The labeled samples.
    uncertainty : ndarray of shape (n,)
    """
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    k = min(k, n)
    u = np.asarray(uncertainty, dtype=np.float64)
    n_labeled = np.asarray(labeled).reshape(-1, X.shape[1]).shape[0]
    dist = min_distances(X, labeled, chunk_size)
    sq_norms = np.einsum("ij,ij->i", X, X)
    taken = np.zeros(n, dtype=bool)
    chosen = np.empty(k, dtype=np.int64)
    for t in range(k):
        alpha = (n - t) / (n + n_labeled)
        sim = np.where(np.isinf(dist), 0.0, 1.0 / (1.0 + dist))
        score = np.where(taken, -np.inf, alpha * (1.0 - sim) + (1.0 - alpha) * u)
        i = select_top_k(score, 1, rng)[0]
        chosen[t] = i
        taken[i] = True
        dist = np.minimum(dist, np.sqrt(_sq_dist_to_row(X, sq_norms, i)))
    return chosen


def gradient_embedding_kmeanspp(
    residual: np.ndarray, X: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    """k-means++ seeding on BADGE gradient embeddings ``g_i = r_i kron x_i`` (Ash et al. 2020).

    ``r_i = p_i - onehot(argmax p_i)`` is the gradient of the cross-entropy loss at the
    hypothesised label with respect to the logits; for a linear softmax model the gradient with
    respect to the last layer is ``r_i kron x_i``. The embeddings are never formed:
    ``<g_i, g_j> = <r_i, r_j> <x_i, x_j>``, so each new center costs O(n (k_c + d)), and the
    whole seeding O(k n (n_classes + d)) time and O(n) extra memory.

    The first center is the sample of largest gradient norm (ties broken by ``rng``); each
    next one is drawn with probability proportional to the squared distance to the nearest
    center (uniformly among the rest if all distances are 0).

    Returns
    -------
    ndarray of int
        ``min(k, n)`` distinct row indices.
    """
    R = np.asarray(residual, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    k = min(k, n)
    norms2 = (R * R).sum(1) * (X * X).sum(1)
    chosen = np.empty(k, dtype=np.int64)
    if k == 0:
        return chosen
    chosen[0] = select_top_k(norms2, 1, rng)[0]
    d2 = np.full(n, np.inf)
    taken = np.zeros(n, dtype=bool)
    for t in range(k):
        if t > 0:
            weights = np.where(taken, 0.0, d2)
            total = weights.sum()
            if total > 0 and np.isfinite(total):
                chosen[t] = rng.choice(n, p=weights / total)
            else:
                chosen[t] = rng.choice(np.flatnonzero(~taken))
        c = chosen[t]
        taken[c] = True
        new = norms2 + norms2[c] - 2.0 * _matvec(R, R[c]) * _matvec(X, X[c])
        d2 = np.minimum(d2, np.maximum(new, 0.0))
    return chosen


def gradient_residuals(proba: np.ndarray) -> np.ndarray:
    """``p - onehot(argmax p)``: the loss gradient w.r.t. the logits at the predicted label."""
    proba = np.asarray(proba, dtype=np.float64)
    out = proba.copy()
    out[np.arange(proba.shape[0]), proba.argmax(axis=1)] -= 1.0
    return out


def round_robin(labels: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster-margin's sampling: clusters by increasing size, one random member of each in turn.

    Returns ``min(k, len(labels))`` distinct indices into ``labels``. Sizes tie-break at random,
    members are visited in random order. O(n log n), no loop over samples.
    """
    n = labels.shape[0]
    perm = rng.permutation(n)
    lab = labels[perm]
    uniq, inv, sizes = np.unique(lab, return_inverse=True, return_counts=True)
    cluster_order = np.empty(uniq.shape[0], dtype=np.int64)
    tie = rng.permutation(uniq.shape[0])
    cluster_order[np.lexsort((tie, sizes))] = np.arange(uniq.shape[0])
    # rank of each member within its cluster (members in the random order of perm)
    by_cluster = np.argsort(inv, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank = np.empty(n, dtype=np.int64)
    rank[by_cluster] = np.arange(n) - np.repeat(starts, sizes)
    order = np.lexsort((cluster_order[inv], rank))
    return perm[order[:k]]
