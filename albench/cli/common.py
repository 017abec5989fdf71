"""What every command shares: exit statuses, the two consoles, one-line errors.

Light on purpose (click and rich only): every command module imports it at start-up, so
``albench --help`` and ``albench status`` pay for nothing they do not use.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
#: Ctrl-C: the run stopped early (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
out_console = Console(highlight=False)
if not out_console.is_terminal:  # keep tables whole in logs and pipes
    out_console = Console(highlight=False, width=160)
err_console = Console(stderr=True, highlight=False)


def fail(message: str) -> None:
    """Print ``error: message`` on stderr and exit with status 2 (bad input)."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    sys.exit(EXIT_BAD_INPUT)


def fail_os(exc: OSError, flag: str = "--out") -> None:
    """One line for an I/O failure: exit 2 when a path given is unusable, 1 when the machine is."""
    path = exc.filename or "?"
    reason = exc.strerror or str(exc)
    code = exc.errno
    if code in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        message, status = f"{path}: {reason}; a file is in the way, {flag} must name a folder", EXIT_BAD_INPUT
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        message = f"{path}: cannot write ({reason}); make it writable or choose another {flag}"
        status = EXIT_FAILED
    elif code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        message = (
            f"{path}: {reason} (disk full or file size limit); free space or raise the limit and run "
            "again (complete cells stay stored)"
        )
        status = EXIT_FAILED
    else:
        message, status = f"{path}: {reason}", EXIT_FAILED
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    sys.exit(status)


def csv_list(value: str | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; ``None`` stays ``None``; an empty list is bad input."""
    from albench.errors import AlbenchInputError

    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise AlbenchInputError(f"empty list {value!r}: give comma-separated names")
    return items


def experiment_from_manifest(manifest: dict, source: str):
    """The :class:`~albench.config.Experiment` a results folder's manifest records."""
    from albench.config import parse_config

    return parse_config(manifest["config"], source=source, default_name=manifest["experiment"])


def manifest_config(results_dir: str | Path) -> dict:
    """The raw config a results folder's manifest records (``{}`` if it cannot be read)."""
    import json

    try:
        manifest = json.loads(Path(results_dir, "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    config = manifest.get("config") if isinstance(manifest, dict) else None
    return config if isinstance(config, dict) else {}
