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
