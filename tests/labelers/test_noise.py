"""Noisy labelers: observed flip rates match the configured ones; flips are common random numbers."""

import numpy as np
import pytest

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import expand_grid, load_dataset
from albench.labelers.noise import BoundaryNoise, ConfusionNoise, NoisyOracle
from albench.simulation import cell_seeds, run_cell, split_cell

from ._helpers import within_binomial

N = 20_000


@pytest.mark.parametrize("rate", [0.05, 0.2, 0.5])
def test_uniform_flip_rate_and_flips_go_to_other_classes(rate):
    y = np.random.default_rng(1).integers(0, 4, N)
    answers = NoisyOracle(rate).start(y, np.zeros((N, 1)), 4, np.random.default_rng(2)).answers
    flipped = answers != y
    assert within_binomial(int(flipped.sum()), N, rate)
    # a flip lands uniformly on the 3 other classes
    shift = (answers[flipped] - y[flipped]) % 4
    for s in (1, 2, 3):
        assert within_binomial(int((shift == s).sum()), int(flipped.sum()), 1 / 3)


def test_confusion_matrix_rates_per_class():
    m = [[0.7, 0.2, 0.1], [0.0, 1.0, 0.0], [0.25, 0.25, 0.5]]
    y = np.random.default_rng(3).integers(0, 3, N)
    answers = ConfusionNoise(m).start(y, np.zeros((N, 1)), 3, np.random.default_rng(4)).answers
    for i in range(3):
        members = answers[y == i]
        for j in range(3):
            assert within_binomial(int((members == j).sum()), members.shape[0], m[i][j])


def test_boundary_noise_mean_rate_and_more_flips_near_the_boundary():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(N, 2))
    y = (X[:, 0] + rng.normal(size=N) > 0).astype(np.int64)  # overlapping classes: moderate margins
    lab = BoundaryNoise(0.1)
    probs = lab.flip_probabilities(X, y)
    assert probs.mean() == pytest.approx(0.1, abs=1e-9)  # no cap binds at this rate
    answers = lab.start(y, X, 2, np.random.default_rng(6)).answers
    flipped = answers != y
    assert within_binomial(int(flipped.sum()), N, float(probs.mean()))
    near = np.abs(X[:, 0]) < 0.2
    assert within_binomial(int(flipped[near].sum()), int(near.sum()), float(probs[near].mean()))
    assert flipped[near].mean() > 2 * flipped[~near].mean()


@pytest.mark.parametrize(
    "matrix, message",
    [
        ([[0.5, 0.5]], "square"),
        ([[0.5, 0.6], [0.5, 0.5]], "sum to 1"),
        ([[1.5, -0.5], [0.5, 0.5]], ">= 0"),
        (None, "required"),
    ],
)
def test_bad_confusion_matrix_is_rejected(matrix, message):
    with pytest.raises(AlbenchInputError, match=message):
        ConfusionNoise(matrix).validate()


def experiment(labeler, strategies=("random", "margin", "entropy")):
    return parse_config(
        {
            "seed": 11,
            "repetitions": 2,
            "protocol": {"test_fraction": 0.3, "initial_size": 20, "batch_size": 10, "budget": 60},
            "grid": {"datasets": ["wine"], "strategies": list(strategies), "labelers": [labeler]},
        }
    )


@pytest.mark.parametrize(
    "labeler",
    [
        {"name": "noisy", "noise_rate": 0.3},
        {"name": "confusion", "matrix": [[0.6, 0.2, 0.2], [0.1, 0.8, 0.1], [0.3, 0.0, 0.7]]},
        {"name": "boundary_noise", "noise_rate": 0.3},
    ],
)
def test_flips_are_identical_across_strategies_of_a_repetition(labeler):
    cells = expand_grid(experiment(labeler))
    for rep in (0, 1):
        of_rep = [c for c in cells if c.repetition == rep]
        ds = load_dataset(of_rep[0].dataset)
        answers = [split_cell(c, ds, cell_seeds(c))[2] for c in of_rep]
        assert all(np.array_equal(answers[0], a) for a in answers[1:])
        # what each strategy was told about a sample is that common answer, wrong ones included
        train_rows = split_cell(of_rep[0], ds, cell_seeds(of_rep[0]))[0]
        told = {}
        for c in of_rep:
            df = run_cell(c)
            for q, r in zip(df["queried"], df["revealed"], strict=True):
                for row, lab in zip(q, r, strict=True):
                    told.setdefault(row, set()).add(lab)
        assert all(len(v) == 1 for v in told.values())
        pos = {row: i for i, row in enumerate(train_rows)}
        assert all(next(iter(v)) == answers[0][pos[row]] for row, v in told.items())
        assert any(next(iter(v)) != ds.y[row] for row, v in told.items())  # some answer was wrong
