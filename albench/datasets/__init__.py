"""Datasets. Importing this package registers the built-in datasets."""

from albench.datasets import builtin, synthetic  # noqa: F401  (registration)
from albench.datasets.base import Dataset, make_dataset

__all__ = ["Dataset", "make_dataset"]
