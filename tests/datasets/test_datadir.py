"""The data directory: precedence, config-relative paths, and parallel workers."""

from __future__ import annotations

import numpy as np
import pytest

from albench.config import load_config, parse_config
from albench.datasets.datadir import ENV_VAR, get_data_dir, resolve_data_dir, set_data_dir
from albench.errors import AlbenchInputError
from albench.runner import run_experiment
from albench.store import load_results


def test_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    cfg_dir = tmp_path / "cfg"
    assert resolve_data_dir(None, "rel", cfg_dir) == (
        (cfg_dir / "rel").resolve(),
        "from the config's data_dir",
    )
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert resolve_data_dir(None, "rel", cfg_dir)[0] == (tmp_path / "env").resolve()
    assert resolve_data_dir(tmp_path / "cli", "rel", cfg_dir) == (
        (tmp_path / "cli").resolve(),
        "from --data-dir",
    )


def test_default_is_dot_data(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir() == ((tmp_path / "data").resolve(), "the default ./data")
    set_data_dir(None)
    assert get_data_dir()[0] == (tmp_path / "data").resolve()


def test_config_data_dir_is_relative_to_the_config_file(tmp_path):
    sub = tmp_path / "configs"
    sub.mkdir()
    path = sub / "exp.toml"
    path.write_text('data_dir = "../mydata"\n[grid]\ndatasets = ["iris"]\n', encoding="utf-8")
    assert load_config(path).data_dir == str((tmp_path / "mydata").resolve())
    with pytest.raises(AlbenchInputError, match="data_dir = 3"):
        parse_config({"data_dir": 3, "grid": {"datasets": ["iris"]}})


def _toy_csv(folder):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] > 0).astype(int)
    lines = ["a,b,c,y"] + [f"{r[0]:.6f},{r[1]:.6f},{r[2]:.6f},{t}" for r, t in zip(X, y, strict=True)]
    (folder / "toy.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _experiment(**protocol):
    return parse_config(
        {
            "name": "dd",
            "repetitions": 2,
            "protocol": {"initial_size": 6, "batch_size": 5, "budget": 10, "test_fraction": 0.25, **protocol},
            "grid": {
                "datasets": [{"name": "file", "path": "toy.csv"}],
                "models": ["logistic_regression"],
                "strategies": ["random", "margin"],
            },
        }
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_data_dir_reaches_the_workers(tmp_path, monkeypatch, n_jobs):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)  # ./data does not exist here
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    _toy_csv(folder)
    summary = run_experiment(_experiment(), out=tmp_path / "results", n_jobs=n_jobs, data_dir=folder)
    assert summary.failed == [] and summary.ran == 4
    df = load_results(summary.results_dir)
    assert set(df["repetition"]) == {0, 1}
    manifest = (summary.results_dir / "manifest.json").read_text()
    assert str(folder) in manifest  # the folder used is recorded (not part of any key)
    set_data_dir(None)


def test_env_var_reaches_the_workers(tmp_path, monkeypatch):
    folder = tmp_path / "envdata"
    folder.mkdir()
    _toy_csv(folder)
    monkeypatch.setenv(ENV_VAR, str(folder))
    summary = run_experiment(_experiment(), out=tmp_path / "results", n_jobs=2)
    assert summary.failed == []
    set_data_dir(None)


def test_data_dir_is_not_part_of_the_cell_keys(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    a, b = tmp_path / "a", tmp_path / "b"
    for f in (a, b):
        f.mkdir()
        _toy_csv(f)
    s1 = run_experiment(_experiment(), out=tmp_path / "r", data_dir=a)
    s2 = run_experiment(_experiment(), out=tmp_path / "r", data_dir=b)
    assert s1.ran == 4 and s2.skipped == 4  # same data, same keys, wherever it lives
    set_data_dir(None)


def test_missing_file_rejects_the_run_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(AlbenchInputError, match="'toy.csv' not found"):
        run_experiment(_experiment(), out=tmp_path / "results", data_dir=tmp_path / "empty")
    assert not (tmp_path / "results").exists()
    set_data_dir(None)


def test_single_class_dataset_rejects_the_run(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "toy.csv").write_text("a,y\n" + "".join(f"{i},x\n" for i in range(40)), encoding="utf-8")
    with pytest.raises(AlbenchInputError, match="needs at least 2 classes, found 1"):
        run_experiment(_experiment(), out=tmp_path / "results", data_dir=tmp_path)
    assert not (tmp_path / "results").exists()
    set_data_dir(None)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "file", "path": "toy.csv", "sha256": "0" * 64}, "checksum mismatch"),
        ({"name": "file", "path": "toy.csv", "target": "nope"}, "target column 'nope' does not exist"),
        ({"name": "file", "path": "gone.csv"}, "'gone.csv' not found"),
        ({"name": "openml:987654"}, "OpenML dataset 987654 is not in the local cache"),
    ],
)
def test_bad_data_rejects_the_run_and_writes_nothing(tmp_path, monkeypatch, entry, message):
    import urllib.request
    from urllib.error import URLError

    import sklearn.datasets._openml as skopenml

    def refuse(*a, **k):
        raise URLError("offline")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(skopenml, "urlopen", refuse)
    monkeypatch.setenv("ALBENCH_OPENML_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(ENV_VAR, raising=False)
    data = tmp_path / "d"
    data.mkdir()
    _toy_csv(data)
    before = sorted(p.name for p in data.iterdir())
    exp = parse_config(
        {"name": "bad", "grid": {"datasets": [entry], "strategies": ["random"]}, "protocol": {"budget": 5}}
    )
    with pytest.raises(AlbenchInputError, match=message):
        run_experiment(exp, out=tmp_path / "results", data_dir=data, export_splits=tmp_path / "s.json")
    assert not (tmp_path / "results").exists() and not (tmp_path / "s.json").exists()
    assert sorted(p.name for p in data.iterdir()) == before
    set_data_dir(None)
