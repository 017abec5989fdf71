"""One generic registry for every kind of component (datasets, models, strategies, ...).

Built-ins register with a decorator at import time; plugins register the same way from a
Python file (``--plugin file.py``) or an installed package's entry point (group
``albench.plugins``). A plugin that fails to import is recorded as unavailable with its
reason instead of breaking discovery.

The built-ins register when their modules are imported, which pulls in scikit-learn, SciPy
and friends; ``import albench`` does not do that. A registry imports them the first time it
is asked for a component (:func:`load_builtins`), so ``albench --help`` and ``albench status``
stay light. ``albench list`` shows the built-ins from their recorded metadata
(:mod:`albench.component_index`) without importing them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from albench.errors import AlbenchInputError, unknown_name


@dataclass(frozen=True)
class Entry:
    """A registered component.

    Attributes
    ----------
    name : str
        The name users write in configs and on the command line.
    obj : object
        The class or factory that builds the component.
    description : str
        One line shown by ``albench list``.
    reference : str
        Literature reference (may be empty).
    meta : dict
        Kind-specific extra information (e.g. a dataset's source).
    origin : dict or None
        Where the code comes from when it is not part of albench: ``{"distribution": name,
        "version": v}`` for an installed package, ``{"sha256": hash}`` of a ``--plugin`` file.
        ``None`` for built-ins. It enters the key of every cell that uses the component, so
        results of two versions of a plugin never mix (DESIGN invariant 3).
    """

    name: str
    obj: Any
    description: str
    reference: str = ""
    meta: dict = field(default_factory=dict)
    origin: dict | None = None


#: Modules whose import registers the built-in components, imported in this order by
#: :func:`load_builtins`. A module that adds built-ins elsewhere appends its name here.
BUILTIN_MODULES: list[str] = [
    "albench.adapters.skactiveml",
    "albench.datasets",
    "albench.labelers",
    "albench.metrics",
    "albench.models",
    "albench.rebalance",
    "albench.stopping",
    "albench.strategies",
    "albench.suites",
    "albench.updates",
]
#: "unloaded", "loading" (imports under way: reads see what is registered so far) or "loaded"
_builtins_state = "unloaded"


def load_builtins() -> None:
    """Import the modules that register the built-in components (once; cheap afterwards).

    Every read of a registry calls it, so ``from albench.registry import STRATEGIES`` followed
    by ``STRATEGIES.get("margin")`` works without importing ``albench.strategies`` first.
    """
    global _builtins_state
    if _builtins_state != "unloaded":
        return
    _builtins_state = "loading"
    try:
        with registering_from(None):  # built-ins have no origin, even when a plugin's import loads them
            for module in BUILTIN_MODULES:
                importlib.import_module(module)
    except BaseException:
        _builtins_state = "unloaded"
        raise
    _builtins_state = "loaded"


def builtins_loaded() -> bool:
    """Whether the built-in components are registered (:func:`load_builtins` has run)."""
    return _builtins_state == "loaded"


def _is_builtin(obj: Any) -> bool:
    """Whether ``obj`` is albench's own code (its module is ``albench`` or below it)."""
    module = getattr(obj, "__module__", None) or ""
    return module == "albench" or module.startswith("albench.")


#: The origin given to components registered right now (set while a plugin loads).
_current_origin: dict | None = None
#: Plugins (entry points or files) that failed to load: their name -> the reason.
BROKEN_PLUGINS: dict[str, str] = {}


@contextmanager
def registering_from(origin: dict | None) -> Iterator[None]:
    """Give ``origin`` to every component registered inside the ``with`` block."""
    global _current_origin
    previous, _current_origin = _current_origin, origin
    try:
        yield
    finally:
        _current_origin = previous


class Registry:
    """A named collection of components of one kind.

    Parameters
    ----------
    kind : str
        Singular noun used in messages, e.g. ``"strategy"``.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._registered: dict[str, Entry] = {}
        self._unavailable: dict[str, str] = {}
        #: prefix -> (resolver, description); see :meth:`add_prefix`
        self._prefixes: dict[str, tuple[Callable[[str, str], tuple[Any, dict]], str]] = {}
        #: called as ``check(name, obj)`` before an entry is added; raises on a bad component
        self.check: Callable[[str, Any], None] | None = None

    # reads see the built-ins: the first one imports them (see load_builtins)
    @property
    def _entries(self) -> dict[str, Entry]:
        load_builtins()
        return self._registered

    @property
    def unavailable(self) -> dict[str, str]:
        """Names that could not be loaded -> why."""
        load_builtins()
        return self._unavailable

    @property
    def prefixes(self) -> dict[str, tuple[Callable[[str, str], tuple[Any, dict]], str]]:
        """Prefix -> (resolver, description) of names resolved on first use."""
        load_builtins()
        return self._prefixes

    def register(
        self,
        name: str,
        *,
        description: str,
        reference: str = "",
        replace: bool = False,
        **meta: Any,
    ) -> Callable[[Any], Any]:
        """Return a decorator that registers its target under ``name``."""

        def decorator(obj: Any) -> Any:
            self.add(name, obj, description=description, reference=reference, replace=replace, **meta)
            return obj

        return decorator

    def add(
        self,
        name: str,
        obj: Any,
        *,
        description: str,
        reference: str = "",
        replace: bool = False,
        origin: dict | None = None,
        **meta: Any,
    ) -> Entry:
        """Register ``obj`` under ``name``; a second registration of a name is an error.

        ``origin`` defaults to the plugin being loaded (see :func:`registering_from`); albench's
        own components (defined in ``albench.*`` modules) never take a plugin's origin, even
        when a plugin's import is what registers them.
        """
        if not name or not isinstance(name, str):
            raise AlbenchInputError(f"{self.kind} name {name!r}: must be a non-empty string")
        if not _is_builtin(obj):
            load_builtins()  # a plugin's name is checked against the built-ins, by their checks
        if self.check is not None:
            self.check(name, obj)
        entries = self._registered
        if name in entries and not replace and entries[name].obj is not obj:
            raise AlbenchInputError(
                f"{self.kind} {name!r} is already registered "
                f"(by {_origin(entries[name].obj)}); pick another name"
            )
        entry = Entry(
            name=name,
            obj=obj,
            description=description,
            reference=reference,
            meta=dict(meta),
            origin=origin if origin is not None else (None if _is_builtin(obj) else _current_origin),
        )
        entries[name] = entry
        self._unavailable.pop(name, None)
        return entry

    def add_prefix(
        self, prefix: str, resolver: Callable[[str, str], tuple[Any, dict]], *, description: str
    ) -> None:
        """Resolve names ``"<prefix>:<rest>"`` on first use (e.g. ``openml:61``).

        A prefix ending in ``"."`` takes names ``"<prefix><rest>"`` (``skactiveml.UncertaintySampling``).

        ``resolver(rest, full_name)`` returns ``(obj, meta)``; ``meta`` holds ``description``
        and any extra entry metadata. The entry is registered under the full name, in every
        process that asks for it (parallel workers included).
        """
        self._prefixes[prefix] = (resolver, description)

    def get(self, name: str, field: str | None = None) -> Entry:
        """Return the entry for ``name`` or raise an error listing the registered names."""
        load_builtins()
        prefix, rest = self._prefix_of(name)
        if name not in self._entries and prefix is not None:
            if prefix in self.prefixes:
                try:
                    obj, meta = self.prefixes[prefix][0](rest, name)
                except AlbenchInputError as exc:
                    raise AlbenchInputError(f"{field + ': ' if field else ''}{exc}") from None
                meta = dict(meta)
                return self.add(name, obj, description=meta.pop("description", ""), **meta)
        try:
            return self._entries[name]
        except KeyError:
            if name in self.unavailable:
                raise AlbenchInputError(
                    f"{field or self.kind} = {name!r}: unavailable on this machine: {self.unavailable[name]}"
                ) from None
            error = unknown_name(self.kind, name, self._entries, field)
            if BROKEN_PLUGINS:
                broken = "; ".join(f"{k}: {v}" for k, v in sorted(BROKEN_PLUGINS.items()))
                error = AlbenchInputError(f"{error} (plugins that failed to load: {broken})")
            raise error from None

    def _prefix_of(self, name: object) -> tuple[str | None, str]:
        """``("openml", "61")`` for ``"openml:61"``; ``("skactiveml.", "X")`` for a prefix ending in "."."""
        if not isinstance(name, str):
            return None, ""
        for prefix in self._prefixes:
            if prefix.endswith(".") and name.startswith(prefix):
                return prefix, name[len(prefix) :]
        if ":" in name:
            prefix, rest = name.split(":", 1)
            return prefix, rest
        return None, ""

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(sorted(self._entries.values(), key=lambda e: e.name))

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._entries)

    def mark_unavailable(self, name: str, reason: str) -> None:
        """Record that ``name`` could not be loaded, and why."""
        if name not in self._registered:
            self._unavailable[name] = reason


def _origin(obj: Any) -> str:
    module = getattr(obj, "__module__", "?")
    qualname = getattr(obj, "__qualname__", type(obj).__name__)
    return f"{module}.{qualname}"


DATASETS = Registry("dataset")
MODELS = Registry("model")
STRATEGIES = Registry("strategy")
LABELERS = Registry("labeler")
UPDATES = Registry("update")
REBALANCERS = Registry("rebalancer")
METRICS = Registry("metric")
SUITES = Registry("suite")
STOPPING = Registry("stopping rule")
FEATURES = Registry("feature pipeline")

REGISTRIES: dict[str, Registry] = {
    "datasets": DATASETS,
    "models": MODELS,
    "strategies": STRATEGIES,
    "labelers": LABELERS,
    "updates": UPDATES,
    "rebalancing": REBALANCERS,
    "metrics": METRICS,
    "suites": SUITES,
    "stopping": STOPPING,
    "features": FEATURES,
}
