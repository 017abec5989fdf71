"""Rebalancing the labeled set before each fit: class weights, over/under-sampling, SMOTE."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import check_feasible, expand_grid
from albench.learner import Learner
from albench.rebalance import ClassWeight, RandomOver, RandomUnder, Smote
from albench.simulation import run_cell

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
y = np.array([0] * 50 + [1] * 10)


def test_random_over_and_under_sampling_balance_the_classes():
    Xo, yo = RandomOver().resample(X, y, 1)
    assert np.bincount(yo).tolist() == [50, 50]
    Xu, yu = RandomUnder().resample(X, y, 1)
    assert np.bincount(yu).tolist() == [10, 10]
    # every resampled row is one of the labeled rows
    assert all((X == row).all(axis=1).any() for row in np.concatenate([Xo, Xu]))


def test_smote_synthesises_new_minority_points_and_falls_back_when_a_class_is_too_small():
    Xs, ys = Smote(k_neighbors=5).resample(X, y, 1)
    assert np.bincount(ys).tolist() == [50, 50]
    new = Xs[60:]
    assert not all((X == row).all(axis=1).any() for row in new)  # interpolated, not copied
    few = np.array([0] * 55 + [1] * 5)
    Xf, yf = Smote(k_neighbors=5).resample(X, few, 1)  # 5 minority labels: not more than k_neighbors
    assert np.bincount(yf).tolist() == [55, 55]
    assert all((X == row).all(axis=1).any() for row in Xf)  # random over-sampling copies rows


def test_resampling_is_seeded_by_the_round():
    a = Learner(LogisticRegression(), rebalancer=RandomUnder(), n_classes=2, seed=5)
    b = Learner(LogisticRegression(), rebalancer=RandomUnder(), n_classes=2, seed=5)
    assert np.array_equal(a.fit(0, X, y, X, y).coef_, b.fit(0, X, y, X, y).coef_)
    assert not np.array_equal(a.fit(1, X, y, X, y).coef_, b.model.coef_)  # round 1 draws anew


def test_class_weight_sets_balanced_weights():
    learner = Learner(LogisticRegression(), rebalancer=ClassWeight(), n_classes=2)
    assert learner.fit(0, X, y, X, y).class_weight == "balanced"


def experiment(models, rebalancing, updates=("refit",)):
    return parse_config(
        {
            "seed": 2,
            "repetitions": 1,
            "protocol": {"test_fraction": 0.3, "initial_per_class": 5, "batch_size": 10, "budget": 40},
            "grid": {
                "datasets": [{"name": "imbalanced_multiclass", "imbalance_ratio": 8.0, "n_samples": 600}],
                "models": list(models),
                "strategies": ["random", "margin"],
                "rebalancing": list(rebalancing),
                "updates": list(updates),
            },
        }
    )


def test_rows_record_class_counts_and_rebalancing_changes_only_the_fit():
    cells = expand_grid(
        experiment(["logistic_regression"], ["none", "random_over", {"name": "smote", "k_neighbors": 3}])
    )
    frames = {(c.strategy.name, c.rebalance.name): run_cell(c) for c in cells}
    for (_strategy, reb), df in frames.items():
        assert df["rebalance"].iloc[0] == ("smote(k_neighbors=3)" if reb == "smote" else reb)
        counts = np.array(df["class_counts"].tolist())
        assert (counts.sum(axis=1) == df["n_labeled"]).all()
        assert counts[0].tolist() == [5, 5]
    # round 0 is balanced (5 per class), so over-sampling leaves it alone; later rounds are not
    none, over = frames[("random", "none")], frames[("random", "random_over")]
    assert none["log_loss"].iloc[0] == over["log_loss"].iloc[0]
    assert not np.isclose(none["log_loss"].iloc[-1], over["log_loss"].iloc[-1])
    # the random strategy queries the same samples whatever the rebalancing (the strategy's stream)
    assert (
        frames[("random", "none")]["queried"].tolist()
        == frames[("random", "random_over")]["queried"].tolist()
    )


@pytest.mark.parametrize(
    "model, rebalancing, update, message",
    [
        (
            "gaussian_nb",
            "class_weight",
            "refit",
            "rebalancing 'class_weight' cannot be used with model 'gaussian_nb' "
            "(GaussianNB): it has no class_weight parameter; models that support it:",
        ),
        (
            "sgd_classifier",
            "smote",
            "incremental",
            "rebalancing 'smote' cannot be used with update 'incremental'",
        ),
    ],
)
def test_bad_rebalancing_combinations_fail_before_work(model, rebalancing, update, message):
    with pytest.raises(AlbenchInputError) as err:
        check_feasible(experiment([model], [rebalancing], [update]))
    assert message in str(err.value)


def test_unknown_rebalancer_is_named():
    with pytest.raises(AlbenchInputError, match="'tomek': unknown rebalancer"):
        experiment(["logistic_regression"], ["tomek"])
