import os
import stat
import warnings

import pandas as pd
import pytest

from albench.store import DamagedCellWarning, DamagedResultsError, ResultStore


def _rows(value: float) -> pd.DataFrame:
    return pd.DataFrame({"accuracy": [value, value / 2], "round": [0, 1]})


def test_checksum_index_last_write_wins_and_torn_lines_count_as_damaged(tmp_path):
    store = ResultStore(tmp_path)
    store.write_cell("a", _rows(0.5))
    store.write_cell("b", _rows(0.7))
    store.write_cell("a", _rows(0.9))  # a rerun appends a second line for "a"
    assert store.verified_keys() == ({"a", "b"}, set())
    assert store.read_cells(["a"])["accuracy"].tolist() == [0.9, 0.45]
    lines = store.index_path.read_text().splitlines()
    assert len(lines) == 3
    store.index_path.write_text("\n".join(lines[:2]) + "\n" + lines[2][:30])  # the last line torn
    assert store.verified_keys() == ({"b"}, {"a"})  # "a" now matches no intact line
    with pytest.warns(DamagedCellWarning, match="a.parquet"):
        assert store.read_cells()["accuracy"].tolist() == [0.7, 0.35]
    with pytest.raises(DamagedResultsError):
        store.read_cells(strict=True)


def test_stored_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = ResultStore(tmp_path).write_cell("k", _rows(0.1))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "checksums.tsv").stat().st_mode) == 0o640


def test_a_cell_without_a_checksum_is_not_trusted(tmp_path):
    store = ResultStore(tmp_path)
    store.write_cell("k", _rows(0.3))
    store.index_path.unlink()
    assert not store.has("k")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert store.read_cells().empty
    assert any(issubclass(w.category, DamagedCellWarning) for w in seen)
