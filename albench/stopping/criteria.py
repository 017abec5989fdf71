"""The built-in stopping criteria, each with its published parameters as defaults.

Every criterion records one value per round and whether its rule is met at that round;
where a run *would* stop is the first round the rule is met (:mod:`albench.analysis.stopping`).
Uncertainty-based criteria need class probabilities (a model with ``predict_proba``); with
decision values only they record NaN and never stop.
"""

from __future__ import annotations

import math

import numpy as np

from albench.registry import STOPPING
from albench.stopping.base import RoundObservation, StoppingCriterion
from albench.stopping.measures import cohen_kappa, expected_error, normalized_entropy, predicted_change_f


def _check_threshold(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} = {value!r}: must be a number in [{low}, {high}]")


def _check_window(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"window = {value!r}: must be an integer >= 1")


class _WindowedChange(StoppingCriterion):
    """Shared logic: compare successive models' stop-set predictions over a window."""

    needs = ("stop_pred",)

    def __init__(self, window: int, threshold: float) -> None:
        self.window = window
        self.threshold = threshold

    def validate(self) -> None:
        _check_window(self.window)
        _check_threshold("threshold", self.threshold, 0.0, 1.0)

    def _compare(self, previous: np.ndarray, current: np.ndarray, obs: RoundObservation) -> float:
        raise NotImplementedError  # pragma: no cover

    def _value(self, obs: RoundObservation) -> float:
        previous = getattr(self, "_previous", None)
        self._previous = obs.stop_pred
        if previous is None:
            return math.nan
        self._history.append(self._compare(previous, obs.stop_pred, obs))
        if len(self._history) < self.window:
            return math.nan
        return self._aggregate(self._history[-self.window :])

    def reset(self) -> None:
        super().reset()
        self._previous = None


@STOPPING.register(
    "stabilizing_predictions",
    description="Mean Cohen's kappa of successive models' stop-set predictions over the last `window` "
    "comparisons; stop when it reaches `threshold`",
    reference="Bloodgood & Vijay-Shanker (2009), A method for stopping active learning based on "
    "stabilizing predictions and the need for user-adjustable stopping, CoNLL (k = 3, kappa 0.99, "
    "stop set of 2000)",
)
class StabilizingPredictions(_WindowedChange):
    """Stabilizing predictions: stop once successive models agree on the stop set.

    Parameters
    ----------
    window : int, default 3
        Number of most recent kappa values averaged (the paper's k = 3).
    threshold : float, default 0.99
        Stop when the mean kappa is at least this (the paper's default).
    """

    def __init__(self, window: int = 3, threshold: float = 0.99) -> None:
        super().__init__(window, threshold)

    def _compare(self, previous, current, obs) -> float:
        return cohen_kappa(previous, current)

    def _aggregate(self, values: list[float]) -> float:
        return float(np.mean(values))

    def _stops(self, value: float, obs: RoundObservation) -> bool:
        return value >= self.threshold


@STOPPING.register(
    "predicted_change_f",
    description="Predicted change of F between successive models on the stop set; stop when every "
    "value of the last `window` is at most `threshold`",
    reference="Altschuler & Bloodgood (2019), Stopping active learning based on predicted change of "
    "F measure for text classification, IEEE ICSC (window 3 and threshold 0.05 as small-text's "
    "DeltaFScore implements it)",
)
class PredictedChangeF(_WindowedChange):
    """Predicted change of F: stop once the F-measure is predicted to have stopped moving.

    Parameters
    ----------
    window : int, default 3
        Number of most recent changes that must all be small.
    threshold : float, default 0.05
        Largest change that counts as small.
    """

    def __init__(self, window: int = 3, threshold: float = 0.05) -> None:
        super().__init__(window, threshold)

    def _compare(self, previous, current, obs) -> float:
        return predicted_change_f(previous, current, obs.n_classes)

    def _aggregate(self, values: list[float]) -> float:
        return float(np.max(values))

    def _stops(self, value: float, obs: RoundObservation) -> bool:
        return value <= self.threshold


@STOPPING.register(
    "classification_change",
    description="Share of the pool whose predicted class changed since the previous round; stop when "
    "it is at most `threshold` (0: no change at all)",
    reference="Zhu, Wang & Hovy (2008), Multi-criteria-based strategy to stop active learning for data "
    "annotation, COLING (threshold 0: no unlabeled example changes class)",
)
class ClassificationChange(StoppingCriterion):
    """Classification change: stop once no unlabeled example changes its predicted class.

    The change is measured on the samples in both this round's and the previous round's pool.

    Parameters
    ----------
    threshold : float, default 0.0
        Largest share of changed predictions that still stops.
    """

    needs = ("pool", "pool_pred")

    def __init__(self, threshold: float = 0.0) -> None:
        self.threshold = threshold

    def validate(self) -> None:
        _check_threshold("threshold", self.threshold, 0.0, 1.0)

    def reset(self) -> None:
        super().reset()
        self._previous = None

    def _value(self, obs: RoundObservation) -> float:
        previous = getattr(self, "_previous", None)
        self._previous = (obs.pool, obs.pool_pred)
        if previous is None:
            return math.nan
        common, i_prev, i_cur = np.intersect1d(previous[0], obs.pool, assume_unique=True, return_indices=True)
        if common.shape[0] == 0:
            return math.nan
        return float(np.mean(previous[1][i_prev] != obs.pool_pred[i_cur]))

    def _stops(self, value: float, obs: RoundObservation) -> bool:
        return value <= self.threshold


@STOPPING.register(
    "overall_uncertainty",
    description="Mean normalised entropy of the predictions on the pool; stop when it is at most `threshold`",
    reference="Zhu, Wang & Hovy (2008), Learning a stopping criterion for active learning for word sense "
    "disambiguation and text classification, IJCNLP (threshold 0.05 as small-text's OverallUncertainty)",
)
class OverallUncertainty(StoppingCriterion):
    """Overall uncertainty: stop once the model is, on average, certain about the pool.

    Parameters
    ----------
    threshold : float, default 0.05
        Largest mean entropy (divided by log K, so in [0, 1]) that stops.
    """

    needs = ("pool_proba",)

    def __init__(self, threshold: float = 0.05) -> None:
        self.threshold = threshold

    def validate(self) -> None:
        _check_threshold("threshold", self.threshold, 0.0, 1.0)

    def _value(self, obs: RoundObservation) -> float:
        if obs.pool_proba.shape[0] == 0:
            return math.nan
        return float(np.mean(normalized_entropy(obs.pool_proba)))

    def _stops(self, value: float, obs: RoundObservation) -> bool:
        return value <= self.threshold


@STOPPING.register(
    "max_uncertainty",
    description="Largest normalised entropy of the predictions on the pool; stop when it is at most "
    "`threshold`",
    reference="Zhu, Wang & Hovy (2008), Learning a stopping criterion for active learning for word sense "
    "disambiguation and text classification, IJCNLP (max-confidence; threshold 0.01 as Pullar-Strecker "
    "et al. 2024 evaluate it)",
)
class MaxUncertainty(StoppingCriterion):
    """Max uncertainty (max-confidence): stop once even the most uncertain pool sample is nearly certain.

    Parameters
    ----------
    threshold : float, default 0.01
        Largest maximum entropy (divided by log K) that stops.
    """

    needs = ("pool_proba",)

    def __init__(self, threshold: float = 0.01) -> None:
        self.threshold = threshold

    def validate(self) -> None:
        _check_threshold("threshold", self.threshold, 0.0, 1.0)

    def _value(self, obs: RoundObservation) -> float:
        if obs.pool_proba.shape[0] == 0:
            return math.nan
        return float(np.max(normalized_entropy(obs.pool_proba)))

    def _stops(self, value: float, obs: RoundObservation) -> bool:
        return value <= self.threshold


@STOPPING.register(
    "min_expected_error",
    description="Expected error on the pool, mean of 1 - max class probability; stop when it is at "
    "most `threshold`",
    reference="Zhu, Wang & Hovy (2008), Learning a stopping criterion for active learning for word sense "
    "disambiguation and text classification, IJCNLP (min-error; threshold 0.01 as Pullar-Strecker et al. "
    "2024 evaluate it)",
)
class MinExpectedError(StoppingCriterion):
    """Minimum expected error: stop once the model expects almost no errors on the pool.

    Parameters
    ----------
    threshold : float, default 0.01
        Largest expected error that stops.
    """

    needs = ("pool_proba",)

    def __init__(self, threshold: float = 0.01) -> None:
        self.threshold = threshold

    def validate(self) -> None:
        _check_threshold("threshold", self.threshold, 0.0, 1.0)

    def _value(self, obs: RoundObservation) -> float:
        if obs.pool_proba.shape[0] == 0:
            return math.nan
        return expected_error(obs.pool_proba)

    def _stops(self, value: float, obs: RoundObservation) -> bool:
        return value <= self.threshold


@STOPPING.register(
    "fixed_budget",
    description="Labels spent after the initial set; stop when `labels` are spent (default: the whole "
    "budget, i.e. never stop early)",
    reference="baseline of Pullar-Strecker et al. (2024), Hitting the target: stopping active learning at "
    "the cost-based optimum, Machine Learning",
)
class FixedBudget(StoppingCriterion):
    """Fixed budget: the baseline every criterion is compared against.

    Parameters
    ----------
    labels : int or None, default None
        Stop once this many labels are spent after the initial set; ``None``: the budget.
    """

    def __init__(self, labels: int | None = None) -> None:
        self.labels = labels

    def validate(self) -> None:
        if self.labels is not None and (
            isinstance(self.labels, bool) or not isinstance(self.labels, int) or self.labels < 0
        ):
            raise ValueError(f"labels = {self.labels!r}: must be an integer >= 0, or left out (the budget)")

    def _value(self, obs: RoundObservation) -> float:
        return float(obs.spent)

    def _stops(self, value: float, obs: RoundObservation) -> bool:
        target = obs.budget if self.labels is None else min(self.labels, obs.budget)
        return value >= target
