"""Datasets bundled with scikit-learn (no download needed)."""

from __future__ import annotations

import functools

from sklearn import datasets as skd

from albench.datasets.base import Dataset, make_dataset
from albench.registry import DATASETS

_CITATIONS = {
    "iris": "Fisher, R.A. (1936). The use of multiple measurements in taxonomic problems.",
    "wine": "Forina, M. et al. (1988). PARVUS. UCI Wine data set.",
    "breast_cancer": "Street, Wolberg & Mangasarian (1993). Wisconsin Diagnostic Breast Cancer.",
    "digits": "Alpaydin & Kaynak (1998). Optical Recognition of Handwritten Digits, UCI.",
}


def _bundled(name: str, loader, description: str) -> None:
    # the files ship with scikit-learn and never change: parse them once per process (digits'
    # CSV takes ~20 ms, a noticeable part of a short cell); every load gets its own copies
    cached = functools.cache(loader)

    def load() -> Dataset:
        bunch = cached()
        return make_dataset(
            name,
            bunch.data.copy(),
            bunch.target.copy(),
            feature_names=[str(f) for f in getattr(bunch, "feature_names", [])] or None,
            meta={"source": f"sklearn.datasets.load_{name}", "citation": _CITATIONS[name]},
        )

    load.__name__ = f"load_{name}"
    load.__doc__ = f"Load scikit-learn's bundled {name} data set."
    DATASETS.add(name, load, description=description, source="bundled (scikit-learn)")


_bundled("iris", skd.load_iris, "Iris flowers: 150 x 4, 3 classes (bundled)")
_bundled("wine", skd.load_wine, "Wine cultivars: 178 x 13, 3 classes (bundled)")
_bundled("breast_cancer", skd.load_breast_cancer, "Breast cancer Wisconsin: 569 x 30, 2 classes (bundled)")
_bundled("digits", skd.load_digits, "Handwritten digits 8x8: 1797 x 64, 10 classes (bundled)")
