"""Labelers: who supplies the labels of queried samples (the grid's ``labelers`` axis).

A labeler draws, once per (seed, dataset, repetition, labeler), everything random about its
answers (flips, which annotator answers, refusals) into a :class:`LabelerState`. Drawing per
sample up front keeps common random numbers: every strategy of a repetition that queries a
sample gets the same answer for it, at the same cost. See ``docs/labelers.md``.
"""

from albench.labelers import annotators, confidence, cost, noise  # noqa: F401  (registration)
from albench.labelers.base import Answered, Labeler, LabelerState

__all__ = ["Answered", "Labeler", "LabelerState"]
