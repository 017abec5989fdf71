"""Adapters that bring peers' strategies into albench (optional extras, imported lazily)."""

from albench.adapters import skactiveml  # noqa: F401  (registers the "skactiveml." prefix)
