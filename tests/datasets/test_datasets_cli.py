"""Command line: --data-dir, --export-splits, list datasets (source, availability), verify."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from albench.cli import main
from albench.components import build_instance
from albench.datasets.datadir import ENV_VAR, set_data_dir


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    data = tmp_path / "mydata"
    data.mkdir()
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    lines = ["p,q,label"] + [f"{a:.5f},{b:.5f},{'yes' if a > 0 else 'no'}" for a, b in X]
    (data / "toy.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "exp.toml").write_text(
        'name = "clitest"\nrepetitions = 2\n'
        "[protocol]\ninitial_size = 6\nbatch_size = 4\nbudget = 8\n"
        '[grid]\ndatasets = [{ name = "file", path = "toy.csv", target = "label" }]\n'
        'models = ["logistic_regression"]\nstrategies = ["random", "margin"]\n',
        encoding="utf-8",
    )
    yield tmp_path
    set_data_dir(None)


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_with_data_dir_and_export_then_replay_and_verify(env):
    res = _run("run", "exp.toml", "--data-dir", "mydata", "--no-progress", "--export-splits", "splits.json")
    assert res.exit_code == 0, res.output
    doc = json.loads((env / "splits.json").read_text())
    assert len(doc["datasets"]["file(path=toy.csv, target=label)"]["repetitions"]) == 2
    manifest = json.loads((env / "results" / "clitest" / "manifest.json").read_text())
    assert manifest["data_dir"] == str(env / "mydata")
    # verify finds the data through the manifest, without --data-dir
    set_data_dir(None)
    res = _run("verify", "results/clitest", "--sample", "2")
    assert res.exit_code == 0, res.output
    # replay the exported splits
    text = (env / "exp.toml").read_text().replace("[protocol]\n", '[protocol]\nsplits_file = "splits.json"\n')
    (env / "replay.toml").write_text(text.replace('name = "clitest"', 'name = "replay"'), encoding="utf-8")
    res = _run("run", "replay.toml", "--data-dir", "mydata", "--no-progress")
    assert res.exit_code == 0, res.output


def test_config_data_dir_and_env_precedence(env, monkeypatch):
    text = (env / "exp.toml").read_text()
    (env / "exp.toml").write_text('data_dir = "nowhere"\n' + text, encoding="utf-8")
    res = _run("run", "exp.toml", "--no-progress")
    assert res.exit_code == 2
    assert "not found" in res.output and str(env / "nowhere" / "toy.csv") in res.output
    assert "from the config's data_dir" in res.output
    assert not (env / "results").exists()
    monkeypatch.setenv(ENV_VAR, str(env / "mydata"))
    res = _run("run", "exp.toml", "--no-progress")
    assert res.exit_code == 0, res.output


def test_missing_file_is_exit_2_and_nothing_written(env):
    res = _run("run", "exp.toml", "--no-progress", "--export-splits", "s.json")
    assert res.exit_code == 2
    assert "'toy.csv' not found" in res.output and str(env / "data" / "toy.csv") in res.output
    assert not (env / "results").exists() and not (env / "s.json").exists()


def test_bad_target_is_exit_2(env):
    text = (env / "exp.toml").read_text().replace('target = "label"', 'target = "klass"')
    (env / "exp.toml").write_text(text, encoding="utf-8")
    res = _run("run", "exp.toml", "--no-progress", "--data-dir", "mydata")
    assert res.exit_code == 2
    assert "target column 'klass' does not exist; columns: p, q, label" in res.output


def test_openml_name_on_the_command_line_offline(env, monkeypatch):
    import urllib.request
    from urllib.error import URLError

    import sklearn.datasets._openml as skopenml

    def refuse(*a, **k):
        raise URLError("offline")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(skopenml, "urlopen", refuse)
    monkeypatch.setenv("ALBENCH_OPENML_CACHE", str(env / "cache"))
    res = _run("run", "exp.toml", "--datasets", "openml:31", "--no-progress")
    assert res.exit_code == 2
    assert "OpenML dataset 31 is not in the local cache" in res.output
    assert not (env / "results").exists()


def test_list_datasets_shows_source_and_availability(env):
    (env / "mydata" / "zhan2021").mkdir()
    res = _run("list", "datasets", "--data-dir", "mydata")
    assert res.exit_code == 0
    assert "zhan2021.sonar" in res.output and "sonar-svmstyle.txt" in res.output
    assert "missing" in res.output and "openml:<id>" in res.output
    assert str(env / "mydata") in res.output


def test_list_suites(env):
    res = _run("list", "suites")
    assert "zhan2021-binary" in res.output and "zhan2021-multiclass" in res.output and "quick" in res.output


def test_zhan_example_config_expresses_the_protocol():
    from pathlib import Path

    from albench.config import load_config

    exp = load_config(Path(__file__).resolve().parents[2] / "examples" / "zhan2021-svm.toml")
    p = exp.protocol
    assert (p.test_fraction, p.initial_size, p.batch_size, p.budget) == (0.4, 20, 1, "pool")
    assert p.standardize == "train" and p.split == "random" and exp.repetitions == 100  # Lu et al. 2025
    assert len(exp.datasets) == 26 and all(d.name.startswith("zhan2021.") for d in exp.datasets)
    (model,) = exp.models
    assert (
        model.resolved["kernel"] == "rbf" and model.resolved["gamma"] == "auto" and model.resolved["C"] == 1.0
    )
    assert model.resolved["probability"] is not True  # margin comes from the decision function
    names = [s.name for s in exp.strategies]
    assert names[:2] == ["random", "margin"]  # uniform and margin first
    # every strategy listed is served by the SVC without probabilities, or by its own query model
    from albench.models import build_model
    from albench.strategies.base import check_strategy_model

    svm = build_model("rbf_svm", {"gamma": "auto"}, random_state=0)
    for spec in exp.strategies:
        qm = spec.extra.get("query_model")
        model = build_model(qm.name, qm.params, random_state=0) if qm else svm
        check_strategy_model(
            spec.label,
            build_instance("strategy", spec.name, spec.params, "s"),
            qm.label if qm else "rbf_svm",
            model,
        )
    # and each carries the label of the published column that lu2025-binary maps to it
    from albench.analysis.reference import load_reference

    ref = load_reference("lu2025-binary")
    mapped = set(ref.table["strategy"])
    assert {spec.label for spec in exp.strategies} <= mapped


@pytest.mark.parametrize("standardize", ["train", "labeled", "none"])
def test_standardize_is_recorded_in_the_manifest(env, standardize):
    text = (
        (env / "exp.toml").read_text().replace("[protocol]\n", f'[protocol]\nstandardize = "{standardize}"\n')
    )
    (env / "exp.toml").write_text(text, encoding="utf-8")
    res = _run("run", "exp.toml", "--data-dir", "mydata", "--no-progress")
    assert res.exit_code == 0, res.output
    manifest = json.loads((env / "results" / "clitest" / "manifest.json").read_text())
    assert manifest["config"]["protocol"]["standardize"] == standardize
