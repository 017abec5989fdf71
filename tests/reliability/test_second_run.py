"""One writer per results folder: a second run refuses naming the holder, readers still
work during a run, and a lock left by a dead run is taken over."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

from cli_helpers import run_cli
from probes import kill_tree, start_cli, stored_cells, wait_for

# long enough that the second run and the status below happen while the first still runs,
# on a loaded machine too (4 cells, 2 workers: at least 12 s)
SLOW = '[{name = "misbehave", how = "sleep", seconds = 6.0, label = "slow"}]'


def test_second_run_on_the_same_folder_is_refused(make_config, plugin, tmp_path):
    config = make_config(SLOW, repetitions=4)
    out = tmp_path / "res"
    args = ("--plugin", str(plugin), "--out", str(out), "--no-progress")
    first = start_cli("run", str(config), *args, "-j", "2")
    lock = out / "probe" / "run.lock"
    try:
        assert wait_for(lambda: lock.exists() and (out / "probe" / "manifest.json").exists(), 60)
        holder = json.loads(lock.read_text())
        assert holder["pid"] == first.pid
        second = run_cli("run", str(config), *args)
        assert second.returncode == 2, second.stderr
        line = second.stderr.strip()
        assert len(line.splitlines()) == 1
        assert f"PID {first.pid}" in line and socket.gethostname() in line and holder["started"] in line
        status = run_cli("status", str(out / "probe"))  # readers take no lock
        assert status.returncode == 1 and "missing" in status.stdout
        assert first.wait(300) == 0
    finally:
        kill_tree(first)
    assert len(stored_cells(out / "probe")) == 4  # written once, by the first run only
    assert not lock.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_stale_lock_is_taken_over_and_a_foreign_one_is_not(make_config, tmp_path):
    config = make_config('["random"]')
    out = tmp_path / "res"
    lock = out / "probe" / "run.lock"
    lock.parent.mkdir(parents=True)
    stale = {"host": socket.gethostname(), "pid": _dead_pid(), "started": "2020-01-01T00:00:00+00:00"}
    lock.write_text(json.dumps(stale))
    proc = run_cli("run", str(config), "--out", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert not lock.exists()
    foreign = {"host": "another-host.example", "pid": 1, "started": "2020-01-01T00:00:00+00:00"}
    lock.write_text(json.dumps(foreign))
    proc = run_cli("run", str(config), "--out", str(out), "--no-progress", "--force")
    assert proc.returncode == 2
    assert "another-host.example" in proc.stderr and f"delete {lock}" in proc.stderr.replace("\n", "")
    assert json.loads(lock.read_text()) == foreign
