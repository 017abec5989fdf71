"""Each criterion on a hand-built sequence stops where its definition says (values by hand)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from albench.registry import STOPPING
from albench.stopping import RoundObservation
from albench.stopping.criteria import (
    ClassificationChange,
    FixedBudget,
    MaxUncertainty,
    MinExpectedError,
    OverallUncertainty,
    PredictedChangeF,
    StabilizingPredictions,
)


def obs(r: int, **kw) -> RoundObservation:
    base = {"round": r, "n_labeled": 10 + 5 * r, "spent": 5 * r, "budget": 20, "n_classes": 2}
    base.update(kw)
    return RoundObservation(**base)


def run(criterion, observations):
    criterion.reset()
    answers = [criterion.observe(o) for o in observations]
    return [a["value"] for a in answers], [a["would_stop"] for a in answers]


def first_stop(stops: list[bool]) -> int | None:
    return next((i for i, s in enumerate(stops) if s), None)


def h2(p: float) -> float:
    """Binary entropy in bits (= entropy / log 2), written out independently."""
    return 0.0 if p in (0.0, 1.0) else -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def test_stabilizing_predictions_stops_when_mean_kappa_of_last_three_reaches_threshold():
    # p0 -> p1: agreement 3/4; marginals (2, 2) and (1, 3): p_e = (2*1 + 2*3) / 16 = 1/2,
    # kappa = (3/4 - 1/2) / (1/2) = 1/2. Then identical predictions: kappa 1.
    p0, p1 = [0, 0, 1, 1], [0, 1, 1, 1]
    seq = [obs(r, stop_pred=p) for r, p in enumerate([p0, p1, p1, p1, p1])]
    values, stops = run(StabilizingPredictions(), seq)
    assert all(math.isnan(v) for v in values[:3])  # fewer than 3 kappas
    assert values[3] == pytest.approx((0.5 + 1 + 1) / 3)
    assert values[4] == pytest.approx(1.0)
    assert first_stop(stops) == 4
    # a lower threshold stops one round earlier
    _, stops = run(StabilizingPredictions(threshold=0.8), seq)
    assert first_stop(stops) == 3
    # window 1: kappa of the last pair alone
    values, stops = run(StabilizingPredictions(window=1), seq)
    assert values[1] == pytest.approx(0.5) and first_stop(stops) == 2


def test_predicted_change_f_stops_when_all_changes_in_the_window_are_small():
    # [1,1,0,0] -> [1,0,0,0]: a = 1 (both positive), b + c = 1: change = 1 - 2/3 = 1/3
    seq = [
        obs(r, stop_pred=p)
        for r, p in enumerate([[1, 1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]])
    ]
    values, stops = run(PredictedChangeF(), seq)
    assert all(math.isnan(v) for v in values[:3])
    assert values[3] == pytest.approx(1 / 3)
    assert values[4] == 0.0
    assert first_stop(stops) == 4


def test_classification_change_compares_only_samples_still_in_the_pool():
    seq = [
        obs(0, pool=[0, 1, 2, 3], pool_pred=[0, 0, 1, 1]),
        obs(1, pool=[1, 2, 3], pool_pred=[0, 0, 1]),  # sample 2 changed: 1 of 3
        obs(2, pool=[1, 3], pool_pred=[0, 1]),  # nothing changed
    ]
    values, stops = run(ClassificationChange(), seq)
    assert math.isnan(values[0]) and values[1] == pytest.approx(1 / 3) and values[2] == 0.0
    assert stops == [False, False, True]
    _, stops = run(ClassificationChange(threshold=0.4), seq)
    assert first_stop(stops) == 1


def test_uncertainty_criteria_on_hand_computed_entropies():
    seq = [
        obs(0, pool_proba=[[0.5, 0.5], [0.9, 0.1]]),
        obs(1, pool_proba=[[0.9, 0.1], [0.99, 0.01]]),
        obs(2, pool_proba=[[0.999, 0.001], [1.0, 0.0]]),
    ]
    values, stops = run(OverallUncertainty(), seq)
    assert values[0] == pytest.approx((1.0 + h2(0.1)) / 2)
    assert values[1] == pytest.approx((h2(0.1) + h2(0.01)) / 2)
    assert values[2] == pytest.approx(h2(0.001) / 2)  # 0.0057 <= 0.05
    assert first_stop(stops) == 2
    values, stops = run(MaxUncertainty(), seq)
    assert values[1] == pytest.approx(h2(0.1))
    assert values[2] == pytest.approx(h2(0.001))  # 0.0114 > 0.01: does not stop
    assert first_stop(stops) is None
    _, stops = run(MaxUncertainty(threshold=0.02), seq)
    assert first_stop(stops) == 2


def test_min_expected_error():
    seq = [
        obs(0, pool_proba=[[0.9, 0.1], [0.3, 0.7]]),  # (0.1 + 0.3) / 2 = 0.2
        obs(1, pool_proba=[[0.995, 0.005], [0.01, 0.99]]),  # (0.005 + 0.01) / 2 = 0.0075
    ]
    values, stops = run(MinExpectedError(), seq)
    assert values == pytest.approx([0.2, 0.0075])
    assert stops == [False, True]


def test_fixed_budget_stops_at_its_labels_or_the_budget():
    seq = [obs(r) for r in range(5)]  # spent 0, 5, 10, 15, 20; budget 20
    values, stops = run(FixedBudget(labels=10), seq)
    assert values == [0, 5, 10, 15, 20] and first_stop(stops) == 2
    assert first_stop(run(FixedBudget(), seq)[1]) == 4
    assert first_stop(run(FixedBudget(labels=500), seq)[1]) == 4  # capped by the budget


@pytest.mark.parametrize("name", [n for n in STOPPING.names() if STOPPING.get(n).obj.needs])
def test_missing_inputs_give_nan_and_never_stop(name):
    values, stops = run(STOPPING.get(name).obj(), [obs(r) for r in range(6)])
    assert all(math.isnan(v) for v in values) and not any(stops)


@pytest.mark.parametrize("name", STOPPING.names())
def test_every_criterion_is_documented_and_returns_plain_values(name):
    entry = STOPPING.get(name)
    assert entry.reference and entry.description
    assert entry.obj.__doc__ and "Parameters" in entry.obj.__doc__
    crit = entry.obj()
    crit.validate()
    rng = np.random.default_rng(0)
    answers = []
    for r in range(5):
        proba = rng.dirichlet([1, 1], size=6)
        o = obs(
            r,
            stop_pred=rng.integers(0, 2, 8),
            pool=np.arange(r, 6),
            pool_pred=proba[r:].argmax(1),
            pool_proba=proba[r:],
        )
        answers.append(crit.observe(o))
    for a in answers:
        assert set(a) == {"value", "would_stop"}
        assert type(a["value"]) is float and type(a["would_stop"]) is bool


def test_a_criterion_cannot_write_into_the_observation():
    pred = np.array([0, 1, 1])
    o = obs(0, stop_pred=pred)
    pred[0] = 1  # the loop reusing its buffer does not change what the criterion saw
    assert o.stop_pred.tolist() == [0, 1, 1]
    with pytest.raises(ValueError):
        o.stop_pred[0] = 5
    with pytest.raises(AttributeError):
        o.round = 3


@pytest.mark.parametrize(
    ("cls", "params", "message"),
    [
        (StabilizingPredictions, {"window": 0}, "window = 0"),
        (StabilizingPredictions, {"threshold": 1.5}, "threshold = 1.5"),
        (OverallUncertainty, {"threshold": "low"}, "threshold = 'low'"),
        (FixedBudget, {"labels": 2.5}, "labels = 2.5"),
    ],
)
def test_bad_parameters_are_rejected(cls, params, message):
    with pytest.raises(ValueError, match=message):
        cls(**params).validate()
