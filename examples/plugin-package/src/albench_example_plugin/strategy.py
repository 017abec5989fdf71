"""The strategy: margin uncertainty plus distance to the nearest labeled sample."""

from __future__ import annotations

import numpy as np

from albench import register_strategy
from albench.strategies.base import (
    FEATURES,
    LABELED,
    PROBA_OR_DECISION,
    QueryContext,
    Strategy,
    check_float,
    pool_uncertainty,
)
from albench.strategies.kernels import select_top_k


@register_strategy(
    "example_uncertain_far",
    description="Margin uncertainty + beta x distance to the nearest labeled sample (example plugin)",
    reference="albench example plugin",
)
class UncertainFar(Strategy):
    """Score = margin uncertainty + ``beta`` x (distance to the labeled set, scaled to [0, 1]).

    Parameters
    ----------
    beta : float, default=1.0
        Weight of the distance term, >= 0 (0 gives plain margin sampling).
    """

    needs = frozenset({PROBA_OR_DECISION, FEATURES, LABELED})

    def __init__(self, beta: float = 1.0) -> None:
        self.beta = beta

    def validate(self) -> None:
        check_float("beta", self.beta, low=0.0)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        uncertainty = pool_uncertainty(self, ctx)
        pool_x, lab_x = ctx.X[ctx.pool], ctx.X[ctx.labeled]
        # squared distances without an N x M matrix of Python objects: ||a||^2 - 2ab + ||b||^2
        d2 = (pool_x**2).sum(1)[:, None] - 2 * pool_x @ lab_x.T + (lab_x**2).sum(1)[None, :]
        nearest = np.sqrt(np.maximum(d2.min(axis=1), 0.0))
        span = nearest.max()
        far = nearest / span if span > 0 else nearest
        scores = uncertainty + self.beta * far
        k = min(batch_size, len(ctx.pool))
        return ctx.pool[select_top_k(scores, k, rng)]
