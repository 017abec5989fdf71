"""Asking the strategy for a batch, and checking what it returned."""

from __future__ import annotations

import numpy as np


class StrategyContractError(RuntimeError):
    """A strategy returned indices that break the query contract."""


def check_query(chosen: np.ndarray, pool: np.ndarray, k: int, label: str) -> np.ndarray:
    """``chosen`` as int64 positions, or a :class:`StrategyContractError` naming what is wrong.

    They must be ``k`` distinct integer positions taken from ``pool``.
    """
    chosen = np.asarray(chosen)
    if chosen.ndim != 1 or not np.issubdtype(chosen.dtype, np.integer):
        raise StrategyContractError(f"strategy {label!r} returned {chosen!r}, not a 1-D integer array")
    if chosen.shape[0] != k:
        raise StrategyContractError(f"strategy {label!r} returned {chosen.shape[0]} indices, expected {k}")
    if np.unique(chosen).shape[0] != k:
        raise StrategyContractError(f"strategy {label!r} returned duplicate indices")
    if not np.isin(chosen, pool).all():
        raise StrategyContractError(f"strategy {label!r} returned indices outside the pool")
    return chosen.astype(np.int64)
