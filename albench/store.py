"""The results folder: one parquet file per cell, a checksum index, a manifest, failures.

``results/<experiment>/manifest.json``, ``cells/<key>.parquet``, ``ceiling/<key>.parquet``,
``failed/<key>.json`` and ``checksums.tsv``. Every file is written to a temporary name in the
same folder and renamed into place, so a crash leaves each cell either complete or absent;
each cell's SHA-256 is appended to ``checksums.tsv`` before its file is renamed into place and
checked on every read, so a cell damaged later (truncated, a flipped bit) is reported, skipped
and recomputed, never read back silently (DESIGN invariant 4).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from albench.errors import AlbenchInputError
from albench.fileio import atomic_write_bytes, atomic_write_json, name_path
from albench.formats import CHECKSUM_INDEX, RESULT_FORMAT_VERSION

if TYPE_CHECKING:  # pandas and pyarrow are imported where rows are read or written
    import pandas as pd

__all__ = [
    "DamagedCellWarning",
    "DamagedResultsError",
    "ResultStore",
    "atomic_write_bytes",
    "atomic_write_json",
    "load_ceiling",
    "load_results",
]

MANIFEST = "manifest.json"
CELLS = "cells"
FAILED = "failed"
CEILING = "ceiling"
MANIFEST_KEYS = ("format_version", "experiment", "config", "cells")
_INDEX_LINE = re.compile(r"^([A-Za-z0-9._-]+)\t([0-9a-f]{64})\t([0-9]+)$")


class DamagedCellWarning(UserWarning):
    """A stored cell failed its checksum (truncated or altered) and was skipped."""


class DamagedResultsError(RuntimeError):
    """Stored cells failed their checksum and the caller asked for strictness."""


@dataclass(frozen=True)
class CellStatus:
    """Keys of a grid's cells by state.

    ``missing`` holds every cell neither stored intact nor failed; ``damaged`` is the part of
    it whose file is present but fails its checksum. ``stale`` are stored cells of an earlier
    config.
    """

    done: list[str]
    failed: list[str]
    missing: list[str]
    stale: list[str]
    damaged: list[str] = field(default_factory=list)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
        self.index_path = self.root / CHECKSUM_INDEX

    # ----------------------------------------------------------------- cells
    def cell_path(self, key: str) -> Path:
        """Where a cell's (or a ceiling's, for ``ceiling-`` keys) rows live."""
        folder = self.ceiling_dir if key.startswith("ceiling-") else self.cells_dir
        return folder / f"{key}.parquet"

    def checksums(self) -> dict[str, tuple[str, int]]:
        """The checksum index: key to (SHA-256, size) of its last write.

        Lines that are torn or altered are ignored (their cells then count as damaged).
        """
        try:
            text = self.index_path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return {}
        out: dict[str, tuple[str, int]] = {}
        for line in text.split("\n")[:-1]:  # the part after the last newline is torn or empty
            m = _INDEX_LINE.match(line)
            if m:
                out[m.group(1)] = (m.group(2), int(m.group(3)))
        return out

    def read_verified(self, key: str, index: dict[str, tuple[str, int]] | None = None) -> bytes | None:
        """The bytes of a stored cell if they match their recorded checksum, else ``None``."""
        index = self.checksums() if index is None else index
        expected = index.get(key)
        if expected is None:
            return None
        try:
            data = self.cell_path(key).read_bytes()
        except FileNotFoundError:
            return None
        if len(data) != expected[1] or _sha256(data) != expected[0]:
            return None
        return data

    def has(self, key: str) -> bool:
        """Whether a complete, intact result for ``key`` is stored."""
        return self.read_verified(key) is not None

    def _present(self, folder: Path) -> set[str]:
        if not folder.is_dir():
            return set()
        return {p.stem for p in folder.glob("*.parquet")}

    def stored_keys(self) -> set[str]:
        """Keys of every cell with a file in ``cells/`` (intact or not; see :meth:`verified_keys`)."""
        return self._present(self.cells_dir)

    def ceiling_keys(self) -> set[str]:
        """Keys of every stored full-data ceiling."""
        return self._present(self.ceiling_dir)

    def verified_keys(self, keys: Iterable[str] | None = None) -> tuple[set[str], set[str]]:
        """(intact, damaged) among ``keys`` that have a file (every cell file by default)."""
        present = self.stored_keys() | self.ceiling_keys()
        wanted = present if keys is None else set(keys) & present
        index = self.checksums()
        intact = {k for k in wanted if self.read_verified(k, index) is not None}
        return intact, wanted - intact

    def failed_keys(self) -> set[str]:
        """Keys of every cell whose last attempt failed."""
        if not self.failed_dir.is_dir():
            return set()
        return {p.stem for p in self.failed_dir.glob("*.json")}

    def _append_checksum(self, key: str, data: bytes) -> None:
        line = f"{key}\t{_sha256(data)}\t{len(data)}\n".encode()
        try:
            fd = os.open(self.index_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            try:
                if os.write(fd, line) != len(line):  # one short O_APPEND write: lines never interleave
                    raise OSError(28, "short write (disk full?)", str(self.index_path))
            finally:
                os.close(fd)
        except OSError as exc:
            raise name_path(exc, self.index_path) from None

    def write_cell(self, key: str, rows: pd.DataFrame) -> Path:
        """Store a cell's rows atomically with their checksum (and forget an earlier failure)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(rows, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"albench_format"] = str(RESULT_FORMAT_VERSION).encode()
        table = table.replace_schema_metadata(meta)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        data = sink.getvalue().to_pybytes()
        path = self.cell_path(key)
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data, before_rename=lambda: self._append_checksum(key, data))
        (self.failed_dir / f"{key}.json").unlink(missing_ok=True)
        return path

    def write_failure(self, key: str, info: dict) -> Path:
        """Store a failed cell's description and traceback."""
        path = self.failed_dir / f"{key}.json"
        atomic_write_json(path, info)
        return path

    def read_failures(self) -> list[dict]:
        """Every stored failure record (unreadable records are skipped)."""
        if not self.failed_dir.is_dir():
            return []
        out = []
        for p in sorted(self.failed_dir.glob("*.json")):
            try:
                record = json.loads(p.read_text())
            except (ValueError, OSError):
                continue
            if isinstance(record, dict):
                out.append(record)
        return out

    def classify(self, manifest: dict) -> CellStatus:
        """Split the manifest's grid into cells done (intact), failed, missing and damaged."""
        keys = list(manifest.get("cells", []))
        stored, failed = self.stored_keys(), self.failed_keys()
        intact, damaged = self.verified_keys(keys)
        return CellStatus(
            done=[k for k in keys if k in intact],
            failed=[k for k in keys if k in failed and k not in intact],
            missing=[k for k in keys if k not in intact and k not in failed],
            stale=sorted(stored - set(keys)),
            damaged=[k for k in keys if k in damaged and k not in failed],
        )

    def remove_cell(self, key: str) -> None:
        """Delete a stored cell (used by ``--force``)."""
        self.cell_path(key).unlink(missing_ok=True)

    # -------------------------------------------------------------- manifest
    def manifest_path(self) -> Path:
        """``manifest.json``."""
        return self.root / MANIFEST

    def read_manifest(self) -> dict:
        """The manifest, checked: an input error if it is absent, not JSON, incomplete or of
        another format version."""
        path = self.manifest_path()
        if not self.root.exists():
            raise AlbenchInputError(f"results folder {str(self.root)!r} not found")
        if not self.root.is_dir():
            raise AlbenchInputError(f"{str(self.root)!r} is a file, not an albench results folder")
        if not path.is_file():
            raise AlbenchInputError(
                f"{str(self.root)!r} is not an albench results folder (no {MANIFEST}); "
                "give the folder that `albench run` wrote, e.g. results/<experiment>"
            )
        try:
            manifest = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise AlbenchInputError(
                f"{path}: not a valid albench manifest (not JSON: {exc}); "
                "re-run `albench run` into a fresh --out, or restore the file"
            ) from None
        return check_manifest(manifest, path)

    def write_manifest(self, manifest: dict) -> None:
        """Atomically (re)write the manifest."""
        atomic_write_json(self.manifest_path(), manifest)

    def read_cells(self, keys: Iterable[str] | None = None, strict: bool = False) -> pd.DataFrame:
        """Rows of the given stored cells (all stored cells by default), in key order.

        A cell that fails its checksum is skipped with a :class:`DamagedCellWarning`, or
        raises :class:`DamagedResultsError` when ``strict``.
        """
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        available = self.stored_keys() | self.ceiling_keys()
        wanted = sorted(self.stored_keys() if keys is None else set(keys) & available)
        index = self.checksums()
        frames, damaged = [], []
        for k in wanted:
            data = self.read_verified(k, index)
            if data is None:
                damaged.append(k)
                continue
            frames.append(pq.read_table(pa.BufferReader(data)).to_pandas())
        if damaged:
            paths = ", ".join(str(self.cell_path(k)) for k in damaged[:3])
            more = f" and {len(damaged) - 3} more" if len(damaged) > 3 else ""
            message = (
                f"{len(damaged)} stored cell(s) fail their checksum (damaged or truncated): {paths}{more}; "
                "`albench run` recomputes them"
            )
            if strict:
                raise DamagedResultsError(message)
            warnings.warn(message, DamagedCellWarning, stacklevel=3)
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)


def check_manifest(manifest: object, path: str | Path) -> dict:
    """Check a parsed manifest's shape and format version; return it.

    Raises
    ------
    AlbenchInputError
        If it is not an object, lacks a required key, or has another format version.
    """
    if not isinstance(manifest, dict):
        raise AlbenchInputError(f"{path}: not a valid albench manifest (a JSON object is expected)")
    found = manifest.get("format_version")
    if "format_version" in manifest and found != RESULT_FORMAT_VERSION:
        raise AlbenchInputError(
            f"{path}: results format version {found!r}, this albench reads version {RESULT_FORMAT_VERSION}; "
            "use the albench version that wrote it, or run again into a fresh --out"
        )
    lacking = [k for k in MANIFEST_KEYS if k not in manifest]
    if lacking:
        raise AlbenchInputError(
            f"{path}: not a valid albench manifest (no {', '.join(map(repr, lacking))}); "
            "re-run `albench run` into a fresh --out, or restore the file"
        )
    if not isinstance(manifest["cells"], list) or not isinstance(manifest["config"], dict):
        raise AlbenchInputError(
            f"{path}: not a valid albench manifest ('cells' or 'config' has the wrong type)"
        )
    return manifest


def load_results(path: str | Path, include_stale: bool = False, strict: bool = False) -> pd.DataFrame:
    """Read a results folder into one long DataFrame (one row per cell and round).

    Every cell is checked against the checksum recorded when it was written.

    Parameters
    ----------
    path : path
        ``results/<experiment>`` as written by ``albench run``.
    include_stale : bool
        Also return cells stored by an earlier, different config of the same experiment
        (by default only the cells of the grid in the manifest).
    strict : bool
        Raise :class:`DamagedResultsError` if a cell fails its checksum; by default such
        cells are skipped with a :class:`DamagedCellWarning`.

    Returns
    -------
    pandas.DataFrame
        Sorted by dataset, model, strategy, labeler, repetition and round.
    """
    store = ResultStore(path)
    manifest = store.read_manifest()
    keys = None if include_stale else manifest.get("cells", [])
    df = store.read_cells(keys, strict=strict)
    if df.empty:
        return df
    order = ["dataset", "model", "strategy", "labeler", "repetition", "round"]
    return df.sort_values(order, kind="stable").reset_index(drop=True)


def load_ceiling(path: str | Path, strict: bool = False) -> pd.DataFrame:
    """The full-data ceiling rows of a results folder (empty DataFrame when there are none).

    Columns: experiment, ceiling_key, dataset, model, repetition, n_labeled (size of the
    training part), one column per metric, fit_seconds. Damaged files are handled as by
    :func:`load_results`.
    """
    store = ResultStore(path)
    manifest = store.read_manifest()
    df = store.read_cells(manifest.get("ceiling", []), strict=strict)
    if df.empty:
        return df
    return df.sort_values(["dataset", "model", "repetition"], kind="stable").reset_index(drop=True)
