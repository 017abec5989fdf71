"""Random sampling: uniform over the pool, never a labeled sample."""

from __future__ import annotations

import numpy as np

from albench.registry import STRATEGIES

from ._helpers import table_ctx


def test_random_is_uniform_over_the_pool() -> None:
    ctx = table_ctx(np.arange(8.0), [0, 1], [0, 1], proba=np.tile([0.5, 0.5], (8, 1)))
    s = STRATEGIES.get("random").obj()
    rng = np.random.default_rng(0)
    counts = np.zeros(8)
    for _ in range(3000):
        counts[s.query(ctx, 2, rng)] += 1
    assert counts[:2].sum() == 0
    # each of the 6 pool samples is expected 3000 * 2 / 6 = 1000 times
    assert np.all(np.abs(counts[2:] - 1000) < 120)
