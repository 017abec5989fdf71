"""One flipped bit in a stored cell's accuracy values is detected by every reader (the
checksum), not read back silently, and the next run recomputes the cell."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
from cli_helpers import run_cli
from probes import stored_cells
from test_truncate import damage_and_check_every_reader

import albench
from albench.simulation import TIMING_COLUMNS


def _flip_a_bit_in_the_accuracy_column(path) -> pd.DataFrame:
    """Flip one bit inside the accuracy column chunk such that the file still parses (the
    silent kind of damage); return the rows as pyarrow reads them afterwards."""
    original = pd.read_parquet(path)
    meta = pq.ParquetFile(path).metadata.row_group(0)
    names = [meta.column(i).path_in_schema for i in range(meta.num_columns)]
    chunk = meta.column(names.index("accuracy"))
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    clean = path.read_bytes()
    for position in range(start + chunk.total_compressed_size - 1, start, -1):
        data = bytearray(clean)
        data[position] ^= 0x01
        path.write_bytes(bytes(data))
        try:
            altered = pd.read_parquet(path)
        except Exception:  # this bit breaks the file loudly; look for a silent one
            continue
        others = [c for c in original.columns if c != "accuracy"]
        if not altered["accuracy"].equals(original["accuracy"]) and altered[others].equals(original[others]):
            return altered
    raise AssertionError("no silent single-bit flip found in the accuracy column")


def test_flipped_bit_is_detected_and_recomputed(tiny_config, tmp_path):
    out = tmp_path / "res"
    assert run_cli("run", str(tiny_config), "--out", str(out), "--no-progress").returncode == 0
    results = out / "tiny"
    before = albench.load_results(results).drop(columns=list(TIMING_COLUMNS))
    victim = stored_cells(results)[5]
    # without the checksum this damage is silent: the file still parses, to other accuracies
    _flip_a_bit_in_the_accuracy_column(victim)
    damage_and_check_every_reader(results, victim, tmp_path)
    rerun = run_cli("run", str(tiny_config), "--out", str(out), "--no-progress")
    assert rerun.returncode == 0 and "fail their checksum" in rerun.stderr
    after = albench.load_results(results).drop(columns=list(TIMING_COLUMNS))
    pd.testing.assert_frame_equal(before, after, check_exact=True)
