"""Diversity and batch-aware strategies: core-set, ranked batch, cluster-margin, TypiClust."""

from __future__ import annotations

import math

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.neighbors import NearestNeighbors

from albench.registry import STRATEGIES
from albench.strategies import kernels
from albench.strategies.base import (
    EMBEDDINGS,
    FEATURES,
    LABELED,
    PROBA,
    PROBA_OR_DECISION,
    QueryContext,
    Strategy,
    check_choice,
    check_float,
    check_int,
    model_capabilities,
    pool_uncertainty,
    random_state_from,
)

LINKAGES = ("average", "complete", "single", "ward")


def representation(ctx: QueryContext, positions: np.ndarray | None = None) -> np.ndarray:
    """The space distances are measured in: a network's learned embeddings, else the features.

    ``ctx.embeddings(positions)`` when the query model has ``embed`` (a neural network, see
    :data:`~albench.strategies.base.EMBEDDINGS`), else ``ctx.X[positions]``. ``positions``
    defaults to the pool (whose embeddings the context caches).
    """
    if EMBEDDINGS in model_capabilities(ctx.model):
        return ctx.embeddings(positions)
    return ctx.X[ctx.pool if positions is None else positions]


@STRATEGIES.register(
    "coreset",
    description="Core-set: greedy k-center on the features (farthest from labeled and picked)",
    reference="Sener & Savarese, ICLR 2018",
)
class CoreSet(Strategy):
    """Greedy k-center: repeatedly query the pool sample farthest from every labeled or picked one.

    Distances are Euclidean on ``ctx.X`` (the standardised features), or on the learned
    embeddings when the query model is a neural network (``ctx.embeddings()``, as Sener &
    Savarese do). The minimum distance to the labeled set is computed in chunks and then
    updated with each pick, never forming the n x n matrix: O((m + b) n d) time, O(n * chunk)
    memory for m labeled and a batch of b.
    """

    needs = frozenset({FEATURES, LABELED})

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        pool, labeled = representation(ctx), representation(ctx, ctx.labeled)
        picks = kernels.k_center_greedy(pool, labeled, batch_size, rng)
        return ctx.pool[picks]


@STRATEGIES.register(
    "ranked_batch",
    description="Ranked batch-mode: uncertainty traded against dissimilarity to labeled and picked",
    reference="Cardoso et al., Information Sciences 2017",
)
class RankedBatch(Strategy):
    """Build the batch one sample at a time by ``alpha (1 - sim) + (1 - alpha) u``.

    ``sim = 1 / (1 + d)`` with d the distance to the nearest labeled or already-picked sample,
    ``alpha = |U| / (|U| + |L|)``; see :func:`~albench.strategies.kernels.ranked_batch`.

    Parameters
    ----------
    uncertainty : {"least_confident", "margin", "entropy"}, default "least_confident"

    Notes
    -----
    Cost O((m + b) n d) time, O(n * chunk) memory.
    """

    needs = frozenset({PROBA, FEATURES, LABELED})

    def __init__(self, uncertainty: str = "least_confident") -> None:
        self.uncertainty = uncertainty

    def validate(self) -> None:
        check_choice("uncertainty", self.uncertainty, kernels.UNCERTAINTY_MEASURES)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        unc = kernels.uncertainty_measure(ctx.predict_proba(), self.uncertainty)
        picks = kernels.ranked_batch(ctx.X[ctx.pool], ctx.X[ctx.labeled], unc, batch_size, rng)
        return ctx.pool[picks]


@STRATEGIES.register(
    "cluster_margin",
    description="Cluster-margin: lowest-margin candidates, clustered, round-robin from small clusters",
    reference="Citovsky et al., NeurIPS 2021",
)
class ClusterMargin(Strategy):
    """Take the ``margin_factor * b`` lowest-margin pool samples, cluster them by agglomerative
    clustering, and fill the batch round-robin from the clusters, smallest first.

    Citovsky et al. cluster the whole pool once with average linkage; here the candidates are
    clustered each round (O((f b)^2) memory instead of O(n^2)), which keeps the cost bounded on
    large pools.

    Parameters
    ----------
    margin_factor : float, default 10.0
        Candidates per batch slot (the paper's k_m / k), >= 1.
    linkage : {"average", "complete", "single", "ward"}, default "average"
    distance_threshold : float or None, default None
        Merge clusters closer than this (the paper's epsilon); None makes ``b`` clusters.

    Notes
    -----
    Cost: O(n k) margins, O(n) candidate selection, O((f b)^2 d) clustering.
    """

    needs = frozenset({PROBA_OR_DECISION, FEATURES})

    def __init__(
        self, margin_factor: float = 10.0, linkage: str = "average", distance_threshold: float | None = None
    ) -> None:
        self.margin_factor = margin_factor
        self.linkage = linkage
        self.distance_threshold = distance_threshold

    def validate(self) -> None:
        check_float("margin_factor", self.margin_factor, low=1.0, high=1e6)
        check_choice("linkage", self.linkage, LINKAGES)
        if self.distance_threshold is not None:
            check_float("distance_threshold", self.distance_threshold, low=0.0, low_open=True)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        k = min(batch_size, ctx.pool.shape[0])
        n_cand = min(ctx.pool.shape[0], max(k, math.ceil(self.margin_factor * k)))
        cand = kernels.select_top_k(pool_uncertainty(self, ctx), n_cand, rng)
        if n_cand <= k or k <= 1:
            return ctx.pool[cand[:k]]
        if self.distance_threshold is None:
            clustering = AgglomerativeClustering(n_clusters=k, linkage=self.linkage)
        else:
            clustering = AgglomerativeClustering(
                n_clusters=None, distance_threshold=self.distance_threshold, linkage=self.linkage
            )
        labels = clustering.fit_predict(ctx.X[ctx.pool[cand]])
        return ctx.pool[cand[kernels.round_robin(labels, k, rng)]]


@STRATEGIES.register(
    "typiclust",
    description="TypiClust: most typical sample of the largest uncovered k-means clusters (low budgets)",
    reference="Hacohen, Dekel & Weinshall, ICML 2022",
)
class TypiClust(Strategy):
    """Cluster the training part into ``|L| + b`` k-means clusters; from the largest clusters that
    hold no labeled (or already picked) sample, query the most typical pool sample.

    Clustering and typicality use the features ``ctx.X``, or the learned embeddings when the
    query model is a neural network (``ctx.embeddings``; Hacohen et al. use self-supervised
    embeddings). Typicality is ``1 / mean distance to the n_neighbors nearest members of the
    cluster``.
    Clusters smaller than ``min_cluster_size`` come after the others; once every cluster is
    covered the least-covered, largest clusters are visited again.

    Parameters
    ----------
    n_neighbors : int, default 20
    max_clusters : int, default 500
        Cap on the number of clusters (the paper's, for tractability).
    min_cluster_size : int, default 5

    Notes
    -----
    Cost: one k-means, O(iter * n * c * d) with c clusters; a kNN search within each visited
    cluster only (at most b clusters, O(s log s) with trees for a cluster of size s); O(b c)
    for the cluster bookkeeping.
    """

    needs = frozenset({FEATURES, LABELED})

    def __init__(self, n_neighbors: int = 20, max_clusters: int = 500, min_cluster_size: int = 5) -> None:
        self.n_neighbors = n_neighbors
        self.max_clusters = max_clusters
        self.min_cluster_size = min_cluster_size

    def validate(self) -> None:
        check_int("n_neighbors", self.n_neighbors, minimum=1)
        check_int("max_clusters", self.max_clusters, minimum=1)
        check_int("min_cluster_size", self.min_cluster_size, minimum=1)

    def _typicality(self, X: np.ndarray) -> np.ndarray:
        n = X.shape[0]
        if n == 1:
            return np.ones(1)
        k = min(self.n_neighbors, n - 1)
        dist, _ = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
        return 1.0 / (dist[:, 1:].mean(axis=1) + 1e-12)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        network = EMBEDDINGS in model_capabilities(ctx.model)
        X = ctx.embeddings(np.arange(ctx.X.shape[0])) if network else ctx.X
        n = X.shape[0]
        k = min(batch_size, ctx.pool.shape[0])
        n_clusters = min(ctx.labeled.shape[0] + k, self.max_clusters, n)
        km = KMeans(n_clusters=n_clusters, n_init=1, random_state=random_state_from(rng)).fit(X)
        labels = km.labels_
        sizes = np.bincount(labels, minlength=n_clusters)
        covered = np.bincount(labels[ctx.labeled], minlength=n_clusters)
        available = np.zeros(n, dtype=bool)
        available[ctx.pool] = True
        avail_count = np.bincount(labels[ctx.pool], minlength=n_clusters)
        tie = rng.permutation(n_clusters)
        small = sizes < self.min_cluster_size
        typicality: dict[int, np.ndarray] = {}
        chosen = np.empty(k, dtype=np.int64)
        for t in range(k):
            order = np.lexsort((tie, -sizes, small, covered, avail_count == 0))
            c = int(order[0])
            members = np.flatnonzero(labels == c)
            if c not in typicality:
                typicality[c] = self._typicality(X[members])
            typ = np.where(available[members], typicality[c], -np.inf)
            pick = members[kernels.select_top_k(typ, 1, rng)[0]]
            chosen[t] = pick
            available[pick] = False
            covered[c] += 1
            avail_count[c] -= 1
        return chosen
