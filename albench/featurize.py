"""The feature stage of a cell: a dataset's pipeline, fitted on the training rows only.

A dataset entry of a config may name a feature pipeline (:mod:`albench.datasets.features`)::

    datasets = [{name = "trec", features = {name = "tfidf", ngram_range = [1, 2]}}]
    datasets = [{name = "fsdd", features = "logmel"}]

Without ``features`` a dataset takes its card's pipeline, else its modality's default
(images ``scale01``, texts ``tfidf``, recordings ``mfcc``); tables have none. ``features =
"none"`` keeps the raw pixels of images (then ``protocol.standardize`` applies as for tables).
The resolved pipeline (name and every parameter) is stored in the dataset spec's
``extra["features"]``, so it enters the cell key; it does not enter the seeds, so every
pipeline of a dataset gets the same splits (DESIGN invariants 1, 3 and 11).

In :func:`albench.simulation.run_cell`, :func:`cell_features` replaces the raw rows: the
pipeline is fitted on the training part (pool and initial set) and transforms both parts.
A pipeline's output is the model's input as it is: ``protocol.standardize = "train"`` is not
applied on top of it (each pipeline normalises its own output) and ``"labeled"`` is refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from albench.components import ComponentSpec, default_label, signature_params, to_jsonable
from albench.errors import AlbenchInputError
from albench.registry import DATASETS, FEATURES, _is_builtin

#: the pipeline a dataset of each modality gets when neither the config nor its card names one
MODALITY_DEFAULTS = {"image": "scale01", "text": "tfidf", "audio": "mfcc"}
NONE = "none"


class FeatureSpec(ComponentSpec):
    """A dataset's resolved feature pipeline: hashed canonically into cell keys via ``get_params``."""

    def get_params(self, deep: bool = False) -> dict:
        """Name and resolved parameters (what :func:`albench.components.to_jsonable` hashes)."""
        return {"name": self.name, "params": to_jsonable(self.resolved)}


def guess_modality(dataset_name: str, dataset_params: dict) -> str | None:
    """The modality of a registered dataset without loading it (``None``: cannot tell)."""
    from albench.datasets.loaders import normalize_format
    from albench.datasets.modal import modality_of

    entry = DATASETS.get(dataset_name)
    card = entry.meta.get("card")
    if card is not None:
        return card.modality
    if dataset_name == "file":
        path, fmt = dataset_params.get("path"), dataset_params.get("format")
        if not isinstance(path, str) or not path:
            return None
        try:
            return modality_of(normalize_format(fmt, path, "dataset 'file'"))
        except AlbenchInputError:
            return None
    source = str(entry.meta.get("source", ""))
    if source.startswith(("bundled", "synthetic", "openml")) or _is_builtin(entry.obj):
        return "tabular"
    return None  # a plugin's (or a script's) dataset: known once loaded


def build_pipeline(name: str, params: dict, field: str):
    """Instantiate and validate a registered pipeline."""
    entry = FEATURES.get(name, field=field)
    signature_params(entry.obj, "feature pipeline", name, params, field)
    try:
        pipe = entry.obj(**params)
    except (TypeError, ValueError) as exc:
        raise AlbenchInputError(f"{field}: feature pipeline {name!r}: {exc}") from None
    pipe.validate()
    return pipe


def parse_features(given: Any, dataset_name: str, dataset_params: dict, field: str) -> FeatureSpec | None:
    """The resolved pipeline of a dataset entry, or ``None`` (no pipeline).

    Parameters
    ----------
    given : str, dict or None
        The entry's ``features``: a name, ``{name = ..., <params>}``, ``"none"``, or ``None``
        (the card's, else the modality's default).

    Raises
    ------
    AlbenchInputError
        Unknown pipeline or parameter, a pipeline for another modality, or ``"none"`` for
        texts and recordings.
    """
    modality = guess_modality(dataset_name, dataset_params)
    if given is None:
        entry = DATASETS.get(dataset_name)
        card = entry.meta.get("card")
        given = card.features if card is not None and card.features is not None else None
        if given is None:
            given = MODALITY_DEFAULTS.get(modality or "tabular")
        if given is None:
            return None
    if isinstance(given, str):
        name, params = given, {}
    elif isinstance(given, dict) and isinstance(given.get("name"), str):
        name, params = given["name"], {k: v for k, v in given.items() if k != "name"}
    else:
        raise AlbenchInputError(
            f"{field} = {given!r}: must be a pipeline name or a table with a 'name' key; "
            f"pipelines: {', '.join(FEATURES.names())}, none"
        )
    if name == NONE:
        if params:
            raise AlbenchInputError(f"{field}: 'none' takes no parameters")
        if modality in ("text", "audio"):
            raise AlbenchInputError(
                f"{field} = 'none': dataset {dataset_name!r} holds {modality} samples, which models cannot "
                f"read without a feature pipeline; use one of {', '.join(_for(modality))}"
            )
        return None
    pipe = build_pipeline(name, params, field)
    if modality is not None and modality not in pipe.modalities:
        raise AlbenchInputError(
            f"{field} = {name!r}: the pipeline reads {', '.join(pipe.modalities)} data, dataset "
            f"{dataset_name!r} holds {modality} data; use one of {', '.join(_for(modality)) or 'none'}"
        )
    resolved = signature_params(FEATURES.get(name).obj, "feature pipeline", name, params, field)
    return FeatureSpec("features", name, dict(params), to_jsonable(resolved), default_label(name, params))


def is_default_features(features: FeatureSpec | None, dataset_name: str, dataset_params: dict) -> bool:
    """Whether ``features`` is what the dataset gets without a ``features`` entry (labels leave it out)."""
    default = parse_features(None, dataset_name, dataset_params, "features")
    if features is None or default is None:
        return features is None and default is None
    return features.name == default.name and to_jsonable(features.resolved) == to_jsonable(default.resolved)


def _for(modality: str | None) -> list[str]:
    return [e.name for e in FEATURES if modality in getattr(e.obj, "modalities", ())]


def check_dataset_features(spec: ComponentSpec, ds, standardize: str) -> None:
    """Checks that need the loaded data: a text or audio set has a pipeline, and it fits its modality.

    Raises
    ------
    AlbenchInputError
        Before any cell runs.
    """
    feats = spec.extra.get("features")
    where = f"dataset {spec.label!r}"
    if feats is None:
        if ds.modality in ("text", "audio"):
            raise AlbenchInputError(
                f"{where} holds {ds.modality} samples: give it a feature pipeline, e.g. "
                f"features = {MODALITY_DEFAULTS[ds.modality]!r} ({', '.join(_for(ds.modality))})"
            )
        return
    pipe = FEATURES.get(feats.name).obj
    if ds.modality not in pipe.modalities:
        raise AlbenchInputError(
            f"{where}: features = {feats.name!r} reads {', '.join(pipe.modalities)} data; the dataset holds "
            f"{ds.modality} data"
        )
    if standardize == "labeled":
        raise AlbenchInputError(
            f"protocol.standardize = 'labeled': {where} has the feature pipeline {feats.label!r}, whose "
            "output is the model's input as it is; use standardize = 'train' or 'none' (neither re-scales it)"
        )


def _samples(ds, rows: np.ndarray) -> np.ndarray:
    if ds.modality in ("text", "audio"):
        return ds.raw[rows]
    return ds.X[rows]


def cell_features(ds, features_spec: Any, train_rows: np.ndarray, test_rows: np.ndarray):
    """A cell's model inputs: the pipeline fitted on ``train_rows`` only, applied to both parts.

    Parameters
    ----------
    ds : Dataset
        The loaded dataset.
    features_spec : FeatureSpec, str, dict or None
        The dataset spec's ``extra.get("features")`` (a name or table is resolved here).
    train_rows, test_rows : ndarray of int
        Row numbers of the training part (pool and initial set) and of the test part.

    Returns
    -------
    X_train, X_test : ndarray
        Without a pipeline, ``ds.X``'s rows as they are (the caller standardises them as the
        protocol says); else the pipeline's output.
    info : dict
        ``modality``, ``sample_shape`` (tuple, ``()`` for flat features), ``vocab_size``
        (int or ``None``), ``n_features``, ``pipeline`` (its name or ``None``).
    """
    if isinstance(features_spec, (str, dict)):
        features_spec = parse_features(features_spec, ds.name, {}, "features")
    if features_spec is None:
        if ds.modality in ("text", "audio"):
            raise AlbenchInputError(
                f"dataset {ds.name!r} holds {ds.modality} samples and has no feature pipeline"
            )
        X_train, X_test = ds.X[train_rows], ds.X[test_rows]
        info = {
            "modality": ds.modality,
            "sample_shape": tuple(ds.sample_shape),
            "vocab_size": None,
            "n_features": int(ds.X.shape[1]),
            "pipeline": None,
        }
        return X_train, X_test, info
    pipe = build_pipeline(features_spec.name, dict(features_spec.resolved), "features")
    meta = {**ds.meta, "_sample_shape": tuple(ds.sample_shape)}
    X_train = pipe.fit_transform(_samples(ds, train_rows), meta)  # never the test part (invariant 11)
    X_test = pipe.transform(_samples(ds, test_rows))
    info = {
        "modality": ds.modality,
        **pipe.info(),
        "n_features": int(X_train.shape[1]),
        "pipeline": features_spec.name,
    }
    info["sample_shape"] = tuple(info["sample_shape"])
    return X_train, X_test, info
