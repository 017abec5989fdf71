"""Stored files get the permissions the umask gives, atomic writes included."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from probes import MISBEHAVE, cli_env, config_text


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_results_files_follow_the_umask(tmp_path, umask, mode):
    config = tmp_path / "probe.toml"
    config.write_text(
        config_text('[{name = "misbehave", how = "sys_exit", label = "bad"}, "random", "margin"]')
    )
    plugin = tmp_path / "misbehave.py"
    plugin.write_text(MISBEHAVE)
    out = tmp_path / "res"
    proc = subprocess.run(
        [sys.executable, "-m", "albench.cli", "run", str(config), "--plugin", str(plugin)]
        + ["--out", str(out), "--no-progress", "--report"],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: os.umask(umask),
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr  # one cell fails: its record is a file too
    assert "report:" in proc.stdout, proc.stderr
    files = [p for p in (out / "probe").rglob("*") if p.is_file()]
    files += [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"manifest.json", "checksums.tsv", "index.html"} <= names
    assert any(n.endswith(".parquet") for n in names) and any(
        n.endswith(".json") and n != "manifest.json" for n in names
    )
    modes = {str(p.relative_to(tmp_path)): oct(stat.S_IMODE(p.stat().st_mode)) for p in files}
    assert set(modes.values()) == {oct(mode)}, modes
