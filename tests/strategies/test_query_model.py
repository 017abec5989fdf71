"""A cell may query with one model and evaluate another; metrics come from the evaluation model."""

from __future__ import annotations

import numpy as np
import pytest

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import check_feasible, expand_grid
from albench.simulation import run_cell

PROTOCOL = {"test_fraction": 0.3, "initial_size": 9, "batch_size": 5, "budget": 15}


def _cells(models, strategies):
    exp = parse_config(
        {
            "name": "qm",
            "repetitions": 1,
            "protocol": PROTOCOL,
            "grid": {"datasets": ["iris"], "models": models, "strategies": strategies},
        }
    )
    check_feasible(exp)
    return {c.strategy.label: c for c in expand_grid(exp)}


def test_query_model_queries_and_evaluation_model_scores() -> None:
    cells = _cells(["linear_svm"], [{"name": "entropy", "query_model": "gaussian_nb"}, "random"])
    qm = run_cell(cells["entropy(query_model=gaussian_nb)"])
    rnd = run_cell(cells["random"])
    assert set(qm["query_model"]) == {"gaussian_nb"} and set(qm["model"]) == {"linear_svm"}
    assert set(rnd["query_model"]) == {"linear_svm"}
    # metrics are the evaluation model's: a linear SVM has no probabilities, so no log loss
    assert qm["log_loss"].isna().all()
    # round 0 is the same evaluation model on the same initial labels, whatever the strategy
    assert qm.loc[0, "accuracy"] == rnd.loc[0, "accuracy"]
    # the queries are the query model's: the same as entropy run with gaussian_nb as the only model
    nb = run_cell(_cells(["gaussian_nb"], ["entropy"])["entropy"])
    assert qm["queried"].tolist() == nb["queried"].tolist()
    assert not nb["log_loss"].isna().any()


def test_without_a_query_model_the_pairing_is_rejected_naming_both() -> None:
    with pytest.raises(AlbenchInputError, match=r"'entropy'.*predict_proba.*'linear_svm'"):
        _cells(["linear_svm"], ["entropy"])


def test_query_model_rows_are_complete() -> None:
    cells = _cells(["logistic_regression"], [{"name": "badge", "query_model": "mlp"}])
    rows = run_cell(next(iter(cells.values())))
    assert rows.shape[0] == 4  # ceil(15 / 5) + 1 rounds
    assert all(len(q) == 5 for q in rows["queried"][:-1]) and len(rows["queried"].iloc[-1]) == 0
    assert np.all(rows["n_labeled"].to_numpy() == [9, 14, 19, 24])
