"""Where data files are looked for: the data directory (a runtime knob, never part of a cell key).

Precedence, first found wins:

1. ``--data-dir`` on the command line (``run_experiment(data_dir=...)``);
2. the ``ALBENCH_DATA`` environment variable;
3. ``data_dir`` in the config file, relative to the config file's folder;
4. ``./data`` (relative to the working directory).

The resolved folder is set for the running process with :func:`set_data_dir` and handed to
every parallel worker explicitly, so all workers read the same files.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "ALBENCH_DATA"
DEFAULT = "data"

_current: Path | None = None
_how: str = ""


def resolve_data_dir(
    cli: str | os.PathLike | None = None,
    config: str | os.PathLike | None = None,
    config_dir: str | os.PathLike | None = None,
) -> tuple[Path, str]:
    """The data directory by precedence, and how it was chosen (for messages).

    Parameters
    ----------
    cli : path, optional
        ``--data-dir``.
    config : path, optional
        ``data_dir`` from the config file.
    config_dir : path, optional
        Folder of the config file; a relative ``config`` is taken relative to it.

    Returns
    -------
    (Path, str)
        The absolute folder (it need not exist) and a phrase such as ``"from --data-dir"``.
    """
    if cli is not None and str(cli) != "":
        return Path(cli).expanduser().resolve(), "from --data-dir"
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve(), f"from ${ENV_VAR}"
    if config is not None and str(config) != "":
        path = Path(config).expanduser()
        if not path.is_absolute() and config_dir is not None:
            path = Path(config_dir) / path
        return path.resolve(), "from the config's data_dir"
    return Path(DEFAULT).resolve(), "the default ./data"


def set_data_dir(path: str | os.PathLike | None, how: str = "set by the caller") -> None:
    """Fix the data directory for this process (``None`` goes back to the environment default)."""
    global _current, _how
    _current = None if path is None else Path(path).resolve()
    _how = how if path is not None else ""


def get_data_dir() -> tuple[Path, str]:
    """The data directory in force: the one set by :func:`set_data_dir`, else by precedence."""
    if _current is not None:
        return _current, _how
    return resolve_data_dir()
