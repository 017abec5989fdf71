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
from albench.strategies.kernels.hierarchical import (
    Tree,
    best_pruning,
    google_sweep,
    node_counts,
    subtree_pruning,
    sweep_order,
    tree_from_children,
)

#: ``global``: the best pruning recomputed from all revealed labels each round; ``google``: Google's
#: active-learning ``HierarchicalClusterAL`` step by step (refines only the nodes sampled last round).
HIERARCHICAL_VARIANTS = ("global", "google")


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
    variant : {"global", "google"}, default "global"
        ``"global"``: as above, the pruning of least error over the whole tree each round.
        ``"google"``: the published code of Google's active-learning library
        (``sampling_methods/hierarchical_clustering_AL.py``, ``HierarchicalClusterAL``, the
        ``hier`` column of Lu et al., TMLR 2025) step by step. Its state lives across the
        rounds of a cell: the pruning starts at the root, whose label is drawn at random among
        the classes seen; each round the revealed labels update every node's admissible labels
        and score bottom-up (a node splits when its children's size-weighted score is lower,
        it has an admissible label, and every ancestor has had one, earlier or in this sweep,
        in the published sweep's visiting order), then only the nodes sampled in the previous
        round are replaced by their sub-pruning; a node keeps its last admissible best label
        (or takes its parent's); batch slots draw a pruning node with probability
        ``size * (1 - pLB(label))`` and redraw while the node has no unlabeled sample left,
        then a uniformly random unlabeled sample of it. ``np.random`` calls of the published
        code are the same calls on the strategy's stream (``rng.choice``).

    Notes
    -----
    The tree is built once per training part and cached on the instance (O(n^2 d) time for the
    dense build). Per round: O(n K) for the node counts, O(n K) for the pruning (vectorised
    over the nodes of each tree level), O(b s) to draw a batch of b from nodes of size <= s.

    The ``google`` variant keeps its state (pruning, labels, admissibility history, sampled
    nodes) on the instance and rebuilds it from scratch whenever the training part changes or
    the labeled set is not the previous one plus some of the previous batch: a cell is always
    run from its first round, so the state is a deterministic function of the cell's spec.
    Differences from the published code: the sampled leaves come from ``ctx.pool`` (the
    complement of the labeled set unless the pool is subsampled or samples were refused); with
    a single class seen, the missing alternative error counts as 1 (the published code stops
    with an error); the tree is the same scikit-learn merge tree (``n_clusters`` does not
    change ``children_`` of a full tree).
    """

    needs = frozenset({FEATURES, LABELED})

    def __init__(
        self, linkage: str = "ward", beta: float = 2.0, max_dense: int = 4000, variant: str = "global"
    ) -> None:
        self.linkage = linkage
        self.beta = beta
        self.max_dense = max_dense
        self.variant = variant

    def validate(self) -> None:
        check_choice("linkage", self.linkage, LINKAGES)
        check_float("beta", self.beta, low=1.0, low_open=True)
        check_int("max_dense", self.max_dense, minimum=2)
        check_choice("variant", self.variant, HIERARCHICAL_VARIANTS)

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
        if self.variant == "google":
            return self._query_google(ctx, k, rng)
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

    def _google_state(self, ctx: QueryContext, tree: Tree) -> dict:
        """The published algorithm's state for this cell; a fresh one when a new cell starts."""
        labeled = np.unique(np.asarray(ctx.labeled, dtype=np.int64))
        state = self.__dict__.get("_google")
        if state is not None and state["tree"] is tree:
            prev = state["labeled"]
            new = np.setdiff1d(labeled, prev)
            if new.shape[0] > 0 and np.isin(prev, labeled).all() and np.isin(new, state["last_batch"]).all():
                state["labeled"] = labeled
                return state
        n_nodes = 2 * tree.n_leaves - 1
        order = state["order"] if state is not None and state["tree"] is tree else sweep_order(tree)
        state = {
            "tree": tree,
            "order": order,
            "labeled": labeled,
            "last_batch": np.empty(0, dtype=np.int64),
            "initialized": False,
            "pruning": [],
            "selected": [],
            "best_label": np.full(n_nodes, -1, dtype=np.int64),
            "ever_admissible": np.zeros(n_nodes, dtype=bool),
        }
        self.__dict__["_google"] = state
        return state

    def _query_google(self, ctx: QueryContext, k: int, rng: np.random.Generator) -> np.ndarray:
        tree = self.tree(ctx.X)
        state = self._google_state(ctx, tree)
        n = tree.n_leaves
        y = np.asarray(ctx.y_labeled, dtype=np.int64)
        classes = np.unique(y)  # the classes seen so far, sorted (observe_labels)
        onehot = np.zeros((n, ctx.n_classes))
        onehot[ctx.labeled, y] = 1.0
        counts = node_counts(tree, onehot)[:, classes]
        best_label = state["best_label"]
        if not state["initialized"]:  # initialize_algo
            state["pruning"] = [tree.root]
            best_label[tree.root] = classes[rng.choice(classes.shape[0])]
            state["selected"] = [tree.root]
            state["initialized"] = True
        # update_scores
        has_adm, best, lower, split = google_sweep(
            tree, state["order"], counts, float(self.beta), state["ever_admissible"]
        )
        state["ever_admissible"] |= has_adm
        upd = best >= 0
        best_label[upd] = classes[best[upd]]
        # update_pruning_labels: only the nodes sampled last round are refined
        pruning: list[int] = state["pruning"]
        for v in state["selected"]:
            pruning.remove(v)
            pruning.extend(subtree_pruning(tree, split, v))
        nodes = np.array(pruning, dtype=np.int64)
        parent = state["order"].parent
        missing = nodes[best_label[nodes] < 0]
        best_label[missing] = best_label[parent[missing]]
        labels = best_label[nodes]
        if (labels < 0).any():  # unreachable in the published code (it asserts a label there)
            raise RuntimeError("hierarchical (google): a pruning node without a label")
        # sampling: weights size * (1 - pLB(label)), redraw while a node has no unlabeled sample
        weights = tree.size[nodes] * (1.0 - lower[nodes, np.searchsorted(classes, labels)])
        weights = weights / sum(weights.tolist())  # the published code's sequential sum
        available = np.zeros(n, dtype=bool)
        available[ctx.pool] = True
        selected: set[int] = set()
        batch: list[int] = []
        while len(batch) < k:
            v = int(nodes[rng.choice(nodes.shape[0], p=weights)])
            leaves = tree.order[tree.start[v] : tree.start[v] + tree.size[v]]
            candidates = leaves[available[leaves]]
            if candidates.shape[0] > 0:
                selected.add(v)
                pick = int(candidates[rng.choice(candidates.shape[0])])
                batch.append(pick)
                available[pick] = False
        state["selected"] = selected
        chosen = np.array(batch, dtype=np.int64)
        state["last_batch"] = chosen
        return chosen
