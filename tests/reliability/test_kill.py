"""SIGKILL of the main ``albench run``: its workers die with it, and the next run resumes
(taking over the lock the killed run left) to the same rows as an uninterrupted run."""

from __future__ import annotations

import os
import signal

import pandas as pd
from cli_helpers import run_cli
from probes import alive, children, kill_tree, start_cli, stored_cells, wait_for

import albench
from albench.simulation import TIMING_COLUMNS

SLOW = '[{name = "misbehave", how = "sleep", seconds = 0.5, label = "slow"}, "random"]'


def test_sigkill_leaves_no_worker_and_resume_matches_an_uninterrupted_run(make_config, plugin, tmp_path):
    config = make_config(SLOW, repetitions=3)
    args = ("--plugin", str(plugin), "--no-progress")
    out = tmp_path / "res"
    scratch = tmp_path / "tmp"  # the run's temporary folder, to see what a SIGKILL leaves there
    scratch.mkdir()
    env = {"TMPDIR": str(scratch)}
    proc = start_cli(
        "run", str(config), "--plugin", str(plugin), "-j", "2", "--out", str(out), "--no-progress", env=env
    )
    try:
        assert wait_for(lambda: len(children(proc.pid)) >= 2, 60), proc.stderr
        assert wait_for(lambda: len(stored_cells(out / "probe")) >= 1, 120)
        workers = children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert wait_for(lambda: not any(alive(p) for p in workers), 5), "workers outlived their run"
    finally:
        kill_tree(proc)
    assert (out / "probe" / "run.lock").exists()  # left by the killed run, taken over below
    assert [p.name.split("-")[2] for p in scratch.iterdir()] == [str(proc.pid)]  # its workers' scratch
    resumed = run_cli("run", str(config), *args, "--out", str(out), env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "already stored, skipped" in resumed.stderr
    assert list(scratch.iterdir()) == []  # the next run removed the dead run's scratch, and its own
    fresh = run_cli(
        "run", str(config), "--plugin", str(plugin), "--out", str(tmp_path / "fresh"), "--no-progress"
    )
    assert fresh.returncode == 0, fresh.stderr
    a = albench.load_results(out / "probe").drop(columns=list(TIMING_COLUMNS))
    b = albench.load_results(tmp_path / "fresh" / "probe").drop(columns=list(TIMING_COLUMNS))
    assert len(a) == 6 * 3
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not (out / "probe" / "run.lock").exists()
