"""Write ``albench/component_index.json``: the built-ins' listing records and their fingerprint.

Run ``python -m albench.component_index_build`` after changing a module that registers
components (the suite fails while the committed index is stale). Apart from
:mod:`albench.component_index`, which only reads the file: building the records needs
:mod:`albench.listing`, which reads the index.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from albench.component_index import (
    INDEX_FILE,
    INDEX_VERSION,
    PACKAGE,
    _installed,
    _package_modules,
    fingerprint,
    render,
)

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


def main(argv: list[str] | None = None) -> int:
    """Write ``albench/component_index.json`` (or the path given)."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else INDEX_FILE
    target.write_text(render(build_index()), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
