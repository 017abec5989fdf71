"""BADGE: batch active learning by diverse gradient embeddings (Ash et al. 2020)."""

from __future__ import annotations

import numpy as np

from albench.registry import STRATEGIES
from albench.strategies import kernels
from albench.strategies.base import EMBEDDINGS, FEATURES, PROBA, QueryContext, Strategy, model_capabilities


@STRATEGIES.register(
    "badge",
    description="BADGE: k-means++ seeding on gradient embeddings (p - onehot(y_hat)) x [x, 1], "
    "or x the penultimate layer h for networks",
    reference="Ash et al., ICLR 2020",
)
class BADGE(Strategy):
    """Query a batch both uncertain (large gradient) and diverse (k-means++ on gradients).

    The gradient embedding of a pool sample is ``(p - onehot(y_hat)) kron h``: the gradient of
    the cross-entropy loss at the predicted label with respect to the last layer's weights.
    For a neural network (a query model with ``embed``, see
    :data:`~albench.strategies.base.EMBEDDINGS`) ``h`` is the penultimate-layer embedding
    (``ctx.embeddings()``), as in Ash et al.'s code (no bias term). For other models
    ``h = [x, 1]``, exact for a linear softmax model (logistic regression) with an intercept
    and a last-layer approximation otherwise. Seeding by
    :func:`~albench.strategies.kernels.gradient_embedding_kmeanspp` (from the strategy's
    stream) never materialises the embeddings: O(b n (K + d)) time and O(n (K + d)) memory for
    a batch of b.
    """

    needs = frozenset({PROBA, FEATURES})

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        residual = kernels.gradient_residuals(ctx.predict_proba())
        if EMBEDDINGS in model_capabilities(ctx.model):
            H = ctx.embeddings()
        else:
            H = np.hstack([ctx.X[ctx.pool], np.ones((ctx.pool.shape[0], 1))])
        return ctx.pool[kernels.gradient_embedding_kmeanspp(residual, H, batch_size, rng)]
