"""Bayesian (posterior) strategies: BALD, BatchBALD, mean STD, variation ratios, MC entropy, PowerBALD.

Each reads ``T`` posterior samples per pool row (``ctx.posterior(n_samples)``: Monte-Carlo
dropout passes, or the members of an ensemble) and scores them with a pure kernel of
:mod:`albench.strategies.kernels.bayesian`. The query model must serve posterior samples
(``predict_proba_samples``: a network with dropout, or an ensemble); any other model is
rejected before work.
"""

from __future__ import annotations

import numpy as np

from albench.registry import STRATEGIES
from albench.strategies import kernels
from albench.strategies.base import POSTERIOR, QueryContext, Strategy, check_float, check_int
from albench.strategies.kernels.bayesian import DEFAULT_N_CONFIGURATIONS

#: Largest ``n_samples`` accepted (T x N x C doubles are held in memory).
MAX_SAMPLES = 10_000


class _PosteriorStrategy(Strategy):
    """Scores the pool's posterior samples with one kernel and takes the top k.

    Parameters
    ----------
    n_samples : int, default 20
        ``T``, the Monte-Carlo dropout passes per round (20 as Gal et al. 2017); an ensemble
        gives one sample per member whatever this says. At least 2.
    """

    needs = frozenset({POSTERIOR})
    _kernel = staticmethod(kernels.bald_scores)

    def __init__(self, n_samples: int = 20) -> None:
        self.n_samples = n_samples

    def validate(self) -> None:
        check_int("n_samples", self.n_samples, minimum=2, maximum=MAX_SAMPLES)

    def scores(self, ctx: QueryContext) -> np.ndarray:
        """The pool's scores, one per entry of ``ctx.pool`` (higher = more worth querying)."""
        return self._kernel(ctx.posterior(self.n_samples))

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        return ctx.pool[kernels.select_top_k(self.scores(ctx), batch_size, rng)]


@STRATEGIES.register(
    "bald",
    description="BALD: mutual information between label and parameters, H[mean p] - mean H[p]",
    reference="Houlsby et al., arXiv 2011; Gal, Islam & Ghahramani, ICML 2017",
)
class BALD(_PosteriorStrategy):
    """Query the samples whose label the model's parameters disagree on most.

    ``H[mean_t p_t] - mean_t H[p_t]`` over T posterior samples
    (:func:`~albench.strategies.kernels.bald_scores`). Cost O(T n C) plus O(n) selection.
    """

    _kernel = staticmethod(kernels.bald_scores)


@STRATEGIES.register(
    "mc_entropy",
    description="Max entropy of the mean posterior prediction (MC dropout or ensemble)",
    reference="Shannon 1948; as 'Max Entropy' in Gal, Islam & Ghahramani, ICML 2017",
)
class MCEntropy(_PosteriorStrategy):
    """Query the samples of highest entropy of the mean of T posterior samples.

    Cost O(T n C) plus O(n) selection.
    """

    _kernel = staticmethod(kernels.predictive_entropy_scores)


@STRATEGIES.register(
    "mean_std",
    description="Mean STD: mean over classes of the standard deviation over posterior samples",
    reference="Kampffmeyer et al., CVPR Workshops 2016",
)
class MeanSTD(_PosteriorStrategy):
    """Query the samples whose class probabilities vary most across T posterior samples.

    ``mean_c std_t p_tc`` (:func:`~albench.strategies.kernels.mean_std_scores`). Cost O(T n C).
    """

    _kernel = staticmethod(kernels.mean_std_scores)


@STRATEGIES.register(
    "variation_ratios",
    description="Variation ratios: 1 - share of posterior samples voting for the modal class",
    reference="Freeman, Elementary Applied Statistics, 1965; Gal, Islam & Ghahramani, ICML 2017",
)
class VariationRatios(_PosteriorStrategy):
    """Query the samples whose T posterior samples agree least on the predicted class.

    Scores take T + 1 values (``1 - j / T``), so ties are common; they are broken by the
    strategy's stream as in every top-k strategy. Cost O(T n C) plus O(n) selection.
    """

    _kernel = staticmethod(kernels.variation_ratios_scores)


@STRATEGIES.register(
    "batchbald",
    description="BatchBALD: greedy joint mutual information of the batch (exact, then sampled)",
    reference="Kirsch, van Amersfoort & Gal, NeurIPS 2019",
)
class BatchBALD(_PosteriorStrategy):
    """Build the batch greedily, each step adding the sample that most raises the batch's joint
    mutual information with the parameters (:func:`~albench.strategies.kernels.batchbald_select`).

    Parameters
    ----------
    n_samples : int, default 20
    n_configurations : int, default 10000
        ``M``: joint class configurations of the batch so far are enumerated while there are at
        most M of them (``C ** m`` after m picks), and M are sampled (from the strategy's
        stream) beyond.

    Notes
    -----
    Cost per pick O(n M C T) time, O(M T) memory plus a bounded block.
    """

    def __init__(self, n_samples: int = 20, n_configurations: int = DEFAULT_N_CONFIGURATIONS) -> None:
        self.n_samples = n_samples
        self.n_configurations = n_configurations

    def validate(self) -> None:
        super().validate()
        check_int("n_configurations", self.n_configurations, minimum=1, maximum=10_000_000)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        P = ctx.posterior(self.n_samples)
        picks = kernels.batchbald_select(P, batch_size, rng, self.n_configurations)
        return ctx.pool[picks]


@STRATEGIES.register(
    "power_bald",
    description="PowerBALD: sample the batch with probability proportional to BALD^beta (Gumbel-top-k)",
    reference="Kirsch et al., TMLR 2023 (Stochastic Batch Acquisition)",
)
class PowerBALD(_PosteriorStrategy):
    """Draw the batch without replacement, each sample with probability proportional to
    ``BALD ** beta`` (:func:`~albench.strategies.kernels.power_select`: Gumbel-top-k on
    ``beta log BALD`` from the strategy's stream).

    Parameters
    ----------
    n_samples : int, default 20
    beta : float, default 1.0
        Inverse temperature, > 0 (Kirsch et al. use 1); large values approach BALD's top-k.

    Notes
    -----
    Cost O(T n C) for BALD plus O(n) for the draw.
    """

    def __init__(self, n_samples: int = 20, beta: float = 1.0) -> None:
        self.n_samples = n_samples
        self.beta = beta

    def validate(self) -> None:
        super().validate()
        check_float("beta", self.beta, low=0.0, high=1e6, low_open=True)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        scores = kernels.bald_scores(ctx.posterior(self.n_samples))
        return ctx.pool[kernels.power_select(scores, batch_size, rng, float(self.beta))]
