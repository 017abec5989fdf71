"""The in-memory dataset every loader produces, and its validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    modality : {"tabular", "image", "text", "audio"}
        What a row is. Images: ``X`` holds the flattened pixels (one row per image, values as
        stored, e.g. 0..255), ``sample_shape`` is ``(C, H, W)``. Text and audio: ``X`` is a
        placeholder column of zeros (shape ``(n, 1)``) that a feature pipeline
        (:mod:`albench.featurize`) replaces; the samples themselves are in ``raw``.
    raw : ndarray of object or None
        Text: one ``str`` per row. Audio: one 1-D float32 waveform per row, with
        ``meta["sample_rate"]``. Tables and images: ``None``.
    sample_shape : tuple of int
        Shape of one sample before flattening (images: ``(C, H, W)``); ``()`` otherwise.
    groups : ndarray or None
        A group label per row (e.g. FSDD's speaker), for ``protocol.split = "group"``.
    parts : ndarray of str or None
        The published part of each row (``"train"``, ``"dev"``, ``"test"``) when the data come
        split (TREC, SST-2), for ``protocol.split = "published"``.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    classes: np.ndarray
    feature_names: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)
    modality: str = "tabular"
    raw: Any = None
    sample_shape: tuple = ()
    groups: np.ndarray | None = None
    parts: np.ndarray | None = None

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

    @property
    def n_groups(self) -> int:
        """Number of distinct groups (0 without groups)."""
        return 0 if self.groups is None else int(np.unique(self.groups).shape[0])

    def describe(self) -> dict:
        """Metadata as a plain dict: name, sizes and class balance."""
        counts = self.class_counts
        out = {
            "name": self.name,
            "n_samples": self.n_samples,
            "n_features": self.n_features,
            "n_classes": self.n_classes,
            "class_counts": {str(c): int(n) for c, n in zip(self.classes, counts, strict=False)},
            "minority_fraction": float(counts.min() / counts.sum()),
            **{k: v for k, v in self.meta.items() if not _is_per_row(v, self.n_samples)},
        }
        if self.modality != "tabular":  # tabular descriptions stay as they were
            out["modality"] = self.modality
            if self.sample_shape:
                out["sample_shape"] = list(self.sample_shape)
        if self.groups is not None:
            out["n_groups"] = self.n_groups
        if self.parts is not None:
            names, n = np.unique(self.parts, return_counts=True)
            out["parts"] = {str(a): int(b) for a, b in zip(names, n, strict=True)}
        return out


def _is_per_row(value: object, n: int) -> bool:
    """A per-row list in ``meta`` (file names of recordings) is left out of descriptions."""
    return isinstance(value, (list, tuple, np.ndarray)) and len(value) == n and n > 20


MODALITIES = ("tabular", "image", "text", "audio")


def make_dataset(
    name: str,
    X: object,
    y: object,
    feature_names: tuple[str, ...] | list[str] | None = None,
    meta: dict | None = None,
    *,
    modality: str = "tabular",
    raw: Any = None,
    sample_shape: tuple = (),
    groups: object = None,
    parts: object = None,
) -> Dataset:
    """Validate raw arrays and build a :class:`Dataset`.

    Labels of any type are encoded as ``0 .. K-1`` in sorted order of the original labels.
    ``modality``, ``raw``, ``sample_shape``, ``groups`` and ``parts`` are described in
    :class:`Dataset`; ``raw``, ``groups`` and ``parts`` need one entry per row. For text and
    audio, pass ``X=None``: the placeholder column is made here.

    Raises
    ------
    AlbenchInputError
        When ``X`` is not a finite 2-D numeric array, ``y`` does not match it, or there are
        fewer than two classes.
    """
    if modality not in MODALITIES:
        raise AlbenchInputError(
            f"dataset {name!r}: modality = {modality!r}: allowed: {', '.join(MODALITIES)}"
        )
    n_raw = None
    if raw is not None:
        raw = np.asarray(raw, dtype=object) if not isinstance(raw, np.ndarray) else raw
        n_raw = int(raw.shape[0])
    if X is None:
        if n_raw is None:
            raise AlbenchInputError(f"dataset {name!r}: give features X or raw samples")
        X = np.zeros((n_raw, 1))
        feature_names = feature_names or ("placeholder",)
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
    n = X.shape[0]
    if n_raw is not None and n_raw != n:
        raise AlbenchInputError(f"dataset {name!r}: {n_raw} raw samples for {n} rows")
    sample_shape = tuple(int(v) for v in sample_shape)
    if sample_shape and int(np.prod(sample_shape)) != X.shape[1]:
        raise AlbenchInputError(
            f"dataset {name!r}: sample_shape {sample_shape} holds {int(np.prod(sample_shape))} values, "
            f"but rows have {X.shape[1]} features"
        )
    per_row = {}
    for key, value in (("groups", groups), ("parts", parts)):
        if value is None:
            per_row[key] = None
            continue
        arr = np.asarray(value)
        if arr.ndim != 1 or arr.shape[0] != n:
            raise AlbenchInputError(
                f"dataset {name!r}: {key} must hold one entry per row ({n}), got shape {arr.shape}"
            )
        arr.setflags(write=False)
        per_row[key] = arr
    X.setflags(write=False)
    encoded = encoded.astype(np.int64).reshape(-1)
    encoded.setflags(write=False)
    return Dataset(
        name,
        X,
        encoded,
        classes,
        feature_names,
        dict(meta or {}),
        modality=modality,
        raw=raw,
        sample_shape=sample_shape,
        groups=per_row["groups"],
        parts=per_row["parts"],
    )
