"""The results folder: one parquet file per cell, a manifest, and failed cells' tracebacks.

``results/<experiment>/manifest.json``, ``cells/<key>.parquet``, ``failed/<key>.json``.
Every file is written to a temporary name in the same folder and renamed into place, so a
crash leaves each cell either complete or absent (DESIGN invariant 4).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from albench.errors import AlbenchInputError
from albench.fileio import atomic_write_bytes, atomic_write_json
from albench.formats import RESULT_FORMAT_VERSION

__all__ = ["ResultStore", "atomic_write_bytes", "atomic_write_json", "load_ceiling", "load_results"]

MANIFEST = "manifest.json"
CELLS = "cells"
FAILED = "failed"
CEILING = "ceiling"


@dataclass(frozen=True)
class CellStatus:
    """Keys of a grid's cells by state; ``stale`` are stored cells of an earlier config."""

    done: list[str]
    failed: list[str]
    missing: list[str]
    stale: list[str]


class ResultStore:
    """Reads and writes one experiment's results folder.

    Parameters
    ----------
    root : path
        ``results/<experiment>``.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.cells_dir = self.root / CELLS
        self.failed_dir = self.root / FAILED
        self.ceiling_dir = self.root / CEILING

    # ----------------------------------------------------------------- cells
    def cell_path(self, key: str) -> Path:
        """Where a cell's (or a ceiling's, for ``ceiling-`` keys) rows live."""
        folder = self.ceiling_dir if key.startswith("ceiling-") else self.cells_dir
        return folder / f"{key}.parquet"

    def has(self, key: str) -> bool:
        """Whether a complete result for ``key`` is stored."""
        return self.cell_path(key).is_file()

    def stored_keys(self) -> set[str]:
        """Keys of every stored cell."""
        if not self.cells_dir.is_dir():
            return set()
        return {p.stem for p in self.cells_dir.glob("*.parquet")}

    def ceiling_keys(self) -> set[str]:
        """Keys of every stored full-data ceiling."""
        if not self.ceiling_dir.is_dir():
            return set()
        return {p.stem for p in self.ceiling_dir.glob("*.parquet")}

    def failed_keys(self) -> set[str]:
        """Keys of every cell whose last attempt failed."""
        if not self.failed_dir.is_dir():
            return set()
        return {p.stem for p in self.failed_dir.glob("*.json")}

    def write_cell(self, key: str, rows: pd.DataFrame) -> Path:
        """Store a cell's rows atomically (and forget an earlier failure of it)."""
        table = pa.Table.from_pandas(rows, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"albench_format"] = str(RESULT_FORMAT_VERSION).encode()
        table = table.replace_schema_metadata(meta)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        path = self.cell_path(key)
        atomic_write_bytes(path, sink.getvalue().to_pybytes())
        (self.failed_dir / f"{key}.json").unlink(missing_ok=True)
        return path

    def write_failure(self, key: str, info: dict) -> Path:
        """Store a failed cell's description and traceback."""
        path = self.failed_dir / f"{key}.json"
        atomic_write_json(path, info)
        return path

    def read_failures(self) -> list[dict]:
        """Every stored failure record."""
        if not self.failed_dir.is_dir():
            return []
        return [json.loads(p.read_text()) for p in sorted(self.failed_dir.glob("*.json"))]

    def classify(self, manifest: dict) -> CellStatus:
        """Split the manifest's grid into cells done, failed (and not since stored) and missing."""
        keys = list(manifest.get("cells", []))
        stored, failed = self.stored_keys(), self.failed_keys()
        return CellStatus(
            done=[k for k in keys if k in stored],
            failed=[k for k in keys if k in failed and k not in stored],
            missing=[k for k in keys if k not in stored and k not in failed],
            stale=sorted(stored - set(keys)),
        )

    def remove_cell(self, key: str) -> None:
        """Delete a stored cell (used by ``--force``)."""
        self.cell_path(key).unlink(missing_ok=True)

    # -------------------------------------------------------------- manifest
    def manifest_path(self) -> Path:
        """``manifest.json``."""
        return self.root / MANIFEST

    def read_manifest(self) -> dict:
        """The manifest, or an input error if the folder holds none."""
        path = self.manifest_path()
        if not path.is_file():
            raise AlbenchInputError(
                f"{str(self.root)!r} is not an albench results folder (no {MANIFEST}); "
                "give the folder that `albench run` wrote, e.g. results/<experiment>"
            )
        return json.loads(path.read_text())

    def write_manifest(self, manifest: dict) -> None:
        """Atomically (re)write the manifest."""
        atomic_write_json(self.manifest_path(), manifest)

    def read_cells(self, keys: Iterable[str] | None = None) -> pd.DataFrame:
        """Rows of the given stored cells (all stored cells by default), in key order."""
        available = self.stored_keys() | self.ceiling_keys()
        wanted = sorted(self.stored_keys() if keys is None else set(keys) & available)
        frames = [pd.read_parquet(self.cell_path(k)) for k in wanted]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)


def load_results(path: str | Path, include_stale: bool = False) -> pd.DataFrame:
    """Read a results folder into one long DataFrame (one row per cell and round).

    Parameters
    ----------
    path : path
        ``results/<experiment>`` as written by ``albench run``.
    include_stale : bool
        Also return cells stored by an earlier, different config of the same experiment
        (by default only the cells of the grid in the manifest).

    Returns
    -------
    pandas.DataFrame
        Sorted by dataset, model, strategy, labeler, repetition and round.
    """
    store = ResultStore(path)
    manifest = store.read_manifest()
    keys = None if include_stale else manifest.get("cells", [])
    df = store.read_cells(keys)
    if df.empty:
        return df
    order = ["dataset", "model", "strategy", "labeler", "repetition", "round"]
    return df.sort_values(order, kind="stable").reset_index(drop=True)


def load_ceiling(path: str | Path) -> pd.DataFrame:
    """The full-data ceiling rows of a results folder (empty DataFrame when there are none).

    Columns: experiment, ceiling_key, dataset, model, repetition, n_labeled (size of the
    training part), one column per metric, fit_seconds.
    """
    store = ResultStore(path)
    manifest = store.read_manifest()
    df = store.read_cells(manifest.get("ceiling", []))
    if df.empty:
        return df
    return df.sort_values(["dataset", "model", "repetition"], kind="stable").reset_index(drop=True)
