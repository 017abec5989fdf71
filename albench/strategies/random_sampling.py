"""Uniform random sampling, the baseline every strategy is compared with."""

from __future__ import annotations

import numpy as np

from albench.registry import STRATEGIES
from albench.strategies.base import QueryContext, Strategy


@STRATEGIES.register(
    "random",
    description="Uniform random sampling from the pool (the baseline)",
    reference="passive learning baseline",
)
class RandomSampling(Strategy):
    """Query a uniformly random batch from the pool. Cost O(n)."""

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        k = min(batch_size, len(ctx.pool))
        return rng.choice(ctx.pool, size=k, replace=False).astype(np.int64)
