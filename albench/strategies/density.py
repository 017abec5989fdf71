"""Density-weighted strategies: information density, DWUS, graph density."""

from __future__ import annotations

import numpy as np
from sklearn.mixture import GaussianMixture

from albench.registry import STRATEGIES
from albench.strategies import kernels
from albench.strategies.base import (
    FEATURES,
    LABELED,
    PROBA,
    QueryContext,
    Strategy,
    check_choice,
    check_float,
    check_int,
    random_state_from,
)

SIMILARITIES = ("cosine", "rbf")
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


@STRATEGIES.register(
    "information_density",
    description="Uncertainty x (mean similarity to the pool)^beta",
    reference="Settles & Craven, EMNLP 2008",
)
class InformationDensity(Strategy):
    """Query uncertain samples that are also representative of the pool.

    Score: ``u(x) * (mean_{x' in U} sim(x, x'))^beta`` with ``u`` a non-negative uncertainty
    (:func:`~albench.strategies.kernels.uncertainty_measure`) and U the pool.

    Parameters
    ----------
    uncertainty : {"entropy", "least_confident", "margin"}, default "entropy"
    beta : float, default 1.0
        Weight of the density term (0 gives plain uncertainty sampling).
    similarity : {"cosine", "rbf"}, default "cosine"
        ``cosine``: ``(1 + cos) / 2``, whose mean over the pool costs O(n d) by linearity (no
        pairwise matrix). ``rbf``: ``exp(-gamma ||x - x'||^2)``, computed in chunks, O(n r d)
        time and O(chunk * r) memory for r reference samples.
    gamma : float or None, default None
        RBF width (None: ``1 / n_features``).
    n_reference : int or None, default None
        Average the similarity over a random subsample of this many pool samples (None: the
        whole pool); bounds the RBF cost on large pools.
    """

    needs = frozenset({PROBA, FEATURES})

    def __init__(
        self,
        uncertainty: str = "entropy",
        beta: float = 1.0,
        similarity: str = "cosine",
        gamma: float | None = None,
        n_reference: int | None = None,
    ) -> None:
        self.uncertainty = uncertainty
        self.beta = beta
        self.similarity = similarity
        self.gamma = gamma
        self.n_reference = n_reference

    def validate(self) -> None:
        check_choice("uncertainty", self.uncertainty, kernels.UNCERTAINTY_MEASURES)
        check_float("beta", self.beta, low=0.0)
        check_choice("similarity", self.similarity, SIMILARITIES)
        if self.gamma is not None:
            check_float("gamma", self.gamma, low=0.0, low_open=True)
        if self.n_reference is not None:
            check_int("n_reference", self.n_reference, minimum=1)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        X_pool = ctx.X[ctx.pool]
        ref = X_pool
        if self.n_reference is not None and self.n_reference < X_pool.shape[0]:
            ref = X_pool[np.sort(rng.choice(X_pool.shape[0], size=self.n_reference, replace=False))]
        if self.similarity == "cosine":
            density = kernels.mean_cosine_similarity(X_pool, ref)
        else:
            density = kernels.mean_rbf_similarity(X_pool, ref, self.gamma)
        unc = kernels.uncertainty_measure(ctx.predict_proba(), self.uncertainty)
        scores = kernels.information_density_scores(unc, density, self.beta)
        return ctx.pool[kernels.select_top_k(scores, batch_size, rng)]


@STRATEGIES.register(
    "dwus",
    description="Density-weighted uncertainty sampling: uncertainty x mixture-model density",
    reference="Nguyen & Smeulders, ICML 2004",
)
class DensityWeightedUncertainty(Strategy):
    """Query samples maximising ``u(x) * p(x)``: uncertain and in a dense region.

    ``p(x)`` is a Gaussian mixture density fitted to the whole training part (labeled set plus
    pool), the pre-clustering of Nguyen & Smeulders; ``u`` is a non-negative uncertainty of the
    query model. Scores are compared in log space, ``log u + log p``.

    Parameters
    ----------
    n_components : int, default 5
        Mixture components (capped at the number of training samples).
    covariance_type : {"full", "tied", "diag", "spherical"}, default "diag"
    uncertainty : {"least_confident", "margin", "entropy"}, default "least_confident"

    Notes
    -----
    Cost: one EM fit, O(iter * n * n_components * d) for diagonal covariances (d^2 for full),
    plus O(n) selection.
    """

    needs = frozenset({PROBA, FEATURES})

    def __init__(
        self, n_components: int = 5, covariance_type: str = "diag", uncertainty: str = "least_confident"
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.uncertainty = uncertainty

    def validate(self) -> None:
        check_int("n_components", self.n_components, minimum=1)
        check_choice("covariance_type", self.covariance_type, COVARIANCE_TYPES)
        check_choice("uncertainty", self.uncertainty, kernels.UNCERTAINTY_MEASURES)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        n_comp = min(self.n_components, ctx.X.shape[0])
        gmm = GaussianMixture(
            n_components=n_comp,
            covariance_type=self.covariance_type,
            reg_covar=1e-4,
            random_state=random_state_from(rng),
        ).fit(ctx.X)
        log_density = gmm.score_samples(ctx.X[ctx.pool])
        unc = kernels.uncertainty_measure(ctx.predict_proba(), self.uncertainty)
        with np.errstate(divide="ignore"):
            scores = np.log(unc) + log_density
        return ctx.pool[kernels.select_top_k(scores, batch_size, rng)]


@STRATEGIES.register(
    "graph_density",
    description="Graph density on a kNN graph, damping the neighbours of each pick (model-free)",
    reference="Ebert, Fritz & Schiele, CVPR 2012",
)
class GraphDensity(Strategy):
    """Query the pool samples of highest graph density, spreading the batch over dense regions.

    A symmetric kNN graph with Gaussian weights is built on the training part; a node's density
    is its mean edge weight. Labeled samples and each new pick damp their neighbours'
    densities (``d_j -= w_ij d_i``), see
    :func:`~albench.strategies.kernels.graph_density_select`.

    Parameters
    ----------
    n_neighbors : int, default 10
    gamma : float or None, default None
        Edge weight ``exp(-gamma d^2)``; None uses ``1 / mean(d^2)`` over the edges.

    Notes
    -----
    Cost: one kNN search over the training part (O(n log n) with trees in low dimension, up to
    O(n^2 d) brute force computed in chunks by scikit-learn; O(n k) memory), O(nnz) for the
    densities, O(b (n + k)) for a batch of b.
    """

    needs = frozenset({FEATURES, LABELED})

    def __init__(self, n_neighbors: int = 10, gamma: float | None = None) -> None:
        self.n_neighbors = n_neighbors
        self.gamma = gamma

    def validate(self) -> None:
        check_int("n_neighbors", self.n_neighbors, minimum=1)
        if self.gamma is not None:
            check_float("gamma", self.gamma, low=0.0, low_open=True)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        W = kernels.knn_graph(ctx.X, self.n_neighbors, self.gamma)
        density = kernels.graph_density(W)
        return kernels.graph_density_select(density, W, ctx.pool, batch_size, rng, taken=ctx.labeled)
