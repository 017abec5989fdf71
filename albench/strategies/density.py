"""Density-weighted strategies: information density, DWUS, graph density."""

from __future__ import annotations

import hashlib

import numpy as np
from sklearn.cluster import KMeans
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
DWUS_VARIANTS = ("gmm", "pre_clustering")
GRAPH_METRICS = ("euclidean", "manhattan")
GRAPH_WEIGHTS = ("gaussian", "exponential")
GRAPH_DAMPINGS = ("labeled", "picks")


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

    Two variants, compared in log space, ``log u + log p``:

    ``variant="gmm"`` (default): ``p(x)`` is a Gaussian mixture density fitted to the whole
    training part (labeled set plus pool) each round; ``u`` is a non-negative uncertainty of
    the query model.

    ``variant="pre_clustering"``: Nguyen & Smeulders' pre-clustering as libact's ``DWUS``
    implements it (the published code of Lu et al., TMLR 2025). Once per training part: k-means
    (``n_components`` clusters, ``n_init`` restarts, seeded from the strategy's stream) on the
    training part; isotropic Gaussians of variance ``sigma`` at the centres, whose weights are
    estimated by ``max_iter`` EM steps (:func:`~albench.strategies.kernels.cluster_prior_em`);
    ``p(x) = sum_k P(k) N(x; c_k, density_variance * I)``. Each round the class of each
    *cluster* is learned by a density-weighted logistic regression on the labeled samples
    (:func:`~albench.strategies.kernels.cluster_logistic_proba`, penalty ``C``),
    ``P(y|x) = sum_k P(k|x) P(y|k)``, and ``u`` is the ``uncertainty`` of that distribution
    (``least_confident``: ``min(P(y|x), 1 - P(y|x))`` for two classes, libact's expected
    error). The query model is not consulted.

    Parameters
    ----------
    n_components : int, default 5
        Mixture components or k-means clusters (capped at the number of training samples).
    covariance_type : {"full", "tied", "diag", "spherical"}, default "diag"
        ``gmm`` only.
    uncertainty : {"least_confident", "margin", "entropy"}, default "least_confident"
    variant : {"gmm", "pre_clustering"}, default "gmm"
    sigma : float, default 0.1
        ``pre_clustering``: variance of the components in the EM step (libact's ``sigma``).
    max_iter : int, default 100
        ``pre_clustering``: EM steps, all of them run (libact's ``tol`` is never used).
    C : float, default 1.0
        ``pre_clustering``: L2 penalty of the cluster logistic regression.
    n_init : int, default 10
        ``pre_clustering``: k-means restarts (scikit-learn 1.0's default, which libact used).
    density_variance : float or None, default None
        ``pre_clustering``: variance of the components in ``p(x)``; None takes
        ``sqrt(sigma)``, as libact does (``multivariate_normal(cov=sqrt(sigma) * I)``).

    Notes
    -----
    Cost, ``gmm``: one EM fit per round, O(iter * n * n_components * d) for diagonal covariances
    (d^2 for full), plus O(n) selection. ``pre_clustering``: one k-means and O(max_iter n K) EM
    per training part (cached on the instance), then per round a CG fit over ``(K - 1)(d + 1)``
    parameters, O(m K) per step for m labeled, and O(n K) scoring.
    """

    def __init__(
        self,
        n_components: int = 5,
        covariance_type: str = "diag",
        uncertainty: str = "least_confident",
        variant: str = "gmm",
        sigma: float = 0.1,
        max_iter: int = 100,
        C: float = 1.0,
        n_init: int = 10,
        density_variance: float | None = None,
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.uncertainty = uncertainty
        self.variant = variant
        self.sigma = sigma
        self.max_iter = max_iter
        self.C = C
        self.n_init = n_init
        self.density_variance = density_variance

    @property
    def needs(self) -> frozenset[str]:  # type: ignore[override]
        if self.variant == "pre_clustering":
            return frozenset({FEATURES, LABELED})
        return frozenset({PROBA, FEATURES})

    def validate(self) -> None:
        check_int("n_components", self.n_components, minimum=1)
        check_choice("covariance_type", self.covariance_type, COVARIANCE_TYPES)
        check_choice("uncertainty", self.uncertainty, kernels.UNCERTAINTY_MEASURES)
        check_choice("variant", self.variant, DWUS_VARIANTS)
        check_float("sigma", self.sigma, low=0.0, low_open=True)
        check_int("max_iter", self.max_iter, minimum=1)
        check_float("C", self.C, low=0.0)
        check_int("n_init", self.n_init, minimum=1)
        if self.density_variance is not None:
            check_float("density_variance", self.density_variance, low=0.0, low_open=True)

    def pre_clustering(self, X: np.ndarray, rng: np.random.Generator) -> dict:
        """Centres, ``P(k|x)`` and ``log p(x)`` of the training part (cached per content of ``X``)."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        key = (
            X.shape,
            hashlib.sha1(X.tobytes()).hexdigest(),
            self.n_components,
            self.sigma,
            self.max_iter,
            self.n_init,
            self.density_variance,
        )
        cache = self.__dict__.setdefault("_clusters", {})
        if key not in cache:
            cache.clear()
            n_clusters = min(self.n_components, X.shape[0])
            km = KMeans(n_clusters=n_clusters, n_init=self.n_init, random_state=random_state_from(rng)).fit(X)
            centers = km.cluster_centers_
            sq = kernels.sq_distances(X, centers)
            prior, posterior = kernels.cluster_prior_em(sq, self.sigma, self.max_iter)
            variance = np.sqrt(self.sigma) if self.density_variance is None else float(self.density_variance)
            log_p = kernels.isotropic_mixture_log_density(sq, prior, variance, X.shape[1])
            cache[key] = {"centers": centers, "posterior": posterior, "log_density": log_p}
        return cache[key]

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        if self.variant == "pre_clustering":
            pc = self.pre_clustering(ctx.X, rng)
            P_y_k = kernels.cluster_logistic_proba(
                pc["posterior"][ctx.labeled], ctx.y_labeled, pc["centers"], ctx.n_classes, self.C
            )
            proba = pc["posterior"][ctx.pool] @ P_y_k
            log_density = pc["log_density"][ctx.pool]
            unc = kernels.uncertainty_measure(proba, self.uncertainty)
        else:
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

    A symmetric kNN graph is built on the training part; a node's density is its mean edge
    weight. With ``damping="labeled"`` (default) the densities are recomputed each round,
    labeled samples and each new pick damp their neighbours' densities (``d_j -= w_ij d_i``),
    see :func:`~albench.strategies.kernels.graph_density_select`. With ``damping="picks"``
    (Google's ``GraphDensitySampler``, the published code of Lu et al., TMLR 2025) the
    densities live across the rounds of a cell: only the strategy's own picks damp their
    neighbours, each once, with its density at the time it was picked; the initial labeled
    samples are only excluded. Google's configuration: ``metric="manhattan"``,
    ``weight="exponential"``, ``gamma="n_features"`` (``exp(-|x - x'|_1 / n_features)``),
    ``n_neighbors=10``.

    Parameters
    ----------
    n_neighbors : int, default 10
    gamma : float, "n_features" or None, default None
        Edge weight ``exp(-gamma d^2)`` (``weight="gaussian"``) or ``exp(-gamma d)``
        (``"exponential"``); None uses ``1 / mean(d^2)`` (resp. ``1 / mean(d)``) over the edges,
        ``"n_features"`` uses ``1 / n_features``.
    metric : {"euclidean", "manhattan"}, default "euclidean"
        Distance of the neighbour search and of the weights.
    weight : {"gaussian", "exponential"}, default "gaussian"
    damping : {"labeled", "picks"}, default "labeled"

    Notes
    -----
    Cost: one kNN search over the training part (O(n log n) with trees in low dimension, up to
    O(n^2 d) brute force computed in chunks by scikit-learn; O(n k) memory), O(nnz) for the
    densities, O(b (n + k)) for a batch of b. With ``damping="picks"`` the graph is built once
    per training part (cached on the instance).
    """

    needs = frozenset({FEATURES, LABELED})

    def __init__(
        self,
        n_neighbors: int = 10,
        gamma: float | str | None = None,
        metric: str = "euclidean",
        weight: str = "gaussian",
        damping: str = "labeled",
    ) -> None:
        self.n_neighbors = n_neighbors
        self.gamma = gamma
        self.metric = metric
        self.weight = weight
        self.damping = damping

    def validate(self) -> None:
        check_int("n_neighbors", self.n_neighbors, minimum=1)
        if self.gamma is not None and self.gamma != "n_features":
            if isinstance(self.gamma, str):
                check_choice("gamma", self.gamma, ("n_features",))
            check_float("gamma", self.gamma, low=0.0, low_open=True)
        check_choice("metric", self.metric, GRAPH_METRICS)
        check_choice("weight", self.weight, GRAPH_WEIGHTS)
        check_choice("damping", self.damping, GRAPH_DAMPINGS)

    def graph(self, X: np.ndarray):
        """The weighted kNN graph of ``X``."""
        gamma = 1.0 / X.shape[1] if self.gamma == "n_features" else self.gamma
        return kernels.knn_graph(X, self.n_neighbors, gamma, metric=self.metric, weight=self.weight)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        if self.damping == "picks":
            return self._query_carried(ctx, batch_size, rng)
        W = self.graph(ctx.X)
        density = kernels.graph_density(W)
        return kernels.graph_density_select(density, W, ctx.pool, batch_size, rng, taken=ctx.labeled)

    def _query_carried(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        X = np.ascontiguousarray(ctx.X, dtype=np.float64)
        key = (X.shape, hashlib.sha1(X.tobytes()).hexdigest())
        state = self.__dict__.get("_carried")
        labeled = np.asarray(ctx.labeled)
        if (
            state is None
            or state["key"] != key
            or state["n_labeled"] + state["last_batch"].shape[0] != labeled.shape[0]
            or not np.isin(state["last_batch"], labeled).all()
        ):
            W = self.graph(X)
            state = {
                "key": key,
                "W": W,
                "density": kernels.graph_density(W),
                "last_batch": np.empty(0, np.int64),
            }
            self.__dict__["_carried"] = state
        chosen, state["density"] = kernels.graph_density_greedy(
            state["density"], state["W"], ctx.pool, batch_size, rng
        )
        state["last_batch"] = chosen
        state["n_labeled"] = int(labeled.shape[0])
        return chosen
