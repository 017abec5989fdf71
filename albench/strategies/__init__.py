"""Query strategies. Importing this package registers the built-in strategies."""

from albench.strategies import (  # noqa: F401  (registration)
    albl,
    badge,
    bayesian,
    committee,
    density,
    diversity,
    error_reduction,
    hierarchical,
    hintsvm,
    informative,
    oracle,
    random_sampling,
    representative,
    uncertainty,
)
from albench.strategies.base import QueryContext, Strategy

__all__ = ["QueryContext", "Strategy"]
