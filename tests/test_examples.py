"""The loop's example configs parse, pass the feasibility checks, and the tutorial loop runs."""

from pathlib import Path

import pytest

from albench.config import load_config
from albench.grid import check_feasible, expand_grid
from albench.simulation import run_cell

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("name", ["iris-forest-uncertainty.toml", "ceal-mlp-adam.toml"])
def test_example_is_valid(name):
    exp = load_config(EXAMPLES / name)
    check_feasible(exp)
    assert expand_grid(exp)


def test_tutorial_loop_is_ten_rounds_of_uncertainty_sampling_with_a_forest():
    cells = expand_grid(load_config(EXAMPLES / "iris-forest-uncertainty.toml"))
    assert len(cells) == 1
    df = run_cell(cells[0])
    assert df["round"].tolist() == list(range(11))
    assert df["n_labeled"].tolist() == list(range(3, 14))
    assert (df["model"] == "random_forest").all() and (df["strategy"] == "least_confident").all()


def test_ceal_example_learns_incrementally_with_adam():
    exp = load_config(EXAMPLES / "ceal-mlp-adam.toml")
    assert [u.name for u in exp.updates] == ["incremental"]
    assert exp.models[0].resolved["solver"] == "adam"
    assert {lab.name for lab in exp.labelers} == {"oracle", "confident"}
