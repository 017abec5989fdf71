"""Analysis: pure functions over the results DataFrame.

- :mod:`~albench.analysis.aubc`: area under the budget curve, named variants.
- :mod:`~albench.analysis.curves`: mean learning curves with bootstrap confidence bands.
- :mod:`~albench.analysis.summary`: per-cell final value, labels to a target, gain, deficiency.
- :mod:`~albench.analysis.stats`: paired Wilcoxon + Holm, ranks, Friedman, Nemenyi.
"""

from importlib import import_module
from typing import Any

#: public name -> submodule; imported on first access, so ``albench check`` (which reads
#: only the AUBC code) does not import SciPy
_SUBMODULE = {
    "AUBC_VARIANTS": "aubc",
    "aubc": "aubc",
    "aubc_per_cell": "aubc",
    "available_metrics": "common",
    "higher_is_better": "common",
    "bootstrap_mean_ci": "curves",
    "mean_curves": "curves",
    "friedman_nemenyi": "stats",
    "holm": "stats",
    "mean_ranks": "stats",
    "nemenyi_cd": "stats",
    "paired_comparisons": "stats",
    "wilcoxon_test": "stats",
    "win_tie_loss": "stats",
    "aggregate": "summary",
    "cell_summary": "summary",
    "deficiency": "summary",
    "labels_to_target": "summary",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULE:
        value = getattr(import_module(f"albench.analysis.{_SUBMODULE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'albench.analysis' has no attribute {name!r}")


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
