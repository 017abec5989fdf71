"""The learner: a model, its update policy and the rebalancing of its training set."""

from __future__ import annotations

from typing import Any

import numpy as np

from albench.rebalance import NoRebalancing, Rebalancer
from albench.seeding import derive_int
from albench.updates import Refit, UpdatePolicy, fit_iterations


class Learner:
    """Fits, continues or partial-fits one model across the rounds of a cell.

    Parameters
    ----------
    template : estimator
        The unfitted model (its random_state already derived).
    policy : UpdatePolicy
        ``refit``, ``warm_start`` or ``incremental``.
    rebalancer : Rebalancer
        Applied to the training set before each fit.
    n_classes : int
        Number of classes (``partial_fit`` needs them all up front).
    seed : int
        Seed of the rebalancer's resampling (combined with the round).
    """

    def __init__(
        self,
        template: Any,
        policy: UpdatePolicy | None = None,
        rebalancer: Rebalancer | None = None,
        n_classes: int = 2,
        seed: int = 0,
    ) -> None:
        self.rebalancer = rebalancer if rebalancer is not None else NoRebalancing()
        self.template = self.rebalancer.prepare(template)
        self.policy = policy if policy is not None else Refit()
        self.classes = np.arange(n_classes)
        self.seed = seed
        self.model: Any = None

    def fit(
        self, rnd: int, X_all: np.ndarray, y_all: np.ndarray, X_new: np.ndarray, y_new: np.ndarray
    ) -> Any:
        """Learn round ``rnd``'s labels and return the fitted model.

        Parameters
        ----------
        rnd : int
            Round number (0: the initial set).
        X_all, y_all : ndarray
            Every training sample of the round (labeled set plus pseudo-labels).
        X_new, y_new : ndarray
            What an incremental update learns this round (ignored by refit and warm start).
        """
        X_fit, y_fit = self.rebalancer.resample(X_all, y_all, derive_int(self.seed, "rebalance", rnd))
        if self.model is None:
            self.model = self.policy.start(self.template, X_fit, y_fit, self.classes)
        else:
            self.model = self.policy.update(
                self.model, self.template, X_fit, y_fit, X_new, y_new, self.classes
            )
        return self.model

    @property
    def iterations(self) -> float:
        """Iterations of the last fit, where the estimator exposes ``n_iter_`` (else NaN)."""
        return fit_iterations(self.model)
