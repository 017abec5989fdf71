import json
import socket
import subprocess
import sys
import textwrap

import pytest

from albench.lock import LOCK_NAME, LockHeldError, ResultsLock


def test_lock_is_exclusive_and_released(tmp_path):
    with ResultsLock(tmp_path / "r") as lock:
        held = json.loads((tmp_path / "r" / LOCK_NAME).read_text())
        assert held == lock.info
        with pytest.raises(LockHeldError, match=f"PID {lock.info['pid']}"):
            ResultsLock(tmp_path / "r").acquire()
    assert not (tmp_path / "r" / LOCK_NAME).exists()
    ResultsLock(tmp_path / "r").acquire()  # free again


def test_exactly_one_of_several_runs_takes_over_a_stale_lock(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    root = tmp_path / "r"
    root.mkdir()
    stale = {"host": socket.gethostname(), "pid": dead.pid, "started": "2020-01-01T00:00:00+00:00"}
    (root / LOCK_NAME).write_text(json.dumps(stale))
    contender = textwrap.dedent(
        f"""
        import sys, time
        from albench.lock import LockHeldError, ResultsLock
        time.sleep(1.0 - time.time() % 1.0)  # start together on the next second
        try:
            ResultsLock({str(root)!r}).acquire()
        except LockHeldError:
            sys.exit(3)
        time.sleep(2)  # hold it (never released: the process exits)
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", contender]) for _ in range(4)]
    codes = sorted(p.wait(60) for p in procs)
    assert codes == [0, 3, 3, 3]
