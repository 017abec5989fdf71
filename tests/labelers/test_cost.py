"""Costs and refusals: cost budgets stop at the budget, refusal rates hold, refusals cost."""

import numpy as np
import pytest

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import check_feasible, expand_grid, load_dataset
from albench.labelers.cost import Abstain, CostOracle
from albench.simulation import cell_seeds, run_cell, split_cell

from ._helpers import within_binomial


def experiment(labeler, budget=50, unit="cost", strategies=("random", "margin")):
    return parse_config(
        {
            "seed": 5,
            "repetitions": 2,
            "protocol": {
                "test_fraction": 0.3,
                "initial_size": 10,
                "batch_size": 7,
                "budget": budget,
                "budget_unit": unit,
            },
            "grid": {
                "datasets": [{"name": "moons", "n_samples": 300}],
                "strategies": list(strategies),
                "labelers": [labeler],
            },
        }
    )


@pytest.mark.parametrize("budget", [50, 23.5])
def test_cost_budget_stops_at_the_budget(budget):
    costs = [1.0, 4.0]
    for cell in expand_grid(experiment({"name": "cost", "class_costs": costs}, budget)):
        df = run_cell(cell)
        ds = load_dataset(cell.dataset)
        queried = np.concatenate([np.asarray(q, dtype=np.int64) for q in df["queried"]])
        paid = float(np.sum(np.asarray(costs)[ds.y[queried]]))  # recomputed from the true classes
        assert df["cost_spent"].iloc[-1] == pytest.approx(paid)
        assert paid <= budget
        assert np.all(np.diff(df["cost_spent"]) >= 0)
        # stopped only because nothing left in the pool was affordable
        train_rows, _, _, initial = split_cell(cell, ds, cell_seeds(cell))
        left = np.setdiff1d(np.delete(train_rows, initial), queried)
        assert np.asarray(costs)[ds.y[left]].min() > budget - paid


def test_cost_from_a_feature_column_and_constant():
    y = np.array([0, 1, 0])
    X = np.array([[1.0, -2.0], [3.0, 0.5], [2.0, 7.0]])
    assert CostOracle(column=1).sample_costs(y, X, 2).tolist() == [2.0, 0.5, 7.0]
    assert CostOracle(cost=2.5).sample_costs(y, X, 2).tolist() == [2.5, 2.5, 2.5]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"class_costs": [1, 2], "column": 0}, "not both"),
        ({"class_costs": [1, 0]}, "positive"),
        ({"cost": 0}, "cost"),
        ({"column": -1}, "column"),
    ],
)
def test_bad_costs_are_rejected(params, message):
    with pytest.raises(AlbenchInputError, match=message):
        CostOracle(**params).validate()


def test_class_costs_of_the_wrong_length_fail_before_work():
    with pytest.raises(AlbenchInputError, match="class_costs has 3 entries, the dataset has 2 classes"):
        check_feasible(experiment({"name": "cost", "class_costs": [1, 2, 3]}))


@pytest.mark.parametrize("rate", [0.1, 0.4])
def test_refusal_rate_holds_on_every_attempt(rate):
    n = 20_000
    y = np.zeros(n, dtype=np.int64)
    state = Abstain(rate).start(y, np.zeros((n, 1)), 2, np.random.default_rng(7))
    everyone = np.arange(n)
    first, second = state.answer(everyone), state.answer(everyone)
    for a in (first, second):
        assert within_binomial(int(a.refused.sum()), n, rate)
        assert (a.labels[a.refused] == -1).all() and (a.labels[~a.refused] == 0).all()
        assert a.cost == n  # refusals cost too
    assert within_binomial(int((first.refused & second.refused).sum()), n, rate * rate)


@pytest.mark.parametrize("refused", ["leave", "return"])
def test_refused_samples_are_not_labeled_and_leave_or_return(refused):
    exp = experiment({"name": "abstain", "rate": 0.4, "refused": refused}, budget=60, unit="labels")
    total_refused = total_requeried = 0
    for cell in expand_grid(exp):
        df = run_cell(cell)
        sizes = np.array([len(q) for q in df["queried"]])
        refusals = np.array([sum(v == -1 for v in r) for r in df["revealed"]])
        assert (refusals == df["n_refused"]).all()
        assert (np.diff(df["n_labeled"]) == (sizes - refusals)[:-1]).all()
        assert df["cost_spent"].iloc[-1] == 60  # a refusal costs its label
        queried = np.concatenate([np.asarray(q) for q in df["queried"]])
        assert queried.shape[0] == 60
        # replay the rounds: a labeled sample is never queried again; a refused one only
        # returns ("return"), and then only while it has never been labeled
        labeled, refused_before = set(), set()
        for batch, answers in zip(df["queried"], df["revealed"], strict=True):
            for row, answer in zip(batch, answers, strict=True):
                assert row not in labeled
                if row in refused_before:
                    total_requeried += 1
                (refused_before if answer == -1 else labeled).add(row)
        total_refused += int(refusals.sum())
        if refused == "leave":
            assert np.unique(queried).shape[0] == queried.shape[0]
    assert total_refused > 0
    if refused == "return":
        assert total_requeried > 0  # refused samples came back into the pool and were queried again
    else:
        assert total_requeried == 0
