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


def knn_graph(
    X: np.ndarray,
    n_neighbors: int = 10,
    gamma: float | None = None,
    metric: str = "euclidean",
    weight: str = "gaussian",
) -> sparse.csr_matrix:
    """Symmetric k-nearest-neighbour graph with edge weights decreasing in distance.

    ``weight="gaussian"``: ``exp(-gamma d^2)``, ``gamma`` defaulting to ``1 / mean(d^2)`` over
    the graph's edges. ``weight="exponential"``: ``exp(-gamma d)``, ``gamma`` defaulting to
    ``1 / mean(d)`` (Google's graph density uses it with the Manhattan distance and
    ``gamma = 1 / n_features``). ``metric`` is ``"euclidean"`` or ``"manhattan"``, for the
    neighbour search and the weights alike. An edge kept in one direction is kept in both.
    Cost: one kNN search (tree-based or chunked brute force in scikit-learn; O(n^2 d) worst
    case, O(n k) memory).
    """
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    k = min(n_neighbors, n - 1)
    if k < 1:
        return sparse.csr_matrix((n, n))
    dist, ind = NearestNeighbors(n_neighbors=k + 1, metric=metric).fit(X).kneighbors(X)
    dist, ind = dist[:, 1:], ind[:, 1:]
    d = dist**2 if weight == "gaussian" else dist
    g = gamma if gamma is not None else 1.0 / max(float(d.mean()), 1e-12)
    W = sparse.csr_matrix((np.exp(-g * d).ravel(), (np.repeat(np.arange(n), k), ind.ravel())), shape=(n, n))
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
    return graph_density_greedy(d, W, candidates, k, rng)[0]


def graph_density_greedy(
    density: np.ndarray, W: sparse.spmatrix, candidates: np.ndarray, k: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` greedy picks from the current densities, each damping its neighbours.

    The step of :func:`graph_density_select` after the labeled set's damping: take the candidate
    of highest current density (ties broken by ``rng``), ``d_j -= W_ij d_i`` for its neighbours,
    and set its own density to ``-inf``. Returns the picks and the densities after them, which
    a caller may carry to the next round (Google's ``GraphDensitySampler`` keeps them across
    rounds). Cost O(k (n + max degree)).
    """
    W = sparse.csr_matrix(W)
    d = np.asarray(density, dtype=np.float64).copy()
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
    return chosen, d


def cluster_prior_em(sq_dist: np.ndarray, sigma: float, max_iter: int) -> tuple[np.ndarray, np.ndarray]:
    """Mixture weights of fixed isotropic Gaussians by EM (Nguyen & Smeulders' pre-clustering).

    The components sit at fixed centres with covariance ``sigma * I``; only the weights
    ``P(k)`` are estimated, starting uniform, by exactly ``max_iter`` EM steps (libact's DWUS
    runs them all; it has no stopping tolerance):
    ``P(k|x) = P(k) exp(-d_k(x) / (2 sigma)) / sum_j P(j) exp(-d_j(x) / (2 sigma))``,
    ``P(k) = mean_x P(k|x)``. Computed in log space, so a sample far from every centre keeps a
    defined posterior (libact's direct exponentials underflow to 0/0 there).

    Parameters
    ----------
    sq_dist : ndarray of shape (n, K)
        Squared Euclidean distance of every sample to every centre.
    sigma : float
        Variance of the components.
    max_iter : int
        EM steps.

    Returns
    -------
    prior : ndarray of shape (K,)
        ``P(k)`` after the last M-step.
    posterior : ndarray of shape (n, K)
        ``P(k|x)`` of the last E-step. Cost O(max_iter n K).
    """
    log_lik = -np.asarray(sq_dist, dtype=np.float64) / (2.0 * float(sigma))
    K = log_lik.shape[1]
    prior = np.full(K, 1.0 / K)
    posterior = np.full(log_lik.shape, 1.0 / K)
    for _ in range(max_iter):
        with np.errstate(divide="ignore"):
            a = log_lik + np.log(prior)[None, :]
        a -= a.max(axis=1, keepdims=True)
        posterior = np.exp(a)
        posterior /= posterior.sum(axis=1, keepdims=True)
        prior = posterior.mean(axis=0)
    return prior, posterior


def isotropic_mixture_log_density(
    sq_dist: np.ndarray, prior: np.ndarray, variance: float, dim: int
) -> np.ndarray:
    """``log sum_k P(k) N(x; c_k, variance * I)`` from squared distances to the centres. O(n K)."""
    log_norm = -0.5 * dim * np.log(2.0 * np.pi * float(variance))
    with np.errstate(divide="ignore"):
        a = (
            np.log(np.asarray(prior, dtype=np.float64))[None, :]
            + log_norm
            - np.asarray(sq_dist) / (2.0 * variance)
        )
    m = a.max(axis=1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return (m + np.log(np.exp(a - m).sum(axis=1, keepdims=True))).ravel()


def cluster_logistic_proba(
    posterior: np.ndarray, y: np.ndarray, centers: np.ndarray, n_classes: int, C: float
) -> np.ndarray:
    """Class probabilities of each cluster from a density-weighted logistic regression.

    The model of libact's DWUS (``DensityWeightedLogisticRegression``): a logistic model
    evaluated at the cluster centres, ``P(y|k) = softmax(W c_k + b)_y`` with the first class's
    row fixed at 0 (for two classes: ``sigmoid(w . c_k + b)``, libact's parameterisation),
    fitted on the labeled samples by minimising
    ``C/2 ||W||^2 - sum_i log sum_k P(k|x_i) P(y_i|k)`` (the intercept is not penalised) with
    conjugate gradients from zero, as libact does (scipy ``minimize(method="CG")``; here with
    the analytic gradient instead of finite differences).

    Parameters
    ----------
    posterior : ndarray of shape (m, K)
        ``P(k|x_i)`` of the m labeled samples.
    y : ndarray of int, shape (m,)
        Their labels, ``0 .. n_classes - 1``.
    centers : ndarray of shape (K, d)
    n_classes : int
    C : float
        Weight of the L2 penalty.

    Returns
    -------
    ndarray of shape (K, n_classes)
        ``P(y|k)``. Cost per gradient step O(m K n_classes + K n_classes d).
    """
    from scipy.optimize import minimize

    P = np.asarray(posterior, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    K, d = centers.shape
    free = n_classes - 1
    onehot = np.zeros((y.shape[0], n_classes))
    onehot[np.arange(y.shape[0]), y] = 1.0

    def probs(theta: np.ndarray) -> np.ndarray:
        W = theta[: free * d].reshape(free, d)
        b = theta[free * d :]
        z = np.zeros((K, n_classes))
        z[:, 1:] = centers @ W.T + b[None, :]
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W = theta[: free * d].reshape(free, d)
        S = probs(theta)  # (K, n_classes)
        S_y = S[:, y].T  # (m, K): P(y_i | k)
        mix = np.maximum((P * S_y).sum(axis=1), 1e-300)  # (m,)
        value = 0.5 * C * float((W * W).sum()) - float(np.log(mix).sum())
        # d log mix_i / d z_kc = P_ik S_k,y_i (1[c = y_i] - S_kc) / mix_i
        R = P * S_y / mix[:, None]  # (m, K)
        G = R.T @ onehot - R.sum(axis=0)[:, None] * S  # (K, n_classes): sum_i d log mix_i / d z_k
        G = G[:, 1:]
        grad_W = C * W - G.T @ centers
        grad_b = -G.sum(axis=0)
        return value, np.concatenate([grad_W.ravel(), grad_b])

    theta0 = np.zeros(free * (d + 1))
    result = minimize(objective, theta0, jac=True, method="CG")
    return probs(result.x)
