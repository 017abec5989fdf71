"""Integration on real data: criteria replayed on zhan2021 SVM cells, and their insight pools.

Needs the zhan2021 folder (``$ALBENCH_DATA``, see tests/datasets/test_zhan2021_data.py).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from albench.config import parse_config
from albench.datasets.datadir import set_data_dir
from albench.insight_data import results_pools
from albench.registry import STOPPING
from albench.runner import run_experiment
from albench.stopping_replay import replay_results
from albench.store import ResultStore, load_results
from tests.datasets.test_zhan2021_data import _zhan_dir


@pytest.fixture(scope="module")
def zhan_dir():
    folder = _zhan_dir()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the zhan2021 integration tests: data not found")
        pytest.skip("zhan2021 data not found (set $ALBENCH_DATA)")
    set_data_dir(folder, "zhan2021 test")
    yield folder
    set_data_dir(None)


@pytest.mark.data
def test_criteria_and_insight_on_zhan2021_svm_cells(zhan_dir, tmp_path):
    raw = {
        "name": "zhan-stop",
        "repetitions": 2,
        "data_dir": str(zhan_dir),
        "protocol": {"test_fraction": 0.4, "initial_size": 20, "batch_size": 10, "budget": 60},
        "grid": {
            "datasets": ["zhan2021.heart", "zhan2021.haberman"],
            "models": [{"name": "rbf_svm", "gamma": "auto", "probability": True}],
            "strategies": ["random", "margin"],
        },
    }
    summary = run_experiment(parse_config(raw), out=tmp_path, n_jobs=1, backend="sequential")
    assert not summary.failed
    path = replay_results(summary.results_dir, STOPPING.names(), tmp_path)  # raises if not reproduced
    df = load_results(path)
    assert len(df) == 8 * 7  # 8 cells x (6 rounds + round 0)
    last = df.groupby("cell_key")["round"].transform("max")
    assert (df["stop_fixed_budget"] == (df["round"] == last)).all()
    kappa = df["stop_stabilizing_predictions_value"].dropna()
    assert len(kappa) and ((kappa >= -1) & (kappa <= 1)).all()
    entropy = df["stop_overall_uncertainty_value"]
    assert entropy.notna().all() and ((entropy >= 0) & (entropy <= 1)).all()
    pools, problems = results_pools(ResultStore(path).read_manifest(), df)
    assert problems == [] and len(pools) == 4
    for pool in pools.values():
        assert pool.initial.shape[0] == 20 and np.allclose(pool.X.mean(axis=0), 0.0, atol=1e-8)
