"""The loop comparisons compare like with like: the bare loop and the plain script do run_cell's work."""

import os
from pathlib import Path

import numpy as np
import pytest

from albench.bench import loop as L
from albench.datasets.datadir import set_data_dir
from albench.grid import load_dataset
from albench.simulation import cell_seeds, run_cell, split_cell


def test_bare_loop_records_the_same_accuracies_as_run_cell():
    cell = L.loop_cells(("accuracy",))[0]
    X, y, X_test, y_test, initial, rs = L._cell_arrays(cell)
    bare = L.bare_loop(X, y, X_test, y_test, initial, L.LOOP_ROUNDS, L.LOOP_BATCH, rs)
    rows = run_cell(cell)
    assert len(bare) == len(rows) == L.LOOP_ROUNDS + 1
    np.testing.assert_array_equal(rows["accuracy"].to_numpy(), np.asarray(bare))


def test_loop_comparison_reports_ratios_to_the_bare_loop(monkeypatch):
    monkeypatch.setattr(L, "LOOP_ROUNDS", 2)
    out = L.loop_comparison(repeats=2)
    assert set(out) == {"bare scikit-learn loop", "run_cell, accuracy only", "run_cell, default metrics"}
    assert out["bare scikit-learn loop"]["ratio"] == 1.0
    assert all(r["median_s"] > 0 and r["ratio_q1"] <= r["ratio"] <= r["ratio_q3"] for r in out.values())


def _zhan_dir():
    for folder in [
        os.environ.get("ALBENCH_DATA"),
        Path(__file__).resolve().parents[2].parent / "shared" / "data",
    ]:
        if folder:
            for sub in (Path(folder), Path(folder) / "zhan2021"):
                if (sub / "sonar-svmstyle.txt").is_file():
                    return sub
    return None


@pytest.mark.data
@pytest.mark.parametrize(
    ("standardize", "model"), [("labeled", "rbf_svm"), ("train", "rbf_svm"), ("train", "rbf_svm_gram")]
)
def test_plain_protocol_records_the_same_accuracies_as_run_cell(standardize, model):
    folder = _zhan_dir()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the zhan2021 tests: set ALBENCH_DATA")
        pytest.skip("zhan2021 data not found (set ALBENCH_DATA)")
    set_data_dir(folder, "bench test")
    try:
        cell = L.protocol_cells(["zhan2021.sonar"], 1, standardize=standardize, model=model)[0]
        ds = load_dataset(cell.dataset)
        train, test, answers, initial = split_cell(cell, ds, cell_seeds(cell))
        y = ds.y.copy()
        y[train] = answers
        plain = L.plain_protocol(ds.X, y, train, test, initial, standardize)
        rows = run_cell(cell)
    finally:
        set_data_dir(None)
    np.testing.assert_array_equal(rows["accuracy"].to_numpy(), np.asarray(plain))


@pytest.mark.data
def test_protocol_comparison_times_the_gram_model_with_fixed_features():
    folder = _zhan_dir()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the zhan2021 tests: set ALBENCH_DATA")
        pytest.skip("zhan2021 data not found (set ALBENCH_DATA)")
    set_data_dir(folder, "bench test")
    try:
        fixed = L.protocol_comparison(["zhan2021.appendicitis"], 1, standardize="train")
        per_round = L.protocol_comparison(["zhan2021.appendicitis"], 1, standardize="labeled")
    finally:
        set_data_dir(None)
    assert set(fixed["summary"]) == {"plain script", "albench run_cell", "albench run_cell, rbf_svm_gram"}
    assert set(per_round["summary"]) == {"plain script", "albench run_cell"}
    assert fixed["cells"] == per_round["cells"] == 1
    assert all(r["total_s"] > 0 for r in fixed["summary"].values())
