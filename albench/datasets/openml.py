"""``openml:<id>``: datasets from OpenML through scikit-learn's fetcher and its local cache.

The first load downloads the dataset into the cache; later loads read the cache and work
offline. Offline without a cached copy is a clear error. The cache folder is
``$ALBENCH_OPENML_CACHE`` if set, else scikit-learn's data home (``$SCIKIT_LEARN_DATA``, by
default ``~/scikit_learn_data``); scikit-learn keeps OpenML files under ``<cache>/openml``.
The data frame goes through the same conversion as every table file
(:func:`albench.datasets.loaders.frame_to_arrays`): one-hot categoricals, imputation.
"""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from urllib.error import URLError

from albench.datasets.base import Dataset, make_dataset
from albench.datasets.loaders import check_options, frame_to_arrays
from albench.errors import AlbenchInputError
from albench.registry import DATASETS

PREFIX = "openml"
CACHE_ENV = "ALBENCH_OPENML_CACHE"


def openml_cache_dir() -> Path:
    """The folder given to scikit-learn as ``data_home``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser().resolve()
    # scikit-learn's get_data_home() without its side effect of creating the folder
    return Path(os.environ.get("SCIKIT_LEARN_DATA", "~/scikit_learn_data")).expanduser().resolve()


def fetch_frame(data_id: int, where: str):
    """``(frame, default target, details)`` of an OpenML dataset, from the cache or the network.

    Raises
    ------
    AlbenchInputError
        Offline without a cached copy, an unknown id, or a dataset the fetcher cannot read.
    """
    from sklearn.datasets import fetch_openml

    cache = openml_cache_dir()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bunch = fetch_openml(
                data_id=data_id,
                data_home=str(cache),
                as_frame=True,
                target_column=None,
                parser="auto",
                n_retries=1,
                delay=0.1,
            )
    except (URLError, ConnectionError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AlbenchInputError(
            f"{where}: OpenML dataset {data_id} is not in the local cache ({cache / 'openml'}) and "
            f"openml.org cannot be reached ({reason}). Load it once with network access, or copy a cache "
            f"there (set ${CACHE_ENV} or $SCIKIT_LEARN_DATA to the folder that holds 'openml/')"
        ) from None
    except ValueError as exc:  # includes sklearn's OpenMLError (unknown id) and unreadable data
        raise AlbenchInputError(f"{where}: OpenML dataset {data_id}: {exc}") from None
    except OSError as exc:
        raise AlbenchInputError(f"{where}: OpenML dataset {data_id}: cannot read the cache: {exc}") from None
    details = dict(getattr(bunch, "details", {}) or {})
    default_target = details.get("default_target_attribute")
    if isinstance(default_target, str) and "," in default_target:
        default_target = default_target.split(",")[0]
    return bunch.frame, default_target, details


def load_openml(
    data_id: int,
    name: str,
    *,
    target: str | None = None,
    categorical: str = "onehot",
    categorical_columns: Sequence[str] = (),
    impute: str = "mean",
    drop_columns: Sequence[str] = (),
    meta: dict | None = None,
) -> Dataset:
    """Load OpenML dataset ``data_id`` as a :class:`Dataset` named ``name``.

    ``target`` defaults to the dataset's default target attribute; the other options are
    those of :func:`albench.datasets.loaders.frame_to_arrays`.
    """
    where = f"dataset {name!r}"
    check_options(where, impute, categorical)
    frame, default_target, details = fetch_frame(data_id, where)
    chosen = target if target is not None else default_target
    if chosen is None:
        raise AlbenchInputError(f"{where}: OpenML dataset {data_id} has no default target; set target")
    X, y, names, notes = frame_to_arrays(
        frame,
        chosen,
        where=where,
        categorical=categorical,
        categorical_columns=categorical_columns,
        impute=impute,
        drop_columns=drop_columns,
    )
    info = {
        "source": f"openml:{data_id}",
        "openml_name": details.get("name"),
        "openml_version": details.get("version"),
        "url": f"https://www.openml.org/d/{data_id}",
        "licence": details.get("licence"),
        "citation": details.get("citation"),
        **(meta or {}),
        **notes,
    }
    return make_dataset(
        name, X, y, feature_names=names, meta={k: v for k, v in info.items() if v is not None}
    )


def openml_factory(data_id: int, name: str, defaults: dict | None = None, meta: dict | None = None):
    """A dataset factory for one OpenML id whose keyword parameters are the loader options."""
    defaults = {
        "target": None,
        "categorical": "onehot",
        "categorical_columns": [],
        "impute": "mean",
        "drop_columns": [],
        **(defaults or {}),
    }

    def factory(**options) -> Dataset:
        return load_openml(
            data_id,
            name,
            target=options["target"],
            categorical=options["categorical"],
            categorical_columns=tuple(options["categorical_columns"]),
            impute=options["impute"],
            drop_columns=tuple(options["drop_columns"]),
            meta=meta,
        )

    factory.__signature__ = inspect.Signature(
        [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v) for k, v in defaults.items()]
    )
    factory.__name__ = f"load_openml_{data_id}"
    factory.__doc__ = f"OpenML dataset {data_id}."
    return factory


def resolve_openml(rest: str, full_name: str):
    """Prefix resolver for ``openml:<id>``: a factory and its registry metadata."""
    if not rest.isdigit() or int(rest) < 1:
        raise AlbenchInputError(f"dataset {full_name!r}: give an OpenML data id, e.g. 'openml:61'")
    data_id = int(rest)
    return (
        openml_factory(data_id, full_name),
        {
            "description": f"OpenML dataset {data_id} (cached under {CACHE_ENV} or scikit-learn's data home)",
            "source": f"openml:{data_id}",
            "openml_id": data_id,
        },
    )


DATASETS.add_prefix(
    PREFIX,
    resolve_openml,
    description="any OpenML dataset by id, e.g. openml:61 (needs network once; cached afterwards)",
)
