"""The real loop records the stopping criteria as observers: columns added, nothing changed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from albench.config import parse_config
from albench.grid import expand_grid
from albench.simulation import TIMING_COLUMNS, run_cell
from albench.stopping import parse_stopping
from albench.stopping_replay import replay_cell

CRITERIA = [
    "stabilizing_predictions",
    "classification_change",
    "overall_uncertainty",
    "max_uncertainty",
    "min_expected_error",
    "predicted_change_f",
    "fixed_budget",
]


def _raw(stopping=None, model="logistic_regression", strategy="margin"):
    protocol = {"initial_size": 8, "batch_size": 5, "budget": 30}
    if stopping is not None:
        protocol["stopping"] = stopping
    return {
        "name": "observers",
        "repetitions": 1,
        "protocol": protocol,
        "grid": {"datasets": ["wine"], "models": [model], "strategies": [strategy]},
    }


def _cell(raw):
    return expand_grid(parse_config(raw))[0]


def test_adding_criteria_to_a_config_changes_no_existing_value():
    plain = run_cell(_cell(_raw()))
    observed = run_cell(_cell(_raw(CRITERIA)))
    new = [c for c in observed.columns if c not in plain.columns]
    assert sorted(new) == sorted([f"stop_{c}" for c in CRITERIA] + [f"stop_{c}_value" for c in CRITERIA])
    keep = [c for c in plain.columns if c not in (*TIMING_COLUMNS, "cell_key")]
    pd.testing.assert_frame_equal(plain[keep], observed[keep], check_exact=True)
    # the cell key differs (the rows gain columns), the other values do not
    assert plain["cell_key"].iloc[0] != observed["cell_key"].iloc[0]
    # fixed_budget says "stop" exactly when the whole budget is spent: the last round
    assert observed["stop_fixed_budget"].tolist() == [False] * (len(observed) - 1) + [True]
    assert observed["stop_stabilizing_predictions_value"].notna().any()


def test_the_loop_and_the_replay_of_its_stored_rows_give_the_same_criteria():
    cell = _cell(_raw(CRITERIA, strategy="entropy"))
    looped = run_cell(cell)
    stop_cols = [c for c in looped.columns if c.startswith("stop_")]
    plain_rows = looped.drop(columns=stop_cols)
    replayed = replay_cell(cell, plain_rows, parse_stopping(CRITERIA))
    for c in stop_cols:
        a, b = looped[c].to_numpy(), replayed[c].to_numpy()
        if a.dtype == bool:
            assert (a == b).all(), c
        else:
            np.testing.assert_array_equal(a, b, err_msg=c)


def test_models_without_probabilities_record_nan_for_probability_criteria():
    rows = run_cell(_cell(_raw(["overall_uncertainty", "stabilizing_predictions"], model="linear_svm")))
    assert rows["stop_overall_uncertainty_value"].isna().all()
    assert not rows["stop_overall_uncertainty"].any()
    assert rows["stop_stabilizing_predictions_value"].notna().any()
