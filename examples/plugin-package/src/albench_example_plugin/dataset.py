"""The dataset: Gaussian blobs, generated with a fixed seed."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs

from albench import register_dataset
from albench.datasets.base import Dataset


@register_dataset(
    "example_blobs", description="Three Gaussian blobs in 2-D (example plugin)", source="generated"
)
def example_blobs(n_samples: int = 300, cluster_std: float = 2.0, seed: int = 0) -> Dataset:
    """``n_samples`` points in three blobs; the same parameters give the same data."""
    X, y = make_blobs(n_samples=n_samples, centers=3, cluster_std=cluster_std, random_state=seed)
    return Dataset(
        name="example_blobs",
        X=X.astype(np.float64),
        y=y.astype(np.int64),
        classes=np.arange(3),
        feature_names=("x0", "x1"),
    )
