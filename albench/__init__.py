"""albench: a benchmark suite and reproducibility harness for pool-based active learning.

``import albench`` is light: the registries and the ``register_*`` decorators are plain
Python, and everything else (``albench.load_results``, the built-in components, which pull
in scikit-learn, SciPy and pandas) is imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from albench.registry import DATASETS, LABELERS, METRICS, MODELS, STOPPING, STRATEGIES, SUITES

register_dataset = DATASETS.register
register_model = MODELS.register
register_strategy = STRATEGIES.register
register_labeler = LABELERS.register
register_metric = METRICS.register

#: attribute -> module it comes from, imported on first access
_LAZY = {"load_results": "albench.store", "load_ceiling": "albench.store"}

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


def __getattr__(name: str) -> Any:
    """``albench.load_results``, ``__version__`` and the subpackages on first use."""
    if name == "__version__":
        from importlib import metadata

        try:
            version = metadata.version("albench")
        except metadata.PackageNotFoundError:  # running from a source tree
            version = "0.0.0+unknown"
        globals()["__version__"] = version
        return version
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    try:
        return import_module(f"albench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"albench.{name}":
            raise
    raise AttributeError(f"module 'albench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"__version__"})
