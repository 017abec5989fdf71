"""Fixed splits: export from a run, replay identical rows, reject bad files before work."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from albench.config import parse_config
from albench.datasets.splits import read_splits, write_splits
from albench.errors import AlbenchInputError
from albench.grid import expand_grid
from albench.runner import run_experiment
from albench.simulation import TIMING_COLUMNS
from albench.splits_export import experiment_splits
from albench.store import load_results

COMPARED = [
    "dataset",
    "model",
    "strategy",
    "repetition",
    "round",
    "n_labeled",
    "accuracy",
    "f1_macro",
    "queried",
]


def _raw(**protocol):
    return {
        "name": "sp",
        "seed": 3,
        "repetitions": 2,
        "protocol": {
            "initial_size": 10,
            "batch_size": 5,
            "budget": 15,
            "metrics": ["accuracy", "f1_macro"],
            **protocol,
        },
        "grid": {
            "datasets": ["iris", {"name": "moons", "n_samples": 120}],
            "models": ["logistic_regression"],
            "strategies": ["random", "margin"],
        },
    }


def test_export_then_replay_gives_identical_rows(tmp_path):
    exp = parse_config(_raw())
    splits = tmp_path / "splits.json"
    first = run_experiment(exp, out=tmp_path / "a", export_splits=splits)
    assert first.failed == []
    doc = json.loads(splits.read_text())
    assert set(doc["datasets"]) == {"iris", "moons(n_samples=120)"}
    assert len(doc["datasets"]["iris"]["repetitions"]) == 2

    replay = parse_config(_raw(splits_file=str(splits)))
    second = run_experiment(replay, out=tmp_path / "b")
    assert second.failed == []
    a = load_results(first.results_dir).drop(columns=list(TIMING_COLUMNS))
    b = load_results(second.results_dir).drop(columns=list(TIMING_COLUMNS))
    key = ["dataset", "strategy", "repetition", "round"]
    a = a.sort_values(key).reset_index(drop=True)[COMPARED]
    b = b.sort_values(key).reset_index(drop=True)[COMPARED]
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # the splits file, not its path, is part of the key: keys differ from the random-split run
    assert {c.key for c in expand_grid(exp)}.isdisjoint({c.key for c in expand_grid(replay)})


def test_replayed_split_is_the_files(tmp_path):
    exp = parse_config(_raw())
    rows = experiment_splits(exp)["iris"]["repetitions"][0]
    train, test, initial = (np.asarray(rows[k]) for k in ("train", "test", "initial"))
    assert np.intersect1d(train, test).size == 0 and np.isin(initial, train).all()
    assert train.size + test.size == 150 and initial.size == 10


def test_key_follows_content_not_path(tmp_path):
    exp = parse_config(_raw(), source="<test>")
    doc = experiment_splits(exp)
    p1, p2 = tmp_path / "one.json", tmp_path / "sub" / "two.json"
    write_splits(p1, doc)
    write_splits(p2, doc)
    k1 = [c.key for c in expand_grid(parse_config(_raw(splits_file=str(p1))))]
    k2 = [c.key for c in expand_grid(parse_config(_raw(splits_file=str(p2))))]
    assert k1 == k2


def test_relative_splits_file_is_taken_from_the_config_folder(tmp_path):
    exp = parse_config(_raw())
    write_splits(tmp_path / "s.json", experiment_splits(exp))
    cfg = tmp_path / "exp.toml"
    cfg.write_text('[protocol]\nsplits_file = "s.json"\n[grid]\ndatasets = ["iris"]\n', encoding="utf-8")
    from albench.config import load_config

    assert load_config(cfg).protocol.splits_file == str((tmp_path / "s.json").resolve())


def _bad_file(tmp_path, mutate):
    exp = parse_config(_raw())
    doc = experiment_splits(exp)
    mutate(doc)
    path = tmp_path / "bad.json"
    write_splits(path, doc)
    return path


def _mutations():
    def out_of_range(d):
        d["iris"]["repetitions"][0]["test"][0] = 150

    def overlap(d):
        d["iris"]["repetitions"][1]["test"][0] = d["iris"]["repetitions"][1]["train"][0]

    def initial_outside(d):
        d["iris"]["repetitions"][0]["initial"][0] = d["iris"]["repetitions"][0]["test"][0]

    def missing_rep(d):
        d["iris"]["repetitions"].pop()

    def missing_dataset(d):
        d.pop("moons(n_samples=120)")

    def wrong_size(d):
        d["iris"]["n_samples"] = 151

    def repeated(d):
        rep = d["iris"]["repetitions"][0]
        rep["train"][1] = rep["train"][0]

    def one_class(d):
        rep = d["iris"]["repetitions"][0]
        rep["initial"] = [int(r) for r in rep["train"] if r < 50][:5]

    return [
        (out_of_range, "test rows must be in 0..149"),
        (overlap, "repetition 1: train and test share rows"),
        (initial_outside, "initial rows must be a subset of train"),
        (missing_rep, "splits for 1 repetition.*needs 2"),
        (missing_dataset, "no splits for dataset 'moons\\(n_samples=120\\)'"),
        (wrong_size, "has 150 rows, the splits were made for 151"),
        (repeated, "train repeats a row"),
        (one_class, "fewer than 2 classes"),
    ]


@pytest.mark.parametrize(("mutate", "message"), _mutations())
def test_bad_splits_rejected_before_work(tmp_path, mutate, message):
    path = _bad_file(tmp_path, mutate)
    exp = parse_config(_raw(splits_file=str(path)))
    with pytest.raises(AlbenchInputError, match=message):
        run_experiment(exp, out=tmp_path / "results")
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ('{"format": "x"}', "not a splits file"),
        ('{"format": "albench-splits", "version": 7}', "version = 7"),
        ('{"format": "albench-splits", "version": 1, "datasets": {}}', "must map dataset labels"),
        (
            '{"format": "albench-splits", "version": 1, "datasets": {"iris": {"n_samples": 150, '
            '"repetitions": [{"train": [1.5], "test": [], "initial": []}]}}}',
            "integer lists train, test and initial",
        ),
    ],
)
def test_malformed_splits_file(tmp_path, content, message):
    path = tmp_path / "s.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AlbenchInputError, match=message):
        parse_config(_raw(splits_file=str(path)))


def test_missing_splits_file(tmp_path):
    with pytest.raises(AlbenchInputError, match="protocol.splits_file = .*: file not found"):
        parse_config(_raw(splits_file=str(tmp_path / "none.json")))
    with pytest.raises(AlbenchInputError, match="protocol.splits_file = 3"):
        parse_config(_raw(splits_file=3))


def test_read_splits_caches_by_mtime(tmp_path):
    exp = parse_config(_raw())
    path = write_splits(tmp_path / "s.json", experiment_splits(exp))
    assert read_splits(path) is read_splits(path)


def test_export_never_overwrites_other_splits(tmp_path):
    exp = parse_config(_raw())
    path = tmp_path / "s.json"
    run_experiment(exp, out=tmp_path / "a", export_splits=path)
    before = path.read_bytes()
    run_experiment(exp, out=tmp_path / "a", export_splits=path)  # same splits: fine
    other = parse_config({**_raw(), "seed": 4})
    with pytest.raises(AlbenchInputError, match="exists with other splits"):
        run_experiment(other, out=tmp_path / "b", export_splits=path)
    assert path.read_bytes() == before
    assert not (tmp_path / "b").exists()
