import operator
import os
import time

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
