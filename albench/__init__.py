"""albench: a benchmark suite and reproducibility harness for pool-based active learning."""

from importlib import metadata

from albench import (  # noqa: F401  (registration)
    adapters,  # noqa: F401, I001  (registers the skactiveml. prefix; imports nothing heavy)
    datasets,
    labelers,
    metrics,
    models,
    rebalance,
    stopping,
    strategies,
    suites,
    updates,
)
from albench.registry import DATASETS, LABELERS, METRICS, MODELS, STOPPING, STRATEGIES, SUITES
from albench.store import load_results

try:
    __version__ = metadata.version("albench")
except metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+unknown"

register_dataset = DATASETS.register
register_model = MODELS.register
register_strategy = STRATEGIES.register
register_labeler = LABELERS.register
register_metric = METRICS.register

__all__ = [
    "DATASETS",
    "LABELERS",
    "METRICS",
    "MODELS",
    "STOPPING",
    "STRATEGIES",
    "SUITES",
    "load_results",
    "register_dataset",
    "register_labeler",
    "register_metric",
    "register_model",
    "register_strategy",
]
