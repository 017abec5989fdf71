"""BADGE: batch active learning by diverse gradient embeddings (Ash et al. 2020)."""

from __future__ import annotations

import numpy as np

from albench.registry import STRATEGIES
from albench.strategies import kernels
from albench.strategies.base import FEATURES, PROBA, QueryContext, Strategy


@STRATEGIES.register(
    "badge",
    description="BADGE: k-means++ seeding on gradient embeddings (p - onehot(y_hat)) x [x, 1]",
    reference="Ash et al., ICLR 2020",
)
class BADGE(Strategy):
    """Query a batch both uncertain (large gradient) and diverse (k-means++ on gradients).

    The gradient embedding of a pool sample is ``(p - onehot(y_hat)) kron [x, 1]``, exact for a
    linear softmax model (logistic regression) with an intercept and a last-layer
    approximation otherwise. Seeding by
    :func:`~albench.strategies.kernels.gradient_embedding_kmeanspp` never materialises the
    embeddings: O(b n (K + d)) time and O(n (K + d)) memory for a batch of b.
    """

    needs = frozenset({PROBA, FEATURES})

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        residual = kernels.gradient_residuals(ctx.predict_proba())
        X = np.hstack([ctx.X[ctx.pool], np.ones((ctx.pool.shape[0], 1))])
        return ctx.pool[kernels.gradient_embedding_kmeanspp(residual, X, batch_size, rng)]
