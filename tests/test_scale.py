"""Scale tests: large pools and the whole quick suite are slow (``tox -e slow`` or ``pytest -m
slow``); the parallel-equals-sequential check also runs in the default suite on a smaller grid."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest

import albench
from albench.config import parse_config
from albench.grid import expand_grid
from albench.runner import run_experiment
from albench.simulation import TIMING_COLUMNS, run_cell
from albench.suites import suite_as_config


def _parallel_equals_sequential(raw: dict, tmp_path, cells: int) -> None:
    exp = parse_config(raw)
    seq = run_experiment(exp, out=tmp_path / "seq", n_jobs=1)
    par = run_experiment(exp, out=tmp_path / "par", n_jobs=2)
    assert seq.ran == par.ran == cells and not seq.failed and not par.failed
    pd.testing.assert_frame_equal(
        albench.load_results(seq.results_dir).drop(columns=list(TIMING_COLUMNS)),
        albench.load_results(par.results_dir).drop(columns=list(TIMING_COLUMNS)),
        check_exact=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["random", "margin", "coreset", "badge", "ranked_batch", "typiclust"])
def test_large_pool_needs_no_pool_by_pool_matrix(strategy):
    """A 60 000-sample pool: a pool x pool float matrix would need ~27 GiB; the cell stays under 1 GiB."""
    n = 80_000
    exp = parse_config(
        {
            "repetitions": 1,
            "protocol": {"test_fraction": 0.25, "initial_size": 50, "batch_size": 100, "budget": 300},
            "grid": {
                "datasets": [{"name": "make_classification", "n_samples": n, "n_features": 20}],
                "strategies": [strategy],
            },
        }
    )
    cell = expand_grid(exp)[0]
    tracemalloc.start()
    try:
        df = run_cell(cell)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert df["n_labeled"].tolist() == [50, 150, 250, 350]
    queried = np.concatenate([np.asarray(q) for q in df["queried"]])
    assert np.unique(queried).shape[0] == 300
    assert peak < 1 << 30, f"peak traced memory {peak / 2**20:.0f} MiB"


@pytest.mark.slow
def test_quick_suite_parallel_equals_sequential(tmp_path):
    _parallel_equals_sequential(suite_as_config("quick"), tmp_path, cells=160)


def test_quick_suite_subset_parallel_equals_sequential(tmp_path):
    """Default run: the quick suite's protocol, models and strategies on iris and digits (10
    classes, 64 features: BLAS-heavy fits, where worker thread limits could change sums), one
    repetition (16 cells)."""
    raw = suite_as_config("quick")
    raw["repetitions"] = 1
    raw["grid"]["datasets"] = ["iris", "digits"]
    _parallel_equals_sequential(raw, tmp_path, cells=16)
