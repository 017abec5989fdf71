"""Re-run stored cells and compare their rows bit for bit (``albench verify``)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import joblib
import pandas as pd

from albench.datasets.datadir import set_data_dir
from albench.grid import Cell
from albench.plugins import ensure_plugins
from albench.simulation import TIMING_COLUMNS, run_cell


@dataclass
class Verdict:
    """The outcome of re-running one stored cell."""

    key: str
    description: str
    identical: bool
    detail: str = ""


def _roundtrip(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as it reads back from Parquet (the stored rows went through the same)."""
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    buf.seek(0)
    return pd.read_parquet(buf)


def verify_one(cell: Cell, stored_path: str, plugin_files: tuple[str, ...], data_dir: str | None) -> Verdict:
    """Re-run ``cell`` (loading ``plugin_files`` first) and compare with the stored file."""
    ensure_plugins(plugin_files)
    if data_dir is not None:
        set_data_dir(data_dir, "as passed to the worker")
    expected = pd.read_parquet(stored_path).drop(columns=list(TIMING_COLUMNS))
    try:
        got = _roundtrip(run_cell(cell).drop(columns=list(TIMING_COLUMNS)))
    except Exception as exc:  # a cell that now fails is a difference, not a crash of verify
        return Verdict(cell.key, cell.describe(), False, f"re-run failed: {type(exc).__name__}: {exc}")
    try:
        pd.testing.assert_frame_equal(expected, got, check_exact=True)
    except AssertionError as exc:
        first = str(exc).strip().splitlines()
        return Verdict(cell.key, cell.describe(), False, " ".join(first[:3]))
    return Verdict(cell.key, cell.describe(), True)


def verify_cells(
    cells: list[Cell],
    paths: list[str],
    plugin_files: tuple[str, ...] = (),
    data_dir: str | None = None,
    n_jobs: int = 1,
) -> Iterator[Verdict]:
    """Re-run ``cells`` (``n_jobs`` in parallel) and yield a :class:`Verdict` per cell, in order."""
    if n_jobs == 1:
        for cell, path in zip(cells, paths, strict=True):
            yield verify_one(cell, path, plugin_files, data_dir)
        return
    parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator")
    yield from parallel(
        joblib.delayed(verify_one)(c, p, plugin_files, data_dir) for c, p in zip(cells, paths, strict=True)
    )
