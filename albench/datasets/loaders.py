"""File loaders: CSV, Parquet, ARFF, LIBSVM/svmlight and NPZ into a :class:`Dataset`.

Table formats (CSV, Parquet, ARFF, and OpenML data frames) go through one conversion,
:func:`frame_to_arrays`: the target column is taken out, non-numeric (categorical) columns
are one-hot encoded and missing values are imputed, as the options below say. Files are read,
never written: nothing is downloaded, converted in place or overwritten.

Options (card fields or config parameters of a file dataset):

``target``
    Name of the label column (table formats). Default: the last column.
``categorical``
    ``"onehot"`` (default: one 0/1 column per category, named ``column=value``, categories in
    sorted order), ``"ordinal"`` (category codes in sorted order) or ``"error"`` (reject
    non-numeric columns).
``categorical_columns``
    Columns to treat as categorical even when their values are numbers.
``impute``
    Missing feature values: ``"mean"`` (default), ``"median"``, ``"most_frequent"``, ``"drop"``
    (drop the rows) or ``"error"``. Categorical columns are always imputed with their most
    frequent value (unless ``"drop"`` or ``"error"``). Imputation statistics come from the whole
    file, before any split. Rows whose label is missing are always dropped; ``meta`` records how
    many rows were dropped.
``drop_columns``
    Columns to leave out (identifiers, leaks).
``n_features``
    LIBSVM only: number of feature columns (the file's highest index when omitted).
``x_key``, ``y_key``
    NPZ only: the arrays holding features and labels (default ``"X"`` and ``"y"``).
``sep``
    CSV only: the field separator (default ``","``; ``"\\t"`` for ``.tsv`` files).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from albench.errors import AlbenchInputError

FORMATS = (
    "csv",
    "parquet",
    "arff",
    "libsvm",
    "npz",
    # images, texts, recordings: albench.datasets.modal
    "idx",
    "image_folder",
    "image_npz",
    "text_lines",
    "text_csv",
    "audio_folder",
)
FORMAT_ALIASES = {"svmlight": "libsvm", "tsv": "csv", "pq": "parquet", "text_tsv": "text_csv"}
SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arff": "arff",
    ".libsvm": "libsvm",
    ".svm": "libsvm",
    ".svmlight": "libsvm",
    ".npz": "npz",
}
IMPUTE = ("mean", "median", "most_frequent", "drop", "error")
CATEGORICAL = ("onehot", "ordinal", "error")


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def normalize_format(fmt: str | None, filename: str, where: str) -> str:
    """A format name from ``FORMATS``: the given one (aliases allowed) or inferred from the suffix."""
    if fmt is None or fmt == "":
        base = Path(filename).name.lower()
        if base.endswith(("-ubyte", "-ubyte.gz", ".idx", ".idx.gz")):  # MNIST's IDX files
            return "idx"
        suffix = Path(filename).suffix.lower()
        if suffix == ".gz":
            suffix = Path(Path(filename).stem).suffix.lower()
        if suffix not in SUFFIXES:
            raise AlbenchInputError(
                f"{where}: cannot tell the format of {filename!r} from its suffix; set format to one of "
                f"{', '.join(FORMATS)}"
            )
        return SUFFIXES[suffix]
    fmt = FORMAT_ALIASES.get(str(fmt).lower(), str(fmt).lower())
    if fmt not in FORMATS:
        raise AlbenchInputError(f"{where}: format = {fmt!r}: allowed: {', '.join(FORMATS)} (or svmlight)")
    return fmt


def check_options(where: str, impute: str, categorical: str) -> None:
    """Reject unknown ``impute`` / ``categorical`` values, naming the allowed ones."""
    if impute not in IMPUTE:
        raise AlbenchInputError(f"{where}: impute = {impute!r}: allowed: {', '.join(IMPUTE)}")
    if categorical not in CATEGORICAL:
        raise AlbenchInputError(f"{where}: categorical = {categorical!r}: allowed: {', '.join(CATEGORICAL)}")


# --------------------------------------------------------------------------- readers


def read_csv(path: Path, sep: str | None = None) -> pd.DataFrame:
    """Read a CSV/TSV file; ``?`` and the pandas defaults count as missing."""
    if sep is None:
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
    return pd.read_csv(path, sep=sep, na_values=["?"], keep_default_na=True)


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a Parquet file."""
    return pd.read_parquet(path)


def read_arff(path: Path) -> pd.DataFrame:
    """Read an ARFF file with liac-arff; nominal attributes become categorical columns."""
    import arff  # liac-arff

    with open(path, encoding="utf-8") as fh:
        doc = arff.load(fh)
    columns = [name for name, _ in doc["attributes"]]
    frame = pd.DataFrame(doc["data"], columns=columns)
    for name, kind in doc["attributes"]:
        if isinstance(kind, list):  # nominal: keep as strings (missing stays None)
            frame[name] = frame[name].astype(object)
        elif str(kind).upper() in ("NUMERIC", "REAL", "INTEGER"):
            frame[name] = pd.to_numeric(frame[name], errors="coerce")
    return frame


def read_libsvm(path: Path, n_features: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read a LIBSVM/svmlight file into dense features and labels."""
    from sklearn.datasets import load_svmlight_file

    X, y = load_svmlight_file(str(path), n_features=n_features, dtype=np.float64)
    return X.toarray(), y


def read_npz(path: Path, x_key: str = "X", y_key: str = "y") -> tuple[np.ndarray, np.ndarray, list | None]:
    """Read features, labels and (if stored as ``feature_names``) column names from an NPZ file."""
    with np.load(path, allow_pickle=False) as npz:
        missing = [k for k in (x_key, y_key) if k not in npz.files]
        if missing:
            raise AlbenchInputError(
                f"{path}: no array {missing[0]!r} in the NPZ file; it holds "
                f"{', '.join(npz.files) or '(none)'} (set x_key / y_key)"
            )
        names = npz["feature_names"].astype(str).tolist() if "feature_names" in npz.files else None
        return np.asarray(npz[x_key]), np.asarray(npz[y_key]), names


# --------------------------------------------------------------------------- conversion


def frame_to_arrays(
    frame: pd.DataFrame,
    target: str | None,
    *,
    where: str,
    categorical: str = "onehot",
    categorical_columns: Sequence[str] = (),
    impute: str = "mean",
    drop_columns: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray, list[str], dict]:
    """Features, labels, feature names and notes from a table (see the module docstring).

    Raises
    ------
    AlbenchInputError
        Unknown target or column names, non-numeric columns with ``categorical = "error"``,
        missing values with ``impute = "error"``.
    """
    check_options(where, impute, categorical)
    columns = [str(c) for c in frame.columns]
    frame = frame.copy()
    frame.columns = columns
    if target is None:
        target = columns[-1]
    if target not in columns:
        raise AlbenchInputError(
            f"{where}: target column {target!r} does not exist; columns: {', '.join(columns)}"
        )
    for col in [*drop_columns, *categorical_columns]:
        if col not in columns:
            raise AlbenchInputError(f"{where}: column {col!r} does not exist; columns: {', '.join(columns)}")
    notes: dict = {"target": target}
    y_series = frame[target]
    keep = y_series.notna().to_numpy()
    if not keep.all():
        notes["rows_without_label_dropped"] = int((~keep).sum())
    features = frame.drop(columns=[target, *drop_columns])
    features, y_series = features[keep], y_series[keep]

    cat_cols = [
        c
        for c in features.columns
        if c in categorical_columns
        or not (pd.api.types.is_numeric_dtype(features[c]) or pd.api.types.is_bool_dtype(features[c]))
    ]
    num_cols = [c for c in features.columns if c not in cat_cols]
    if cat_cols and categorical == "error":
        raise AlbenchInputError(
            f"{where}: non-numeric column(s) {', '.join(map(repr, cat_cols))} and categorical = 'error'; "
            "use 'onehot' or 'ordinal', or drop_columns"
        )
    missing = features.isna()
    n_missing = int(missing.to_numpy().sum())
    if n_missing:
        if impute == "error":
            first = missing.any(axis=0)
            raise AlbenchInputError(
                f"{where}: {n_missing} missing feature value(s) (first in column "
                f"{features.columns[first.to_numpy()][0]!r}) and impute = 'error'; "
                f"choose one of {', '.join(IMPUTE)}"
            )
        if impute == "drop":
            rows = ~missing.any(axis=1).to_numpy()
            features, y_series = features[rows], y_series[rows]
            notes["rows_with_missing_values_dropped"] = int((~rows).sum())
        else:
            notes["missing_values_imputed"] = n_missing
            notes["impute"] = impute
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for c in features.columns:
        col = features[c]
        if c in num_cols:
            values = col.astype(np.float64).to_numpy()
            if np.isnan(values).any():
                fill = _fill_value(values, impute)
                values = np.where(np.isnan(values), fill, values)
            blocks.append(values[:, None])
            names.append(c)
            continue
        text = col.map(lambda v: None if _isna(v) else str(v))
        if text.isna().any():
            present = text.dropna()
            fill = present.value_counts().sort_index().idxmax() if len(present) else "missing"
            text = text.fillna(fill)
        cats = sorted(text.unique())
        codes = pd.Categorical(text, categories=cats).codes
        if categorical == "ordinal":
            blocks.append(codes.astype(np.float64)[:, None])
            names.append(c)
        else:
            blocks.append((codes[:, None] == np.arange(len(cats))[None, :]).astype(np.float64))
            names.extend(f"{c}={v}" for v in cats)
    if cat_cols:
        notes["categorical_columns"] = list(cat_cols)
        notes["categorical"] = categorical
    X = np.hstack(blocks) if blocks else np.empty((len(y_series), 0))
    y = y_series.to_numpy()
    if y.dtype == object:
        y = np.asarray([str(v) for v in y])
    return X, y, names, notes


def impute_array(X: np.ndarray, impute: str, where: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Impute NaNs in a numeric array column by column; returns (X, kept row mask, notes)."""
    X = np.asarray(X, dtype=np.float64)
    nan = np.isnan(X)
    keep = np.ones(X.shape[0], dtype=bool)
    if not nan.any():
        return X, keep, {}
    if impute == "error":
        rows, cols = np.nonzero(nan)
        raise AlbenchInputError(
            f"{where}: {int(nan.sum())} missing feature value(s), first at row {int(rows[0])}, column "
            f"{int(cols[0])}, and impute = 'error'; choose one of {', '.join(IMPUTE)}"
        )
    if impute == "drop":
        keep = ~nan.any(axis=1)
        return X[keep], keep, {"rows_with_missing_values_dropped": int((~keep).sum())}
    X = X.copy()
    for j in np.flatnonzero(nan.any(axis=0)):
        X[nan[:, j], j] = _fill_value(X[:, j], impute)
    return X, keep, {"missing_values_imputed": int(nan.sum()), "impute": impute}


def _isna(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT


def _fill_value(values: np.ndarray, impute: str) -> float:
    present = values[~np.isnan(values)]
    if present.shape[0] == 0:
        return 0.0
    if impute == "median":
        return float(np.median(present))
    if impute == "most_frequent":
        uniq, counts = np.unique(present, return_counts=True)
        return float(uniq[np.argmax(counts)])
    return float(np.mean(present))


def read_table_or_arrays(
    path: Path,
    fmt: str,
    *,
    where: str,
    target: str | None = None,
    categorical: str = "onehot",
    categorical_columns: Sequence[str] = (),
    impute: str = "mean",
    drop_columns: Sequence[str] = (),
    n_features: int | None = None,
    x_key: str = "X",
    y_key: str = "y",
    sep: str | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str] | None, dict]:
    """Read ``path`` in format ``fmt`` into (X, y, feature names, notes), options applied.

    Raises
    ------
    AlbenchInputError
        If the file cannot be parsed, or an option does not fit it.
    """
    check_options(where, impute, categorical)
    try:
        if fmt in ("csv", "parquet", "arff"):
            reader = {"csv": lambda p: read_csv(p, sep), "parquet": read_parquet, "arff": read_arff}[fmt]
            frame = reader(path)
            return frame_to_arrays(
                frame,
                target,
                where=where,
                categorical=categorical,
                categorical_columns=categorical_columns,
                impute=impute,
                drop_columns=drop_columns,
            )
        if fmt == "libsvm":
            X, y = read_libsvm(path, n_features)
            return X, y, None, {}
        X, y, names = read_npz(path, x_key, y_key)
        if y.ndim != 1 or X.ndim != 2 or X.shape[0] != y.shape[0]:
            raise AlbenchInputError(f"{where}: {x_key} has shape {X.shape} and {y_key} shape {y.shape}")
        unlabeled = np.isnan(y) if y.dtype.kind == "f" else np.zeros(y.shape[0], dtype=bool)
        X, y = X[~unlabeled], y[~unlabeled]
        X, keep, notes = impute_array(X, impute, where)
        if unlabeled.any():
            notes["rows_without_label_dropped"] = int(unlabeled.sum())
        return X, y[keep], names, notes
    except AlbenchInputError:
        raise
    except (ValueError, TypeError, KeyError, OSError, UnicodeDecodeError) as exc:
        raise AlbenchInputError(f"{where}: cannot read {str(path)!r} as {fmt}: {exc}") from None
    except Exception as exc:  # parser-specific errors (liac-arff, pyarrow)
        raise AlbenchInputError(
            f"{where}: cannot read {str(path)!r} as {fmt}: {type(exc).__name__}: {exc}"
        ) from None
