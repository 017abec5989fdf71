"""A cell that hangs is stopped at the cell timeout (its worker killed), recorded as failed
with the reason, and the grid goes on."""

from __future__ import annotations

import json
import time

import pytest
from cli_helpers import run_cli
from probes import stored_cells

HANG = '[{name = "misbehave", how = "hang", label = "hangs"}, "random"]'


@pytest.mark.parametrize("where", ["flag", "config"])
def test_hung_cell_is_stopped_and_recorded(make_config, plugin, tmp_path, where):
    extra = "cell_timeout = 20" if where == "config" else ""
    config = make_config(HANG, repetitions=1, extra=extra)
    out = tmp_path / "res"
    flags = ("--cell-timeout", "20") if where == "flag" else ()
    start = time.monotonic()
    proc = run_cli(
        "run", str(config), "--plugin", str(plugin), "-j", "2", "--out", str(out), "--no-progress", *flags
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, proc.stderr
    records = [json.loads(p.read_text()) for p in (out / "probe" / "failed").glob("*.json")]
    # 20 s: long enough for a normal cell on a busy machine, so only the hanging one times out
    assert len(records) == 1 and "/ hangs /" in records[0]["cell"]
    assert "timed out" in records[0]["traceback"] and "20 s" in records[0]["traceback"]
    assert len(stored_cells(out / "probe")) == 1  # the random cell
    assert elapsed < 120  # would never end without the timeout
