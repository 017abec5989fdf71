"""A small process pool whose workers die with the run and whose cells can be stopped.

The local backend of :mod:`albench.runner`. Each worker is a fresh (``spawn``) process that
runs one task at a time and sends the result back through its own pipe, so the parent
always knows which task a worker holds. That is what lets it

- stop a cell that runs past its timeout (the worker is killed and replaced),
- turn a worker that dies (``os._exit``, a segfault in native code, the OOM killer) into a
  failed record with what is known: exit status or signal, and the faulthandler traceback,
- retry the cells of workers that died, and
- stop scheduling on request (first Ctrl-C) and discard what is still running.

Workers die with their parent: on Linux through ``prctl(PR_SET_PDEATHSIG, SIGKILL)``, and
everywhere through a watchdog thread that exits the worker when its parent changes. Workers
ignore SIGINT: the parent decides what a Ctrl-C means.
"""

from __future__ import annotations

import ctypes
import faulthandler
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from albench.lock import pid_alive

PR_SET_PDEATHSIG = 1
_POLL_SECONDS = 0.5
#: scratch folders of a pool (the workers' faulthandler files) are named PREFIX<pid>-<random>
SCRATCH_PREFIX = "albench-workers-"


def remove_orphaned_scratch(folder: str | None = None) -> list[Path]:
    """Remove the scratch folders of pools whose process is gone (a SIGKILLed run leaves one).

    Only folders named ``SCRATCH_PREFIX<pid>-...`` whose ``pid`` is not a live process and
    that belong to this user are removed. Returns the removed folders.
    """
    import shutil

    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid_text = path.name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
        try:
            if not pid_text.isdigit() or pid_alive(int(pid_text)) or path.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _die_with_parent(parent_pid: int) -> None:
    """Make this process exit when ``parent_pid`` does."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(70)
            time.sleep(1.0)

    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(70)
    threading.Thread(target=watch, name="albench-parent-watch", daemon=True).start()


def _worker_main(conn: Connection, parent_pid: int, fault_path: str, fn: Callable, fixed: tuple) -> None:
    """Worker loop: receive a task, run ``fn(task, *fixed)``, send the result; ``None`` ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    with open(fault_path, "w") as fault_file:
        faulthandler.enable(file=fault_file)
        while True:
            try:
                task = conn.recv()
            except EOFError:
                return
            if task is None:
                return
            conn.send(fn(task, *fixed))


@dataclass
class WorkerDeath:
    """A task whose worker died or was stopped: what is known about why."""

    task: object
    reason: str
    detail: str
    seconds: float


class _Worker:
    def __init__(self, ctx, index: int, fault_dir: str, fn: Callable, fixed: tuple) -> None:
        self.fault_path = str(Path(fault_dir) / f"worker-{index}.txt")
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=_worker_main,
            args=(child, os.getpid(), self.fault_path, fn, fixed),
            name=f"albench-worker-{index}",
            daemon=True,
        )
        self.proc.start()
        child.close()
        self.task: object | None = None
        self.started = 0.0
        self.attempt = 0

    def give(self, task: object, attempt: int) -> None:
        self.conn.send(task)
        self.task, self.started, self.attempt = task, time.monotonic(), attempt

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def fault_text(self) -> str:
        try:
            return Path(self.fault_path).read_text(errors="replace").strip()
        except OSError:
            return ""


def _death_reason(exitcode: int | None) -> str:
    if exitcode is None:
        return "the worker vanished"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (a crash in native code)" if name in ("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE") else ""
        if name == "SIGKILL":
            hint = " (killed from outside, e.g. by the out-of-memory killer)"
        return f"the worker died from {name}{hint}"
    return f"the worker exited with status {exitcode} (os._exit or a native exit in the cell's code)"


class LocalPool:
    """Run tasks in ``n_workers`` processes; see the module docstring.

    Parameters
    ----------
    n_workers : int
        Worker processes (at most this many tasks run at once).
    fn : callable
        Module-level function ``fn(task, *fixed)`` run in the workers; it must return a
        picklable result (and catch the task's own exceptions).
    fixed : tuple
        Extra arguments, sent once per worker.
    timeout : float, optional
        Seconds a task may run before its worker is killed.
    retries : int
        Extra attempts for a task whose worker died (not for timeouts).
    """

    def __init__(
        self,
        n_workers: int,
        fn: Callable,
        fixed: tuple = (),
        timeout: float | None = None,
        retries: int = 0,
    ) -> None:
        self.n_workers, self.fn, self.fixed = n_workers, fn, fixed
        self.timeout, self.retries = timeout, retries
        self._ctx = mp.get_context("spawn")
        remove_orphaned_scratch()
        self._fault_dir = tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
        self._workers: list[_Worker] = []
        self._spawned = 0
        self._stop_at: float | None = None
        #: Tasks killed unfinished because of :meth:`stop`.
        self.discarded = 0

    def _spawn(self) -> _Worker:
        self._spawned += 1
        return _Worker(self._ctx, self._spawned, self._fault_dir.name, self.fn, self.fixed)

    def stop(self, grace: float) -> None:
        """Schedule nothing more; tasks still running after ``grace`` seconds are discarded."""
        if self._stop_at is None:
            self._stop_at = time.monotonic() + grace

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop_at is not None

    def in_flight(self) -> list[object]:
        """Tasks running now."""
        return [w.task for w in self._workers if w.task is not None]

    def run(self, tasks: Iterable[object]) -> Iterator[object | WorkerDeath]:
        """Yield each task's result (or a :class:`WorkerDeath`) as tasks finish.

        ``tasks`` is consumed lazily, one task per free worker.
        """
        source = iter(tasks)
        retry: deque[tuple[object, int]] = deque()
        exhausted = False
        try:
            while True:
                if self._stop_at is None:
                    for w in self._idle():
                        if retry:
                            task, attempt = retry.popleft()
                        elif not exhausted:
                            task = next(source, None)
                            if task is None:
                                exhausted = True
                                break
                            attempt = 0
                        else:
                            break
                        try:
                            w.give(task, attempt)
                        except OSError:  # the idle worker died meanwhile: a fresh one takes the task
                            self._replace(w).give(task, attempt)
                busy = [w for w in self._workers if w.task is not None]
                if not busy:
                    if self._stop_at is not None or (exhausted and not retry):
                        return
                    continue
                wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=self._wait_for(busy))
                for w in busy:
                    yield from self._check(w, retry)
                if self._stop_at is not None and time.monotonic() >= self._stop_at:
                    for w in self._workers:
                        if w.task is not None:
                            self.discarded += 1
                            w.kill()
                            w.task = None
                    return
        finally:
            self.close()

    def _idle(self) -> Iterator[_Worker]:
        while len(self._workers) < self.n_workers:
            self._workers.append(self._spawn())
        for w in list(self._workers):
            if w.task is None:
                yield w

    def _wait_for(self, busy: list[_Worker]) -> float:
        timeout = _POLL_SECONDS
        now = time.monotonic()
        if self.timeout is not None:
            nearest = min(w.started + self.timeout for w in busy)
            timeout = min(timeout, max(0.0, nearest - now))
        return timeout

    def _replace(self, w: _Worker) -> _Worker:
        w.kill()
        fresh = self._spawn()
        self._workers[self._workers.index(w)] = fresh
        return fresh

    def _check(self, w: _Worker, retry: deque) -> Iterator[object | WorkerDeath]:
        elapsed = time.monotonic() - w.started
        if w.conn.poll():
            try:
                result = w.conn.recv()
            except (EOFError, OSError):
                result = None
            else:
                w.task = None
                yield result
                return
        if not w.proc.is_alive() or w.conn.closed:
            w.proc.join(1)
            reason = _death_reason(w.proc.exitcode)
            task, attempt, fault = w.task, w.attempt, w.fault_text()
            self._replace(w)
            if attempt < self.retries:
                retry.append((task, attempt + 1))
                return
            tries = f" (after {attempt + 1} attempts)" if attempt else ""
            yield WorkerDeath(task, reason + tries, fault, elapsed)
            return
        if self.timeout is not None and elapsed >= self.timeout:
            task = w.task
            self._replace(w)
            yield WorkerDeath(
                task, f"timed out: still running after the cell timeout of {self.timeout:g} s", "", elapsed
            )

    def close(self) -> None:
        """Stop every worker (politely if idle, killing busy ones) and remove scratch files."""
        for w in self._workers:
            if w.task is None and w.proc.is_alive():
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + 2.0
        for w in self._workers:
            if w.task is None:
                w.proc.join(max(0.0, deadline - time.monotonic()))
            w.kill()
        self._workers = []
        self._fault_dir.cleanup()

    def kill_all(self) -> None:
        """Kill every worker at once (second Ctrl-C)."""
        for w in self._workers:
            if w.proc.is_alive():
                w.proc.kill()
