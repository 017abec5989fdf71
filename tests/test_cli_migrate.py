"""``albench migrate``: a results folder from before checksums becomes usable again."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from cli_helpers import run_cli

SMALL = """
name = "old"
seed = 3
repetitions = 2

[protocol]
test_fraction = 0.3
initial_size = 6
batch_size = 4
budget = 8

[grid]
datasets = ["iris"]
models = ["logistic_regression"]
strategies = ["random", "margin"]
"""


@pytest.fixture
def old_folder(tmp_path):
    """A results folder as albench wrote it before checksums: the same files, no checksums.tsv."""
    config = tmp_path / "old.toml"
    config.write_text(SMALL)
    proc = run_cli("run", str(config), "--out", str(tmp_path / "res"), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "res" / "old"
    index = root / "checksums.tsv"
    original = set(index.read_text().splitlines())
    index.unlink()
    return root, original


def test_migrate_writes_the_checksums_the_run_wrote(old_folder):
    root, original = old_folder
    before = run_cli("status", str(root))
    assert before.returncode == 1 and "damaged 4" in before.stdout  # 2 reps x 2 strategies
    proc = run_cli("migrate", str(root), "--sample", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("\nidentical ") == 2 and "2 re-run and identical" in proc.stdout
    # the lines written are those the run wrote when it stored the files (cells and ceilings)
    assert set((root / "checksums.tsv").read_text().splitlines()) == original
    after = run_cli("status", str(root))
    assert after.returncode == 0 and "done    4" in after.stdout and "damaged 0" in after.stdout
    again = run_cli("migrate", str(root))
    assert again.returncode == 0 and "nothing to migrate" in again.stdout


def test_a_truncated_cell_is_refused_and_nothing_written(old_folder):
    root, _ = old_folder
    cell = sorted((root / "cells").glob("*.parquet"))[0]
    cell.write_bytes(cell.read_bytes()[:-40])
    proc = run_cli("migrate", str(root), "--sample", "0")
    assert proc.returncode == 1
    assert str(cell) in proc.stdout.replace("\n", "") and "does not read as Parquet" in proc.stdout
    assert not (root / "checksums.tsv").exists()


def test_rows_changed_by_hand_are_caught_by_the_re_run(old_folder):
    root, _ = old_folder
    cell = sorted((root / "cells").glob("*.parquet"))[0]
    table = pq.read_table(cell)
    df = table.to_pandas()
    df.loc[df.index[-1], "accuracy"] = 0.123  # still a complete file of its own cell
    import pyarrow as pa

    pq.write_table(
        pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(table.schema.metadata), cell
    )
    proc = run_cli("migrate", str(root), "--sample", "4")
    assert proc.returncode == 1
    assert "DIFFERENT" in proc.stdout and "refused" in proc.stdout
    assert not (root / "checksums.tsv").exists()


def test_a_folder_that_is_not_results_is_bad_input(tmp_path):
    proc = run_cli("migrate", str(tmp_path))
    assert proc.returncode == 2 and "not an albench results folder" in proc.stderr
