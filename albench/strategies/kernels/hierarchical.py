"""Cluster-tree kernels for hierarchical sampling (Dasgupta & Hsu, ICML 2008).

A tree is held as arrays (scikit-learn's ``children_`` convention plus each node's size and
leaf range), so per-round work is prefix sums and one vectorised step per tree level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


@dataclass(frozen=True)
class SweepOrder:
    """When Google's bottom-up sweep (``HierarchicalClusterAL.update_scores``) visits each node.

    That sweep walks "generations": all leaves, then the set of their parents, then the set of
    those nodes' parents, and so on, so a node is visited once per distinct depth of the leaves
    below it and its last visit (at its height) sees its children's final scores. The order
    matters because a node may split only if every ancestor has had an admissible label by the
    time of that last visit, and an ancestor gains one at its first visit of the round.
    ``first``/``last`` are positions in the sweep, numbered as CPython iterates the generation
    sets (built in the same order as the published code builds them).

    Attributes
    ----------
    parent : ndarray of int
        Each node's parent (-1 at the root).
    first, last : ndarray of int
        Position of each node's first and last visit in one sweep.
    depth_levels : tuple of ndarray
        The internal nodes grouped by depth, root first (for top-down passes).
    """

    parent: np.ndarray
    first: np.ndarray
    last: np.ndarray
    depth_levels: tuple[np.ndarray, ...]


def sweep_order(tree: Tree) -> SweepOrder:
    """The visiting order of Google's sweep over ``tree``. Done once per tree (scalar steps)."""
    n = tree.n_leaves
    n_nodes = 2 * n - 1
    parent = np.full(n_nodes, -1, dtype=np.int64)
    if n > 1:
        parent[tree.children[:, 0]] = np.arange(n, n_nodes)
        parent[tree.children[:, 1]] = np.arange(n, n_nodes)
    par = parent.tolist()
    first = [-1] * n_nodes
    last = [-1] * n_nodes
    pos = 0
    generation = set(range(n))
    while generation:
        parents: set[int] = set()
        for v in generation:  # the published code iterates a Python set: the same order here
            if first[v] < 0:
                first[v] = pos
            last[v] = pos
            pos += 1
            if par[v] >= 0:
                parents.add(par[v])
        generation = parents
    depth = np.zeros(n_nodes, dtype=np.int64)
    ch = tree.children.tolist()
    dp = depth.tolist()
    for j in range(n - 2, -1, -1):  # a parent's id exceeds its children's
        a, b = ch[j]
        dp[a] = dp[b] = dp[n + j] + 1
    depth = np.array(dp, dtype=np.int64)
    internal = np.arange(n, n_nodes)
    d = depth[internal]
    by_d = np.argsort(d, kind="stable")
    bounds = np.searchsorted(d[by_d], np.arange(0, d.max() + 2)) if n > 1 else np.zeros(1, np.int64)
    levels = tuple(internal[by_d][bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1))
    return SweepOrder(parent, np.array(first, dtype=np.int64), np.array(last, dtype=np.int64), levels)


def admissibility(counts: np.ndarray, beta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Admissible labels as Google's ``get_node_admissibility`` defines them.

    Label l is admissible at a node when ``1 - pLB(l) < beta * min_{l' != l} (1 - pUB(l'))``
    (no labels: pLB = 0, pUB = 1, nothing admissible). With a single class the minimum over
    no alternative is taken as 1 (the published code fails there: ``min`` of an empty list).

    Returns
    -------
    admissible : ndarray of bool, shape (n_nodes, k)
    p, lower : ndarray of shape (n_nodes, k)
        Label proportions and their lower bounds.
    """
    p, lb, ub = confidence_bounds(counts)
    one_minus_ub = 1.0 - ub
    if counts.shape[1] > 1:
        part = np.partition(one_minus_ub, 1, axis=1)
        lowest, second = part[:, :1], part[:, 1:2]
        other_min = np.where(one_minus_ub == lowest, second, lowest)
    else:
        other_min = np.ones_like(one_minus_ub)
    return (1.0 - lb) < beta * other_min, p, lb


def google_sweep(
    tree: Tree, order: SweepOrder, counts: np.ndarray, beta: float, ever_admissible: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One ``update_scores`` of Google's HierarchicalClusterAL, vectorised per tree level.

    A node's score is its least adjusted error (``1 - p(l)`` for admissible l, 1 otherwise); an
    internal node with an admissible label splits when the size-weighted score of its children
    is lower, provided every ancestor has had an admissible label, in an earlier round
    (``ever_admissible``) or earlier in this sweep (``order``).

    Parameters
    ----------
    counts : ndarray of shape (n_nodes, k)
        Revealed labels per node, one column per observed class (sorted).
    ever_admissible : ndarray of bool, shape (n_nodes,)
        Whether each node had an admissible label in an earlier round.

    Returns
    -------
    has_admissible : ndarray of bool
        Whether each node has an admissible label now.
    best : ndarray of int
        Column of each node's least adjusted error where that label is admissible, else -1
        (the published code then keeps the node's previous best label).
    lower : ndarray of shape (n_nodes, k)
        Lower confidence bounds of the label proportions.
    split : ndarray of bool
        Whether each node splits.
    """
    admissible, p, lb = admissibility(counts, beta)
    err = np.where(admissible, 1.0 - p, 1.0)
    rows = np.arange(err.shape[0])
    best = err.argmin(axis=1)
    score0 = err[rows, best]
    has_adm = admissible.any(axis=1)
    n = tree.n_leaves
    never = np.iinfo(np.int64).max
    key = np.where(ever_admissible, -1, np.where(has_adm, order.first, never))
    reach = np.full(err.shape[0], -1, dtype=np.int64)  # latest moment an ancestor turned admissible
    for level in order.depth_levels:
        kids = tree.children[level - n]
        val = np.maximum(reach[level], key[level])
        reach[kids[:, 0]] = val
        reach[kids[:, 1]] = val
    ancestors_ok = reach < order.last
    score = score0.copy()
    split = np.zeros(err.shape[0], dtype=bool)
    for level in tree.levels:
        kids = tree.children[level - n]
        sv = tree.size[level]
        below = (
            tree.size[kids[:, 0]] / sv * score[kids[:, 0]] + tree.size[kids[:, 1]] / sv * score[kids[:, 1]]
        )
        do = has_adm[level] & ancestors_ok[level] & (below < score0[level])
        score[level] = np.where(do, below, score0[level])
        split[level] = do
    return has_adm, np.where(admissible[rows, best], best, -1), lb, split


def subtree_pruning(tree: Tree, split: np.ndarray, node: int) -> list[int]:
    """The nodes below ``node`` reached by descending through split nodes, left subtree first."""
    n = tree.n_leaves
    out: list[int] = []
    stack = [int(node)]
    while stack:
        u = stack.pop()
        if u >= n and split[u]:
            a, b = tree.children[u - n]
            stack.append(int(b))
            stack.append(int(a))
        else:
            out.append(u)
    return out
