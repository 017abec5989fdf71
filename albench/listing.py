"""What ``albench list`` shows, as plain data: one record per registered component.

The CLI renders the records as a table, tab-separated lines or JSON; tests and tools can
use them directly. :func:`component_records` computes them from the registered components
(importing the built-ins); :func:`listed_records` takes the built-ins' records from
:mod:`albench.component_index` when it is current, so listing imports no scikit-learn.
"""

from __future__ import annotations

import inspect
from typing import Any

from albench.registry import BROKEN_PLUGINS, REGISTRIES, Entry, builtins_loaded

#: shown for a parameter without a default
REQUIRED = "<required>"
#: kinds whose records the component index holds (datasets need the data directory checked)
INDEXED_KINDS = tuple(kind for kind in sorted(REGISTRIES) if kind != "datasets")


def default_params(kind: str, entry: Entry) -> dict:
    """The parameters a component accepts, with their defaults (:data:`REQUIRED` if none)."""
    from albench.components import to_jsonable

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


#: the needs that make a strategy an oracle (albench.strategies.base.ORACLE, spelled out so that
#: listing imports no strategy code)
ORACLE_NEEDS = frozenset({"oracle_labels", "oracle_test"})
#: how ``albench list`` marks an oracle strategy
ORACLE_MARK = "(oracle)"


def is_oracle_record(record: dict) -> bool:
    """Whether a strategy's record says it reads ground truth (its default needs hold an oracle need)."""
    return bool(ORACLE_NEEDS & set(record.get("needs") or ()))


def component_records(kind: str) -> list[dict]:
    """One record per registered component of ``kind``, then prefixes and unavailable ones.

    Each record has ``name``, ``status`` (``"available"``, ``"prefix"`` or
    ``"unavailable"``), ``description``, ``reference``, ``parameters``, ``origin`` and,
    for strategies, ``needs`` and ``oracle`` (it reads ground truth: the pool's true labels or
    the test part); for datasets ``source`` and ``available``.
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
            rec["oracle"] = is_oracle_record(rec)
        if kind == "datasets":
            rec["source"] = str(e.meta.get("source", ""))
            rec["available"] = availability(e)
        records.append(rec)
    listed = {r["name"] for r in records}
    for prefix, (_, description) in sorted(reg.prefixes.items()):
        name = f"{prefix}<name>" if prefix.endswith(".") else f"{prefix}:<id>"
        records.append({"name": name, "status": "prefix", "description": description, "reference": ""})
        if kind == "strategies" and prefix == "skactiveml.":
            records.extend(r for r in skactiveml_records() if r["name"] not in listed)
    for name, reason in sorted(reg.unavailable.items()):
        records.append({"name": name, "status": "unavailable", "description": reason, "reference": ""})
    return records


def broken_plugin_records() -> list[dict]:
    """Plugins (files or entry points) that failed to load, with the error (file:line)."""
    return [
        {"name": name, "status": "unavailable", "description": reason}
        for name, reason in sorted(BROKEN_PLUGINS.items())
    ]


def skactiveml_records() -> list[dict]:
    """One record per adapted scikit-activeml strategy, or one saying how to install it.

    Imports scikit-activeml (and scikit-learn) when it is installed: the parameters and needs
    come from its classes.
    """
    import importlib.util

    from albench.adapters import SKACTIVEML_INSTALL_HINT as INSTALL_HINT
    from albench.adapters import SKACTIVEML_PREFIX as PREFIX

    if importlib.util.find_spec("skactiveml") is None:
        return [
            {
                "name": f"{PREFIX}*",
                "status": "unavailable",
                "description": f"scikit-activeml's pool strategies: not installed; {INSTALL_HINT}",
                "reference": "",
            }
        ]
    from albench.adapters.skactiveml import adapted_entries

    records = []
    for e in adapted_entries():
        records.append(
            {
                "name": e.name,
                "status": "available",
                "description": e.description,
                "reference": e.reference,
                "parameters": default_params("strategies", e),
                "origin": e.origin,
                "needs": strategy_needs(e.obj),
            }
        )
        records[-1]["oracle"] = is_oracle_record(records[-1])
    return records


def load_index() -> dict[str, list[dict]] | None:
    """The built-ins' records by kind from the committed index, or ``None`` if it is stale.

    The strategies' records end with those of scikit-activeml's adapted strategies: the
    recorded ones when the installed scikit-activeml is the version they were recorded with,
    else computed now (importing it), or one row saying how to install it.
    """
    from albench.component_index import read_index

    read = read_index()
    if read is None:
        return None
    records, adapted = read
    if "strategies" in records:
        records["strategies"] = [
            *records["strategies"],
            *(adapted if adapted is not None else skactiveml_records()),
        ]
    return records


def listed_records(kind: str) -> list[dict]:
    """The records ``albench list`` shows for ``kind``: from the index when it is current.

    The index covers the built-ins; when plugins are loaded (the registries hold more than the
    built-ins) or the index is stale, the records are computed from the components.
    """
    if kind in INDEXED_KINDS and not builtins_loaded():
        index = load_index()
        if index is not None and kind in index:
            return list(index[kind])
    return component_records(kind)
