"""Ctrl-C: the first stops scheduling and ends the run within seconds (exit 130, what is done
printed, no worker left); a second ends it at once; the next run resumes."""

from __future__ import annotations

import os
import signal
import time

from cli_helpers import run_cli
from probes import alive, children, kill_tree, start_cli, stored_cells, wait_for

SLOW = '[{name = "misbehave", how = "sleep", seconds = 0.7, label = "slow"}, "random"]'
HANG = '[{name = "misbehave", how = "hang", label = "hangs"}]'


def test_first_ctrl_c_stops_within_seconds_and_the_next_run_resumes(make_config, plugin, tmp_path):
    config = make_config(SLOW, repetitions=5)
    out = tmp_path / "res"
    args = ("--plugin", str(plugin), "--out", str(out), "--no-progress")
    proc = start_cli("run", str(config), *args, "-j", "2")
    try:
        assert wait_for(lambda: len(stored_cells(out / "probe")) >= 1, 120), proc.stderr
        workers = children(proc.pid)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
        _, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        kill_tree(proc)
    assert proc.returncode == 130, stderr
    assert took < 10, f"took {took:.1f} s to stop"
    assert "interrupted:" in stderr and "run the same command again to resume" in stderr
    assert wait_for(lambda: not any(alive(p) for p in workers), 5)
    assert not (out / "probe" / "run.lock").exists()
    stored = len(stored_cells(out / "probe"))
    assert 1 <= stored < 10
    resumed = run_cli("run", str(config), *args, "-j", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{stored} cell(s) already stored" in resumed.stderr
    assert len(stored_cells(out / "probe")) == 10


def test_second_ctrl_c_exits_at_once(make_config, plugin, tmp_path):
    config = make_config(HANG, repetitions=2)
    out = tmp_path / "res"
    proc = start_cli(
        "run", str(config), "--plugin", str(plugin), "--out", str(out), "--no-progress", "-j", "2"
    )
    try:
        assert wait_for(lambda: len(children(proc.pid)) >= 2, 60), proc.stderr
        workers = children(proc.pid)
        time.sleep(2)  # the workers are inside the hanging cells
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.5)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        kill_tree(proc)
    assert proc.returncode == 130, stderr
    assert took < 2, f"took {took:.1f} s after the second Ctrl-C"
    assert "interrupted again" in stderr
    assert wait_for(lambda: not any(alive(p) for p in workers), 5)
