"""The labeling budget: labels or cost, spent query by query."""

from __future__ import annotations

import numpy as np

#: What a budget can count.
BUDGET_UNITS = ("labels", "cost")


class Budget:
    """What is left to spend, in labels or in cost.

    Parameters
    ----------
    total : float
        The budget after the initial set.
    unit : {"labels", "cost"}
        What it counts.
    """

    def __init__(self, total: float, unit: str = "labels") -> None:
        self.total = total
        self.unit = unit
        self.spent = 0.0

    @property
    def remaining(self) -> float:
        """What is left to spend."""
        return self.total - self.spent

    def affordable(self, pool: np.ndarray, prices: np.ndarray) -> np.ndarray:
        """The pool positions whose query the remaining budget can still pay for."""
        return pool[prices <= self.remaining + 1e-9]

    def batch_size(self, batch_size: int, prices: np.ndarray) -> int:
        """How many queries to ask for: at most ``batch_size``, at most what the cheapest can buy."""
        if prices.shape[0] == 0:
            return 0
        cheapest = float(prices.min())
        if cheapest <= 0:
            raise ValueError(
                f"a query priced {cheapest}: labeler prices must be positive, or the loop never ends"
            )
        return int(min(batch_size, prices.shape[0], np.floor(self.remaining / cheapest + 1e-9)))

    def take(self, chosen: np.ndarray, prices: np.ndarray) -> np.ndarray:
        """The longest prefix of ``chosen`` (in query order) that the budget pays for."""
        within = np.cumsum(prices) <= self.remaining + 1e-9
        n = int(np.argmin(within)) if not within.all() else within.shape[0]
        return chosen[:n]

    def spend(self, prices: np.ndarray) -> None:
        """Record the price of the queries asked."""
        self.spent += float(np.sum(prices))
