"""Analysis: pure functions over the results DataFrame."""

from albench.analysis.aubc import AUBC_VARIANTS, aubc, aubc_per_cell

__all__ = ["AUBC_VARIANTS", "aubc", "aubc_per_cell"]
