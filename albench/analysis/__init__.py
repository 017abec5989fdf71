"""Analysis: pure functions over the results DataFrame.

- :mod:`~albench.analysis.aubc`: area under the budget curve, named variants.
- :mod:`~albench.analysis.curves`: mean learning curves with bootstrap confidence bands.
- :mod:`~albench.analysis.summary`: per-cell final value, labels to a target, gain, deficiency.
- :mod:`~albench.analysis.stats`: paired Wilcoxon + Holm, ranks, Friedman, Nemenyi.
"""

from albench.analysis.aubc import AUBC_VARIANTS, aubc, aubc_per_cell
from albench.analysis.common import available_metrics, higher_is_better
from albench.analysis.curves import bootstrap_mean_ci, mean_curves
from albench.analysis.stats import (
    friedman_nemenyi,
    holm,
    mean_ranks,
    nemenyi_cd,
    paired_comparisons,
    wilcoxon_test,
    win_tie_loss,
)
from albench.analysis.summary import aggregate, cell_summary, deficiency, labels_to_target

__all__ = [
    "AUBC_VARIANTS",
    "aggregate",
    "aubc",
    "aubc_per_cell",
    "available_metrics",
    "bootstrap_mean_ci",
    "cell_summary",
    "deficiency",
    "friedman_nemenyi",
    "higher_is_better",
    "holm",
    "labels_to_target",
    "mean_curves",
    "mean_ranks",
    "nemenyi_cd",
    "paired_comparisons",
    "wilcoxon_test",
    "win_tie_loss",
]
