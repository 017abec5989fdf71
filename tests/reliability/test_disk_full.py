"""A full disk (simulated by a file size limit, ``RLIMIT_FSIZE``) while writing the manifest
or a cell: one line naming the file, exit 1, no partial file left, and the stored cells
stay valid; the next run, with room, completes."""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest
from cli_helpers import run_cli
from probes import cli_env, config_text, stored_cells


def _run_with_file_size_limit(limit: int, *args: str) -> subprocess.CompletedProcess:
    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "albench.cli", *args],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=limit_files,
    )


@pytest.mark.parametrize(
    ("limit", "culprit"),
    [(1_000, "manifest.json"), (9_000, ".parquet")],
    ids=["manifest", "cell"],
)
def test_file_size_limit_is_a_one_line_error_and_nothing_half_written(tmp_path, limit, culprit):
    config = tmp_path / "probe.toml"
    config.write_text(config_text('["random", "margin"]'))
    out = tmp_path / "res"
    proc = _run_with_file_size_limit(limit, "run", str(config), "--out", str(out), "--no-progress")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, proc.stderr
    line = proc.stderr[proc.stderr.index("error:") :].replace("\n", " ")
    assert "File too large" in line and "disk full or file size limit" in line and culprit in line
    results = out / "probe"
    leftovers = [p.name for p in results.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert not (results / "run.lock").exists()
    if culprit == "manifest.json":
        assert not (results / "manifest.json").exists()
    assert stored_cells(results) == []  # every cell is bigger than the limit: none half-stored
    again = run_cli("run", str(config), "--out", str(out), "--no-progress")
    assert again.returncode == 0, again.stderr
    assert len(stored_cells(results)) == 2
