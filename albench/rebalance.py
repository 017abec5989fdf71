"""Rebalancing the labeled set before each fit (the grid's ``rebalancing`` axis).

``none`` (default), ``class_weight`` (the estimator's ``class_weight = "balanced"``), random
over- or under-sampling and SMOTE (imbalanced-learn), seeded by (seed, dataset, repetition,
round): every strategy of a repetition resamples with the same stream.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from albench.errors import AlbenchInputError
from albench.models import built_in_models
from albench.registry import REBALANCERS
from albench.strategies.base import check_int


class Rebalancer(BaseEstimator):
    """Base class: prepare the estimator and/or resample the training set."""

    def __init__(self) -> None:
        pass

    def validate(self) -> None:
        """Raise an input error naming a bad parameter."""

    def unsupported(self, estimator: Any) -> str | None:
        """Why ``estimator`` cannot be rebalanced this way, or ``None``."""
        return None

    def prepare(self, estimator: Any) -> Any:
        """The estimator as this rebalancer needs it (unchanged by default)."""
        return estimator

    def resample(self, X: np.ndarray, y: np.ndarray, random_state: int) -> tuple[np.ndarray, np.ndarray]:
        """The training set to fit on (unchanged by default)."""
        return X, y


@REBALANCERS.register("none", description="No rebalancing (default)")
class NoRebalancing(Rebalancer):
    """Fit on the labeled set as it is."""


@REBALANCERS.register(
    "class_weight", description="The estimator's class_weight = 'balanced' (weights inverse to class counts)"
)
class ClassWeight(Rebalancer):
    """Weight classes inversely to their labeled counts."""

    def unsupported(self, estimator):
        if "class_weight" not in estimator.get_params(deep=False):
            return "it has no class_weight parameter"
        return None

    def prepare(self, estimator):
        return estimator.set_params(class_weight="balanced")


class _Sampler(Rebalancer):
    def make(self, y: np.ndarray, random_state: int):  # pragma: no cover - overridden
        raise NotImplementedError

    def resample(self, X, y, random_state):
        if np.unique(y).shape[0] < 2:
            return X, y
        return self.make(y, random_state).fit_resample(X, y)


@REBALANCERS.register(
    "random_over", description="Random over-sampling of the smaller classes to the largest (imbalanced-learn)"
)
class RandomOver(_Sampler):
    """Duplicate random samples of the smaller classes."""

    def make(self, y, random_state):
        from imblearn.over_sampling import RandomOverSampler

        return RandomOverSampler(random_state=random_state)


@REBALANCERS.register(
    "random_under",
    description="Random under-sampling of the larger classes to the smallest (imbalanced-learn)",
)
class RandomUnder(_Sampler):
    """Drop random samples of the larger classes."""

    def make(self, y, random_state):
        from imblearn.under_sampling import RandomUnderSampler

        return RandomUnderSampler(random_state=random_state)


@REBALANCERS.register(
    "smote",
    description="SMOTE over-sampling (imbalanced-learn) when every class has more than k_neighbors labels, "
    "else random over-sampling",
    reference="Chawla et al. 2002, SMOTE",
)
class Smote(_Sampler):
    """Synthesise minority samples between labeled neighbours.

    Parameters
    ----------
    k_neighbors : int
        Neighbours SMOTE interpolates between; a round where some class has ``k_neighbors``
        labels or fewer uses random over-sampling instead.
    """

    def __init__(self, k_neighbors: int = 5) -> None:
        self.k_neighbors = k_neighbors

    def validate(self) -> None:
        check_int("k_neighbors", self.k_neighbors, 1)

    def make(self, y, random_state):
        from imblearn.over_sampling import SMOTE, RandomOverSampler

        if np.unique(y, return_counts=True)[1].min() <= self.k_neighbors:
            return RandomOverSampler(random_state=random_state)
        return SMOTE(k_neighbors=self.k_neighbors, random_state=random_state)


def check_rebalance_model(
    label: str, rebalancer: Rebalancer, model_label: str, estimator: Any, update_name: str
) -> None:
    """Reject, before any work, a rebalancer the model or the update policy cannot use."""
    if update_name == "incremental" and not isinstance(rebalancer, NoRebalancing):
        raise AlbenchInputError(
            f"rebalancing {label!r} cannot be used with update 'incremental': it rebalances the whole "
            "labeled set, which an incremental update never sees; use update 'refit' or 'warm_start'"
        )
    reason = rebalancer.unsupported(estimator)
    if reason is not None:
        ok = [name for name, est in built_in_models() if rebalancer.unsupported(est) is None]
        raise AlbenchInputError(
            f"rebalancing {label!r} cannot be used with model {model_label!r} ({type(estimator).__name__}): "
            f"{reason}; models that support it: {', '.join(ok)}"
        )
