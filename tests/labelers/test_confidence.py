"""Confidence-based labeling (CEAL): threshold 1.0 is the oracle; pseudo-label accuracy from true labels."""

import numpy as np
import pytest
from sklearn.base import clone

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import check_feasible, expand_grid, load_dataset
from albench.models import build_model
from albench.partition import standardize
from albench.simulation import TIMING_COLUMNS, cell_seeds, run_cell, split_cell
from albench.strategies.base import expand_proba

IDENTITY = ["cell_key", "labeler", "labeler_params", *TIMING_COLUMNS]


def experiment(labelers, models=("logistic_regression",), strategies=("random", "margin")):
    return parse_config(
        {
            "seed": 9,
            "repetitions": 1,
            "protocol": {"test_fraction": 0.3, "initial_size": 12, "batch_size": 6, "budget": 30},
            "grid": {
                "datasets": [{"name": "moons", "n_samples": 400}],
                "models": list(models),
                "strategies": list(strategies),
                "labelers": labelers,
            },
        }
    )


@pytest.mark.parametrize("model", ["logistic_regression", "random_forest"])
def test_threshold_one_equals_the_oracle_row_for_row(model):
    exp = experiment(["oracle", {"name": "confident", "threshold": 1.0}], models=[model])
    cells = expand_grid(exp)
    for strategy in ("random", "margin"):
        oracle, confident = (
            run_cell(c) for c in cells if c.strategy.name == strategy
        )  # labelers in grid order
        assert (confident["n_pseudo"] == 0).all()
        assert oracle.drop(columns=IDENTITY).equals(confident.drop(columns=IDENTITY))


def test_pseudo_labels_and_their_errors_are_those_of_the_round_zero_model():
    threshold = 0.9
    exp = experiment([{"name": "confident", "threshold": threshold}])
    for cell in expand_grid(exp):
        df = run_cell(cell)
        ds = load_dataset(cell.dataset)
        seeds = cell_seeds(cell)
        train_rows, test_rows, answers, initial = split_cell(cell, ds, seeds)
        X_train, _ = standardize(ds.X[train_rows], ds.X[test_rows], ds.X[train_rows])
        model0 = clone(build_model(cell.model.name, cell.model.params, random_state=seeds.model))
        model0.fit(X_train[initial], answers[initial])
        pos = {row: i for i, row in enumerate(train_rows)}
        unlabeled = np.ones(train_rows.shape[0], dtype=bool)
        unlabeled[initial] = False
        unlabeled[[pos[r] for r in df["queried"].iloc[0]]] = False
        pool = np.flatnonzero(unlabeled)
        proba = expand_proba(model0.predict_proba(X_train[pool]), model0.classes_, ds.n_classes)
        confident = proba.max(axis=1) > threshold
        wrong = proba[confident].argmax(axis=1) != ds.y[train_rows[pool[confident]]]
        assert df["n_pseudo"].iloc[0] == 0
        assert df["n_pseudo"].iloc[1] == int(confident.sum()) > 0
        assert df["n_pseudo_wrong"].iloc[1] == int(wrong.sum())
        assert (df["n_pseudo"].iloc[1:] > 0).all()


def test_pseudo_labels_never_spend_budget():
    exp = experiment(["oracle", {"name": "confident", "threshold": 0.8, "decay": 0.05}])
    oracle, confident = (run_cell(c) for c in expand_grid(exp) if c.strategy.name == "margin")
    assert confident["n_labeled"].tolist() == oracle["n_labeled"].tolist()
    assert confident["cost_spent"].tolist() == oracle["cost_spent"].tolist()
    assert (confident["n_pseudo"].iloc[1:] > 0).all()


def test_entropy_threshold_decays_per_round():
    from albench.labelers.confidence import ConfidentLabeler

    lab = ConfidentLabeler(criterion="entropy", threshold=0.3, decay=0.1)
    assert [lab.threshold_at(r) for r in (1, 2, 3, 4, 5)] == pytest.approx([0.3, 0.2, 0.1, 0.0, 0.0])


def test_confident_labeling_needs_probabilities():
    exp = experiment([{"name": "confident"}], models=["linear_svm"], strategies=["random"])
    with pytest.raises(AlbenchInputError, match="labeler 'confident' needs predict_proba.*linear_svm"):
        check_feasible(exp)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"criterion": "margin"}, "criterion"),
        ({"threshold": 1.5}, "threshold"),
        ({"decay": -0.1}, "decay"),
        ({"max_per_round": 0}, "max_per_round"),
    ],
)
def test_bad_confidence_parameters(params, message):
    with pytest.raises(AlbenchInputError, match=message):
        experiment([{"name": "confident", **params}])
