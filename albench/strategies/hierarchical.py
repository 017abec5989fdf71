"""Hierarchical sampling (Dasgupta & Hsu 2008) on an agglomerative clustering of the data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.neighbors import kneighbors_graph

from albench.registry import STRATEGIES
from albench.strategies.base import FEATURES, LABELED, QueryContext, Strategy, check_float, check_int
from albench.strategies.density import check_choice
from albench.strategies.diversity import LINKAGES


@dataclass(frozen=True)
class Tree:
    """A binary cluster tree over n leaves in scikit-learn's ``children_`` convention.

    Node ``i < n`` is leaf (sample) ``i``; node ``n + j`` merges ``children[j]``. Each node
    covers the contiguous range ``order[start : start + size]`` of a left-to-right leaf order.
    ``levels`` groups the internal nodes by height, bottom first, for vectorised dynamic
    programming over the tree.
    """

    children: np.ndarray
    size: np.ndarray
    start: np.ndarray
    order: np.ndarray
    levels: tuple[np.ndarray, ...]

    @property
    def n_leaves(self) -> int:
        return self.children.shape[0] + 1

    @property
    def root(self) -> int:
        return 2 * self.n_leaves - 2


def tree_from_children(children: np.ndarray) -> Tree:
    """Sizes, leaf ranges and height levels of a merge tree. O(n) scalar steps, done once per tree."""
    children = np.asarray(children, dtype=np.int64)
    n = children.shape[0] + 1
    size = np.ones(2 * n - 1, dtype=np.int64)
    height = np.zeros(2 * n - 1, dtype=np.int64)
    ch = children.tolist()
    sz = size.tolist()
    ht = height.tolist()
    for j, (a, b) in enumerate(ch):
        sz[n + j] = sz[a] + sz[b]
        ht[n + j] = max(ht[a], ht[b]) + 1
    st = [0] * (2 * n - 1)
    for j in range(n - 2, -1, -1):
        a, b = ch[j]
        st[a] = st[n + j]
        st[b] = st[n + j] + sz[a]
    size, height, start = np.array(sz), np.array(ht), np.array(st, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    order[start[:n]] = np.arange(n)
    internal = np.arange(n, 2 * n - 1)
    h = height[internal]
    by_h = np.argsort(h, kind="stable")
    bounds = np.searchsorted(h[by_h], np.arange(1, h.max() + 2 if n > 1 else 1))
    levels = tuple(internal[by_h][bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1))
    return Tree(children, size, start, order, levels)


def node_counts(tree: Tree, values: np.ndarray) -> np.ndarray:
    """Per-node sums of per-leaf ``values`` (shape (n,) or (n, k)) via prefix sums. O(n k)."""
    v = np.asarray(values, dtype=np.float64)
    v2 = v.reshape(v.shape[0], -1)[tree.order]
    cum = np.vstack([np.zeros((1, v2.shape[1])), np.cumsum(v2, axis=0)])
    out = cum[tree.start + tree.size] - cum[tree.start]
    return out if v.ndim == 2 else out[:, 0]


def confidence_bounds(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Label proportions and their bounds ``p -/+ (1/n + sqrt(p (1 - p) / n))`` per node and class."""
    n = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, counts / n, 0.0)
        delta = np.where(n > 0, 1.0 / n + np.sqrt(p * (1.0 - p) / n), np.inf)
    return p, np.clip(p - delta, 0.0, 1.0), np.clip(p + delta, 0.0, 1.0)


def best_pruning(tree: Tree, counts: np.ndarray, beta: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """The pruning of least estimated error and each node's admissibility (Dasgupta & Hsu 2008).

    A label l is admissible at node v when ``1 - pLB(l) < beta * min_{l' != l} (1 - pUB(l'))``;
    a node's error is ``1 - p(l)`` for its best admissible label (1 when none is). The pruning
    minimises the size-weighted error, computed bottom-up one tree level at a time.

    Returns
    -------
    pruning : ndarray of int
        Node ids whose subtrees partition the leaves.
    lower : ndarray of shape (n_nodes,)
        ``pLB`` of each node's majority label (0 without labels).
    """
    p, lb, ub = confidence_bounds(counts)
    k = counts.shape[1]
    one_minus_ub = 1.0 - ub
    if k > 1:
        part = np.partition(one_minus_ub, 1, axis=1)
        lowest, second = part[:, :1], part[:, 1:2]
        other_min = np.where(one_minus_ub == lowest, second, lowest)
    else:
        other_min = np.ones_like(one_minus_ub)
    admissible = (1.0 - lb) < beta * other_min
    err = np.where(admissible, 1.0 - p, 1.0).min(axis=1)
    cost = err * tree.size
    split = np.zeros(cost.shape[0], dtype=bool)
    for level in tree.levels:
        kids = tree.children[level - tree.n_leaves]
        below = cost[kids[:, 0]] + cost[kids[:, 1]]
        split[level] = below < cost[level]
        cost[level] = np.minimum(cost[level], below)
    pruning = []
    frontier = np.array([tree.root])
    while frontier.size:
        s = split[frontier]
        pruning.append(frontier[~s])
        frontier = tree.children[frontier[s] - tree.n_leaves].ravel()
    lower = lb[np.arange(lb.shape[0]), p.argmax(axis=1)]
    return np.concatenate(pruning), np.where(counts.sum(axis=1) > 0, lower, 0.0)


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
