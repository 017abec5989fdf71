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
    extra = "cell_timeout = 4" if where == "config" else ""
    config = make_config(HANG, repetitions=2, extra=extra)
    out = tmp_path / "res"
    flags = ("--cell-timeout", "4") if where == "flag" else ()
    start = time.monotonic()
    proc = run_cli(
        "run", str(config), "--plugin", str(plugin), "-j", "2", "--out", str(out), "--no-progress", *flags
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, proc.stderr
    records = [json.loads(p.read_text()) for p in (out / "probe" / "failed").glob("*.json")]
    assert len(records) == 2
    assert all("timed out" in r["traceback"] and "4 s" in r["traceback"] for r in records)
    assert len(stored_cells(out / "probe")) == 2  # the random cells
    assert elapsed < 120  # would never end without the timeout
