"""Faults on the cluster backends, from outside. Dask: a scheduler and two workers as their own
processes on 127.0.0.1, ``albench run --backend dask`` against them.

* A worker SIGKILLed mid-run: Dask re-runs its cells on the other worker; every cell is
  stored once and the rows equal a local run's bit for bit.
* The scheduler SIGKILLed mid-run: the run stops with one line and exit 1; what was stored
  stays, and the same command against a new cluster resumes.

Ray (a local Ray on 127.0.0.1): a pool worker SIGKILLed mid-run is restarted and its cell run
again; rows equal a local run's.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pandas as pd
import pytest
from cli_helpers import run_cli
from probes import cli_env, kill_tree, start_cli, stored_cells, wait_for

import albench
from albench.simulation import TIMING_COLUMNS

if not os.environ.get("CI"):
    pytest.importorskip(
        "distributed", reason="dask[distributed] is not installed (the test extra installs it)"
    )

pytestmark = pytest.mark.cluster

SLOW = '[{name = "misbehave", how = "sleep", seconds = 0.6, label = "slow"}, "random"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A Dask scheduler and ``n`` single-threaded workers (no nanny: a killed worker stays dead)."""

    def __init__(self, tmp_path, n: int = 2):
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        env = cli_env()
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
             str(self.port), "--no-dashboard"],
            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_worker",
                    self.address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for _ in range(n)
        ]
        from distributed import Client

        assert wait_for(self._ready(Client, n), 60), "the Dask cluster did not start"

    def _ready(self, client_cls, n):
        def check():
            try:
                with client_cls(self.address, timeout=2) as c:
                    return len(c.scheduler_info()["workers"]) >= n
            except OSError:
                return False

        return check

    def close(self):
        for p in [*self.workers, self.scheduler]:
            if p.poll() is None:
                p.kill()
            p.wait(10)


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    yield c
    c.close()


def _rows(folder):
    return albench.load_results(folder).drop(columns=list(TIMING_COLUMNS))


def _run_and_kill(args, env, out, kill, wait_s=120):
    """Start ``albench run ARGS``, call ``kill()`` once a first cell is stored, let it finish."""
    proc = start_cli(*args, env=env)
    try:
        assert wait_for(lambda: len(stored_cells(out / "probe")) >= 1, wait_s), proc.stderr
        kill()
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        kill_tree(proc)
    return proc.returncode, stdout, stderr


def _assert_equals_a_local_run(config, plugin, tmp_path, out, n_cells):
    local = run_cli(
        "run", str(config), "--plugin", str(plugin), "--out", str(tmp_path / "local"), "--no-progress"
    )
    assert local.returncode == 0, local.stderr
    a, b = _rows(out / "probe"), _rows(tmp_path / "local" / "probe")
    assert len(a) == n_cells * 3
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_worker_killed_mid_run_loses_nothing(cluster, make_config, plugin, tmp_path):
    config = make_config(SLOW, repetitions=4)
    out = tmp_path / "res"
    args = ("run", str(config), "--plugin", str(plugin), "--backend", "dask", "-j", "2", "--out", str(out),
            "--no-progress")  # fmt: skip
    env = {"ALBENCH_DASK_SCHEDULER": cluster.address}
    code, stdout, stderr = _run_and_kill(
        args, env, out, lambda: cluster.workers[0].send_signal(signal.SIGKILL)
    )
    assert code == 0, stdout + stderr
    assert "ran 8 cell(s), skipped 0, failed 0 of 8" in stdout + stderr
    _assert_equals_a_local_run(config, plugin, tmp_path, out, 8)


def test_the_scheduler_going_away_stops_the_run_with_one_line_and_a_rerun_resumes(
    cluster, make_config, plugin, tmp_path
):
    config = make_config(SLOW, repetitions=6)
    out = tmp_path / "res"
    args = ("run", str(config), "--plugin", str(plugin), "--backend", "dask", "-j", "2", "--out", str(out),
            "--no-progress")  # fmt: skip
    env = {"ALBENCH_DASK_SCHEDULER": cluster.address}
    code, stdout, stderr = _run_and_kill(
        args, env, out, lambda: cluster.scheduler.send_signal(signal.SIGKILL)
    )
    assert code == 1, stdout + stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("error: --backend dask: the cluster went away during the run"), stderr
    assert "run the same command again to resume" in lines[-1]
    assert "albench/" not in stderr  # no traceback of albench's (distributed logs its own reconnects)
    stored = len(stored_cells(out / "probe"))
    assert 1 <= stored < 12
    cluster.close()
    fresh = Cluster(tmp_path)
    try:
        again = run_cli(
            *args[:-1], "--no-progress", env={"ALBENCH_DASK_SCHEDULER": fresh.address}, timeout=300
        )
    finally:
        fresh.close()
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"skipped {stored}" in again.stdout + again.stderr
    assert len(stored_cells(out / "probe")) == 12


def test_a_ray_worker_killed_mid_run_loses_nothing(make_config, plugin, tmp_path):
    """Ray's pool worker (a ``PoolActor`` process of a local Ray on 127.0.0.1) SIGKILLed while
    cells are in flight: the cells are run again, stored once, equal to a local run."""
    pytest.importorskip("ray", reason="ray is not installed (the test extra installs it)")
    config = make_config(SLOW.replace("0.6", "1.5"), repetitions=4)
    out = tmp_path / "res"
    args = ("run", str(config), "--plugin", str(plugin), "--backend", "ray", "-j", "2", "--out", str(out),
            "--no-progress")  # fmt: skip

    def kill_a_pool_worker():
        found = subprocess.run(["pgrep", "-f", "ray::PoolActor"], capture_output=True, text=True).stdout
        actors = [int(p) for p in found.split()]
        assert actors, "no Ray pool worker found"
        os.kill(actors[0], signal.SIGKILL)

    env = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    code, stdout, stderr = _run_and_kill(args, env, out, kill_a_pool_worker, wait_s=180)
    assert code == 0, stdout + stderr
    assert "ran 8 cell(s), skipped 0, failed 0 of 8" in stdout + stderr
    _assert_equals_a_local_run(config, plugin, tmp_path, out, 8)
