"""Timings of the scoring kernels (pytest-benchmark): the same cases ``albench bench`` times.

The cases live in :mod:`albench.bench.cases` so that the installed ``albench bench`` and this
suite time the same things. Normal runs pass ``--benchmark-disable`` (pyproject addopts),
which executes each case once as a smoke test; ``tox -e bench`` (or
``pytest tests/benchmarks --benchmark-enable``) times them. Pool sizes: ``ALBENCH_BENCH_SIZES``.
"""

from albench.bench.suite import test_kernel  # noqa: F401  (collected here)
