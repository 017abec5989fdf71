"""Atomic file writes: a temporary file in the same folder, then a rename.

A crash at any instant leaves the target either as it was or complete (DESIGN invariant 4).
Written files get the permissions the umask gives (``0666 & ~umask``), as a plain ``open``
would, although :func:`tempfile.mkstemp` creates them private (``0600``). Every module that
writes results, reports or splits uses these.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

_UMASK_LOCK = threading.Lock()


def umask_mode(mode: int = 0o666) -> int:
    """``mode`` with the process umask applied (the mode a plain ``open`` would create)."""
    with _UMASK_LOCK:  # reading the umask means setting it; keep other threads out meanwhile
        current = os.umask(0o022)
        os.umask(current)
    return mode & ~current


def atomic_write_bytes(path: Path, data: bytes, before_rename: Callable[[], None] | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename.

    Parameters
    ----------
    path : Path
        Target file; its folder is created if needed.
    data : bytes
        The whole content.
    before_rename : callable, optional
        Called once the temporary file is complete and synced, just before the rename
        (the store records the cell's checksum there, so a reader that sees the file also
        sees its checksum).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise name_path(exc, path.parent) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), umask_mode())
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if before_rename is not None:
            before_rename()
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise name_path(exc, path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def name_path(exc: OSError, path: str | Path) -> OSError:
    """``exc`` with ``path`` as its file name when it names none (errors of writes to a descriptor)."""
    if exc.filename is None:
        exc.filename = str(path)
    return exc


def atomic_write_json(path: Path, obj: dict) -> None:
    """Atomically write ``obj`` as indented JSON."""
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n").encode())
