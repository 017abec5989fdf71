"""The built-in components' listing records, kept as data so ``albench list`` imports nothing heavy.

``albench list`` shows name, description, reference, parameters and needs of every
component. Computing them means importing the components (scikit-learn, SciPy, ...), about
two seconds; so the records of the built-ins are generated once into
``albench/component_index.json`` (``python -m albench.component_index``) together with a
fingerprint of the code they come from: the SHA-256 of every module that registers or
defines a component, the list of the package's modules, the dataset cards and the version of
scikit-learn (scikit-activeml's adapted strategies are recorded with its version and used
only with that version). When the fingerprint no longer matches (a module edited since, another
version installed) the index is ignored and the records are computed from the components
themselves, so a stale index costs time, never correctness. ``tests/test_component_index.py``
fails while the committed index is stale.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
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
    }


#: a call that registers a component: ``STRATEGIES.register(``, ``@register_model(``, cards
_REGISTERS = re.compile(
    r"\b[A-Z_]+\.(register|add|add_prefix|mark_unavailable)\(|@register_\w+\(|\bregister_(builtin_)?cards\("
)


def _registering_modules() -> list[str]:
    """Modules of the package that register components or define a registered one."""
    from albench.registry import REGISTRIES

    out = {"listing.py"}  # it computes the records
    for rel in _package_modules():
        if _REGISTERS.search((PACKAGE / rel).read_text(encoding="utf-8")):
            out.add(rel)
    for registry in REGISTRIES.values():
        for entry in registry:
            module = sys.modules.get(getattr(entry.obj, "__module__", "") or "")
            path = Path(getattr(module, "__file__", "") or "")
            if path.is_file() and PACKAGE in path.resolve().parents:
                out.add(path.resolve().relative_to(PACKAGE).as_posix())
    return sorted(out)


def build_index() -> dict[str, Any]:
    """Import the built-ins (no plugins) and return their records with the fingerprint."""
    from albench.listing import INDEXED_KINDS, component_records
    from albench.registry import load_builtins

    load_builtins()
    modules = _registering_modules()
    records = {kind: component_records(kind) for kind in INDEXED_KINDS}
    adapted = [r for r in records["strategies"] if _adapted(r)]
    records["strategies"] = [r for r in records["strategies"] if not _adapted(r)]
    return {
        "version": INDEX_VERSION,
        "fingerprint": fingerprint(modules),
        "records": records,
        "skactiveml": {"version": _installed("scikit-activeml"), "records": adapted},
    }


def _adapted(record: dict) -> bool:
    return record["status"] != "prefix" and record["name"].startswith("skactiveml.")


def _installed(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def load_index() -> dict[str, list[dict]] | None:
    """The recorded records by kind, or ``None`` if the index is missing or stale.

    The strategies' records end with those of scikit-activeml's adapted strategies: the
    recorded ones when the installed scikit-activeml is the version they were recorded with,
    else computed now (importing it), or one row saying how to install it.
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
    records = dict(index.get("records", {}))
    if "strategies" in records:
        adapted = index.get("skactiveml", {})
        if adapted.get("records") and _installed("scikit-activeml") == adapted.get("version"):
            extra = adapted["records"]
        else:
            from albench.listing import skactiveml_records

            extra = skactiveml_records()
        records["strategies"] = [*records["strategies"], *extra]
    return records


def render(index: dict[str, Any]) -> str:
    """The index as the committed file's text."""
    return json.dumps(index, indent=1, sort_keys=True, allow_nan=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write ``albench/component_index.json`` (or the path given)."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else INDEX_FILE
    target.write_text(render(build_index()), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
