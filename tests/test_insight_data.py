"""The pools recomputed for the insight analysis are the ones the cells used."""

from __future__ import annotations

import numpy as np

from albench.config import parse_config
from albench.insight_data import results_pools
from albench.runner import run_experiment
from albench.store import ResultStore, load_results


def test_recomputed_pools_match_the_stored_rows(tmp_path):
    raw = {
        "name": "pools",
        "repetitions": 2,
        "protocol": {"initial_size": 8, "batch_size": 5, "budget": 15},
        "grid": {"datasets": ["iris", "wine"], "strategies": ["random", "margin"]},
    }
    summary = run_experiment(parse_config(raw), out=tmp_path, n_jobs=1, backend="sequential")
    df = load_results(summary.results_dir)
    pools, problems = results_pools(ResultStore(summary.results_dir).read_manifest(), df)
    assert problems == [] and len(pools) == 4
    for (ds, lab, rep), cells in df.groupby(["dataset", "labeler", "repetition"]):
        pool = pools[(ds, lab, rep)]
        assert pool.initial.shape[0] == 8 == cells["n_labeled"].min()
        initial_rows = set(pool.rows[pool.initial].tolist())
        for _, cell in cells.groupby("strategy"):
            queried = np.concatenate([np.asarray(q, dtype=np.int64) for q in cell["queried"]])
            assert queried.shape[0] == 15
            assert np.isin(queried, pool.rows).all()  # every query is a training row
            assert not initial_rows & set(queried.tolist())  # never an initially labeled one
