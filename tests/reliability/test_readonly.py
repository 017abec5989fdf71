"""Read-only folders and files in the way: one line naming the path, exit 1 when the machine
refuses (permissions), exit 2 when the path given cannot be a folder; readers still work on
read-only results.

The suite runs as root, which ignores permission bits, so the commands that must meet a
read-only folder run as the unprivileged user ``nobody`` (``setpriv``); they are skipped
where that is impossible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from cli_helpers import run_cli
from probes import cli_env, config_text

SETPRIV = shutil.which("setpriv")
NOBODY = 65534


def as_nobody(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI as the user nobody (no supplementary groups)."""
    cmd = [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable]
    return subprocess.run(
        [*cmd, "-m", "albench.cli", *args],
        env=cli_env(MPLCONFIGDIR=tempfile.gettempdir(), HOME=tempfile.gettempdir()),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tempfile.gettempdir(),
    )


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A folder every user can read (pytest's own tmp folders are private to root)."""
    if os.geteuid() != 0 or SETPRIV is None:
        pytest.skip("needs root and setpriv to run a command as an unprivileged user")
    base = Path(tempfile.mkdtemp(prefix="albench-ro-"))
    base.chmod(0o755)
    config = base / "probe.toml"
    config.write_text(config_text('["random", "margin"]'))
    config.chmod(0o644)
    proc = run_cli("run", str(config), "--out", str(base / "res"), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    probe = as_nobody("--version")
    if probe.returncode != 0:
        shutil.rmtree(base)
        pytest.skip(f"cannot run albench as nobody here: {probe.stderr.strip()[-200:]}")
    writable = base / "writable"
    writable.mkdir()
    writable.chmod(0o777)
    yield base, config
    shutil.rmtree(base)


def _one_line(proc) -> str:
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # one line, wrapped at most once
    return proc.stderr.strip().replace("\n", " ")


def test_run_into_a_read_only_results_folder(shared):
    base, config = shared
    proc = as_nobody("run", str(config), "--out", str(base / "res"), "--no-progress", "--force")
    assert proc.returncode == 1, proc.stderr
    line = _one_line(proc)
    assert str(base / "res" / "probe") in line and "cannot write" in line and "Permission denied" in line


def test_run_under_a_read_only_parent(shared):
    base, config = shared
    proc = as_nobody("run", str(config), "--out", str(base / "new" / "res"), "--no-progress")
    assert proc.returncode == 1 and "cannot write" in _one_line(proc)
    assert not (base / "new").exists()


def test_readers_work_on_read_only_results(shared):
    base, _ = shared
    status = as_nobody("status", str(base / "res" / "probe"))
    assert status.returncode == 0 and "done    2" in status.stdout, status.stderr
    report = as_nobody("report", str(base / "res" / "probe"), "--out", str(base / "writable"))
    assert report.returncode == 0, report.stderr
    assert (base / "writable" / "probe" / "index.html").is_file()


def test_report_into_a_read_only_folder(shared):
    base, _ = shared
    proc = as_nobody("report", str(base / "res" / "probe"), "--out", str(base / "reports"))
    assert proc.returncode == 1
    assert str(base / "reports") in _one_line(proc) and "cannot write" in proc.stderr


def test_out_under_a_regular_file(tmp_path):
    config = tmp_path / "probe.toml"
    config.write_text(config_text('["random", "margin"]'))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = run_cli("run", str(config), "--out", str(blocker / "res"), "--no-progress")
    assert proc.returncode == 2, proc.stderr
    assert str(blocker) in _one_line(proc) and "a file is in the way" in proc.stderr
    assert run_cli("run", str(config), "--out", str(tmp_path / "ok"), "--no-progress").returncode == 0
    report = run_cli("report", str(tmp_path / "ok" / "probe"), "--out", str(blocker / "rep"))
    assert report.returncode == 2 and "a file is in the way" in _one_line(report)
    assert blocker.read_text() == "not a folder"
