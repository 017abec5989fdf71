"""What a stopping criterion sees each round, and the interface every criterion implements.

A stopping criterion is an *observer* (DESIGN invariant 10): each round the loop hands it a
:class:`RoundObservation` (read-only copies of what the loop already computed) and the
criterion answers with the value it monitors and whether it would stop there. It never
changes the run: it receives no model, no random generator and no writable array, and it
returns plain floats and bools.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from albench.seeding import derive_rng

#: Default size of the stop set (Bloodgood & Vijay-Shanker 2009 used 2000 unlabeled examples).
STOP_SET_SIZE = 2000

_ARRAY_FIELDS = (
    "stop_pred",
    "stop_proba",
    "stop_decision",
    "pool",
    "pool_pred",
    "pool_proba",
    "pool_decision",
    "queried",
    "query_scores",
)


def _frozen(a: Any) -> np.ndarray | None:
    if a is None:
        return None
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class RoundObservation:
    """What the loop can show the stopping criteria after fitting the model of one round.

    Every array is copied and made read-only on construction, so no criterion can change
    what the loop holds. Fields the loop cannot provide (e.g. probabilities of a model
    without ``predict_proba``) are ``None``; a criterion that needs one records NaN and
    never stops.

    Attributes
    ----------
    round : int
        Round number (0 is the model trained on the initial labeled set).
    n_labeled : int
        Labels the model of this round was trained on.
    spent : int
        Labels spent after the initial set (``n_labeled - initial size`` for an exact
        labeler).
    budget : int
        The cell's budget in labels after the initial set.
    n_classes : int
        Number of classes of the dataset.
    stop_pred : ndarray of shape (n_stop,), optional
        The model's predicted classes (0..K-1) on the stop set (:func:`draw_stop_set`):
        the same samples every round, labeled or not.
    stop_proba : ndarray of shape (n_stop, K), optional
        Class probabilities on the stop set.
    stop_decision : ndarray, optional
        Decision values on the stop set.
    pool : ndarray of shape (n_pool,), optional
        Positions (within the training part) of the samples still unlabeled.
    pool_pred : ndarray of shape (n_pool,), optional
        Predicted classes on ``pool``.
    pool_proba : ndarray of shape (n_pool, K), optional
        Class probabilities on ``pool``.
    pool_decision : ndarray, optional
        Decision values on ``pool``.
    queried : ndarray, optional
        Positions queried in the round *before* this model was fitted (empty at round 0).
    query_scores : ndarray, optional
        The strategy's scores of ``queried``, if it exposes them.
    """

    round: int
    n_labeled: int
    spent: int
    budget: int
    n_classes: int
    stop_pred: np.ndarray | None = None
    stop_proba: np.ndarray | None = None
    stop_decision: np.ndarray | None = None
    pool: np.ndarray | None = None
    pool_pred: np.ndarray | None = None
    pool_proba: np.ndarray | None = None
    pool_decision: np.ndarray | None = None
    queried: np.ndarray | None = None
    query_scores: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in _ARRAY_FIELDS:
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        for name in ("round", "n_labeled", "spent", "budget", "n_classes"):
            object.__setattr__(self, name, int(getattr(self, name)))

    def available(self) -> tuple[str, ...]:
        """Names of the array fields that are set."""
        return tuple(
            f.name for f in fields(self) if f.name in _ARRAY_FIELDS and getattr(self, f.name) is not None
        )


class StoppingCriterion:
    """Base class of the stopping criteria: an observer with a documented interface.

    Subclasses store their parameters in ``__init__`` (scikit-learn style: nothing else
    happens there), set ``needs`` to the :class:`RoundObservation` fields they read, and
    implement :meth:`_value` and :meth:`_stops`. The loop calls :meth:`observe` once per
    round, in round order, on a fresh instance per cell (or after :meth:`reset`).
    """

    #: Observation fields this criterion reads; missing ones make its value NaN.
    needs: ClassVar[tuple[str, ...]] = ()

    def get_params(self, deep: bool = False) -> dict:
        """The constructor's parameters and their current values."""
        sig = inspect.signature(type(self).__init__)
        return {p: getattr(self, p) for p in sig.parameters if p != "self"}

    def validate(self) -> None:
        """Raise ``ValueError`` naming a bad parameter (checked when the config is read)."""

    def reset(self) -> None:
        """Forget every earlier observation (start of a new cell)."""
        self._history: list = []

    def observe(self, obs: RoundObservation) -> dict[str, float | bool]:
        """Read one round and return ``{"value": float, "would_stop": bool}``.

        ``value`` is the quantity the criterion monitors (NaN when the observation lacks a
        needed field or there is not enough history yet); ``would_stop`` says whether the rule is
        met at this round (``False`` whenever ``value`` is NaN). The answer holds only a
        Python float and a Python bool: nothing the caller could share by mistake.
        """
        if not hasattr(self, "_history"):
            self.reset()
        if any(getattr(obs, n) is None for n in self.needs):
            value = math.nan
        else:
            value = float(self._value(obs))
        stop = bool(not math.isnan(value) and self._stops(value, obs))
        return {"value": value, "would_stop": stop}

    def _value(self, obs: RoundObservation) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _stops(self, value: float, obs: RoundObservation) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


def draw_stop_set(
    seed: int, dataset_seed_name: str, repetition: int, pool: np.ndarray, size: int = STOP_SET_SIZE
) -> np.ndarray:
    """Draw the stop set once per (seed, dataset, repetition) from the initial pool.

    Parameters
    ----------
    seed : int
        The experiment seed.
    dataset_seed_name : str
        ``cell.dataset.seed_name()``: the dataset's name and resolved parameters.
    repetition : int
        The repetition.
    pool : ndarray of int
        Positions of the initial pool (training part minus the initial labeled set).
    size : int
        Stop-set size; the whole pool when it is smaller.

    Returns
    -------
    ndarray of int
        Sorted positions, a subset of ``pool``. It depends only on the arguments, never on
        the strategy, so every strategy of a repetition is judged on the same stop set
        (common random numbers).
    """
    pool = np.asarray(pool, dtype=np.int64)
    if size < 1:
        raise ValueError(f"stop set size = {size!r}: must be a positive integer")
    if pool.shape[0] <= size:
        return np.sort(pool)
    rng = derive_rng(seed, dataset_seed_name, repetition, "stop_set")
    return np.sort(rng.choice(pool, size=size, replace=False))
