import operator
import os
import time
from pathlib import Path

from albench.pool import LocalPool, WorkerDeath


def test_results_deaths_and_timeouts_are_told_apart():
    pool = LocalPool(2, operator.neg, timeout=None)
    assert sorted(pool.run([1, 2, 3])) == [-3, -2, -1]
    dead = list(LocalPool(1, os._exit, retries=1).run([7]))
    assert len(dead) == 1 and isinstance(dead[0], WorkerDeath)
    assert "exited with status 7" in dead[0].reason and "after 2 attempts" in dead[0].reason
    start = time.monotonic()
    (slow,) = LocalPool(1, time.sleep, timeout=1.0).run([60])
    assert isinstance(slow, WorkerDeath) and "timed out" in slow.reason
    assert time.monotonic() - start < 30


def test_scratch_of_dead_pools_is_removed_and_live_ones_kept(tmp_path, monkeypatch):
    import subprocess
    import sys
    import tempfile

    from albench import pool as pool_module

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its PID is now free (reaped)
    dead = tmp_path / f"{pool_module.SCRATCH_PREFIX}{gone.pid}-abc"
    live = tmp_path / f"{pool_module.SCRATCH_PREFIX}{os.getpid()}-def"
    other = tmp_path / f"{pool_module.SCRATCH_PREFIX}xyz"  # not named by a PID: not ours to judge
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "worker-1.txt").write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pool = LocalPool(1, operator.neg)  # a new pool sweeps the temporary folder
    assert not dead.exists() and live.exists() and other.exists()
    assert Path(pool._fault_dir.name).parent == tmp_path
    assert Path(pool._fault_dir.name).name.startswith(f"{pool_module.SCRATCH_PREFIX}{os.getpid()}-")
    assert list(pool.run([1])) == [-1]
    pool.close()
    assert pool_module.remove_orphaned_scratch(str(tmp_path)) == []  # nothing left to sweep
