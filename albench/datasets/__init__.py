"""Datasets. Importing this package registers the built-in datasets, the dataset cards of the
top-level ``datasets/`` folder (with their suites) and the ``openml:<id>`` prefix."""

from albench.datasets import builtin, features, openml, synthetic  # noqa: F401  (registration)
from albench.datasets.base import Dataset, make_dataset
from albench.datasets.cards import register_builtin_cards, register_cards
from albench.datasets.datadir import get_data_dir, resolve_data_dir, set_data_dir

register_builtin_cards()

__all__ = ["Dataset", "get_data_dir", "make_dataset", "register_cards", "resolve_data_dir", "set_data_dir"]
