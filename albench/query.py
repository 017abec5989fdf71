"""Checking what the strategy returned for a batch.

The contract and its check live with the strategy interface
(:func:`albench.strategies.base.check_query_result`), so that the loop and the plugin
conformance kit (:mod:`albench.testing`) apply the same rule with the same messages.
"""

from __future__ import annotations

import numpy as np

from albench.strategies.base import StrategyContractError, check_query_result

__all__ = ["StrategyContractError", "check_query"]


def check_query(chosen: np.ndarray, pool: np.ndarray, k: int, label: str) -> np.ndarray:
    """``chosen`` as int64 positions, or a :class:`StrategyContractError` saying what is wrong.

    They must be ``k`` distinct integer positions taken from ``pool`` (``ctx.pool``).
    """
    return check_query_result(chosen, pool, k, label)
