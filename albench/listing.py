"""What ``albench list`` shows, as plain data: one record per registered component.

The CLI renders the records as a table, tab-separated lines or JSON; tests and tools can
use them directly.
"""

from __future__ import annotations

import inspect
from typing import Any

from albench.components import to_jsonable
from albench.registry import BROKEN_PLUGINS, REGISTRIES, Entry

#: shown for a parameter without a default
REQUIRED = "<required>"


def default_params(kind: str, entry: Entry) -> dict:
    """The parameters a component accepts, with their defaults (:data:`REQUIRED` if none)."""
    obj = entry.obj
    if kind == "models":
        try:
            est = obj(random_state=0)
            params = est.get_params(deep=False)
            params.pop("random_state", None)
            return to_jsonable(params)
        except Exception:  # noqa: BLE001 - a plugin model that needs parameters
            pass
    if kind == "suites" or not callable(obj):
        return {}
    try:
        sig = inspect.signature(obj.__init__ if isinstance(obj, type) else obj)
    except (TypeError, ValueError):
        return {}
    out = {}
    for p in sig.parameters.values():
        if p.name in ("self", "random_state") or p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            continue
        out[p.name] = REQUIRED if p.default is inspect.Parameter.empty else to_jsonable(p.default)
    return out


def strategy_needs(strategy_cls: Any) -> list[str] | None:
    """What a strategy needs with its default parameters (``None`` if it cannot be built so)."""
    try:
        return sorted(strategy_cls().needs)
    except Exception:  # noqa: BLE001 - needs depend on required parameters
        return None


def component_records(kind: str) -> list[dict]:
    """One record per registered component of ``kind``, then prefixes and unavailable ones.

    Each record has ``name``, ``status`` (``"available"``, ``"prefix"`` or
    ``"unavailable"``), ``description``, ``reference``, ``parameters``, ``origin`` and,
    for strategies, ``needs``; for datasets ``source`` and ``available``.
    """
    from albench.datasets.cards import availability

    reg = REGISTRIES[kind]
    records = []
    for e in reg:
        rec: dict[str, Any] = {
            "name": e.name,
            "status": "available",
            "description": e.description,
            "reference": e.reference,
            "parameters": default_params(kind, e),
            "origin": e.origin,
        }
        if kind == "strategies":
            rec["needs"] = strategy_needs(e.obj)
        if kind == "datasets":
            rec["source"] = str(e.meta.get("source", ""))
            rec["available"] = availability(e)
        records.append(rec)
    for prefix, (_, description) in sorted(reg.prefixes.items()):
        name = f"{prefix}<name>" if prefix.endswith(".") else f"{prefix}:<id>"
        records.append({"name": name, "status": "prefix", "description": description, "reference": ""})
    for name, reason in sorted(reg.unavailable.items()):
        records.append({"name": name, "status": "unavailable", "description": reason, "reference": ""})
    return records


def broken_plugin_records() -> list[dict]:
    """Plugins (files or entry points) that failed to load, with the error (file:line)."""
    return [
        {"name": name, "status": "unavailable", "description": reason}
        for name, reason in sorted(BROKEN_PLUGINS.items())
    ]
