"""Deep cells through the real command line: pure under -j and resumption, verify, plugins, bad input."""

from __future__ import annotations

import json
import os

import pytest
from cli_helpers import run_cli

if not os.environ.get("CI"):
    pytest.importorskip("torch")

import pandas as pd  # noqa: E402

DEEP_TOML = """
name = "deep"
seed = 3
repetitions = 2

[protocol]
test_fraction = 0.3
initial_per_class = 1
batch_size = 5
budget = 10
standardize = "none"

[grid]
datasets = [{{name = "digits"}}]
models = [{model}]
strategies = ["random", {{name = "bald", n_samples = 5}}, {{name = "batchbald", n_samples = 5}}]
"""

CNN = '{name = "torch_cnn", epochs = 4, filters = 8, dense = 16, kernel_size = 3}'

VALUE_COLUMNS = [
    "cell_key",
    "strategy",
    "repetition",
    "round",
    "n_labeled",
    "accuracy",
    "log_loss",
    "queried",
]


def _rows(folder) -> pd.DataFrame:
    from albench import load_results

    df = load_results(folder)
    df["queried"] = df["queried"].map(tuple)
    return df[VALUE_COLUMNS].sort_values(["cell_key", "round"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def deep_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("deep")
    cfg = base / "deep.toml"
    cfg.write_text(DEEP_TOML.format(model=CNN))
    one = run_cli("run", str(cfg), "-j", "1", "--out", str(base / "j1"), "--no-progress")
    two = run_cli("run", str(cfg), "-j", "2", "--out", str(base / "j2"), "--no-progress")
    return cfg, base, one, two


def test_deep_grid_is_identical_whatever_n_jobs(deep_runs):
    cfg, base, one, two = deep_runs
    assert one.returncode == 0, one.stdout + one.stderr
    assert two.returncode == 0, two.stdout + two.stderr
    a, b = _rows(base / "j1" / "deep"), _rows(base / "j2" / "deep")
    assert len(a) == 2 * 3 * 3  # 2 repetitions x 3 strategies x (initial + 2 rounds)
    pd.testing.assert_frame_equal(a, b)
    # the strategies of a repetition start from the same initial network (common random numbers)
    r0 = a[a["round"] == 0].groupby("repetition")["accuracy"].nunique()
    assert (r0 == 1).all()


def test_verify_reruns_deep_cells_bit_for_bit(deep_runs):
    cfg, base, one, two = deep_runs
    out = run_cli("verify", str(base / "j2" / "deep"), "--sample", "6")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "6 of 6 re-run cell(s) identical" in out.stdout


def test_resumed_deep_run_equals_the_uninterrupted_one(deep_runs, tmp_path):
    cfg, base, one, two = deep_runs
    import shutil

    shutil.copytree(base / "j1", tmp_path / "r")
    cells = sorted((tmp_path / "r" / "deep" / "cells").glob("*.parquet"))
    for path in cells[:3]:  # as if the run had been stopped before these cells
        path.unlink()
    again = run_cli("run", str(cfg), "-j", "2", "--out", str(tmp_path / "r"), "--no-progress")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "skipped 3" in again.stdout + again.stderr
    pd.testing.assert_frame_equal(_rows(tmp_path / "r" / "deep"), _rows(base / "j1" / "deep"))


PLUGIN = """
from torch import nn
from albench.models.nets_registry import register_network


def tiny(input_shape, n_classes, width=16):
    return nn.Sequential(nn.Flatten(), nn.Linear(input_shape[0], width), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(width, n_classes))


register_network("tiny_net", tiny, description="one hidden layer with dropout", defaults={"epochs": 3})
"""


def test_a_researchers_own_network_from_a_plugin_file(tmp_path):
    plugin = tmp_path / "my_net.py"
    plugin.write_text(PLUGIN)
    listed = run_cli("list", "models", "--plugin", str(plugin))
    assert listed.returncode == 0 and "tiny_net" in listed.stdout
    cfg = tmp_path / "p.toml"
    cfg.write_text(
        DEEP_TOML.format(model='{name = "tiny_net", width = 8}').replace("repetitions = 2", "repetitions = 1")
    )
    out = run_cli(
        "run", str(cfg), "--plugin", str(plugin), "-j", "2", "--out", str(tmp_path / "o"), "--no-progress"
    )
    assert out.returncode == 0, out.stdout + out.stderr
    from albench import load_results

    df = load_results(tmp_path / "o" / "deep")
    assert set(df["strategy"]) == {"random", "bald(n_samples=5)", "batchbald(n_samples=5)"}
    assert '"width":8' in df["model_params"].iloc[0]
    bad = run_cli(
        "run",
        str(cfg),
        "--plugin",
        str(plugin),
        "--set",
        'grid.models=[{name="tiny_net", depth=2}]',
        "--out",
        str(tmp_path / "bad"),
    )
    assert bad.returncode == 2 and "unknown parameter(s) depth" in bad.stderr
    assert "network parameters: width" in bad.stderr


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            '{name = "torch_cnn", optimizer = "rmsprop"}',
            "optimizer = 'rmsprop': must be one of sgd, adam, adamw",
        ),
        ('{name = "torch_cnn", input_shape = [1, 9, 9]}', "holds 81 values but the data have 64 features"),
        ('{name = "torch_mlp", epochs = -1}', "epochs = -1: must be an integer >= 1"),
    ],
)
def test_bad_network_settings_exit_2_before_any_work(tmp_path, model, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(DEEP_TOML.format(model=model))
    out = run_cli("run", str(cfg), "--out", str(tmp_path / "o"))
    assert out.returncode == 2, out.stdout + out.stderr
    assert message in out.stderr
    assert not (tmp_path / "o").exists()  # nothing written for a rejected run


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="the machine has a GPU")
def test_cuda_without_a_gpu_exits_2(tmp_path):
    cfg = tmp_path / "cuda.toml"
    cfg.write_text(DEEP_TOML.format(model='{name = "torch_cnn", device = "cuda"}'))
    out = run_cli("run", str(cfg), "--out", str(tmp_path / "o"))
    assert out.returncode == 2 and "device = 'cuda': no CUDA device is available" in out.stderr
    assert not (tmp_path / "o").exists()


def test_a_diverging_network_fails_its_cells_and_the_grid_goes_on(tmp_path):
    cfg = tmp_path / "nan.toml"
    text = DEEP_TOML.format(model='{name = "torch_mlp", epochs = 3, optimizer = "sgd", lr = 1e30}')
    text = text.replace(
        'models = [{name = "torch_mlp"', 'models = ["logistic_regression", {name = "torch_mlp"'
    )
    text = text.replace(
        '{name = "bald", n_samples = 5}, {name = "batchbald", n_samples = 5}', '"margin", "entropy"'
    )
    cfg.write_text(text.replace("repetitions = 2", "repetitions = 1"))
    out = run_cli("run", str(cfg), "--out", str(tmp_path / "o"), "--no-progress")
    assert out.returncode == 1, out.stdout + out.stderr
    printed = " ".join((out.stdout + out.stderr).split())
    # the 3 network cells failed, and the network's full-pool ceiling fit (not a cell)
    assert "failed 3 of 6" in printed and "3 cell(s) and 1 ceiling fit(s) failed" in printed
    assert "lower the learning rate" in printed
    status = run_cli("status", str(tmp_path / "o" / "deep"))
    assert "failed  3" in status.stdout
    records = [json.loads(f.read_text()) for f in (tmp_path / "o" / "deep" / "failed").glob("*.json")]
    assert len(records) == 4 and all("TrainingDiverged" in r["traceback"] for r in records)
    from albench import load_results

    assert set(load_results(tmp_path / "o" / "deep")["model"]) == {"logistic_regression"}
