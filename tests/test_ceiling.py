"""The full-pool ceiling is fitted on the cells' features: a dataset's pipeline, fitted on the
training part, as in every cell (not the raw samples)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from albench.ceiling import ceiling_tasks, run_ceiling
from albench.config import parse_config
from albench.datasets.datadir import set_data_dir
from albench.grid import load_dataset
from albench.partition import train_test_rows
from albench.seeding import derive_int


def _experiment(features):
    entry = {"name": "file", "path": "imgs.npz", "format": "image_npz", "x_key": "x", "y_key": "y"}
    if features is not None:
        entry["features"] = features
    return parse_config(
        {
            "name": "ceil",
            "seed": 3,
            "repetitions": 1,
            "protocol": {"initial_per_class": 1, "budget": 4, "standardize": "none"},
            "grid": {
                "datasets": [entry],
                "models": [{"name": "logistic_regression", "C": 0.01}],
                "strategies": ["random"],
            },
        },
        source="test",
    )


def test_an_image_ceiling_is_fitted_on_scaled_pixels_like_the_cells(tmp_path):
    rng = np.random.default_rng(0)
    y = np.arange(60) % 2
    X = (rng.integers(0, 120, (60, 4, 4)) + 120 * y[:, None, None]).astype(np.uint8)
    np.savez(tmp_path / "imgs.npz", x=X, y=y)
    set_data_dir(tmp_path, "test")
    exp = _experiment(None)  # the image card default: scale01
    (task,) = ceiling_tasks(exp)
    got = run_ceiling(task)

    # by hand: the same split, pixels divided by the training part's largest value, the model
    ds = load_dataset(task.dataset)
    d = task.dataset.seed_name()
    train, test, _ = train_test_rows(ds, exp.protocol, task.dataset.label, 0, derive_int(3, d, 0, "split"))
    top = ds.X[train].max()
    model = LogisticRegression(C=0.01, random_state=derive_int(3, d, 0, "model"))
    model.fit(ds.X[train] / top, ds.y[train])
    expected = float((model.predict(ds.X[test] / top) == ds.y[test]).mean())
    assert got["accuracy"].item() == expected
    expected_loss = log_loss(ds.y[test], model.predict_proba(ds.X[test] / top), labels=[0, 1])
    assert got["log_loss"].item() == pytest.approx(expected_loss, rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unscaled pixels: lbfgs stops at max_iter
        raw = LogisticRegression(C=0.01, random_state=derive_int(3, d, 0, "model")).fit(
            ds.X[train], ds.y[train]
        )
    raw_loss = log_loss(ds.y[test], raw.predict_proba(ds.X[test]), labels=[0, 1])
    assert raw_loss != pytest.approx(expected_loss, rel=1e-3)  # the test tells the two apart

    # a ceiling with a pipeline is keyed apart from the raw-sample ceilings stored before
    (raw_task,) = ceiling_tasks(_experiment("none"))
    assert "features" in task.spec() and "features" not in raw_task.spec()
    assert raw_task.key != task.key
