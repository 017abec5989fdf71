"""An albench plugin package: importing it registers a strategy, a dataset and a model."""

from albench_example_plugin import dataset, model, strategy  # noqa: F401  (registration)

__version__ = "0.1.0"
