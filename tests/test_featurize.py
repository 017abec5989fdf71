"""The feature stage of a cell: pipelines in the key (not in the seeds), fitted on training rows only."""

from __future__ import annotations

import numpy as np
import pytest

from albench.config import parse_config
from albench.datasets.features import Tfidf
from albench.errors import AlbenchInputError
from albench.grid import check_feasible, expand_grid, load_dataset
from albench.simulation import cell_seeds, partition_cell, run_cell

WORDS = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "theta"]


@pytest.fixture
def text_file(tmp_path, monkeypatch):
    from albench.datasets import cards
    from albench.datasets.datadir import ENV_VAR, set_data_dir

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.delenv(ENV_VAR, raising=False)
    set_data_dir(data_dir, "from the test")
    cards._cache.clear()
    yield _write(data_dir)
    set_data_dir(None)
    cards._cache.clear()


def _write(data_dir):
    rng = np.random.default_rng(0)
    lines = []
    for i in range(60):
        label = i % 2
        words = rng.choice(WORDS[label * 4 : label * 4 + 4], size=4)
        lines.append(f"{label} {' '.join(words)} row{i}")  # row<i>: a word only that row holds
    (data_dir / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data_dir / "toy.txt"


def _exp(features=None, **protocol):
    entry = {"name": "file", "path": "toy.txt", "format": "text_lines"}
    if features is not None:
        entry["features"] = features
    return parse_config(
        {
            "seed": 1,
            "repetitions": 2,
            "protocol": {"test_fraction": 0.25, "initial_size": 6, "batch_size": 4, "budget": 8, **protocol},
            "grid": {
                "datasets": [entry],
                "models": ["logistic_regression"],
                "strategies": ["random", "margin"],
            },
        }
    )


def test_the_test_rows_never_reach_the_pipelines_fit(text_file, monkeypatch):
    seen: list[list[str]] = []
    original = Tfidf.fit

    def spy(self, samples, meta):
        seen.append(list(samples))
        return original(self, samples, meta)

    monkeypatch.setattr(Tfidf, "fit", spy)
    cell = expand_grid(_exp({"name": "tfidf", "max_features": None}))[0]
    ds = load_dataset(cell.dataset)
    train_rows, test_rows, _, _ = partition_cell(cell, ds, cell_seeds(cell))
    df = run_cell(cell)
    assert len(seen) == 1
    assert sorted(seen[0]) == sorted(ds.raw[train_rows].tolist())
    assert set(seen[0]).isdisjoint(ds.raw[test_rows].tolist())
    assert len(df) == 3 and df["accuracy"].between(0, 1).all()


def test_pipeline_parameters_enter_the_key_but_not_the_seeds(text_file):
    default = expand_grid(_exp())
    same = expand_grid(_exp("tfidf"))
    bigrams = expand_grid(_exp({"name": "tfidf", "ngram_range": [1, 2]}))
    tokens = expand_grid(_exp("tokens"))
    assert [c.key for c in default] == [c.key for c in same]  # the default pipeline, spelled out
    keys = {c.key for c in default}
    for other in (bigrams, tokens):
        assert keys.isdisjoint(c.key for c in other)
        # every pipeline of a dataset gets the same split and initial draw
        for a, b in zip(default, other, strict=True):
            sa, sb = cell_seeds(a), cell_seeds(b)
            assert sa.split == sb.split and sa.model == sb.model
            assert np.array_equal(sa.initial.integers(0, 10**9, 5), sb.initial.integers(0, 10**9, 5))
    assert default[0].dataset.label == "file(format=text_lines, path=toy.txt)"
    assert bigrams[0].dataset.label.endswith("[tfidf(ngram_range=[1, 2])]")


def test_config_round_trip_keeps_the_keys(text_file):
    for features in (None, "tokens", {"name": "tfidf", "analyzer": "char_wb", "ngram_range": [2, 4]}):
        exp = _exp(features)
        again = parse_config(exp.to_dict())
        assert [c.key for c in expand_grid(exp)] == [c.key for c in expand_grid(again)]


def test_tabular_keys_carry_no_features():
    exp = parse_config({"grid": {"datasets": ["iris"], "strategies": ["random"]}})
    assert exp.datasets[0].extra == {} and "extra" not in exp.datasets[0].identity()


def test_standardize_labeled_is_refused_with_a_pipeline(text_file):
    with pytest.raises(AlbenchInputError, match="protocol.standardize = 'labeled'.*feature pipeline 'tfidf'"):
        check_feasible(_exp(standardize="labeled"))


def test_pipeline_output_is_not_standardised(text_file):
    # with standardize = "train" (the default) the TF-IDF rows reach the model as computed: rows of norm 1
    cell = expand_grid(_exp())[0]
    from albench.featurize import cell_features

    ds = load_dataset(cell.dataset)
    train_rows, test_rows, _, _ = partition_cell(cell, ds, cell_seeds(cell))
    X_train, _, info = cell_features(ds, cell.dataset.extra["features"], train_rows, test_rows)
    np.testing.assert_allclose(np.linalg.norm(X_train, axis=1), 1.0)
    assert info["pipeline"] == "tfidf"
