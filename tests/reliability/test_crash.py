"""A segfault in native code kills only its worker: the cell is a failed record naming the
signal, with the faulthandler traceback of where it happened; the grid goes on."""

from __future__ import annotations

import json

from cli_helpers import run_cli
from probes import stored_cells


def test_segfault_in_a_cell_is_a_failed_record(make_config, plugin, tmp_path):
    config = make_config('[{name = "misbehave", how = "segfault", label = "crash"}, "random"]')
    out = tmp_path / "res"
    proc = run_cli("run", str(config), "--plugin", str(plugin), "-j", "2", "--out", str(out), "--no-progress")
    assert proc.returncode == 1, proc.stderr
    assert "cell failed" in proc.stderr and "SIGSEGV" in proc.stderr
    (record,) = [json.loads(p.read_text()) for p in (out / "probe" / "failed").glob("*.json")]
    assert "the worker died from SIGSEGV" in record["traceback"]
    assert "misbehave.py" in record["traceback"]  # faulthandler's traceback points at the plugin
    assert len(stored_cells(out / "probe")) == 1
