"""The imbalanced synthetic family takes an imbalance ratio."""

import numpy as np
import pytest

from albench.config import parse_dataset
from albench.errors import AlbenchInputError
from albench.grid import load_dataset


@pytest.mark.parametrize("ratio, n_classes", [(1.0, 2), (10.0, 2), (4.0, 3), (20.0, 4)])
def test_largest_class_is_ratio_times_the_smallest(ratio, n_classes):
    spec = {
        "name": "imbalanced_multiclass",
        "imbalance_ratio": ratio,
        "n_classes": n_classes,
        "n_samples": 2000,
    }
    counts = np.bincount(load_dataset(parse_dataset(spec, "d")).y)
    assert counts.shape[0] == n_classes
    assert np.all(np.diff(counts) <= 0)
    # make_classification rounds each class size down to an integer: allow one sample of rounding
    assert counts[0] / counts[-1] == pytest.approx(ratio, abs=ratio * (1 / counts[-1] + 1 / counts[0]) + 1e-9)


def test_a_ratio_that_leaves_a_class_too_small_is_rejected():
    with pytest.raises(AlbenchInputError, match="imbalance_ratio = 1000.0 leaves the smallest class"):
        load_dataset(
            parse_dataset({"name": "imbalanced_multiclass", "imbalance_ratio": 1000.0, "n_samples": 100}, "d")
        )
    with pytest.raises(AlbenchInputError, match="imbalance_ratio = 0.5"):
        load_dataset(parse_dataset({"name": "imbalanced_multiclass", "imbalance_ratio": 0.5}, "d"))
