"""Parameterised synthetic dataset families.

Each family takes its own ``random_state`` (default 0): the data are fixed for a given
parameter set, and repetitions vary only the split and the initial labeled set.
"""

from __future__ import annotations

import numpy as np
from sklearn import datasets as skd

from albench.datasets.base import Dataset, make_dataset
from albench.errors import AlbenchInputError
from albench.registry import DATASETS
from albench.strategies.base import check_float, check_int


@DATASETS.register(
    "make_classification",
    description="scikit-learn make_classification (Guyon 2003 hypercube clusters), parameterised",
    source="synthetic",
)
def make_classification(
    n_samples: int = 500,
    n_features: int = 20,
    n_informative: int = 5,
    n_redundant: int = 2,
    n_classes: int = 2,
    n_clusters_per_class: int = 2,
    class_sep: float = 1.0,
    flip_y: float = 0.01,
    weights: list[float] | None = None,
    random_state: int = 0,
) -> Dataset:
    """Gaussian clusters on hypercube vertices; all parameters as in scikit-learn."""
    check_int("make_classification.n_samples", n_samples, 10)
    check_int("make_classification.n_classes", n_classes, 2)
    check_float("make_classification.flip_y", flip_y, 0.0, 1.0)
    try:
        X, y = skd.make_classification(
            n_samples=n_samples,
            n_features=n_features,
            n_informative=n_informative,
            n_redundant=n_redundant,
            n_classes=n_classes,
            n_clusters_per_class=n_clusters_per_class,
            class_sep=class_sep,
            flip_y=flip_y,
            weights=weights,
            random_state=random_state,
        )
    except (ValueError, TypeError) as exc:
        raise AlbenchInputError(f"dataset 'make_classification': {exc}") from None
    return make_dataset("make_classification", X, y, meta={"source": "synthetic"})


@DATASETS.register("moons", description="Two interleaving half circles (2-D, binary)", source="synthetic")
def moons(n_samples: int = 500, noise: float = 0.2, random_state: int = 0) -> Dataset:
    """scikit-learn ``make_moons``."""
    check_int("moons.n_samples", n_samples, 10)
    check_float("moons.noise", noise, 0.0)
    X, y = skd.make_moons(n_samples=n_samples, noise=noise, random_state=random_state)
    return make_dataset("moons", X, y, meta={"source": "synthetic"})


@DATASETS.register("circles", description="Two concentric circles (2-D, binary)", source="synthetic")
def circles(n_samples: int = 500, noise: float = 0.1, factor: float = 0.5, random_state: int = 0) -> Dataset:
    """scikit-learn ``make_circles``."""
    check_int("circles.n_samples", n_samples, 10)
    check_float("circles.noise", noise, 0.0)
    check_float("circles.factor", factor, 0.0, 1.0, low_open=True, high_open=True)
    X, y = skd.make_circles(n_samples=n_samples, noise=noise, factor=factor, random_state=random_state)
    return make_dataset("circles", X, y, meta={"source": "synthetic"})


@DATASETS.register(
    "checkerboard",
    description="Checkerboard / XOR: uniform points on a grid of cells with alternating labels "
    "(2x2 cells is XOR)",
    source="synthetic",
)
def checkerboard(n_samples: int = 800, cells: int = 4, noise: float = 0.0, random_state: int = 0) -> Dataset:
    """Points uniform on ``[0, cells)^2``, label = parity of the cell; ``noise`` flips labels."""
    check_int("checkerboard.n_samples", n_samples, 10)
    check_int("checkerboard.cells", cells, 2)
    check_float("checkerboard.noise", noise, 0.0, 0.5)
    rng = np.random.default_rng(random_state)
    X = rng.uniform(0.0, cells, size=(n_samples, 2))
    y = (np.floor(X[:, 0]).astype(int) + np.floor(X[:, 1]).astype(int)) % 2
    flip = rng.random(n_samples) < noise
    y = np.where(flip, 1 - y, y)
    return make_dataset("checkerboard", X, y, meta={"source": "synthetic"})


@DATASETS.register(
    "imbalanced",
    description="Imbalanced binary make_classification (minority fraction configurable)",
    source="synthetic",
)
def imbalanced(
    n_samples: int = 1000,
    minority_fraction: float = 0.1,
    n_features: int = 10,
    n_informative: int = 4,
    class_sep: float = 1.0,
    random_state: int = 0,
) -> Dataset:
    """A binary problem whose positive class makes up ``minority_fraction`` of the samples."""
    check_float("imbalanced.minority_fraction", minority_fraction, 0.0, 0.5, low_open=True)
    check_int("imbalanced.n_samples", n_samples, 10)
    X, y = skd.make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_redundant=0,
        n_classes=2,
        weights=[1.0 - minority_fraction],
        class_sep=class_sep,
        flip_y=0.0,
        random_state=random_state,
    )
    return make_dataset("imbalanced", X, y, meta={"source": "synthetic"})


@DATASETS.register(
    "imbalanced_multiclass",
    description="make_classification with class sizes falling geometrically from the largest to the "
    "smallest, which is imbalance_ratio times smaller (sweep the ratio in a config)",
    source="synthetic",
)
def imbalanced_multiclass(
    n_samples: int = 1000,
    imbalance_ratio: float = 10.0,
    n_classes: int = 2,
    n_features: int = 10,
    n_informative: int = 4,
    class_sep: float = 1.0,
    random_state: int = 0,
) -> Dataset:
    """Class ``c`` has weight proportional to ``imbalance_ratio ** (-c / (n_classes - 1))``.

    The largest class (0) is ``imbalance_ratio`` times the smallest (``n_classes - 1``); with
    two classes the minority fraction is ``1 / (1 + imbalance_ratio)``.
    """
    check_int("imbalanced_multiclass.n_samples", n_samples, 10)
    check_int("imbalanced_multiclass.n_classes", n_classes, 2)
    check_float("imbalanced_multiclass.imbalance_ratio", imbalance_ratio, 1.0)
    w = np.asarray(imbalance_ratio, dtype=np.float64) ** (-np.arange(n_classes) / (n_classes - 1))
    w = w / w.sum()
    if n_samples * w[-1] < 2:
        raise AlbenchInputError(
            f"dataset 'imbalanced_multiclass': imbalance_ratio = {imbalance_ratio} leaves the smallest class "
            f"{n_samples * w[-1]:.1f} of {n_samples} samples; it needs at least 2"
        )
    try:
        X, y = skd.make_classification(
            n_samples=n_samples,
            n_features=n_features,
            n_informative=n_informative,
            n_redundant=0,
            n_classes=n_classes,
            n_clusters_per_class=1,
            weights=list(w),
            class_sep=class_sep,
            flip_y=0.0,
            random_state=random_state,
        )
    except (ValueError, TypeError) as exc:
        raise AlbenchInputError(f"dataset 'imbalanced_multiclass': {exc}") from None
    return make_dataset("imbalanced_multiclass", X, y, meta={"source": "synthetic"})
