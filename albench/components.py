"""Component specs: a registered name plus its fully resolved parameters.

Resolving parameters up front does two jobs: unknown or bad parameters fail before any
work (DESIGN invariant 5), and the cell key hashes the complete description of each
component, defaults included (DESIGN invariant 3).
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from albench.errors import AlbenchInputError
from albench.registry import (
    DATASETS,
    FEATURES,
    LABELERS,
    MODELS,
    REBALANCERS,
    STOPPING,
    STRATEGIES,
    UPDATES,
    Registry,
)


def to_jsonable(obj: Any) -> Any:
    """Convert parameters to plain JSON types (tuples to lists, numpy scalars to Python)."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, type) or callable(obj):
        return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"
    if hasattr(obj, "get_params"):
        return {"class": type(obj).__qualname__, "params": to_jsonable(obj.get_params(deep=False))}
    return repr(obj)


def canonical_json(obj: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, plain types."""
    return json.dumps(to_jsonable(obj), sort_keys=True, separators=(",", ":"), allow_nan=True)


@dataclass(frozen=True, eq=False)
class ComponentSpec:
    """A component of the grid.

    Attributes
    ----------
    kind : str
        ``"dataset"``, ``"model"``, ``"strategy"``, ``"labeler"``, ``"update"`` or ``"rebalancer"``.
    name : str
        Registered name.
    params : dict
        Parameters as the user gave them.
    resolved : dict
        Every parameter, defaults included (what the cell key hashes).
    label : str
        Display name in results and reports; unique within its grid axis.
    extra : dict
        Kind-specific settings that are not parameters of the component itself
        (a strategy's ``query_model``).
    """

    kind: str
    name: str
    params: dict
    resolved: dict
    label: str
    extra: dict = field(default_factory=dict)

    def identity(self) -> dict:
        """What identifies the component in a cell key.

        Name, resolved parameters, label and extra settings; for a component that a plugin
        registered, also its origin (package version or file content hash), so that two
        versions of a plugin never share a key. Built-ins carry no origin: their keys do not
        change when the albench version does not change the result format.
        """
        out = {"name": self.name, "params": to_jsonable(self.resolved), "label": self.label}
        if self.extra:
            out["extra"] = to_jsonable(self.extra)
        origin = component_origin(self.kind, self.name)
        if origin is not None:
            out["origin"] = origin
        nested = {
            k: component_origin(v.kind, v.name) for k, v in self.extra.items() if isinstance(v, ComponentSpec)
        }
        nested = {k: v for k, v in nested.items() if v is not None}
        if nested:
            out["extra_origin"] = nested
        return out

    def seed_name(self) -> str:
        """Name path used to derive seeds: the name plus its resolved parameters.

        A dataset's feature pipeline (``extra["features"]``) is left out: every pipeline of a
        dataset gets the same splits and initial sets, so they compare on the same pools.
        """
        extra = {k: v for k, v in self.extra.items() if not (self.kind == "dataset" and k == "features")}
        return canonical_json({"name": self.name, "params": self.resolved, "extra": extra})

    def to_config(self) -> dict | str:
        """The spec as it would be written in a config file."""
        if not self.params and not self.extra and self.label == self.name:
            return self.name
        out: dict = {"name": self.name, **to_jsonable(self.params)}
        # with extra entries (a feature pipeline, a query model) the default label depends on
        # them, so the label is written out: the config re-parses to the same label
        if self.extra or self.label != default_label(self.name, self.params):
            out["label"] = self.label
        for k, v in self.extra.items():
            out[k] = v.to_config() if isinstance(v, ComponentSpec) else to_jsonable(v)
        return out


def default_label(name: str, params: dict) -> str:
    """``name`` alone, or ``name(k=v, ...)`` when parameters were given."""
    if not params:
        return name
    inner = ", ".join(f"{k}={to_jsonable(v)!r}".replace("'", "") for k, v in sorted(params.items()))
    return f"{name}({inner})"


def signature_params(obj: Any, kind: str, name: str, params: dict, field: str) -> dict:
    """Defaults of a function's or class's signature updated with ``params``.

    Raises
    ------
    AlbenchInputError
        Naming unknown parameters and listing the accepted ones.
    """
    target = obj.__init__ if isinstance(obj, type) else obj
    sig = inspect.signature(target)
    accepted = {
        p.name: p
        for p in sig.parameters.values()
        if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    takes_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    unknown = sorted(set(params) - set(accepted))
    if unknown and not takes_any:
        raise AlbenchInputError(
            f"{field}: {kind} {name!r} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are: {', '.join(accepted) or '(none)'}"
        )
    resolved = {k: p.default for k, p in accepted.items() if p.default is not inspect.Parameter.empty}
    resolved.update(params)
    return resolved


def _registry_for(kind: str) -> Registry:
    return {
        "dataset": DATASETS,
        "model": MODELS,
        "strategy": STRATEGIES,
        "labeler": LABELERS,
        "update": UPDATES,
        "rebalancer": REBALANCERS,
        "stopping": STOPPING,
        "features": FEATURES,
    }[kind]


def component_origin(kind: str, name: str) -> dict | None:
    """The origin of a registered component (``None`` for built-ins and unknown names).

    See :attr:`albench.registry.Entry.origin`.
    """
    registry = _registry_for(kind)
    try:
        entry = registry.get(name)
    except AlbenchInputError:
        return None
    return to_jsonable(entry.origin) if entry.origin is not None else None


def build_instance(kind: str, name: str, params: dict, field: str) -> Any:
    """Instantiate a strategy, labeler, update policy or rebalancer class with ``params``, validating them."""
    entry = _registry_for(kind).get(name, field=field)
    signature_params(entry.obj, kind, name, params, field)
    try:
        instance = entry.obj(**params)
    except (TypeError, ValueError) as exc:
        raise AlbenchInputError(f"{field}: {kind} {name!r}: {exc}") from None
    validate = getattr(instance, "validate", None)
    if validate is not None:
        try:
            validate()
        except AlbenchInputError as exc:
            raise AlbenchInputError(f"{field}: {kind} {name!r}: {exc}") from None
    return instance
