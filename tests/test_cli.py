"""The command line end to end, from a subprocess, as a user runs it."""

import json

import pandas as pd
import pytest
from cli_helpers import TINY_TOML, run_cli

import albench


def test_run_tiny_config_end_to_end(tiny_config, tmp_path):
    out = tmp_path / "res"
    proc = run_cli("run", str(tiny_config), "-j", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "mean AUBC of accuracy" in proc.stdout
    for strategy in ("random", "margin", "entropy"):
        assert strategy in proc.stdout
    assert f"results: {out / 'tiny'}" in proc.stdout
    assert "albench report" in proc.stdout
    assert "12/12" in proc.stderr  # the progress bar reached the end
    root = out / "tiny"
    assert len(list((root / "cells").glob("*.parquet"))) == 12
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["experiment"] == "tiny" and len(manifest["cells"]) == 12
    df = albench.load_results(root)
    assert len(df) == 12 * 4 and set(df["dataset"]) == {"iris", "moons(n_samples=120)"}
    # a second identical run simulates nothing
    again = run_cli("run", str(tiny_config), "--out", str(out))
    assert again.returncode == 0 and "12 cell(s) already stored" in again.stderr
    assert "ran 0 cell(s), skipped 12" in again.stderr


def test_flags_override_the_config(tiny_config, tmp_path):
    proc = run_cli(
        "run",
        str(tiny_config),
        "--datasets",
        "wine",
        "--strategies",
        "random,margin",
        "--reps",
        "1",
        "--seed",
        "5",
        "--out",
        str(tmp_path),
        "--no-progress",
    )
    assert proc.returncode == 0, proc.stderr
    df = albench.load_results(tmp_path / "tiny")
    assert set(df["dataset"]) == {"wine"} and set(df["strategy"]) == {"random", "margin"}
    assert set(df["repetition"]) == {0} and set(df["seed"]) == {5}


BAD = [
    (["--datasets", "iriss"], "grid.datasets[0] = 'iriss': unknown dataset. Did you mean 'iris'?"),
    (["--models", "svm"], "grid.models[0] = 'svm': unknown model"),
    (["--strategies", "random,entropyy"], "grid.strategies[1] = 'entropyy': unknown strategy"),
    (["--reps", "0"], "--reps = 0"),
    (["-j", "0"], "-j/--jobs = 0"),
]


@pytest.mark.parametrize(("flags", "message"), BAD)
def test_bad_flags_exit_2_with_one_line_and_write_nothing(tiny_config, tmp_path, flags, message):
    out = tmp_path / "res"
    proc = run_cli("run", str(tiny_config), "--out", str(out), *flags)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


BAD_CONFIGS = [
    ("[protocol\nbatch_size = 2\n", "not valid TOML"),
    ("colour = 'red'\n" + TINY_TOML, "unknown key 'colour' in the top level"),
    (TINY_TOML + "\ncolour = 'red'\n", "unknown key 'colour' in [grid]; allowed keys: datasets"),
    (
        TINY_TOML.replace("batch_size = 4", "batch_size = 0"),
        "protocol.batch_size = 0: must be an integer >= 1",
    ),
    (TINY_TOML.replace("batch_size = 4", "batch_size = -2"), "protocol.batch_size = -2"),
    (TINY_TOML.replace("test_fraction = 0.3", "test_fraction = 1.5"), "protocol.test_fraction = 1.5"),
    (TINY_TOML.replace("test_fraction = 0.3", "test_fraction = 0.0"), "protocol.test_fraction = 0.0"),
    (TINY_TOML.replace("budget = 10", "budget = 5000"), "protocol.budget = 5000: larger than the pool"),
    (TINY_TOML.replace("initial_size = 6", "initial_size = 500"), "initial set of 500 labels: larger than"),
    (TINY_TOML.replace('"random", "margin"', '"random", "margn"'), "Did you mean 'margin'?"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CONFIGS)
def test_bad_configs_exit_2_with_one_line_and_write_nothing(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "res"
    proc = run_cli("run", str(path), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_missing_config_file(tmp_path):
    proc = run_cli("run", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "res"))
    assert proc.returncode == 2 and "not found" in proc.stderr


def test_list_shows_registered_components():
    proc = run_cli("list", "strategies")
    assert proc.returncode == 0
    for name in ("random", "least_confident", "margin", "entropy"):
        assert name in proc.stdout
    proc = run_cli("list")
    assert proc.returncode == 0
    for kind in ("datasets", "models", "strategies", "labelers", "metrics", "suites"):
        assert kind in proc.stdout
    assert run_cli("list", "gizmos").returncode == 2


PLUGIN = """
import numpy as np
from albench import register_strategy
from albench.strategies.base import Strategy


@register_strategy("first_in_pool", description="takes the lowest pool positions (plugin test)")
class FirstInPool(Strategy):
    def query(self, ctx, batch_size, rng):
        return ctx.pool[:batch_size]


@register_strategy("explodes", description="always fails (plugin test)")
class Explodes(Strategy):
    def query(self, ctx, batch_size, rng):
        raise ZeroDivisionError("boom")
"""


def test_plugin_file_strategies_run_in_parallel_workers_and_failures_are_reported(tiny_config, tmp_path):
    plugin = tmp_path / "my_plugin.py"
    plugin.write_text(PLUGIN)
    out = tmp_path / "res"
    proc = run_cli(
        "run",
        str(tiny_config),
        "--plugin",
        str(plugin),
        "--strategies",
        "first_in_pool,explodes",
        "-j",
        "2",
        "--out",
        str(out),
    )
    assert proc.returncode == 1, proc.stderr
    assert "cell failed" in proc.stderr and "ZeroDivisionError: boom" in proc.stderr
    assert "4 cell(s) failed" in proc.stdout
    failures = list((out / "tiny" / "failed").glob("*.json"))
    assert len(failures) == 4
    assert "ZeroDivisionError" in json.loads(failures[0].read_text())["traceback"]
    df = albench.load_results(out / "tiny")
    assert set(df["strategy"]) == {"first_in_pool"} and len(df) == 4 * 4
    status = run_cli("status", str(out / "tiny"))
    assert status.returncode == 1 and "failed  4" in status.stdout and "done    4" in status.stdout
    listing = run_cli("list", "strategies", "--plugin", str(plugin))
    assert "first_in_pool" in listing.stdout


def test_broken_plugin_is_a_clear_error(tmp_path, tiny_config):
    plugin = tmp_path / "broken.py"
    plugin.write_text("import not_a_module_anywhere\n")
    proc = run_cli("run", str(tiny_config), "--plugin", str(plugin), "--out", str(tmp_path / "res"))
    assert proc.returncode == 2
    assert "broken.py" in proc.stderr and "ModuleNotFoundError" in proc.stderr
    assert not (tmp_path / "res").exists()


def test_status_and_verify(tiny_config, tmp_path):
    out = tmp_path / "res"
    assert run_cli("run", str(tiny_config), "--out", str(out), "--no-progress").returncode == 0
    status = run_cli("status", str(out / "tiny"))
    assert status.returncode == 0 and "done    12" in status.stdout and "missing 0" in status.stdout
    verify = run_cli("verify", str(out / "tiny"), "--sample", "3")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "3 of 3 re-run cell(s) identical" in verify.stdout
    # tamper with one stored cell: verify must notice
    cell = sorted((out / "tiny" / "cells").glob("*.parquet"))[0]
    df = pd.read_parquet(cell)
    df.loc[1, "accuracy"] = df.loc[1, "accuracy"] + 1e-12
    df.to_parquet(cell, index=False)
    verify_all = run_cli("verify", str(out / "tiny"), "--sample", "12")
    # rewritten behind the store's back, the file fails its checksum before any re-run
    assert verify_all.returncode == 1 and "DAMAGED" in verify_all.stdout
    # stored through the store (checksum valid), the re-run still tells the rows differ
    from albench.store import ResultStore

    ResultStore(out / "tiny").write_cell(cell.stem, df)
    verify_all = run_cli("verify", str(out / "tiny"), "--sample", "12")
    assert verify_all.returncode == 1 and "DIFFERENT" in verify_all.stdout
    assert "DAMAGED" not in verify_all.stdout
    cell.unlink()
    status = run_cli("status", str(out / "tiny"))
    assert status.returncode == 1 and "missing 1" in status.stdout


def test_status_of_a_folder_that_is_not_results(tmp_path):
    proc = run_cli("status", str(tmp_path))
    assert proc.returncode == 2 and "not an albench results folder" in proc.stderr


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (
            'models = ["random_forest"]\nupdates = ["incremental"]',
            "update 'incremental' cannot be used with model",
        ),
        ('models = ["linear_svm"]\nlabelers = [{name = "confident"}]', "needs predict_proba"),
        (
            'rebalancing = ["smote"]\nupdates = ["incremental"]\nmodels = ["sgd_classifier"]',
            "cannot be used with update",
        ),
    ],
)
def test_bad_loop_combinations_exit_2_before_work(tmp_path, grid, message):
    path = tmp_path / "bad.toml"
    path.write_text(TINY_TOML.replace('models = ["logistic_regression"]\n', "") + grid + "\n")
    out = tmp_path / "res"
    proc = run_cli("run", str(path), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_a_one_cell_run_prints_its_learning_curve(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text(
        'name = "one"\nrepetitions = 1\n[protocol]\ninitial_size = 6\nbatch_size = 5\nbudget = 15\n'
        '[grid]\ndatasets = ["iris"]\nstrategies = ["margin"]\n'
    )
    proc = run_cli("run", str(path), "--out", str(tmp_path / "res"))
    assert proc.returncode == 0, proc.stderr
    assert "learning curve: iris / logistic_regression / margin / oracle" in proc.stdout
    df = albench.load_results(tmp_path / "res" / "one")
    for rnd, n in zip(df["round"], df["n_labeled"], strict=True):
        assert any(line.split("│")[1:3] == [f" {rnd:>5} ", f" {n:>9} "] for line in proc.stdout.splitlines())


@pytest.mark.parametrize(
    ("kind", "names"),
    [("updates", ["refit", "warm_start", "incremental"]), ("rebalancing", ["none", "class_weight", "smote"])],
)
def test_list_shows_the_loop_axes(kind, names):
    proc = run_cli("list", kind)
    assert proc.returncode == 0, proc.stderr
    assert all(n in proc.stdout for n in names)


def test_run_summary_keeps_labelers_apart(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(
        'name = "two"\nrepetitions = 1\n[protocol]\ninitial_size = 6\nbatch_size = 5\nbudget = 10\n'
        '[grid]\ndatasets = ["iris"]\nstrategies = ["margin", "random"]\n'
        'labelers = ["oracle", {name = "noisy", noise_rate = 0.3}]\n'
    )
    proc = run_cli("run", str(path), "--out", str(tmp_path / "res"), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    rows = albench.load_results(tmp_path / "res" / "two")
    table = [[c.strip() for c in line.split("│")[1:-1]] for line in proc.stdout.splitlines() if "│" in line]
    header = [[c.strip() for c in line.split("┃")[1:-1]] for line in proc.stdout.splitlines() if "┃" in line]
    assert header and header[0][:2] == ["dataset", "labeler"], proc.stdout
    for labeler in ("oracle", "noisy(noise_rate=0.3)"):
        shown = [r for r in table if r[1] == labeler]
        assert len(shown) == 1, proc.stdout
        for strategy in ("margin", "random"):
            # the AUBC by hand (variant trapezoid: round 0 included, over the labels spent)
            cell = rows[(rows["labeler"] == labeler) & (rows["strategy"] == strategy)].sort_values("round")
            x, y = cell["n_labeled"].tolist(), cell["accuracy"].tolist()
            assert x == [6, 11, 16]
            expected = sum((x[i + 1] - x[i]) * (y[i] + y[i + 1]) / 2 for i in range(2)) / (x[-1] - x[0])
            assert shown[0][header[0].index(strategy)] == f"{expected:.4f}", (labeler, strategy, proc.stdout)
