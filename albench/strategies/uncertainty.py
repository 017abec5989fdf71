"""Uncertainty sampling: least confident, margin, entropy, ratio, decision margin."""

from __future__ import annotations

import numpy as np

from albench.registry import STRATEGIES
from albench.strategies import kernels
from albench.strategies.base import DECISION, PROBA, PROBA_OR_DECISION, QueryContext, Strategy


class _ProbabilityStrategy(Strategy):
    """Scores the pool with one probability kernel and takes the top k."""

    needs = frozenset({PROBA})
    _kernel = staticmethod(kernels.least_confident_scores)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        scores = self._kernel(ctx.predict_proba())
        return ctx.pool[kernels.select_top_k(scores, batch_size, rng)]


class _ProbabilityTopK(_ProbabilityStrategy):
    """As :class:`_ProbabilityStrategy` with a fused score + top-k (identical batch, ties included)."""

    _top_k = staticmethod(kernels.entropy_top_k)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        return ctx.pool[self._top_k(ctx.predict_proba(), batch_size, rng)]


@STRATEGIES.register(
    "least_confident",
    description="Uncertainty sampling: lowest top-class probability",
    reference="Lewis & Gale, SIGIR 1994",
)
class LeastConfident(_ProbabilityStrategy):
    """Query the samples whose most probable class has the lowest probability.

    Cost O(n k) for the scores plus O(n) selection (n pool samples, k classes).
    """

    _kernel = staticmethod(kernels.least_confident_scores)


@STRATEGIES.register(
    "entropy",
    description="Uncertainty sampling: highest predictive entropy",
    reference="Settles, Active Learning Literature Survey, 2009",
)
class Entropy(_ProbabilityTopK):
    """Query the samples with the highest entropy of the predicted class distribution.

    Cost O(n k) for the scores plus O(n) selection.
    """

    _kernel = staticmethod(kernels.entropy_scores)
    _top_k = staticmethod(kernels.entropy_top_k)


@STRATEGIES.register(
    "margin",
    description="Uncertainty sampling: smallest gap between the top two classes "
    "(decision values when the model has no probabilities)",
    reference="Scheffer et al., IDA 2001; Tong & Koller, JMLR 2001",
)
class Margin(Strategy):
    """Query the samples with the smallest margin between the two most likely classes.

    With a model lacking ``predict_proba`` the margin is taken from ``decision_function``:
    the absolute decision value (distance to the boundary) for binary problems, the gap
    between the two largest one-vs-rest values otherwise. Cost O(n k) plus O(n) selection.
    """

    needs = frozenset({PROBA_OR_DECISION})

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        if self.uses_probabilities(ctx.model):
            scores = kernels.margin_scores(ctx.predict_proba())
        else:
            scores = kernels.decision_margin_scores(ctx.decision_function())
        return ctx.pool[kernels.select_top_k(scores, batch_size, rng)]


@STRATEGIES.register(
    "ratio",
    description="Uncertainty sampling: smallest ratio of the top two class probabilities",
    reference="ratio of confidence, Munro, Human-in-the-Loop Machine Learning, 2021",
)
class Ratio(_ProbabilityStrategy):
    """Query the samples whose top two probabilities are closest in ratio, ``p_(1) / p_(2)``.

    Cost O(n k) for the scores plus O(n) selection.
    """

    _kernel = staticmethod(kernels.ratio_scores)


@STRATEGIES.register(
    "decision_margin",
    description="Distance to the decision boundary from decision values (e.g. SVMs without probabilities)",
    reference="Tong & Koller, JMLR 2001; Schohn & Cohn, ICML 2000",
)
class DecisionMargin(Strategy):
    """Query the samples closest to the decision boundary, from ``decision_function`` only.

    Binary: smallest ``|f(x)|``; multi-class (one-vs-rest values): smallest gap between the two
    largest decision values. Needs no probabilities. Cost O(n k) plus O(n) selection.
    """

    needs = frozenset({DECISION})

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        scores = kernels.decision_margin_scores(ctx.decision_function())
        return ctx.pool[kernels.select_top_k(scores, batch_size, rng)]
