"""Plugin loading: ``--plugin file.py`` and the ``albench.plugins`` entry-point group.

A plugin is ordinary Python that registers components with the decorators of
:mod:`albench.registry` (``register_strategy(...)`` etc.). Parallel workers load the same
plugins before running a cell, so plugin components work with every backend.

Every component a plugin registers remembers where it came from (its *origin*): the
distribution name and version of an installed package, or the SHA-256 of a plugin file's
content. The origin enters the key of every cell that uses the component, so editing a
plugin re-runs exactly its cells, and the manifest records it (:func:`provenance`) so that
``albench verify`` can load, or ask for, the same code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from importlib import metadata
from pathlib import Path

from albench.errors import AlbenchInputError
from albench.registry import BROKEN_PLUGINS, registering_from

ENTRY_POINT_GROUP = "albench.plugins"
#: resolved path -> (module, sha256 of the content it was loaded from)
_loaded_files: dict[str, tuple[object, str]] = {}
_entry_points_loaded = False
#: entry point name -> {"entry_point", "value", "distribution", "version"} of loaded ones
_loaded_entry_points: dict[str, dict] = {}
#: kept for callers of earlier versions: entry point / file -> reason it could not be loaded
broken_plugins = BROKEN_PLUGINS


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _error_line(exc: BaseException, path: Path | None = None) -> str:
    """``file:line: Type: message`` of an exception raised while importing a plugin."""
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    if isinstance(exc, SyntaxError):
        where = f"{exc.filename or path}:{exc.lineno}"
        return f"{where}: SyntaxError: {exc.msg}"
    frames = traceback.extract_tb(exc.__traceback__)
    if path is not None:
        mine = [f for f in frames if Path(f.filename).resolve() == path]
        if mine:
            return f"{path}:{mine[-1].lineno}: {last}"
    if frames:
        return f"{frames[-1].filename}:{frames[-1].lineno}: {last}"
    return last


def load_plugin_file(path: str | Path) -> None:
    """Import a plugin file once per process (its decorators register its components).

    Components it registers get the origin ``{"sha256": <hash of the file's content>}``.

    Raises
    ------
    AlbenchInputError
        If the file is missing or raises while importing; the message names the file and
        the line that failed.
    """
    path = Path(path).resolve()
    key = str(path)
    if key in _loaded_files:
        return
    if not path.is_file():
        raise AlbenchInputError(f"--plugin {str(path)!r}: file not found")
    digest = file_sha256(path)
    mod_name = "albench_plugin_" + hashlib.sha256(key.encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise AlbenchInputError(f"--plugin {str(path)!r}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        with registering_from({"sha256": digest}):
            spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(mod_name, None)
        reason = _error_line(exc, path)
        BROKEN_PLUGINS[path.name] = reason
        raise AlbenchInputError(f"--plugin {str(path)!r} failed to import: {reason}") from None
    BROKEN_PLUGINS.pop(path.name, None)
    _loaded_files[key] = (module, digest)


def try_plugin_files(files: tuple[str, ...]) -> dict[str, str]:
    """Load what can be loaded; return ``{file: error}`` for the files that failed.

    For ``albench list``: a broken file is listed as unavailable, it does not stop the listing.
    """
    failed = {}
    for f in files:
        try:
            load_plugin_file(f)
        except AlbenchInputError as exc:
            failed[str(f)] = str(exc)
    return failed


def _distribution_of(ep: metadata.EntryPoint) -> dict:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return {"distribution": "?", "version": "?"}
    return {"distribution": dist.metadata["Name"], "version": dist.version}


def load_entry_points() -> None:
    """Import every installed ``albench.plugins`` entry point once; failures are recorded.

    A broken entry point does not stop discovery: it is recorded in
    :data:`albench.registry.BROKEN_PLUGINS` (shown by ``albench list``, and in the error of a
    config that names one of its components).
    """
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        origin = _distribution_of(ep)
        try:
            with registering_from(origin):
                loaded = ep.load()
                if callable(loaded) and not isinstance(loaded, type):
                    loaded()  # "pkg.module:register" style: a function that registers
        except Exception as exc:  # a broken plugin must not break discovery
            where = f"{ep.value} ({origin['distribution']})"
            BROKEN_PLUGINS[f"entry point {ep.name}"] = f"{where}: {_error_line(exc)}"
            continue
        _loaded_entry_points[ep.name] = {"entry_point": ep.name, "value": ep.value, **origin}


def ensure_plugins(files: tuple[str, ...] = ()) -> None:
    """Load entry points and the given plugin files (idempotent; used in workers too)."""
    load_entry_points()
    for f in files:
        load_plugin_file(f)


def provenance(files: tuple[str, ...] = ()) -> dict:
    """What the manifest records about plugin code: files with hashes, packages with versions.

    Parameters
    ----------
    files : tuple of str
        The ``--plugin`` files of the run (already loaded).

    Returns
    -------
    dict
        ``{"files": [{"path", "sha256"}], "entry_points": [{"entry_point", "value",
        "distribution", "version"}]}``.
    """
    out_files = []
    for f in files:
        key = str(Path(f).resolve())
        digest = _loaded_files[key][1] if key in _loaded_files else file_sha256(key)
        out_files.append({"path": key, "sha256": digest})
    return {
        "files": out_files,
        "entry_points": [_loaded_entry_points[k] for k in sorted(_loaded_entry_points)],
    }


def load_recorded(manifest: dict, extra_files: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Load the plugins a results folder was produced with (for ``verify`` and ``report``).

    Every recorded plugin file is loaded from its recorded path, or from a file passed in
    ``extra_files`` with the same content (same SHA-256). Recorded packages must be installed
    at the recorded version.

    Returns
    -------
    tuple of str
        The files loaded (to hand to parallel workers).

    Raises
    ------
    AlbenchInputError
        Naming the missing or changed file or package and how to supply it.
    """
    load_entry_points()
    prov = manifest.get("plugin_provenance") or {
        "files": [{"path": p, "sha256": None} for p in manifest.get("plugins", [])],
        "entry_points": [],
    }
    given = {}
    for f in extra_files:
        p = Path(f).resolve()
        if not p.is_file():
            raise AlbenchInputError(f"--plugin {str(p)!r}: file not found")
        given[file_sha256(p)] = str(p)
    to_load: list[str] = []
    for rec in prov.get("files", []):
        path, want = Path(rec["path"]), rec.get("sha256")
        if want is not None and want in given:
            to_load.append(given.pop(want))
            continue
        if not path.is_file():
            raise AlbenchInputError(
                f"plugin file {str(path)!r} recorded in the manifest is missing; pass a copy of it "
                "with --plugin PATH"
            )
        now = file_sha256(path)
        if want is not None and now != want:
            raise AlbenchInputError(
                f"plugin file {str(path)!r} changed since the run (recorded sha256 {want[:12]}..., now "
                f"{now[:12]}...); pass the version that produced the results with --plugin PATH"
            )
        to_load.append(str(path))
    to_load.extend(given.values())
    for rec in prov.get("entry_points", []):
        dist = rec.get("distribution", "?")
        try:
            installed = metadata.version(dist)
        except metadata.PackageNotFoundError:
            raise AlbenchInputError(
                f"plugin package {dist!r} (entry point {rec.get('entry_point')!r}) recorded in the "
                f"manifest is not installed; pip install '{dist}=={rec.get('version')}'"
            ) from None
        if installed != rec.get("version"):
            raise AlbenchInputError(
                f"plugin package {dist!r} is installed at version {installed}, the results were produced "
                f"with {rec.get('version')}; pip install '{dist}=={rec.get('version')}'"
            )
    for f in to_load:
        load_plugin_file(f)
    return tuple(to_load)
