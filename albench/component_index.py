"""The built-in components' listing records, kept as data so ``albench list`` imports nothing heavy.

``albench list`` shows name, description, reference, parameters and needs of every
component. Computing them means importing the components (scikit-learn, SciPy, ...), about
two seconds; so the records of the built-ins are generated once into
``albench/component_index.json`` (``python -m albench.component_index_build``) together with a
fingerprint of the code they come from: the SHA-256 of every module that registers or
defines a component, the list of the package's modules, the dataset cards, the version of
scikit-learn and whether the optional QP solver is installed (scikit-activeml's adapted
strategies are recorded with its version and used only with that version). When the
fingerprint no longer matches (a module edited since, another version installed) the index
is ignored and the records are computed from the components
themselves, so a stale index costs time, never correctness. ``tests/test_cli_startup.py``
fails while the committed index is stale. Reading the file is this module's job; writing it
is :mod:`albench.component_index_build`'s.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

INDEX_FILE = Path(__file__).with_name("component_index.json")
INDEX_VERSION = 1
PACKAGE = Path(__file__).parent
#: subpackages that never register components (they only read results); edits there keep
#: the index valid
_NOT_REGISTERING = ("cli", "report", "bench", "analysis")
#: distributions whose versions the built-ins' records depend on (the models' defaults)
_DISTRIBUTIONS = ("scikit-learn",)
#: optional modules whose presence decides whether a built-in is registered or listed as
#: unavailable (the QP solver of bmdr and spal)
_OPTIONAL_MODULES = ("clarabel",)


def _package_modules() -> list[str]:
    out = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in _NOT_REGISTERING or "__pycache__" in rel.parts:
            continue
        out.append(rel.as_posix())
    return sorted(out)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in _DISTRIBUTIONS:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _card_files() -> list[Path]:
    """The dataset cards albench registers at start-up (the top-level ``datasets/`` folder)."""
    for folder in (PACKAGE / "_cards", PACKAGE.parent / "datasets"):
        if folder.is_dir():
            return sorted(folder.glob("*.toml"))
    return []


def fingerprint(modules: list[str]) -> dict[str, Any]:
    """What the records depend on: the registering modules' hashes, the module list, versions."""
    return {
        "modules": _package_modules(),
        "sha256": {m: _sha256(PACKAGE / m) for m in modules if (PACKAGE / m).is_file()},
        "cards": {p.name: _sha256(p) for p in _card_files()},
        "versions": _versions(),
        "optional": {name: _importable(name) for name in _OPTIONAL_MODULES},
    }


def _importable(module: str) -> bool:
    """Whether ``module`` can be imported (found on the path; nothing is imported)."""
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _installed(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def render(index: dict[str, Any]) -> str:
    """The index as the committed file's text."""
    return json.dumps(index, indent=1, sort_keys=True, allow_nan=True) + "\n"


def read_index() -> tuple[dict[str, list[dict]], list[dict] | None] | None:
    """The recorded records by kind, and the adapted scikit-activeml strategies' records.

    ``None`` if the index is missing or stale. The second item is ``None`` when the installed
    scikit-activeml is not the version the adapted records were recorded with (then
    :func:`albench.listing.load_index` computes them).
    """
    try:
        index = json.loads(INDEX_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(index, dict) or index.get("version") != INDEX_VERSION:
        return None
    recorded = index.get("fingerprint", {})
    modules = list(recorded.get("sha256", {}))
    if fingerprint(modules) != recorded:
        return None
    adapted = index.get("skactiveml", {})
    same = bool(adapted.get("records")) and _installed("scikit-activeml") == adapted.get("version")
    return dict(index.get("records", {})), (list(adapted["records"]) if same else None)
