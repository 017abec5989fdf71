"""One writer per results folder: an exclusive lock file naming its holder.

``results/<experiment>/run.lock`` is created with ``O_CREAT | O_EXCL`` (atomic, also on NFS
v3+) and holds the holder's host, PID and start time as JSON. A second ``albench run`` on
the same folder finds it and refuses, naming the holder. A lock whose holder is on this host
and no longer alive (a SIGKILLed run) is stale: it is taken over, with the takeover itself
serialised by an advisory ``flock`` so that two runs that find the same stale lock cannot
both win. A lock held on another host is never broken automatically: the message says to
delete it once that run is known to be gone. Readers (``status``, ``report``) take no lock.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from albench.errors import AlbenchInputError

LOCK_NAME = "run.lock"


class LockHeldError(AlbenchInputError):
    """Another live run holds the results folder's lock."""


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (owned by anyone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _describe(holder: dict) -> str:
    return (
        f"host {holder.get('host', '?')}, PID {holder.get('pid', '?')}, started {holder.get('started', '?')}"
    )


class ResultsLock:
    """The lock of one results folder; use as a context manager.

    Parameters
    ----------
    root : path
        The results folder (created if needed).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.path = self.root / LOCK_NAME
        self.info = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._held = False

    def _read(self) -> dict | None:
        try:
            holder = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except (ValueError, OSError, UnicodeDecodeError):
            return {}
        return holder if isinstance(holder, dict) else {}

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(self.info) + "\n")
        return True

    def _is_stale(self, holder: dict) -> bool:
        pid = holder.get("pid")
        return (
            holder.get("host") == self.info["host"]
            and isinstance(pid, int)
            and pid != os.getpid()
            and not pid_alive(pid)
        )

    def acquire(self) -> None:
        """Take the lock, taking over a stale one.

        Raises
        ------
        LockHeldError
            If a live run holds it (the message names host, PID and start time).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        if self._create():
            self._held = True
            return
        holder = self._read()
        if holder and self._is_stale(holder):
            guard = os.open(self.root / f".{LOCK_NAME}.takeover", os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(guard, fcntl.LOCK_EX)
                # under the guard, nobody else replaces a stale lock: check it is the same one
                if self._read() == holder:
                    self.path.unlink(missing_ok=True)
                if self._create():
                    self._held = True
                    return
                holder = self._read()
            finally:
                os.close(guard)
        if holder is None:  # released between our attempts: try once more
            if self._create():
                self._held = True
                return
            holder = self._read() or {}
        hint = (
            "wait for it to finish or stop it"
            if holder.get("host") == self.info["host"]
            else f"if that run is gone, delete {self.path}"
        )
        who = _describe(holder) if holder else "an unreadable lock file"
        raise LockHeldError(f"{self.root} is in use by another albench run ({who}); {hint}")

    def release(self) -> None:
        """Remove the lock if it is still ours."""
        if not self._held:
            return
        self._held = False
        if self._read() == self.info:
            try:
                self.path.unlink()
            except OSError as exc:
                if exc.errno != errno.ENOENT:
                    raise

    def __enter__(self) -> ResultsLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
