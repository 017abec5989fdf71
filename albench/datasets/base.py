"""The in-memory dataset every loader produces, and its validation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from albench.errors import AlbenchInputError


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features, integer-encoded labels and metadata of one dataset.

    Attributes
    ----------
    name : str
        The dataset's registered name.
    X : ndarray of shape (n_samples, n_features), float64
        Features; row ``i`` is row ``i`` of the data as loaded (queried indices refer to it).
    y : ndarray of shape (n_samples,), int64
        Labels encoded as ``0 .. n_classes - 1``.
    classes : ndarray of shape (n_classes,)
        The original label of each encoded class.
    feature_names : tuple of str
        One name per column of ``X``.
    meta : dict
        Source, licence, citation and other facts about where the data came from.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    classes: np.ndarray
    feature_names: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of feature columns."""
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of distinct classes."""
        return int(len(self.classes))

    @property
    def class_counts(self) -> np.ndarray:
        """Samples per encoded class."""
        return np.bincount(self.y, minlength=self.n_classes)

    def describe(self) -> dict:
        """Metadata as a plain dict: name, sizes and class balance."""
        counts = self.class_counts
        return {
            "name": self.name,
            "n_samples": self.n_samples,
            "n_features": self.n_features,
            "n_classes": self.n_classes,
            "class_counts": {str(c): int(n) for c, n in zip(self.classes, counts, strict=False)},
            "minority_fraction": float(counts.min() / counts.sum()),
            **self.meta,
        }


def make_dataset(
    name: str,
    X: object,
    y: object,
    feature_names: tuple[str, ...] | list[str] | None = None,
    meta: dict | None = None,
) -> Dataset:
    """Validate raw arrays and build a :class:`Dataset`.

    Labels of any type are encoded as ``0 .. K-1`` in sorted order of the original labels.

    Raises
    ------
    AlbenchInputError
        When ``X`` is not a finite 2-D numeric array, ``y`` does not match it, or there are
        fewer than two classes.
    """
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AlbenchInputError(f"dataset {name!r}: features are not numeric ({exc})") from None
    y = np.asarray(y)
    if X.ndim != 2:
        raise AlbenchInputError(f"dataset {name!r}: features must be 2-D, got shape {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise AlbenchInputError(f"dataset {name!r}: {X.shape[0]} feature rows but labels of shape {y.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise AlbenchInputError(f"dataset {name!r}: empty (shape {X.shape})")
    bad = ~np.isfinite(X)
    if bad.any():
        rows, cols = np.nonzero(bad)
        raise AlbenchInputError(
            f"dataset {name!r}: {int(bad.sum())} NaN or infinite feature value(s), "
            f"first at row {int(rows[0])}, column {int(cols[0])}; impute or drop them first"
        )
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise AlbenchInputError(f"dataset {name!r}: labels contain NaN or infinite values")
    classes, encoded = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise AlbenchInputError(
            f"dataset {name!r}: needs at least 2 classes, found {len(classes)} "
            f"({', '.join(map(str, classes))})"
        )
    if feature_names is None:
        feature_names = tuple(f"x{i}" for i in range(X.shape[1]))
    feature_names = tuple(str(f) for f in feature_names)
    if len(feature_names) != X.shape[1]:
        raise AlbenchInputError(
            f"dataset {name!r}: {len(feature_names)} feature names for {X.shape[1]} columns"
        )
    X.setflags(write=False)
    encoded = encoded.astype(np.int64).reshape(-1)
    encoded.setflags(write=False)
    return Dataset(name, X, encoded, classes, feature_names, dict(meta or {}))
