"""What a user checks first about a dataset: rows, shapes, classes, modality, groups, checksum.

:func:`describe_dataset` loads one dataset as a config entry would name it and returns a
plain dict (JSON-ready); ``albench describe NAME`` prints it.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from albench.datasets import datadir
from albench.errors import AlbenchInputError


def describe_dataset(name_or_spec: str | dict, data_dir: str | os.PathLike | None = None) -> dict:
    """Load a dataset and describe it.

    Parameters
    ----------
    name_or_spec : str or dict
        A registered name (``"trec"``) or a config entry (``{"name": "file", "path": ...}``).
    data_dir : path, optional
        The data directory (as ``--data-dir``); by default the usual precedence
        (:mod:`albench.datasets.datadir`).

    Returns
    -------
    dict
        ``name``, ``label``, ``modality``, ``rows``, ``X_shape`` (the array as loaded),
        ``sample_shape`` (one image before flattening, ``[n_features]`` for tables, ``None`` for
        texts and recordings, whose ``X`` is a placeholder column), ``n_classes``,
        ``classes`` (list of ``{"label", "name", "count"}``), ``groups`` (number of groups or
        ``None``), ``parts`` (rows per published part or ``None``), ``features`` (the
        pipeline a cell applies, or ``None``), ``checksum_verified`` (bool), ``checksum``
        (how, in words), ``path`` (file or folder read), ``source``, ``licence``,
        ``citation``, ``url``, ``notes`` (loader notes: rows dropped, files skipped, ...).

    Raises
    ------
    AlbenchInputError
        Unknown name or parameter, missing file, checksum mismatch, unreadable data.
    """
    from albench.config import parse_dataset
    from albench.grid import load_dataset

    saved = (datadir._current, datadir._how)
    if data_dir is not None:
        datadir.set_data_dir(data_dir, "from --data-dir")
    try:
        spec = parse_dataset(name_or_spec, "dataset")
        ds = load_dataset(spec)
        from albench.featurize import check_dataset_features

        check_dataset_features(spec, ds, "train")
        where_dir, how = datadir.get_data_dir()
    finally:
        datadir._current, datadir._how = saved
    meta = ds.meta if isinstance(ds.meta, dict) else {}
    names = meta.get("class_names") or {}
    counts = ds.class_counts
    classes = [
        {"label": _plain(c), "name": names.get(str(c), ""), "count": int(n)}
        for c, n in zip(ds.classes, counts, strict=True)
    ]
    sha = meta.get("sha256")
    if sha:
        verified, how_checked = True, "verified (SHA-256 matches the card)"
    elif str(meta.get("source", "")).startswith("sklearn"):
        verified, how_checked = False, "not applicable (bundled with scikit-learn)"
    else:
        verified, how_checked = False, "not checked (no sha256 given)"
    parts = None
    if ds.parts is not None:
        values, n = np.unique(ds.parts, return_counts=True)
        order = {"train": 0, "dev": 1, "test": 2}
        parts = dict(
            sorted(
                ((str(v), int(k)) for v, k in zip(values, n, strict=True)), key=lambda t: order.get(t[0], 9)
            )
        )
    feats = spec.extra.get("features")
    skip = {
        "sha256",
        "class_names",
        "files",
        "path",
        "source",
        "licence",
        "citation",
        "url",
        "card",
        "task",
        "modality",
    }
    notes = {
        k: v
        for k, v in meta.items()
        if k not in skip and not (isinstance(v, (list, tuple, np.ndarray)) and len(v) == ds.n_samples)
    }
    return {
        "name": ds.name,
        "label": spec.label,
        "modality": ds.modality,
        "rows": ds.n_samples,
        "X_shape": [int(v) for v in ds.X.shape],
        "sample_shape": _sample_shape(ds),
        "n_classes": ds.n_classes,
        "classes": classes,
        "groups": ds.n_groups if ds.groups is not None else None,
        "parts": parts,
        "features": None if feats is None else {"name": feats.name, "params": dict(feats.resolved)},
        "checksum_verified": verified,
        "checksum": how_checked,
        "path": meta.get("path", ""),
        "data_dir": str(where_dir),
        "data_dir_how": how,
        "source": meta.get("source", ""),
        "task": meta.get("task", ""),
        "licence": meta.get("licence", ""),
        "citation": meta.get("citation", ""),
        "url": meta.get("url", ""),
        "notes": _jsonable(notes),
    }


def _sample_shape(ds) -> list[int] | None:
    """One sample's shape: images (C, H, W), tables [n_features]; texts and recordings vary (None)."""
    if ds.modality in ("text", "audio"):
        return None
    return list(ds.sample_shape) if ds.sample_shape else [ds.n_features]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _jsonable(notes: dict) -> dict:
    from albench.components import to_jsonable

    out = to_jsonable(notes)
    if not isinstance(out, dict):  # pragma: no cover - to_jsonable keeps dicts
        raise AlbenchInputError("dataset notes are not a table")
    return out
