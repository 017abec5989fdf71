"""Replaying stored cells adds the stopping columns and changes no stored value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from albench.config import parse_config
from albench.grid import expand_grid
from albench.runner import run_experiment
from albench.stopping_replay import ReplayMismatch, replay_cell, replay_results
from albench.store import ResultStore, load_results

RAW = {
    "name": "replay",
    "repetitions": 2,
    "protocol": {"initial_size": 8, "batch_size": 5, "budget": 20},
    "grid": {"datasets": ["iris"], "strategies": ["random", "margin"]},
}
CRITERIA = ["stabilizing_predictions", "classification_change", "overall_uncertainty", "fixed_budget"]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    out = tmp_path_factory.mktemp("replay")
    summary = run_experiment(parse_config(RAW), out=out, n_jobs=1, backend="sequential")
    return summary.results_dir, out


def test_replay_only_adds_columns_and_uses_the_keys_of_the_config_with_criteria(stored):
    results_dir, out = stored
    before = load_results(results_dir)
    path = replay_results(results_dir, CRITERIA, out)
    after = load_results(path)
    new_cols = [c for c in after.columns if c not in before.columns]
    assert sorted(new_cols) == sorted([f"stop_{c}" for c in CRITERIA] + [f"stop_{c}_value" for c in CRITERIA])
    same = [c for c in before.columns if c not in ("experiment", "cell_key")]
    ident = ["dataset", "model", "strategy", "labeler", "repetition", "round"]
    a = before.sort_values(ident).reset_index(drop=True)[same]
    b = after.sort_values(ident).reset_index(drop=True)[same]
    pd.testing.assert_frame_equal(a, b)
    # the keys are those a run of the config with [protocol] stopping would use
    exp = parse_config(
        {**RAW, "name": "replay-stopping", "protocol": {**RAW["protocol"], "stopping": CRITERIA}}
    )
    assert set(after["cell_key"]) == {c.key for c in expand_grid(exp)}
    # fixed_budget (the whole budget, 20 labels after 8) fires exactly at the last round
    last = after.groupby("cell_key")["round"].transform("max")
    assert (after["stop_fixed_budget"] == (after["round"] == last)).all()
    assert after["stop_stabilizing_predictions_value"].notna().any()


def test_replay_refuses_rows_its_models_do_not_reproduce(stored):
    results_dir, _ = stored
    exp = parse_config(RAW)
    cell = expand_grid(exp)[0]
    rows = pd.read_parquet(ResultStore(results_dir).cell_path(cell.key))
    rows.loc[rows["round"] == 2, "accuracy"] = np.nextafter(rows.loc[rows["round"] == 2, "accuracy"], 2.0)
    with pytest.raises(
        ReplayMismatch, match="round 2: the refitted model does not reproduce the stored accuracy"
    ):
        replay_cell(
            cell,
            rows,
            parse_config({**RAW, "protocol": {**RAW["protocol"], "stopping": CRITERIA}}).protocol.stopping,
        )
