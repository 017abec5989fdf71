"""Fixed splits: replay a paper's exact train/test splits and initial labeled sets.

A splits file is JSON::

    {
      "format": "albench-splits",
      "version": 1,
      "datasets": {
        "<dataset label>": {
          "n_samples": 208,
          "repetitions": [
            {"train": [row, ...], "test": [row, ...], "initial": [row, ...]},
            ...
          ]
        }
      }
    }

Rows are row numbers of the dataset as loaded (0-based). ``train`` is kept in the given order
(it is the order of the pool), ``initial`` must be a subset of ``train``. Repetition ``r`` of a
run uses entry ``r``. A config names the file with ``protocol.splits_file``; ``albench run
--export-splits FILE`` writes the splits a run uses, so that replaying the file reproduces the
run's rows exactly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from albench.errors import AlbenchInputError
from albench.fileio import atomic_write_bytes

FORMAT = "albench-splits"
VERSION = 1
_cache: dict[tuple, dict] = {}


@dataclass(frozen=True)
class FixedSplit:
    """One repetition's rows: training part (pool order), test part, initial labeled rows."""

    train: np.ndarray
    test: np.ndarray
    initial: np.ndarray

    def initial_positions(self) -> np.ndarray:
        """Positions of the initial rows within ``train``, sorted."""
        where = {int(r): i for i, r in enumerate(self.train)}
        return np.sort(np.array([where[int(r)] for r in self.initial], dtype=np.int64))


def file_sha256(path: str | Path) -> str:
    """SHA-256 of the splits file's bytes (part of the protocol's identity in cell keys)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_splits(path: str | Path, field: str = "protocol.splits_file") -> dict:
    """Read and check the structure of a splits file (cached per path, size and mtime).

    Raises
    ------
    AlbenchInputError
        Missing file, invalid JSON, or a structure other than the one documented above.
    """
    path = Path(path)
    if not path.is_file():
        raise AlbenchInputError(f"{field} = {str(path)!r}: file not found")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _cache:
        return _cache[key]
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AlbenchInputError(f"{field} = {str(path)!r}: not valid JSON: {exc}") from None
    where = f"{field} {str(path)!r}"
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AlbenchInputError(f'{where}: not a splits file (needs "format": "{FORMAT}")')
    if doc.get("version") != VERSION:
        raise AlbenchInputError(f"{where}: version = {doc.get('version')!r}: this albench reads {VERSION}")
    datasets = doc.get("datasets")
    if not isinstance(datasets, dict) or not datasets:
        raise AlbenchInputError(f'{where}: "datasets" must map dataset labels to their splits')
    for label, entry in datasets.items():
        reps = entry.get("repetitions") if isinstance(entry, dict) else None
        n = entry.get("n_samples") if isinstance(entry, dict) else None
        if not isinstance(reps, list) or not reps or not isinstance(n, int):
            raise AlbenchInputError(
                f'{where}: datasets.{label} needs "n_samples" (integer) and a non-empty "repetitions" list'
            )
        for r, rep in enumerate(reps):
            if not isinstance(rep, dict) or any(
                not isinstance(rep.get(k), list) or not all(_is_int(v) for v in rep[k])
                for k in ("train", "test", "initial")
            ):
                raise AlbenchInputError(
                    f"{where}: datasets.{label}.repetitions[{r}] needs integer lists train, test and initial"
                )
    _cache[key] = doc
    return doc


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def fixed_split(path: str | Path, label: str, repetition: int) -> FixedSplit:
    """The rows of one (dataset, repetition) from a splits file."""
    doc = read_splits(path)
    try:
        rep = doc["datasets"][label]["repetitions"][repetition]
    except (KeyError, IndexError):
        raise AlbenchInputError(
            f"protocol.splits_file {str(path)!r}: no split for dataset {label!r}, repetition {repetition}"
        ) from None
    return FixedSplit(
        np.asarray(rep["train"], dtype=np.int64),
        np.asarray(rep["test"], dtype=np.int64),
        np.asarray(rep["initial"], dtype=np.int64),
    )


def check_splits(path: str | Path, label: str, y: np.ndarray, repetitions: int) -> list[dict]:
    """Check every repetition of one dataset against its data; returns sizes per repetition.

    Raises
    ------
    AlbenchInputError
        A dataset or repetition missing, a size mismatch, rows out of range or repeated,
        train and test overlapping, initial rows outside train, an empty pool, or an initial
        set with fewer than two classes.
    """
    doc = read_splits(path)
    where = f"protocol.splits_file {str(path)!r}"
    if label not in doc["datasets"]:
        raise AlbenchInputError(
            f"{where}: no splits for dataset {label!r}; it has: {', '.join(sorted(doc['datasets']))}"
        )
    entry = doc["datasets"][label]
    n = int(y.shape[0])
    if entry["n_samples"] != n:
        raise AlbenchInputError(
            f"{where}: dataset {label!r} has {n} rows, the splits were made for {entry['n_samples']}"
        )
    if len(entry["repetitions"]) < repetitions:
        raise AlbenchInputError(
            f"{where}: dataset {label!r} has splits for {len(entry['repetitions'])} repetition(s), "
            f"the run needs {repetitions}"
        )
    sizes = []
    for r in range(repetitions):
        s = fixed_split(path, label, r)
        at = f"{where}: dataset {label!r}, repetition {r}"
        for part in ("train", "test", "initial"):
            rows = getattr(s, part)
            if rows.shape[0] and (rows.min() < 0 or rows.max() >= n):
                raise AlbenchInputError(f"{at}: {part} rows must be in 0..{n - 1}")
            if np.unique(rows).shape[0] != rows.shape[0]:
                raise AlbenchInputError(f"{at}: {part} repeats a row")
        if s.train.shape[0] == 0 or s.test.shape[0] == 0:
            raise AlbenchInputError(f"{at}: train and test must not be empty")
        if np.intersect1d(s.train, s.test).shape[0]:
            raise AlbenchInputError(f"{at}: train and test share rows")
        if not np.isin(s.initial, s.train).all():
            raise AlbenchInputError(f"{at}: initial rows must be a subset of train")
        if s.initial.shape[0] >= s.train.shape[0]:
            raise AlbenchInputError(f"{at}: the initial set leaves no pool")
        if np.unique(y[s.initial]).shape[0] < 2:
            raise AlbenchInputError(f"{at}: the initial set holds fewer than 2 classes")
        sizes.append(
            {
                "n_train": int(s.train.shape[0]),
                "n_test": int(s.test.shape[0]),
                "n_initial": int(s.initial.shape[0]),
            }
        )
    return sizes


def write_splits(path: str | Path, datasets: dict[str, dict], experiment: str = "", seed: int = 0) -> Path:
    """Write a splits file atomically.

    Parameters
    ----------
    datasets : dict
        Label -> ``{"n_samples": int, "repetitions": [{"train", "test", "initial"}, ...]}``
        with integer arrays or lists.
    """
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "experiment": experiment,
        "seed": seed,
        "datasets": {
            label: {
                "n_samples": int(entry["n_samples"]),
                "repetitions": [
                    {k: np.asarray(rep[k], dtype=np.int64).tolist() for k in ("train", "test", "initial")}
                    for rep in entry["repetitions"]
                ],
            }
            for label, entry in datasets.items()
        },
    }
    path = Path(path)
    atomic_write_bytes(path, (json.dumps(doc, separators=(",", ":")) + "\n").encode())
    return path
