"""Query strategies. Importing this package registers the built-in strategies."""

from albench.strategies import random_sampling, uncertainty  # noqa: F401  (registration)
from albench.strategies.base import QueryContext, Strategy

__all__ = ["QueryContext", "Strategy"]
