"""The pytest-benchmark suite that ``albench bench`` runs (and ``tests/benchmarks`` reuses).

Pool sizes come from the environment variable ``ALBENCH_BENCH_SIZES`` (comma-separated),
defaulting to the quick sizes.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from albench.bench.cases import KERNEL_CASES, QUICK_SIZES


def _sizes() -> tuple[int, ...]:
    raw = os.environ.get("ALBENCH_BENCH_SIZES")
    return tuple(int(s) for s in raw.split(",")) if raw else QUICK_SIZES


PARAMS = [
    pytest.param(case, n, id=f"{case.name}-{n}") for case in KERNEL_CASES for n in _sizes() if n <= case.max_n
]


@pytest.mark.parametrize(("case", "n"), PARAMS)
def test_kernel(benchmark, case, n):
    """Time one kernel on a pool of ``n`` samples (and check the output's length)."""
    args = case.make_args(n, np.random.default_rng(12345))
    benchmark.group = case.name
    benchmark.extra_info.update(
        {
            "case": case.name,
            "n": n,
            "complexity": case.complexity,
            "floor": case.floor,
            "implementation": case.implementation,
            "measure": case.measure,
        }
    )
    # one untimed call first: it compiles (or loads from the cache) the numba kernels, which
    # pytest-benchmark's calibration would otherwise count, leaving such a case three rounds
    case.run(*args)
    result = benchmark(case.run, *args)
    assert np.atleast_1d(result).shape[0] == case.out_len(n)
