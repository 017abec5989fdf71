"""Stopping criteria: observers that say, each round, whether labeling could stop.

- :mod:`~albench.stopping.base`: :class:`RoundObservation`, the criterion interface, the stop set.
- :mod:`~albench.stopping.measures`: kappa, entropy, expected error, predicted change of F.
- :mod:`~albench.stopping.criteria`: the built-in criteria (registry kind ``STOPPING``).
- :mod:`~albench.stopping.monitor`: config parsing and :func:`stopping_columns` for the loop.
"""

from albench.stopping import criteria  # noqa: F401  (registration)
from albench.stopping.base import STOP_SET_SIZE, RoundObservation, StoppingCriterion, draw_stop_set
from albench.stopping.monitor import (
    StoppingMonitor,
    StoppingSpec,
    parse_stopping,
    parse_stopping_entry,
    stopping_columns,
)

__all__ = [
    "STOP_SET_SIZE",
    "RoundObservation",
    "StoppingCriterion",
    "StoppingMonitor",
    "StoppingSpec",
    "draw_stop_set",
    "parse_stopping",
    "parse_stopping_entry",
    "stopping_columns",
]
