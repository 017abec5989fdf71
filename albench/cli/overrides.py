"""``albench run --set KEY=VALUE``: any field of a config, from the command line.

A value is read as a TOML value (``300``, ``0.5``, ``true``, ``["iris", "wine"]``,
``{name = "rbf_svm", C = 10.0}``); anything that is not valid TOML is taken as a bare string
(``--set protocol.budget=pool``). The result is validated by :func:`albench.config.parse_config`
exactly like a file.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from albench.errors import AlbenchInputError

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def parse_setting(text: str) -> tuple[str, Any]:
    """``"protocol.budget=300"`` -> ``("protocol.budget", 300)``.

    Raises
    ------
    AlbenchInputError
        If there is no ``=`` or the key is not a dotted path of names.
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not _KEY_RE.match(key):
        raise AlbenchInputError(
            f"--set {text!r}: give KEY=VALUE with KEY a dotted path of config fields, "
            "e.g. protocol.budget=300 or grid.models='[\"rbf_svm\"]'"
        )
    return key, parse_value(value.strip())


def parse_value(text: str) -> Any:
    """A TOML value, or the text itself when it is not one (a bare string)."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _known_keys() -> dict[str, tuple[str, ...]]:
    from albench.config import GRID_KEYS, PROTOCOL_KEYS, REPORT_KEYS, TOP_KEYS

    return {"": TOP_KEYS, "protocol": PROTOCOL_KEYS, "grid": GRID_KEYS, "report": REPORT_KEYS}


def apply_settings(raw: dict, settings: list[tuple[str, Any]]) -> dict:
    """Return a copy of ``raw`` with each ``(dotted key, value)`` set, in order.

    Grid axes, ``suite``, ``repetitions`` and ``seed`` go through
    :func:`albench.config.apply_overrides` (so ``grid.datasets`` replaces a suite, as
    ``--datasets`` does); any other key is set at its dotted path.

    Raises
    ------
    AlbenchInputError
        For a key the config does not have (naming the allowed keys) or a path through a
        value that is not a table.
    """
    from albench.config import GRID_KEYS, apply_overrides

    known = _known_keys()
    out = raw
    for key, value in settings:
        parts = key.split(".")
        table = ".".join(parts[:-1])
        if table in known and parts[-1] not in known[table]:
            where = f"[{table}]" if table else "the top level"
            raise AlbenchInputError(
                f"--set {key}={value!r}: unknown key {parts[-1]!r} in {where}; "
                f"allowed keys: {', '.join(known[table])}"
            )
        if len(parts) > 1 and parts[0] in known[""] and parts[0] not in known:
            raise AlbenchInputError(f"--set {key}={value!r}: {parts[0]} is not a table; set {parts[0]}=VALUE")
        if len(parts) == 2 and parts[0] == "grid" and parts[1] in GRID_KEYS:
            names = value if isinstance(value, list) else [value]
            out = apply_overrides(out, {parts[1]: names})
        elif key in ("suite", "repetitions", "seed"):
            out = apply_overrides(out, {key: value})
        else:
            out = _set_path(out, parts, value, key)
    return out


def _set_path(raw: dict, parts: list[str], value: Any, key: str) -> dict:
    out = dict(raw)
    node = out
    for i, part in enumerate(parts[:-1]):
        child = node.get(part, {})
        if not isinstance(child, dict):
            path = ".".join(parts[: i + 1])
            raise AlbenchInputError(f"--set {key}={value!r}: {path} = {child!r} is not a table")
        node[part] = dict(child)
        node = node[part]
    node[parts[-1]] = value
    return out


def grid_name(raw: dict, settings: list[tuple[str, Any]], base: str | None) -> str | None:
    """Results folder name of a config-less run whose grid ``--set`` changed (else ``None``).

    The axes set (``grid.<axis>``, ``suite``) name it as ``--datasets`` and friends do
    (:func:`albench.dryrun.axes_name`), after ``base`` (the name the axis options gave, if
    any); an entry with parameters is written as its JSON, so two grids never share a folder.
    """
    import json

    from albench.config import GRID_KEYS
    from albench.dryrun import axes_name

    changed = [k.split(".", 1)[1] for k, _ in settings if k.split(".")[0] == "grid" and k.count(".") == 1]
    axes = [axis for axis in GRID_KEYS if axis in changed]
    if not axes and not any(k == "suite" for k, _ in settings):
        return None
    grid = raw.get("grid", {}) if isinstance(raw.get("grid"), dict) else {}
    parts: list[list[str] | None] = [[base]] if base else []
    if any(k == "suite" for k, _ in settings) and isinstance(raw.get("suite"), str):
        parts.append([raw["suite"]])
    for axis in axes:
        entries = grid.get(axis)
        entries = entries if isinstance(entries, list) else [entries]
        parts.append([e if isinstance(e, str) else json.dumps(e, sort_keys=True) for e in entries])
    return axes_name(*parts)
