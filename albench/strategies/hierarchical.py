"""Hierarchical sampling (Dasgupta & Hsu 2008) on an agglomerative clustering of the data."""

from __future__ import annotations

import hashlib

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.neighbors import kneighbors_graph

from albench.registry import STRATEGIES
from albench.strategies.base import (
    FEATURES,
    LABELED,
    QueryContext,
    Strategy,
    check_choice,
    check_float,
    check_int,
)
from albench.strategies.diversity import LINKAGES
from albench.strategies.kernels.hierarchical import Tree, best_pruning, node_counts, tree_from_children


@STRATEGIES.register(
    "hierarchical",
    description="Hierarchical sampling: sample within the pruning of a cluster tree, impure nodes first",
    reference="Dasgupta & Hsu, ICML 2008",
)
class HierarchicalSampling(Strategy):
    """Cluster-adaptive sampling on an agglomerative tree of the training part.

    Each round the labels revealed so far are counted in every node of the tree; the pruning of
    least estimated error (admissible majority labels with confidence bounds) is computed, and
    each batch slot draws a node of the pruning with probability proportional to
    ``size * (1 - pLB(majority label))`` (the paper's active selection) and then a uniformly
    random unlabeled sample of that node. The labels are the revealed labels of the labeled set,
    which plays the role of the paper's random samples.

    Parameters
    ----------
    linkage : {"ward", "average", "complete", "single"}, default "ward"
    beta : float, default 2.0
        Admissibility slack (the paper's beta > 1).
    max_dense : int, default 4000
        Up to this many training samples the tree is built on full pairwise distances
        (O(n^2) memory); above, on a sparse 10-nearest-neighbour connectivity graph (O(n k)).

    Notes
    -----
    The tree is built once per training part and cached on the instance (O(n^2 d) time for the
    dense build). Per round: O(n K) for the node counts, O(n K) for the pruning (vectorised
    over the nodes of each tree level), O(b s) to draw a batch of b from nodes of size <= s.
    """

    needs = frozenset({FEATURES, LABELED})

    def __init__(self, linkage: str = "ward", beta: float = 2.0, max_dense: int = 4000) -> None:
        self.linkage = linkage
        self.beta = beta
        self.max_dense = max_dense

    def validate(self) -> None:
        check_choice("linkage", self.linkage, LINKAGES)
        check_float("beta", self.beta, low=1.0, low_open=True)
        check_int("max_dense", self.max_dense, minimum=2)

    def tree(self, X: np.ndarray) -> Tree:
        """The cluster tree of ``X`` (cached per content of ``X`` and parameters)."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        key = (X.shape, hashlib.sha1(X.tobytes()).hexdigest(), self.linkage, self.max_dense)
        cache = self.__dict__.setdefault("_tree_cache", {})
        if key not in cache:
            cache.clear()
            connectivity = None
            if X.shape[0] > self.max_dense:
                connectivity = kneighbors_graph(X, n_neighbors=min(10, X.shape[0] - 1), include_self=False)
            model = AgglomerativeClustering(
                n_clusters=1, linkage=self.linkage, connectivity=connectivity, compute_full_tree=True
            ).fit(X)
            cache[key] = tree_from_children(model.children_)
        return cache[key]

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        n = ctx.X.shape[0]
        k = min(batch_size, ctx.pool.shape[0])
        if n < 2:
            return ctx.pool[:k]
        tree = self.tree(ctx.X)
        onehot = np.zeros((n, ctx.n_classes))
        onehot[ctx.labeled, np.asarray(ctx.y_labeled, dtype=np.int64)] = 1.0
        pruning, lower = best_pruning(tree, node_counts(tree, onehot), self.beta)
        available = np.zeros(n, dtype=bool)
        available[ctx.pool] = True
        avail = node_counts(tree, available.astype(np.float64))[pruning]
        weight = tree.size[pruning] * (1.0 - lower[pruning])
        chosen = np.empty(k, dtype=np.int64)
        for t in range(k):
            w = np.where(avail > 0, weight, 0.0)
            if w.sum() <= 0:
                w = (avail > 0).astype(np.float64)
            j = rng.choice(pruning.shape[0], p=w / w.sum())
            v = pruning[j]
            leaves = tree.order[tree.start[v] : tree.start[v] + tree.size[v]]
            pick = rng.choice(leaves[available[leaves]])
            chosen[t] = pick
            available[pick] = False
            avail[j] -= 1
        return chosen
