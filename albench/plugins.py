"""Plugin loading: ``--plugin file.py`` and the ``albench.plugins`` entry-point group.

A plugin is ordinary Python that registers components with the decorators of
:mod:`albench.registry` (``STRATEGIES.register(...)`` etc.). Parallel workers load the same
plugins before running a cell, so plugin components work with every backend.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from importlib import metadata
from pathlib import Path

from albench.errors import AlbenchInputError
from albench.registry import REGISTRIES

ENTRY_POINT_GROUP = "albench.plugins"
_loaded_files: dict[str, object] = {}
_entry_points_loaded = False
#: entry point name -> reason it could not be loaded
broken_plugins: dict[str, str] = {}


def load_plugin_file(path: str | Path) -> None:
    """Import a plugin file once per process (its decorators register its components).

    Raises
    ------
    AlbenchInputError
        If the file is missing or raises while importing (the traceback's last line is shown).
    """
    path = Path(path).resolve()
    key = str(path)
    if key in _loaded_files:
        return
    if not path.is_file():
        raise AlbenchInputError(f"--plugin {str(path)!r}: file not found")
    mod_name = "albench_plugin_" + hashlib.sha256(key.encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise AlbenchInputError(f"--plugin {str(path)!r}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(mod_name, None)
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        raise AlbenchInputError(f"--plugin {str(path)!r} failed to import: {last}") from None
    _loaded_files[key] = module


def load_entry_points() -> None:
    """Import every installed ``albench.plugins`` entry point once; failures are recorded."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            ep.load()
        except Exception as exc:  # a broken plugin must not break discovery
            reason = traceback.format_exception_only(type(exc), exc)[-1].strip()
            broken_plugins[ep.name] = reason
            for registry in REGISTRIES.values():
                registry.mark_unavailable(ep.name, f"plugin {ep.value} failed to import: {reason}")


def ensure_plugins(files: tuple[str, ...] = ()) -> None:
    """Load entry points and the given plugin files (idempotent; used in workers too)."""
    load_entry_points()
    for f in files:
        load_plugin_file(f)
