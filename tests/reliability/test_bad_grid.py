"""Bad grids fail at once with one line and exit 2: a grid that is not a table, and a
repetition count whose grid is beyond the documented size (no memory exhausted first)."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

from cli_helpers import run_cli
from probes import cli_env

from albench.grid import MAX_GRID_CELLS


def test_grid_that_is_not_a_table(tmp_path):
    config = tmp_path / "g.toml"
    config.write_text('grid = "x"\n')
    proc = run_cli("run", str(config), "--out", str(tmp_path / "res"))
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: grid = 'x': must be a table")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "res").exists()


def _limit_memory() -> None:
    two_gib = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (two_gib, two_gib))


def test_huge_repetition_count_is_refused_at_once_under_a_memory_cap(tmp_path):
    config = tmp_path / "huge.toml"
    config.write_text(
        'repetitions = 100000000\n[grid]\ndatasets = ["iris"]\nstrategies = ["random", "margin"]\n'
    )
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "albench.cli", "run", str(config), "--out", str(tmp_path / "res")],
        env=cli_env(OPENBLAS_NUM_THREADS="1"),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_memory,
    )
    took = time.monotonic() - start
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip().replace("\n", " ")
    assert "repetitions = 100000000" in line and f"{MAX_GRID_CELLS:,}" in line and "200,000,000 cells" in line
    assert "Traceback" not in proc.stderr
    assert took < 60  # the refusal comes before any expansion (the bug took 43 s to a MemoryError)
    assert not (tmp_path / "res").exists()


def test_reps_flag_is_held_to_the_same_limit(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[grid]\ndatasets = ["iris"]\n')
    proc = run_cli("run", str(config), "--reps", str(MAX_GRID_CELLS), "--out", str(tmp_path / "res"))
    assert proc.returncode == 2 and "more than the" in proc.stderr
    assert not (tmp_path / "res").exists()
