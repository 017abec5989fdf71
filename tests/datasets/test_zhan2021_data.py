"""Integration: a small slice of the zhan2021-binary suite on the real LIBSVM files.

The data folder is ``$ALBENCH_DATA`` if set, else ``<repo>/../shared/data/zhan2021``. Without
it the test skips, saying why, except under CI (``$CI`` set), where it fails: CI must run it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from albench.config import parse_config
from albench.datasets.cards import availability
from albench.datasets.datadir import ENV_VAR, set_data_dir
from albench.registry import DATASETS, SUITES
from albench.runner import run_experiment
from albench.store import load_results

REPO = Path(__file__).resolve().parents[2]
SLICE = ["zhan2021.appendicitis", "zhan2021.haberman", "zhan2021.sonar"]


def _zhan_dir() -> Path | None:
    candidates = [Path(os.environ[ENV_VAR])] if os.environ.get(ENV_VAR) else []
    candidates.append(REPO.parent / "shared" / "data" / "zhan2021")
    for folder in candidates:
        for sub in (folder, folder / "zhan2021"):
            if (sub / "sonar-svmstyle.txt").is_file():
                return sub
    return None


@pytest.fixture(scope="module")
def zhan_dir():
    folder = _zhan_dir()
    if folder is None:
        reason = (
            f"zhan2021 data not found (set ${ENV_VAR} to the folder holding the *-svmstyle.txt files, "
            f"or put them in {REPO.parent / 'shared' / 'data' / 'zhan2021'})"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the zhan2021 integration test: {reason}")
        pytest.skip(reason)
    set_data_dir(folder, "zhan2021 test")
    yield folder
    set_data_dir(None)


@pytest.mark.data
def test_every_card_matches_its_file(zhan_dir):
    names = SUITES.get("zhan2021-binary").obj["datasets"] + SUITES.get("zhan2021-multiclass").obj["datasets"]
    for name in names:
        assert availability(DATASETS.get(name)) == "yes", name
    iris = DATASETS.get("zhan2021.iris").obj()
    assert iris.n_classes == 3 and iris.classes.tolist() == [1.0, 2.0, 3.0]
    park = DATASETS.get("zhan2021.parkinsons").obj()
    assert park.classes.tolist() == [0.0, 1.0]


@pytest.mark.data
def test_small_slice_of_zhan2021_binary(zhan_dir, tmp_path):
    raw = {
        "name": "zhan-slice",
        "repetitions": 2,
        "suite": "zhan2021-binary",
        "protocol": {
            "test_fraction": 0.4,
            "initial_size": 20,
            "batch_size": 1,
            "budget": 15,
            "standardize": "labeled",
            "metrics": ["accuracy"],
        },
        "grid": {"models": [{"name": "rbf_svm", "gamma": "auto"}], "strategies": ["random", "margin"]},
    }
    exp = parse_config(raw)
    assert len(exp.datasets) == 26
    raw.pop("suite")
    raw["grid"]["datasets"] = SLICE
    exp = parse_config(raw)
    summary = run_experiment(exp, out=tmp_path / "results", n_jobs=2, data_dir=zhan_dir)
    assert summary.failed == [] and summary.ran == len(SLICE) * 2 * 2
    df = load_results(summary.results_dir)
    assert set(df["dataset"]) == set(SLICE)
    assert df.groupby(["dataset", "strategy", "repetition"])["round"].max().eq(15).all()
    assert df["accuracy"].between(0, 1).all()
    # every strategy of a repetition starts from the same pool: identical round-0 accuracy
    r0 = df[df["round"] == 0].pivot_table(
        index=["dataset", "repetition"], columns="strategy", values="accuracy"
    )
    np.testing.assert_array_equal(r0["random"].to_numpy(), r0["margin"].to_numpy())


@pytest.mark.data
@pytest.mark.parametrize("suite", ["zhan2021-binary", "zhan2021-multiclass"])
def test_suites_run_alone_are_feasible(zhan_dir, suite):
    from albench.grid import check_feasible
    from albench.suites import suite_as_config

    exp = parse_config(suite_as_config(suite), source=f"<suite {suite}>", default_name=suite)
    info = check_feasible(exp)
    assert len(info) == {"zhan2021-binary": 26, "zhan2021-multiclass": 8}[suite]
    root = Path(zhan_dir).resolve()
    assert all(v["sha256"] and Path(v["path"]).resolve().is_relative_to(root) for v in info.values())
