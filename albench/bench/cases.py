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
    """

    name: str
    func: Callable
    make_args: Callable[[int, np.random.Generator], tuple]
    complexity: str

    def run(self, *args):
        """Call the kernel."""
        return self.func(*args)


def _proba(n: int, rng: np.random.Generator, k: int = 10) -> np.ndarray:
    p = rng.random((n, k))
    return p / p.sum(axis=1, keepdims=True)


def _cases() -> list[KernelCase]:
    out = [
        KernelCase(
            "least_confident (10 classes)",
            kernels.least_confident_scores,
            lambda n, r: (_proba(n, r),),
            "O(N K)",
        ),
        KernelCase("margin (10 classes)", kernels.margin_scores, lambda n, r: (_proba(n, r),), "O(N K)"),
        KernelCase("entropy (10 classes)", kernels.entropy_scores, lambda n, r: (_proba(n, r),), "O(N K)"),
        KernelCase(
            "decision_margin (binary)",
            kernels.decision_margin_scores,
            lambda n, r: (r.normal(size=n),),
            "O(N)",
        ),
        KernelCase(
            "select_top_k (k=100)",
            kernels.select_top_k,
            lambda n, r: (r.random(n), 100, np.random.default_rng(0)),
            "O(N)",
        ),
        KernelCase(
            "select_top_k (k=100, all tied)",
            kernels.select_top_k,
            lambda n, r: (np.zeros(n), 100, np.random.default_rng(0)),
            "O(N)",
        ),
    ]
    return out


KERNEL_CASES: tuple[KernelCase, ...] = tuple(_cases())
