import numpy as np
import pytest

from albench.datasets.base import make_dataset
from albench.errors import AlbenchInputError
from albench.grid import load_dataset
from albench.registry import DATASETS


def test_labels_are_encoded_and_metadata_described():
    ds = make_dataset("toy", [[0.0], [1.0], [2.0], [3.0]], ["b", "a", "b", "c"])
    assert list(ds.classes) == ["a", "b", "c"]
    assert list(ds.y) == [1, 0, 1, 2]
    d = ds.describe()
    assert d["n_samples"] == 4 and d["n_features"] == 1 and d["n_classes"] == 3
    assert d["class_counts"] == {"a": 1, "b": 2, "c": 1}
    assert d["minority_fraction"] == pytest.approx(0.25)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_features_are_rejected_with_position(bad):
    X = np.zeros((5, 3))
    X[3, 2] = bad
    with pytest.raises(AlbenchInputError, match=r"dataset 'toy': 1 NaN or infinite.*row 3, column 2"):
        make_dataset("toy", X, [0, 1, 0, 1, 0])


def test_single_class_is_rejected():
    with pytest.raises(AlbenchInputError, match="dataset 'toy': needs at least 2 classes, found 1"):
        make_dataset("toy", np.zeros((4, 2)), [5, 5, 5, 5])


def test_shape_mismatch_is_rejected():
    with pytest.raises(AlbenchInputError, match="4 feature rows but labels of shape"):
        make_dataset("toy", np.zeros((4, 2)), [0, 1, 0])


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
def test_bundled_datasets_load(name):
    from albench.config import parse_dataset

    ds = load_dataset(parse_dataset(name, "grid.datasets[0]"))
    expected = {
        "iris": (150, 4, 3),
        "wine": (178, 13, 3),
        "breast_cancer": (569, 30, 2),
        "digits": (1797, 64, 10),
    }
    assert (ds.n_samples, ds.n_features, ds.n_classes) == expected[name]
    assert ds.X.dtype == np.float64 and ds.y.dtype == np.int64


def test_synthetic_families_honour_their_parameters():
    from albench.config import parse_dataset

    mc = load_dataset(
        parse_dataset(
            {
                "name": "make_classification",
                "n_samples": 300,
                "n_classes": 3,
                "n_features": 6,
                "n_informative": 3,
            },
            "d",
        )
    )
    assert (mc.n_samples, mc.n_features, mc.n_classes) == (300, 6, 3)
    imb = load_dataset(parse_dataset({"name": "imbalanced", "minority_fraction": 0.2}, "d"))
    assert imb.class_counts.min() / imb.n_samples == pytest.approx(0.2, abs=0.02)
    board = load_dataset(parse_dataset({"name": "checkerboard", "cells": 2, "n_samples": 400}, "d"))
    # 2x2 checkerboard is XOR: label = parity of the cell
    cells = np.floor(board.X).astype(int)
    assert np.array_equal(board.y, (cells[:, 0] + cells[:, 1]) % 2)
    for name in ("moons", "circles"):
        ds = load_dataset(parse_dataset({"name": name, "n_samples": 100}, "d"))
        assert ds.n_samples == 100 and ds.n_classes == 2


def test_synthetic_parameter_errors_name_the_parameter():
    from albench.config import parse_dataset

    with pytest.raises(AlbenchInputError, match="imbalanced.minority_fraction = 0.7"):
        load_dataset(parse_dataset({"name": "imbalanced", "minority_fraction": 0.7}, "d"))
    with pytest.raises(AlbenchInputError, match="has no parameter 'n_rows'"):
        parse_dataset({"name": "moons", "n_rows": 10}, "grid.datasets[0]")


def test_every_builtin_dataset_has_a_source():
    for entry in DATASETS:
        assert entry.meta.get("source")
