"""Density and representativeness kernels: mean similarity, graph density."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

from albench.strategies.kernels.selection import select_top_k


def mean_cosine_similarity(X: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Mean of ``(1 + cos(x, r)) / 2`` over the reference rows, for each row of ``X``.

    The shifted cosine lies in ``[0, 1]`` and is linear in the normalised vectors, so the mean
    over the reference set is one dot product with the mean normalised reference vector:
    O((n + m) d) time and memory, no n x m matrix. Zero vectors have similarity 1/2 to all.
    """
    Xn = _normalise(X)
    centroid = _normalise(reference).mean(axis=0)
    return (1.0 + np.einsum("ij,j->i", Xn, centroid)) / 2.0


def _normalise(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    norms = np.sqrt(np.einsum("ij,ij->i", X, X))[:, None]
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def sq_distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between the rows of ``X`` and ``Y`` (clipped at 0)."""
    d = (X * X).sum(1)[:, None] + (Y * Y).sum(1)[None, :] - 2.0 * (X @ Y.T)
    return np.maximum(d, 0.0)


def mean_rbf_similarity(
    X: np.ndarray, reference: np.ndarray, gamma: float | None = None, chunk_size: int = 1024
) -> np.ndarray:
    """Mean of ``exp(-gamma ||x - r||^2)`` over the reference rows, for each row of ``X``.

    ``gamma`` defaults to ``1 / n_features``. Computed in row chunks: O(n m d) time,
    O(chunk_size * m) memory, never the full n x m matrix.
    """
    X = np.asarray(X, dtype=np.float64)
    R = np.asarray(reference, dtype=np.float64)
    g = 1.0 / X.shape[1] if gamma is None else float(gamma)
    out = np.empty(X.shape[0])
    for s in range(0, X.shape[0], chunk_size):
        out[s : s + chunk_size] = np.exp(-g * sq_distances(X[s : s + chunk_size], R)).mean(axis=1)
    return out


def information_density_scores(uncertainty: np.ndarray, density: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """``uncertainty * density ** beta`` (Settles & Craven, EMNLP 2008). O(n)."""
    return np.asarray(uncertainty, dtype=np.float64) * np.power(np.asarray(density, dtype=np.float64), beta)


def knn_graph(X: np.ndarray, n_neighbors: int = 10, gamma: float | None = None) -> sparse.csr_matrix:
    """Symmetric k-nearest-neighbour graph with Gaussian edge weights ``exp(-gamma d^2)``.

    ``gamma`` defaults to ``1 / mean(d^2)`` over the graph's edges. Cost: one kNN search
    (tree-based or chunked brute force in scikit-learn; O(n^2 d) worst case, O(n k) memory).
    """
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    k = min(n_neighbors, n - 1)
    if k < 1:
        return sparse.csr_matrix((n, n))
    dist, ind = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
    dist, ind = dist[:, 1:], ind[:, 1:]
    d2 = dist**2
    g = gamma if gamma is not None else 1.0 / max(float(d2.mean()), 1e-12)
    W = sparse.csr_matrix((np.exp(-g * d2).ravel(), (np.repeat(np.arange(n), k), ind.ravel())), shape=(n, n))
    return W.maximum(W.T).tocsr()


def graph_density(W: sparse.spmatrix) -> np.ndarray:
    """Mean edge weight of each node: ``sum_j W_ij / #{j : W_ij > 0}`` (Ebert et al. 2012). O(nnz)."""
    W = sparse.csr_matrix(W)
    degree = np.diff(W.indptr).astype(np.float64)
    total = np.asarray(W.sum(axis=1)).ravel()
    return np.divide(total, degree, out=np.zeros_like(total), where=degree > 0)


def graph_density_select(
    density: np.ndarray,
    W: sparse.spmatrix,
    candidates: np.ndarray,
    k: int,
    rng: np.random.Generator,
    taken: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy graph-density selection with neighbour damping (Ebert et al., CVPR 2012).

    Start from ``density``; the nodes in ``taken`` (already labeled) first damp their
    neighbours, ``d_j -= W_ij d_i``. Then ``k`` times: take the candidate of highest current
    density (ties broken by ``rng``) and damp its neighbours the same way, so a batch spreads
    over dense regions instead of piling into one. Cost O(nnz + k (n + max degree)).

    Returns
    -------
    ndarray of int
        ``min(k, len(candidates))`` distinct node indices taken from ``candidates``.
    """
    W = sparse.csr_matrix(W)
    d = np.asarray(density, dtype=np.float64).copy()
    if taken is not None and len(taken):
        mask = np.zeros(d.shape[0])
        mask[np.asarray(taken)] = 1.0
        d = d - W @ (mask * density)
    candidates = np.asarray(candidates, dtype=np.int64)
    k = min(k, candidates.shape[0])
    active = np.full(d.shape[0], -np.inf)
    chosen = np.empty(k, dtype=np.int64)
    for t in range(k):
        active[candidates] = d[candidates]
        i = candidates[select_top_k(active[candidates], 1, rng)[0]]
        chosen[t] = i
        row = slice(W.indptr[i], W.indptr[i + 1])
        d[W.indices[row]] -= W.data[row] * d[i]
        d[i] = -np.inf
        candidates = candidates[candidates != i]
    return chosen
