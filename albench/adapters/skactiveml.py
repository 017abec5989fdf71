"""scikit-activeml's pool-based query strategies as albench strategies (``albench[skactiveml]``).

Every single-annotator classification strategy of ``skactiveml.pool`` is available under
``skactiveml.<ClassName>`` (e.g. ``skactiveml.UncertaintySampling``), with the parameters of
its ``__init__`` except ``random_state`` and ``missing_label``, which the adapter sets::

    strategies = [{ name = "skactiveml.UncertaintySampling", method = "entropy" }]

The names resolve on first use, so scikit-activeml is imported only by runs that use it. The
adapted strategy sees exactly what an albench strategy sees: the features, the labeled set
with its revealed labels, and the pool as candidates; strategies that consult a classifier
get ``SklearnClassifier`` around a fresh copy of the query model (``ctx.make_model``), which
they fit on the labeled set; strategies that consult an ensemble get a bagging ensemble of
it. The components' origin is scikit-activeml's version, so its cells re-run when it changes.
"""

from __future__ import annotations

import inspect
from importlib import metadata
from typing import Any

import numpy as np

from albench.adapters import SKACTIVEML_INSTALL_HINT, SKACTIVEML_PREFIX
from albench.errors import AlbenchInputError
from albench.registry import STRATEGIES
from albench.strategies.base import FEATURES, LABELED, PROBA, REFIT, QueryContext, Strategy, random_state_from

PREFIX = SKACTIVEML_PREFIX
#: parameters the adapter sets itself
_SET_BY_ADAPTER = ("random_state", "missing_label")
#: model arguments of ``query`` the adapter can provide
_SUPPORTED_MODELS = ("clf", "ensemble")
INSTALL_HINT = SKACTIVEML_INSTALL_HINT


class SkactivemlStrategy(Strategy):
    """Base of the generated adapters; ``peer`` is the scikit-activeml class."""

    peer: type | None = None
    needs: frozenset[str] = frozenset({FEATURES, LABELED})
    #: bagging members of the ensemble handed to committee strategies
    n_members = 5

    def __init__(self, **params: Any) -> None:  # the signature is the peer's (see _adapter_for)
        for k, v in params.items():
            setattr(self, k, v)

    def _peer_params(self) -> dict:
        return self.get_params(deep=False)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        from skactiveml.classifier import SklearnClassifier
        from sklearn.ensemble import BaggingClassifier

        seed = random_state_from(rng)
        peer = self.peer(**self._peer_params(), missing_label=np.nan, random_state=seed)
        y = np.full(ctx.X.shape[0], np.nan)
        y[ctx.labeled] = ctx.y_labeled
        classes = np.arange(ctx.n_classes)
        accepted = inspect.signature(peer.query).parameters
        kwargs: dict[str, Any] = {"candidates": ctx.pool, "batch_size": min(batch_size, len(ctx.pool))}
        if "clf" in accepted:
            kwargs["clf"] = SklearnClassifier(
                ctx.make_model(), classes=classes, missing_label=np.nan, random_state=seed
            )
            if "fit_clf" in accepted:
                kwargs["fit_clf"] = True
        if "ensemble" in accepted:
            bagging = BaggingClassifier(ctx.make_model(), n_estimators=self.n_members, random_state=seed)
            kwargs["ensemble"] = SklearnClassifier(
                bagging, classes=classes, missing_label=np.nan, random_state=seed
            )
            if "fit_ensemble" in accepted:
                kwargs["fit_ensemble"] = True
        chosen = peer.query(ctx.X, y, **kwargs)
        return np.asarray(chosen, dtype=np.int64)


def _model_argument(peer: type) -> str | None:
    """The required model argument of ``peer.query`` (``clf``, ``ensemble``, ...), if any."""
    params = inspect.signature(peer.query).parameters
    required = [
        p.name
        for p in params.values()
        if p.name not in ("self", "X", "y") and p.default is inspect.Parameter.empty
    ]
    return required[0] if required else None


def peer_classes() -> dict[str, type]:
    """scikit-activeml's single-annotator pool strategies the adapter supports, by class name.

    Regression strategies (they need a regressor), wrappers, abstract bases and classes
    whose ``__init__`` has required arguments are left out.

    Raises
    ------
    AlbenchInputError
        If scikit-activeml is not installed.
    """
    try:
        import skactiveml.pool as pool
        from skactiveml.base import SingleAnnotatorPoolQueryStrategy
    except ImportError:
        raise AlbenchInputError(f"scikit-activeml is not installed: {INSTALL_HINT}") from None
    out = {}
    for name in sorted(dir(pool)):
        obj = getattr(pool, name)
        if not (isinstance(obj, type) and issubclass(obj, SingleAnnotatorPoolQueryStrategy)):
            continue
        required = [
            p.name
            for p in inspect.signature(obj.__init__).parameters.values()
            if p.name != "self" and p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD
        ]
        if inspect.isabstract(obj) or required:  # a base class, or one that needs arguments we lack
            continue
        model_arg = _model_argument(obj)
        if model_arg is None or model_arg in _SUPPORTED_MODELS:
            out[name] = obj
    return out


def _adapter_for(peer: type) -> type:
    """A Strategy subclass whose parameters are ``peer``'s (minus those the adapter sets)."""
    sig = inspect.signature(peer.__init__)
    params = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for p in sig.parameters.values()
        if p.name != "self" and p.name not in _SET_BY_ADAPTER and p.kind is not p.VAR_KEYWORD
    ]
    model_arg = _model_argument(peer)
    needs = {FEATURES, LABELED}
    if model_arg is not None:
        needs |= {REFIT, PROBA}

    init_params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD), *params]
    signature = inspect.Signature(init_params)

    def __init__(self, **kwargs: Any) -> None:
        bound = signature.bind(self, **kwargs)  # unknown names raise TypeError, as usual
        bound.apply_defaults()
        SkactivemlStrategy.__init__(self, **{k: v for k, v in bound.arguments.items() if k != "self"})

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    doc = (inspect.getdoc(peer) or peer.__name__).strip().splitlines()[0]
    cls = type(
        f"Skactiveml{peer.__name__}",
        (SkactivemlStrategy,),
        {
            "__init__": __init__,
            "__doc__": f"scikit-activeml's {peer.__name__}: {doc}",
            "__module__": __name__,
            "peer": peer,
            "needs": frozenset(needs),
        },
    )
    return cls


def _resolve(rest: str, full_name: str) -> tuple[type, dict]:
    classes = peer_classes()
    if rest not in classes:
        raise AlbenchInputError(
            f"{full_name!r}: scikit-activeml has no supported pool strategy {rest!r}; "
            f"available: {', '.join(PREFIX + n for n in classes)}"
        )
    peer = classes[rest]
    doc = (inspect.getdoc(peer) or rest).strip().splitlines()[0]
    origin = {"distribution": "scikit-activeml", "version": metadata.version("scikit-activeml")}
    first = first_reference(inspect.getdoc(peer) or "")
    reference = "scikit-activeml (Kottke et al., 2021)" + (f"; {first}" if first else "")
    return _adapter_for(peer), {
        "description": f"scikit-activeml {rest}: {doc}",
        "reference": reference,
        "origin": origin,
    }


def first_reference(doc: str) -> str:
    """The first entry of a NumPy-style docstring's ``References`` section, on one line."""
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "References")
    except StopIteration:
        return ""
    entry: list[str] = []
    for line in lines[start + 2 :]:
        text = line.strip()
        if text.startswith(".. [") and entry:
            break
        if not text:
            if entry:
                break
            continue
        entry.append(text.split("]", 1)[1].strip() if text.startswith(".. [") else text)
    return " ".join(entry)


def adapted_entries() -> list:
    """The registry entry of every adapted strategy (resolving each name once).

    Raises
    ------
    AlbenchInputError
        If scikit-activeml is not installed.
    """
    return [STRATEGIES.get(PREFIX + name) for name in peer_classes()]


STRATEGIES.add_prefix(
    PREFIX,
    _resolve,
    description=f"scikit-activeml's pool strategies, e.g. skactiveml.UncertaintySampling ({INSTALL_HINT})",
)
