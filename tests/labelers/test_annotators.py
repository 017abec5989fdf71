"""Several annotators: accuracies, majority votes, and the labels a vote costs."""

import numpy as np
import pytest

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import expand_grid
from albench.labelers.annotators import Annotators, majority
from albench.simulation import run_cell

from ._helpers import within_binomial

N = 20_000


def test_one_drawn_annotator_has_the_mean_accuracy():
    acc = [0.95, 0.7, 0.55]
    y = np.random.default_rng(0).integers(0, 3, N)
    state = Annotators(acc, votes=1).start(y, np.zeros((N, 1)), 3, np.random.default_rng(1))
    assert state.labels_per_query == 1
    assert within_binomial(int((state.answers == y).sum()), N, float(np.mean(acc)))


def test_majority_of_three_independent_annotators():
    p = 0.8
    y = np.random.default_rng(2).integers(0, 2, N)
    state = Annotators([p, p, p], votes=3).start(y, np.zeros((N, 1)), 2, np.random.default_rng(3))
    expected = p**3 + 3 * p**2 * (1 - p)  # at least two of three right (binary: wrong ones agree)
    assert within_binomial(int((state.answers == y).sum()), N, expected)
    assert state.labels_per_query == 3


def test_majority_ties_go_to_the_first_vote_when_tied():
    votes = np.array([[2, 1, 1], [0, 1, 2], [1, 2, 0], [0, 0, 1]])
    assert majority(votes, 3).tolist() == [1, 0, 1, 0]


@pytest.mark.parametrize(
    "acc, votes, message",
    [([0.9, 1.2], 1, "accuracies"), ([], 1, "accuracies"), ([0.9, 0.8], 3, "votes"), ([0.9], 0, "votes")],
)
def test_bad_annotators_are_rejected(acc, votes, message):
    with pytest.raises(AlbenchInputError, match=message):
        Annotators(acc, votes).validate()


def test_a_vote_of_k_spends_k_labels_of_the_budget():
    exp = parse_config(
        {
            "seed": 4,
            "repetitions": 1,
            "protocol": {"test_fraction": 0.3, "initial_size": 10, "batch_size": 5, "budget": 40},
            "grid": {
                "datasets": ["wine"],
                "strategies": ["margin"],
                "labelers": [{"name": "annotators", "accuracies": [0.9, 0.8, 0.7], "votes": 3}],
            },
        }
    )
    df = run_cell(expand_grid(exp)[0])
    queried = sum(len(q) for q in df["queried"])
    assert queried == 40 // 3  # 5 + 5 + 3 queries of 3 labels each
    assert df["n_labeled"].tolist() == [10, 15, 20, 23]
    assert df["cost_spent"].tolist() == [0.0, 15.0, 30.0, 39.0]
