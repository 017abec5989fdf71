"""Benchmark cases for the scoring kernels: what ``albench bench`` and ``tests/benchmarks`` time.

A case builds its inputs for a pool of ``n`` samples (seeded) and names the kernel to call.
Kernels are pure functions over arrays (DESIGN invariant 7), so timing them in isolation is
meaningful; a kernel that scales worse than linearly shows up in the scaling plot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from albench.strategies import kernels
from albench.strategies.kernels import _compiled

#: pool sizes of ``albench bench --quick`` and of the full run
QUICK_SIZES = (1_000, 10_000, 100_000)
FULL_SIZES = (1_000, 10_000, 100_000, 1_000_000)


@dataclass(frozen=True)
class KernelCase:
    """One kernel, with a seeded input builder.

    Attributes
    ----------
    name : str
        Case name shown in reports.
    func : callable
        The kernel under test.
    make_args : callable
        ``(n, rng) -> tuple`` of positional arguments for a pool of ``n`` samples.
    complexity : str
        The expected cost, e.g. ``"O(N K)"``.
    out_len : callable
        ``n -> int``, the length of the kernel's output for a pool of ``n``.
    max_n : int
        Largest pool size the case is timed at (memory-bound kernels stop earlier).
    floor : str or None
        Name of the floor case timed on the same input (``P.sum()``): reports give this
        case's time as a multiple of it.
    implementation : str
        ``albench``, ``albench (numpy path)``, a peer library, or ``floor``.
    measure : str
        The uncertainty measure compared across implementations (empty for other kernels).
    """

    name: str
    func: Callable
    make_args: Callable[[int, np.random.Generator], tuple]
    complexity: str
    out_len: Callable[[int], int] = staticmethod(lambda n: n)  # type: ignore[assignment]
    max_n: int = 10**9
    floor: str | None = None
    implementation: str = "albench"
    measure: str = ""

    def run(self, *args):
        """Call the kernel."""
        return self.func(*args)


def _proba(n: int, rng: np.random.Generator, k: int = 10) -> np.ndarray:
    p = rng.random((n, k))
    return p / p.sum(axis=1, keepdims=True)


def _graph_density(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    W = kernels.knn_graph(X, 10)
    return kernels.graph_density_select(kernels.graph_density(W), W, np.arange(X.shape[0]), k, rng)


def _variance_reduction(X: np.ndarray, P: np.ndarray) -> np.ndarray:
    k, d = P.shape[1], X.shape[1]
    F_l = kernels.fisher_information(X[:50], P[:50]) + np.eye(k * d)
    return kernels.variance_reduction_scores(X, P, F_l, kernels.fisher_information(X, P))


def _cases() -> list[KernelCase]:
    out = [
        KernelCase(
            "decision_margin (binary)",
            kernels.decision_margin_scores,
            lambda n, r: (r.normal(size=n),),
            "O(N)",
        ),
        KernelCase(
            "vote_entropy (5 members, 10 classes)",
            kernels.vote_entropy_scores,
            lambda n, r: (r.integers(0, 10, size=(5, n)), 10),
            "O(M N)",
        ),
        KernelCase(
            "kl_to_consensus (5 members, 10 classes)",
            kernels.kl_to_consensus_scores,
            lambda n, r: (np.stack([_proba(n, r) for _ in range(5)]),),
            "O(M N K)",
        ),
        KernelCase(
            "information_density cosine (d=16)",
            kernels.mean_cosine_similarity,
            lambda n, r: (r.normal(size=(n, 16)), r.normal(size=(n, 16))),
            "O(N d)",
        ),
        KernelCase(
            "k_center_greedy (k=100, d=50, 1000 labeled)",
            kernels.k_center_greedy,
            lambda n, r: (r.normal(size=(n, 50)), r.normal(size=(1000, 50)), 100, np.random.default_rng(0)),
            "O(N (L + k) d)",
            out_len=lambda n: min(100, n),
            max_n=100_000,
        ),
        KernelCase(
            "badge k-means++ (k=100, 10 classes, d=8)",
            kernels.gradient_embedding_kmeanspp,
            lambda n, r: (
                _proba(n, r) - np.eye(10)[r.integers(0, 10, n)],
                r.normal(size=(n, 8)),
                100,
                np.random.default_rng(0),
            ),
            "O(k N (K + d))",
            out_len=lambda n: min(100, n),
        ),
        KernelCase(
            "ranked_batch (k=100, d=8)",
            kernels.ranked_batch,
            lambda n, r: (
                r.normal(size=(n, 8)),
                r.normal(size=(20, 8)),
                r.random(n),
                100,
                np.random.default_rng(0),
            ),
            "O(k N d)",
            out_len=lambda n: min(100, n),
        ),
        KernelCase(
            "information_density rbf (1000 references, d=16)",
            kernels.mean_rbf_similarity,
            lambda n, r: (r.normal(size=(n, 16)), r.normal(size=(1000, 16))),
            "O(N R d)",
        ),
        KernelCase(
            "graph_density (10-NN graph, d=4, k=10)",
            _graph_density,
            lambda n, r: (r.normal(size=(n, 4)), 10, np.random.default_rng(0)),
            "O(N log N d) graph + O(k N)",
            out_len=lambda n: min(10, n),
            max_n=10_000,
        ),
        KernelCase(
            "variance_reduction (3 classes, d=8)",
            _variance_reduction,
            lambda n, r: (r.normal(size=(n, 8)), _proba(n, r, 3)),
            "O(N (K d)^2)",
            max_n=10_000,
        ),
        KernelCase(
            "expected_error 0/1 (10 candidates, 3 classes)",
            kernels.expected_error_scores,
            lambda n, r: (_proba(10, r, 3), _proba(10 * 3 * n, r, 3).reshape(10, 3, n, 3), "zero_one"),
            "O(C K N K)",
            out_len=lambda n: 10,
            max_n=100_000,
        ),
        KernelCase(
            "select_top_k (k=100)",
            kernels.select_top_k,
            lambda n, r: (r.random(n), 100, np.random.default_rng(0)),
            "O(N)",
            out_len=lambda n: min(100, n),
        ),
        KernelCase(
            "select_top_k (k=100, all tied)",
            kernels.select_top_k,
            lambda n, r: (np.zeros(n), 100, np.random.default_rng(0)),
            "O(N)",
            out_len=lambda n: min(100, n),
        ),
    ]
    return out + _uncertainty_cases()


#: class counts and dtypes of the uncertainty comparison; k of its top-k
UNCERTAINTY_SHAPES = ((10, 10**9), (100, 100_000))
UNCERTAINTY_DTYPES = ("float64", "float32")
TOP_K = 100


def _proba_of(n_classes: int, dtype: str):
    def make(n: int, rng: np.random.Generator) -> tuple:
        return (_proba(n, rng, n_classes).astype(dtype),)

    return make


def _numpy_path(func: Callable) -> Callable:
    def run(P):
        with _compiled.numpy_path():
            return func(P)

    return run


def _then_select(score: Callable) -> Callable:
    def top_k(P, k, rng):
        return kernels.select_top_k(score(P), k, rng)

    return top_k


def _score_and_select(top_k: Callable) -> Callable:
    # the strategies get the round's generator from the loop: creating one (10-30 us) is not
    # part of a selection, so it happens once per case, outside the timed call
    rng = np.random.default_rng(0)

    def run(P):
        return top_k(P, TOP_K, rng)

    return run


def _uncertainty_cases() -> list[KernelCase]:
    """Score + top-100 per measure, albench (auto path and NumPy path) and peers, with the floor."""
    from albench.bench.peers import peer_selections

    peers, _ = peer_selections()
    # what the strategies run: score + top-k (the entropy's fused, pruned on the compiled path)
    scores = {
        "least_confident": _then_select(kernels.least_confident_scores),
        "margin": _then_select(kernels.margin_scores),
        "entropy": kernels.entropy_top_k,
        "ratio": _then_select(kernels.ratio_scores),
    }
    out = []
    for n_classes, max_n in UNCERTAINTY_SHAPES:
        for dtype in UNCERTAINTY_DTYPES:
            tag = f"[C={n_classes}, {dtype}]"
            make = _proba_of(n_classes, dtype)
            floor = f"floor: P.sum() {tag}"
            out.append(KernelCase(floor, np.sum, make, "O(N C)", lambda n: 1, max_n, None, "floor"))
            top = lambda n: min(TOP_K, n)  # noqa: E731
            for measure, score in scores.items():
                run = _score_and_select(score)
                out.append(
                    KernelCase(
                        f"{measure} + top-{TOP_K} {tag}",
                        run,
                        make,
                        "O(N C)",
                        top,
                        max_n,
                        floor,
                        "albench",
                        measure,
                    )
                )
                out.append(
                    KernelCase(
                        f"{measure} + top-{TOP_K} numpy path {tag}",
                        _numpy_path(run),
                        make,
                        "O(N C)",
                        top,
                        max_n,
                        floor,
                        "albench (numpy path)",
                        measure,
                    )
                )
                for (peer, m), select in peers.items():
                    if m == measure:
                        out.append(
                            KernelCase(
                                f"{measure} + top-{TOP_K} {peer} {tag}",
                                lambda P, s=select: s(P, TOP_K),
                                make,
                                "O(N C)",
                                top,
                                max_n,
                                floor,
                                peer,
                                measure,
                            )
                        )
    return out


KERNEL_CASES: tuple[KernelCase, ...] = tuple(_cases())
