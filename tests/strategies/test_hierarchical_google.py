"""Hierarchical sampling, ``variant = "google"``: Google's HierarchicalClusterAL replayed round by round.

The known answer is a plain transcription of the published algorithm (Google's active-learning
``sampling_methods/hierarchical_clustering_AL.py``) written below with dictionaries, Python
sets and recursion, one node at a time; it consumes the random stream with the same calls
(``rng.choice`` where the published code calls ``np.random.choice``). The strategy under test
(vectorised, state kept between rounds) must pick the same samples in every round.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import AgglomerativeClustering

from albench.components import build_instance
from albench.errors import AlbenchInputError
from albench.strategies.base import QueryContext
from albench.strategies.kernels import google_sweep, node_counts, sweep_order, tree_from_children


class ReferenceHierarchicalAL:
    """Dasgupta & Hsu as Google's code runs it: one node at a time, state across calls."""

    def __init__(self, X: np.ndarray, n_classes: int, beta: float = 2.0) -> None:
        model = AgglomerativeClustering(linkage="ward", n_clusters=n_classes).fit(X)
        self.n = model.n_leaves_
        self.kids = {self.n + i: (int(a), int(b)) for i, (a, b) in enumerate(model.children_)}
        self.root = max(self.kids) if self.kids else 0
        self.parent: dict[int, int | None] = {self.root: None}
        for v, (a, b) in self.kids.items():
            self.parent[a] = v
            self.parent[b] = v
        self.leaves: dict[int, list[int]] = {}

        def fill(v: int) -> list[int]:
            if v < self.n:
                self.leaves[v] = [v]
            else:
                a, b = self.kids[v]
                self.leaves[v] = fill(a) + fill(b)
            return self.leaves[v]

        fill(self.root)
        self.beta = beta
        self.score = {v: 1.0 for v in self.leaves}
        self.split = {v: False for v in self.leaves}
        self.best_label: dict[int, int | None] = {v: None for v in self.leaves}
        self.admissible: dict[int, set] = {v: set() for v in self.leaves}
        self.labels: dict[int, int] = {}
        self.pruning: list[int] = []
        self.selected = None
        self.y_labels: dict[int, int] = {}
        self.initialized = False

    def ancestors(self, v: int) -> list[int]:
        out = []
        while self.parent[v] is not None:
            v = self.parent[v]
            out.append(v)
        return out

    def bounds(self, v: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        seen = [self.y_labels[c] for c in self.leaves[v] if c in self.y_labels]
        k = len(self.classes)
        if not seen:
            return 0, np.ones(k) / k, np.zeros(k), np.ones(k)
        p = np.array([seen.count(c) for c in self.classes]) / (len(seen) * 1.0)
        delta = 1.0 / len(seen) + np.sqrt(p * (1 - p) / (1.0 * len(seen)))
        return len(seen), p, np.maximum(p - delta, 0.0), np.minimum(p + delta, 1.0)

    def admissible_now(self, v: int) -> np.ndarray:
        _, _, lo, up = self.bounds(v)
        k = len(self.classes)
        alt = np.array([min(1 - up[c] for c in range(k) if c != i) for i in range(k)])
        return 1 - lo < self.beta * alt

    def update_scores(self) -> None:
        generation = set(range(self.n))
        while generation:
            parents = set()
            for v in generation:
                adm = self.admissible_now(v)
                for lab in self.classes[np.where(adm)[0]]:
                    self.admissible[v].add(lab)
                _, p, _, _ = self.bounds(v)
                err = 1 - p
                err[~adm] = 1.0
                b = int(np.argmin(err))
                if adm[b]:
                    self.best_label[v] = int(self.classes[b])
                score = err[b]
                self.split[v] = False
                if v >= self.n and adm.any():
                    if all(len(self.admissible[a]) > 0 for a in self.ancestors(v)):
                        a, c = self.kids[v]
                        sizes = [len(self.leaves[u]) for u in (v, a, c)]
                        below = sizes[1] / sizes[0] * self.score[a] + sizes[2] / sizes[0] * self.score[c]
                        if below < score:
                            score = below
                            self.split[v] = True
                self.score[v] = score
                if self.parent[v] is not None:
                    parents.add(self.parent[v])
            generation = parents

    def sub_pruning(self, v: int) -> list[int]:
        if self.split[v]:
            a, b = self.kids[v]
            return self.sub_pruning(a) + self.sub_pruning(b)
        return [v]

    def select(self, labeled: dict[int, int], N: int, rng: np.random.Generator) -> list[int]:
        self.y_labels.update(labeled)
        self.classes = np.array(sorted(set(self.y_labels.values())))
        if not self.initialized:
            self.pruning = [self.root]
            self.labels[self.root] = self.best_label[self.root] = int(rng.choice(self.classes))
            self.selected = [self.root]
            self.initialized = True
        self.update_scores()
        for v in self.selected:
            self.pruning.remove(v)
            self.pruning.extend(self.sub_pruning(v))
        assert sum(len(self.leaves[v]) for v in self.pruning) == self.n
        for v in self.pruning:
            if self.best_label[v] is None:
                self.best_label[v] = self.best_label[self.parent[v]]
            self.labels[v] = self.best_label[v]
        weights = []
        for v in self.pruning:
            lo = self.bounds(v)[2]
            weights.append(len(self.leaves[v]) * (1 - lo[list(self.classes).index(self.labels[v])]))
        weights = np.array(weights) / sum(weights)
        chosen_nodes, batch = set(), []
        while len(batch) < N:
            v = int(rng.choice(list(self.pruning), p=weights))
            free = [c for c in self.leaves[v] if c not in self.y_labels and c not in batch]
            if free:
                chosen_nodes.add(v)
                batch.append(int(rng.choice(free)))
        self.selected = chosen_nodes
        return batch


def three_blobs(n_classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    X = np.vstack([rng.normal(c, 1.2, size=(14, 2)) for c in centres])
    y = (np.arange(42) // 14) % n_classes
    flip = rng.random(42) < 0.15  # some label noise so nodes stay impure
    y[flip] = rng.integers(0, n_classes, flip.sum())
    return X, y


def ctx_for(X: np.ndarray, y: np.ndarray, labeled: list[int], n_classes: int) -> QueryContext:
    lab = np.array(labeled, dtype=np.int64)
    return QueryContext(
        X=X,
        labeled=lab,
        y_labeled=y[lab],
        pool=np.setdiff1d(np.arange(X.shape[0]), lab),
        n_classes=n_classes,
        model=None,
        make_model=lambda: None,
    )


def dense_case(seed: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """A small two-class problem with half or more of it labeled (deep splits in one sweep)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 30))
    X = rng.normal(size=(n, 2))
    X[: n // 2] += rng.uniform(0, 3)
    y = (np.arange(n) < n // 2).astype(int)
    flip = rng.random(n) < 0.2
    y[flip] = 1 - y[flip]
    labeled = rng.choice(n, int(rng.integers(n // 2, n)), replace=False)
    return X, y, labeled.tolist()


# seeds of dense_case where the ancestor rule (in the sweep's visiting order) blocks a split
ANCESTOR_BOUND = [1, 12, 66]


@pytest.mark.parametrize("seed", ANCESTOR_BOUND)
def test_replays_the_published_algorithm_with_many_labels(seed: int) -> None:
    X, y, labeled = dense_case(seed)
    strategy = build_instance("strategy", "hierarchical", {"variant": "google"}, "s")
    reference = ReferenceHierarchicalAL(X, 2)
    rng_a, rng_b = np.random.default_rng(seed), np.random.default_rng(seed)
    while len(labeled) < X.shape[0]:
        got = strategy.query(ctx_for(X, y, labeled, 2), 1, rng_a).tolist()
        assert got == reference.select({i: int(y[i]) for i in labeled}, 1, rng_b)
        labeled += got


@pytest.mark.parametrize(
    ("n_classes", "batch", "seed"), [(2, 1, 0), (2, 1, 1), (2, 3, 2), (3, 1, 3), (3, 2, 4)]
)
def test_replays_the_published_algorithm_round_by_round(n_classes: int, batch: int, seed: int) -> None:
    X, y = three_blobs(n_classes, seed)
    labeled = [int(np.flatnonzero(y == c)[0]) for c in range(n_classes)] + [5, 20]
    labeled = list(dict.fromkeys(labeled))
    strategy = build_instance("strategy", "hierarchical", {"variant": "google"}, "s")
    reference = ReferenceHierarchicalAL(X, n_classes)
    rng_a, rng_b = np.random.default_rng(seed), np.random.default_rng(seed)
    rounds = 0
    while len(labeled) < X.shape[0]:
        k = min(batch, X.shape[0] - len(labeled))
        got = strategy.query(ctx_for(X, y, labeled, n_classes), k, rng_a).tolist()
        want = reference.select({i: int(y[i]) for i in labeled}, k, rng_b)
        assert got == want, f"round {rounds}"
        labeled += got
        rounds += 1
    assert rounds >= 12
    assert len(reference.pruning) > 1  # the pruning was refined along the way


def test_ancestor_rule_uses_the_sweep_order() -> None:
    # leaves 0-4; node 5 = {0, 1}, node 6 = {5, 2}, node 7 = {3, 4}, root 8 = {6, 7}
    tree = tree_from_children(np.array([[0, 1], [5, 2], [3, 4], [6, 7]]))
    order = sweep_order(tree)
    # generations: {0..4}, {5, 6, 7}, {6, 8}, {8}: node 6 is visited at generations 1 and 2
    assert order.last[6] > order.first[6]
    assert order.first[8] < order.last[6]  # the root turns admissible before node 6's last visit
    assert order.first[8] > order.last[5]  # ... but after node 5's only visit
    # node 5 = {0, 1}: 30 labels of class 0 in leaf 0, 30 of class 1 in leaf 1 -> splits if allowed
    counts = np.zeros((9, 2))
    counts[0] = [30, 0]
    counts[1] = [0, 30]
    counts[2] = [30, 0]
    counts[3] = [30, 0]
    counts[4] = [30, 0]
    for v, (a, b) in zip(range(5, 9), tree.children, strict=True):
        counts[v] = counts[a] + counts[b]
    np.testing.assert_array_equal(counts, node_counts(tree, counts[:5]))
    never = np.zeros(9, dtype=bool)
    has_adm, _, _, split = google_sweep(tree, order, counts, 2.0, never)
    assert has_adm[8] and has_adm[6]
    assert not split[5]  # its ancestors had no admissible label yet at its visit
    once = has_adm.copy()
    _, _, _, split2 = google_sweep(tree, order, counts, 2.0, once)
    assert split2[5]  # the next round they have


@pytest.mark.parametrize("seed", ANCESTOR_BOUND)
def test_sweep_matches_the_node_by_node_sweep_for_two_rounds(seed: int) -> None:
    X, y, labeled = dense_case(seed)
    reference = ReferenceHierarchicalAL(X, 2)
    tree = tree_from_children(AgglomerativeClustering(linkage="ward", n_clusters=2).fit(X).children_)
    order = sweep_order(tree)
    ever = np.zeros(2 * X.shape[0] - 1, dtype=bool)
    nodes = sorted(reference.leaves)
    extra = [i for i in range(X.shape[0]) if i not in labeled][:3]
    for labels in (labeled, labeled + extra):
        reference.y_labels = {i: int(y[i]) for i in labels}
        reference.classes = np.array([0, 1])
        reference.update_scores()
        onehot = np.zeros((X.shape[0], 2))
        onehot[labels, y[labels]] = 1
        counts = node_counts(tree, onehot)
        has_adm, best, _, split = google_sweep(tree, order, counts, 2.0, ever)
        assert split.tolist() == [reference.split[v] for v in nodes]
        assert (has_adm | ever).tolist() == [len(reference.admissible[v]) > 0 for v in nodes]
        for v in nodes:
            if best[v] >= 0:
                assert reference.best_label[v] == best[v]
        if labels is labeled:  # the rule binds here: with every ancestor counted, more splits
            assert (google_sweep(tree, order, counts, 2.0, ~ever)[3] != split).any()
        ever |= has_adm


def test_state_resets_for_a_new_cell_and_is_deterministic() -> None:
    X, y = three_blobs(2, 5)
    labeled = [0, 14, 28, 3]
    strategy = build_instance("strategy", "hierarchical", {"variant": "google"}, "s")
    picks = []
    for _ in range(2):  # the same instance, the same cell twice
        lab = list(labeled)
        rng = np.random.default_rng(3)
        seq = []
        for _ in range(8):
            out = strategy.query(ctx_for(X, y, lab, 2), 1, rng).tolist()
            seq += out
            lab += out
        picks.append(seq)
    assert picks[0] == picks[1]
    lab = list(labeled)
    rng = np.random.default_rng(3)
    fresh = clone(strategy)
    seq = []
    for _ in range(8):
        out = fresh.query(ctx_for(X, y, lab, 2), 1, rng).tolist()
        seq += out
        lab += out
    assert seq == picks[0]


def test_global_variant_is_unchanged_by_default() -> None:
    X, y = three_blobs(2, 6)
    ctx = ctx_for(X, y, [0, 14, 28, 3], 2)
    default = build_instance("strategy", "hierarchical", {}, "s")
    explicit = build_instance("strategy", "hierarchical", {"variant": "global"}, "s")
    assert default.get_params()["variant"] == "global"
    a = default.query(ctx, 3, np.random.default_rng(1))
    np.testing.assert_array_equal(a, explicit.query(ctx, 3, np.random.default_rng(1)))


def test_bad_variant_is_named() -> None:
    with pytest.raises(AlbenchInputError, match="variant"):
        build_instance("strategy", "hierarchical", {"variant": "dasgupta"}, "s")
