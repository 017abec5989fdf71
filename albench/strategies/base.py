"""The strategy contract: what a strategy sees (QueryContext) and what it must return.

A strategy is a thin, scikit-learn-style class (``__init__`` only stores parameters,
``get_params`` describes it completely) over pure scoring kernels (:mod:`.kernels`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from albench.errors import AlbenchInputError
from albench.registry import STRATEGIES
from albench.strategies import kernels

#: The query model exposes ``predict_proba``.
PROBA = "proba"
#: The query model exposes ``decision_function``.
DECISION = "decision"
#: Either of the two (probabilities preferred).
PROBA_OR_DECISION = "proba_or_decision"
#: The strategy refits copies of the query model (``ctx.make_model``).
REFIT = "refit"
#: The strategy reads the features ``ctx.X``.
FEATURES = "features"
#: The strategy reads the labeled set and its revealed labels (``ctx.labeled``, ``ctx.y_labeled``).
LABELED = "labeled"
#: The strategy reads posterior samples (``ctx.posterior``): T probability vectors per row, from
#: Monte-Carlo dropout or a deep ensemble; the query model has ``predict_proba_samples``.
POSTERIOR = "posterior"
#: The strategy reads learned embeddings (``ctx.embeddings``): the network's penultimate layer;
#: the query model has ``embed``.
EMBEDDINGS = "embeddings"
#: Oracle: the strategy reads the true labels of the whole training part, pool included
#: (``ctx.true_labels()``). Only a strategy that declares it gets them; it is an upper reference
#: (an oracle), not an active learning strategy, and is marked "(oracle)" wherever listed.
ORACLE_LABELS = "oracle_labels"
#: Oracle: the strategy reads the test part, features and true labels (``ctx.test_part()``).
ORACLE_TEST = "oracle_test"
#: The needs that make a strategy an oracle.
ORACLE = frozenset({ORACLE_LABELS, ORACLE_TEST})

CAPABILITIES = frozenset(
    {
        PROBA,
        DECISION,
        PROBA_OR_DECISION,
        REFIT,
        FEATURES,
        LABELED,
        POSTERIOR,
        EMBEDDINGS,
        ORACLE_LABELS,
        ORACLE_TEST,
    }
)
_CONSTANT_NAMES = {
    PROBA: "PROBA",
    DECISION: "DECISION",
    PROBA_OR_DECISION: "PROBA_OR_DECISION",
    REFIT: "REFIT",
    FEATURES: "FEATURES",
    LABELED: "LABELED",
    POSTERIOR: "POSTERIOR",
    EMBEDDINGS: "EMBEDDINGS",
    ORACLE_LABELS: "ORACLE_LABELS",
    ORACLE_TEST: "ORACLE_TEST",
}


class StrategyContractError(RuntimeError):
    """A strategy returned something the loop cannot use (see :func:`check_query_result`)."""


def allowed_needs_text() -> str:
    """The allowed values of ``needs`` in words, for error messages and docs."""
    return ", ".join(f"{v!r} ({_CONSTANT_NAMES[v]})" for v in sorted(CAPABILITIES))


def check_needs(label: str, needs: Any) -> frozenset[str]:
    """Validate a strategy's ``needs``: a set of the strings in :data:`CAPABILITIES`.

    The constants (:data:`PROBA`, ...) are those strings; either spelling works.

    Raises
    ------
    AlbenchInputError
        Naming the strategy, the bad value and the allowed values.
    """
    if isinstance(needs, str) or not isinstance(needs, (set, frozenset, list, tuple)):
        raise AlbenchInputError(
            f"strategy {label!r}: needs = {needs!r}: must be a set of strings, e.g. "
            f"frozenset({{PROBA}}); allowed values: {allowed_needs_text()}"
        )
    bad = sorted(str(n) for n in needs if n not in CAPABILITIES)
    if bad:
        raise AlbenchInputError(
            f"strategy {label!r}: needs = {set(needs)!r}: unknown value {', '.join(map(repr, bad))}; "
            f"allowed values: {allowed_needs_text()} (import them from albench.strategies.base)"
        )
    return frozenset(needs)


def is_oracle(needs: Any) -> bool:
    """Whether a strategy (or its ``needs``) reads ground truth: :data:`ORACLE_LABELS` or :data:`ORACLE_TEST`.

    A strategy whose ``needs`` cannot be read (a property that fails) is not an oracle.
    """
    if not isinstance(needs, (set, frozenset, list, tuple)):
        try:
            needs = needs.needs
        except Exception:  # noqa: BLE001 - needs that depend on parameters that do not build
            return False
    return bool(ORACLE & set(needs))


def read_only(values: np.ndarray) -> np.ndarray:
    """A read-only copy of ``values``: what the loop hands an oracle cannot change the loop's data."""
    out = np.array(values, copy=True)
    out.flags.writeable = False
    return out


def oracle_fields(
    needs: Any, y_true: np.ndarray, X_test: np.ndarray | None, y_test: np.ndarray | None
) -> dict[str, Any]:
    """The :class:`QueryContext` keyword arguments of the ground truth a strategy declared.

    Empty for a strategy that declares neither :data:`ORACLE_LABELS` nor :data:`ORACLE_TEST`:
    its context holds no true label beyond ``y_labeled``. The arrays are read-only copies.
    """
    needs = frozenset(needs)
    out: dict[str, Any] = {}
    if ORACLE_LABELS in needs:
        out["oracle_labels"] = read_only(np.asarray(y_true, dtype=np.int64))
    if ORACLE_TEST in needs:
        if X_test is None or y_test is None:
            raise AlbenchInputError("a strategy that declares ORACLE_TEST needs a test part (X_test, y_test)")
        out["oracle_test"] = (read_only(X_test), read_only(np.asarray(y_test, dtype=np.int64)))
    return out


def _check_strategy_entry(name: str, obj: Any) -> None:
    """Registration-time check of a strategy class: its ``needs`` (when not a property)."""
    if not isinstance(obj, type):
        raise AlbenchInputError(f"strategy {name!r}: register a class (a Strategy subclass), not {obj!r}")
    raw = inspect.getattr_static(obj, "needs", frozenset())
    if isinstance(raw, property):
        return  # depends on the parameters: checked on the instance before any work
    check_needs(name, raw)
    if not callable(getattr(obj, "query", None)):
        raise AlbenchInputError(f"strategy {name!r}: has no query(ctx, batch_size, rng) method")


STRATEGIES.check = _check_strategy_entry


def check_query_result(chosen: Any, pool: np.ndarray, k: int, label: str) -> np.ndarray:
    """Check what a strategy's ``query`` returned; return it as an int64 array.

    The contract: a 1-D integer array of ``k`` distinct values taken from ``ctx.pool``
    (positions, i.e. row numbers of ``ctx.X``), not indices into ``ctx.pool``.

    Parameters
    ----------
    chosen : array-like
        What ``query`` returned.
    pool : ndarray of int
        ``ctx.pool`` of that round.
    k : int
        The expected number of samples (``min(batch_size, len(pool))``).
    label : str
        The strategy's label, for the message.

    Raises
    ------
    StrategyContractError
        Saying what was returned and what was expected.
    """
    expected = f"expected a 1-D integer array of {k} distinct values taken from ctx.pool"
    hint = "return positions (row numbers of ctx.X) from ctx.pool, e.g. ctx.pool[idx]"
    try:
        arr = np.asarray(chosen)
    except Exception:  # noqa: BLE001 - whatever it was, it is not an array
        arr = None
    if arr is None or arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
        shape = "?" if arr is None else f"shape {arr.shape}, dtype {arr.dtype}"
        raise StrategyContractError(
            f"strategy {label!r} returned {type(chosen).__name__} ({shape}); {expected}"
        )
    arr = arr.astype(np.int64)
    if arr.shape[0] != k:
        raise StrategyContractError(f"strategy {label!r} returned {arr.shape[0]} value(s); {expected}")
    uniq, counts = np.unique(arr, return_counts=True)
    if uniq.shape[0] != k:
        dup = uniq[counts > 1][:5].tolist()
        raise StrategyContractError(f"strategy {label!r} returned duplicates {dup}; {expected}")
    outside = ~np.isin(arr, pool)
    if outside.any():
        bad = arr[outside][:5].tolist()
        looks_like_indices = bool(arr.min() >= 0 and arr.max() < len(pool))
        extra = (
            " They look like indices into ctx.pool (0 .. len(ctx.pool) - 1); " if looks_like_indices else " "
        )
        raise StrategyContractError(
            f"strategy {label!r} returned {int(outside.sum())} value(s) not in ctx.pool (e.g. {bad}); "
            f"{expected}.{extra}{hint}"
        )
    return arr


def model_capabilities(estimator: Any) -> frozenset[str]:
    """What an unfitted estimator can serve: ``proba`` and/or ``decision``, plus what the loop serves.

    ``hasattr`` respects scikit-learn's ``available_if`` (``SVC(probability=False)`` has no
    ``predict_proba``).
    """
    caps = {REFIT, FEATURES, LABELED, ORACLE_LABELS, ORACLE_TEST}  # the loop's, whatever the model
    if hasattr(estimator, "predict_proba"):
        caps.add(PROBA)
    if hasattr(estimator, "decision_function"):
        caps.add(DECISION)
    if PROBA in caps or DECISION in caps:
        caps.add(PROBA_OR_DECISION)
    if hasattr(estimator, "predict_proba_samples"):
        caps.add(POSTERIOR)
    if hasattr(estimator, "embed"):
        caps.add(EMBEDDINGS)
    return frozenset(caps)


@dataclass
class QueryContext:
    """Everything a strategy may look at when it chooses a batch.

    Positions index the rows of ``X`` (the training part: labeled set plus pool). True
    labels of the pool are not here: a strategy sees only the labels revealed so far. The one
    exception is an *oracle* strategy, which declares :data:`ORACLE_LABELS` and/or
    :data:`ORACLE_TEST` in its ``needs``: only then does the loop fill ``oracle_labels`` and/or
    ``oracle_test`` (read-only copies); every other strategy's context has ``None`` there.

    Attributes
    ----------
    X : ndarray of shape (n_train, n_features)
        Features of the training part.
    labeled : ndarray of int
        Positions of the labeled samples.
    y_labeled : ndarray of int
        Revealed labels (encoded ``0 .. n_classes - 1``), aligned with ``labeled``.
    pool : ndarray of int
        Positions of the unlabeled samples a strategy may query.
    n_classes : int
        Number of classes of the dataset (columns of probability matrices).
    model : estimator
        The query model, fitted on ``(X[labeled], y_labeled)``.
    make_model : callable
        Returns a new unfitted copy of the query model (same parameters and random_state).
    posterior_seed : int
        Seed of the round's Monte-Carlo draws (dropout masks), derived from (experiment seed,
        dataset, repetition, strategy, round): the same in every run, never the global state.
    oracle_labels : ndarray of int or None
        Oracle strategies only (:data:`ORACLE_LABELS`): the true label of every row of ``X``;
        read it with :meth:`true_labels`. ``None`` for every other strategy.
    oracle_test : (ndarray, ndarray) or None
        Oracle strategies only (:data:`ORACLE_TEST`): the test part's features (as the model
        sees them) and true labels; read it with :meth:`test_part`. ``None`` otherwise.
    """

    X: np.ndarray
    labeled: np.ndarray
    y_labeled: np.ndarray
    pool: np.ndarray
    n_classes: int
    model: Any
    make_model: Callable[[], Any]
    posterior_seed: int = 0
    oracle_labels: np.ndarray | None = field(default=None, repr=False)
    oracle_test: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    def true_labels(self, positions: np.ndarray | None = None) -> np.ndarray:
        """True labels of ``positions`` (rows of ``X``; default: the pool). Oracle strategies only.

        Raises
        ------
        AlbenchInputError
            When the strategy did not declare :data:`ORACLE_LABELS` (the context has no labels).
        """
        if self.oracle_labels is None:
            raise AlbenchInputError(
                "the true labels of the pool are given only to an oracle strategy: declare "
                "ORACLE_LABELS in its needs"
            )
        return self.oracle_labels[self.pool if positions is None else positions]

    def test_part(self) -> tuple[np.ndarray, np.ndarray]:
        """The test part ``(X_test, y_test)``, read-only. Oracle strategies only.

        Raises
        ------
        AlbenchInputError
            When the strategy did not declare :data:`ORACLE_TEST`.
        """
        if self.oracle_test is None:
            raise AlbenchInputError(
                "the test part is given only to an oracle strategy: declare ORACLE_TEST in its needs"
            )
        return self.oracle_test

    def posterior(self, n_samples: int, positions: np.ndarray | None = None) -> np.ndarray:
        """Posterior probability samples of the query model, shape ``(T, len(positions), n_classes)``.

        ``T`` is ``n_samples`` Monte-Carlo dropout passes (only dropout layers stochastic;
        BatchNorm in evaluation mode), or the members of a deep ensemble (``T`` = members,
        whatever ``n_samples``). Seeded by :attr:`posterior_seed`. Classes the model never saw
        get probability 0. ``positions`` defaults to the pool (then cached per ``n_samples``).
        """
        if positions is None:
            key = ("posterior_pool", int(n_samples))
            if key not in self._cache:
                self._cache[key] = self.posterior(n_samples, self.pool)
            return self._cache[key]
        if not hasattr(self.model, "predict_proba_samples"):
            raise AlbenchInputError(
                f"model {type(self.model).__name__} has no predict_proba_samples; a strategy that reads "
                "posterior samples must declare POSTERIOR in its needs "
                "(a network with dropout or an ensemble)"
            )
        samples = np.asarray(
            self.model.predict_proba_samples(self.X[positions], n_samples, random_state=self.posterior_seed),
            dtype=np.float64,
        )
        classes = np.asarray(self.model.classes_)
        if samples.shape[2] != self.n_classes or not np.array_equal(classes, np.arange(self.n_classes)):
            out = np.zeros((samples.shape[0], samples.shape[1], self.n_classes), dtype=np.float64)
            out[:, :, classes.astype(np.int64)] = samples
            samples = out
        return _finite(samples.reshape(-1, self.n_classes), self.model, "predict_proba_samples").reshape(
            samples.shape
        )

    def embeddings(self, positions: np.ndarray | None = None) -> np.ndarray:
        """The query model's learned embeddings (penultimate layer), shape ``(len(positions), D)``.

        ``positions`` defaults to the pool (then cached). Deterministic: dropout is off.
        """
        if positions is None:
            if "embeddings_pool" not in self._cache:
                self._cache["embeddings_pool"] = self.embeddings(self.pool)
            return self._cache["embeddings_pool"]
        if not hasattr(self.model, "embed"):
            raise AlbenchInputError(
                f"model {type(self.model).__name__} has no embed; a strategy that reads embeddings "
                "must declare EMBEDDINGS in its needs (a neural network model)"
            )
        emb = np.asarray(self.model.embed(self.X[positions]), dtype=np.float64)
        return _finite(emb, self.model, "embed")

    def predict_proba(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities of the query model, one column per dataset class.

        Classes the model never saw get probability 0. ``positions`` defaults to the pool.
        """
        if positions is None:
            if "proba_pool" not in self._cache:
                self._cache["proba_pool"] = self.predict_proba(self.pool)
            return self._cache["proba_pool"]
        if not hasattr(self.model, "predict_proba"):
            raise AlbenchInputError(
                f"model {type(self.model).__name__} has no predict_proba; a strategy that reads "
                "probabilities must declare PROBA (or PROBA_OR_DECISION) in its needs"
            )
        proba = expand_proba(self.model.predict_proba(self.X[positions]), self.model.classes_, self.n_classes)
        return _finite(proba, self.model, "predict_proba")

    def decision_function(self, positions: np.ndarray | None = None) -> np.ndarray:
        """Decision values of the query model (1-D for binary problems). Defaults to the pool."""
        if positions is None:
            if "decision_pool" not in self._cache:
                self._cache["decision_pool"] = self.decision_function(self.pool)
            return self._cache["decision_pool"]
        if not hasattr(self.model, "decision_function"):
            raise AlbenchInputError(
                f"model {type(self.model).__name__} has no decision_function; a strategy that reads "
                "decision values must declare DECISION (or PROBA_OR_DECISION) in its needs"
            )
        decision = np.asarray(self.model.decision_function(self.X[positions]), dtype=np.float64)
        return _finite(decision, self.model, "decision_function")


def _finite(values: np.ndarray, model: Any, method: str) -> np.ndarray:
    """``values``, after checking they hold no NaN or infinity (the kernels assume finite input)."""
    with np.errstate(over="ignore"):
        total = values.sum()
    if np.isfinite(total):  # one pass; a NaN or an infinity anywhere makes the sum non-finite
        return values
    bad = ~np.isfinite(values)
    if bad.any():
        rows = int(bad.any(axis=tuple(range(1, values.ndim))).sum()) if values.ndim > 1 else int(bad.sum())
        raise AlbenchInputError(
            f"model {type(model).__name__}.{method} returned NaN or infinite values for {rows} of "
            f"{values.shape[0]} samples; query strategies need finite values (a diverged fit?)"
        )
    return values  # finite values whose sum overflowed


def expand_proba(proba: np.ndarray, model_classes: np.ndarray, n_classes: int) -> np.ndarray:
    """Place a model's probability columns into ``n_classes`` columns (missing classes: 0)."""
    proba = np.asarray(proba, dtype=np.float64)
    model_classes = np.asarray(model_classes)
    if proba.shape[1] == n_classes and np.array_equal(model_classes, np.arange(n_classes)):
        return proba
    out = np.zeros((proba.shape[0], n_classes), dtype=np.float64)
    out[:, model_classes.astype(np.int64)] = proba
    return out


class Strategy(BaseEstimator):
    """Base class of query strategies: subclass it to write your own.

    What to implement
    -----------------
    ``__init__(self, a=1, ...)``
        Only store each parameter under its own name (``self.a = a``), with defaults; no
        other work. ``get_params`` then describes the strategy completely, which is what
        the cell key hashes. A parameter the class does not accept is reported by name.
    ``validate(self)``
        Optional. Raise :class:`~albench.errors.AlbenchInputError` naming a bad parameter
        (use :func:`check_int`, :func:`check_float`, :func:`check_choice`). Called once,
        before any cell runs, so bad parameters fail the run up front.
    ``needs``
        A class attribute: a frozenset of what the strategy reads from the query model and
        the context, taken from :data:`CAPABILITIES` (the constants :data:`PROBA`,
        :data:`DECISION`, :data:`PROBA_OR_DECISION`, :data:`REFIT`, :data:`FEATURES`,
        :data:`LABELED` are those strings). Checked when the class is registered; a model
        that cannot serve it is rejected before any work. It may be a property when it
        depends on the parameters.
    ``query(self, ctx, batch_size, rng)``
        Choose the batch; see :meth:`query`.

    What the harness guarantees
    ---------------------------
    ``ctx.model`` is fitted on the labeled set; ``ctx.pool`` is non-empty; ``batch_size``
    is at least 1; ``rng`` is the strategy's own stream, seeded from (experiment seed,
    dataset, repetition, strategy), the same in every run. The true labels of the pool are
    not reachable from ``ctx``, unless the strategy is an oracle (declares
    :data:`ORACLE_LABELS` / :data:`ORACLE_TEST`; see :class:`QueryContext`).
    """

    needs: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        """A strategy without parameters (so an unknown parameter is named as such)."""

    def validate(self) -> None:
        """Raise :class:`AlbenchInputError` naming a bad parameter. Called before any work."""

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Return ``min(batch_size, len(ctx.pool))`` distinct values taken from ``ctx.pool``.

        The values are *positions*: row numbers of ``ctx.X``, the same numbers ``ctx.pool``
        holds, not indices into ``ctx.pool``. With scores ``s`` of the pool (one per entry of
        ``ctx.pool``), return ``ctx.pool[select_top_k(s, k, rng)]``. The result is checked by
        :func:`check_query_result`.

        Parameters
        ----------
        ctx : QueryContext
            The labeled set, the pool and the fitted query model.
        batch_size : int
            Number of samples to return (fewer only when the pool is smaller).
        rng : numpy.random.Generator
            The strategy's own random stream for this cell; the only randomness allowed.

        Returns
        -------
        ndarray of int, shape (min(batch_size, len(ctx.pool)),)
            Distinct values of ``ctx.pool``.
        """
        raise NotImplementedError

    def uses_probabilities(self, model: Any) -> bool:
        """Whether the strategy will read probabilities from ``model`` (else decision values)."""
        return PROBA in self.needs or (PROBA_OR_DECISION in self.needs and hasattr(model, "predict_proba"))


def random_state_from(rng: np.random.Generator) -> int:
    """A 31-bit ``random_state`` for scikit-learn objects, drawn from the strategy's stream."""
    return int(rng.integers(0, 2**31 - 1))


def pool_uncertainty(strategy: Strategy, ctx: QueryContext) -> np.ndarray:
    """Margin uncertainty of the pool, higher = more uncertain.

    ``1 - (p_(1) - p_(2))`` when the query model has probabilities, else
    :func:`~albench.strategies.kernels.decision_margin_scores` of its decision values.
    """
    if strategy.uses_probabilities(ctx.model):
        return kernels.uncertainty_measure(ctx.predict_proba(), "margin")
    return kernels.decision_margin_scores(ctx.decision_function())


def check_strategy_model(strategy_label: str, strategy: Strategy, model_label: str, estimator: Any) -> None:
    """Reject, before any work, a strategy paired with a model that cannot serve it.

    A bad ``needs`` (a typo such as ``"probability"``) is reported as the strategy's error.
    """
    check_needs(strategy_label, strategy.needs)
    missing = set(strategy.needs) - model_capabilities(estimator)
    if missing:
        words = {
            PROBA: "predict_proba",
            DECISION: "decision_function",
            PROBA_OR_DECISION: "predict_proba or decision_function",
            POSTERIOR: "posterior samples (predict_proba_samples: a network with dropout, or an ensemble)",
            EMBEDDINGS: "embeddings (embed: a neural network model)",
        }
        need = ", ".join(sorted(words.get(m, m) for m in missing))
        raise AlbenchInputError(
            f"strategy {strategy_label!r} needs {need}, which model {model_label!r} "
            f"({type(estimator).__name__}) does not provide"
        )


def check_int(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> None:
    """Raise an error naming ``name`` unless ``value`` is an int in ``[minimum, maximum]``."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if ok and minimum is not None and value < minimum:
        ok = False
    if ok and maximum is not None and value > maximum:
        ok = False
    if not ok:
        lo = "" if minimum is None else f" >= {minimum}"
        hi = "" if maximum is None else f" <= {maximum}"
        raise AlbenchInputError(f"{name} = {value!r}: must be an integer{lo}{hi and ' and' + hi}")


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    """Raise an error naming ``name`` unless ``value`` is one of ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise AlbenchInputError(f"{name} = {value!r}: must be one of {', '.join(map(repr, allowed))}")


def check_float(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Raise an error naming ``name`` unless ``value`` is a real number in the interval."""
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = np.isfinite(v)
        if ok and low is not None:
            ok = v > low if low_open else v >= low
        if ok and high is not None:
            ok = v < high if high_open else v <= high
    if not ok:
        lb = "(" if low_open else "["
        hb = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise AlbenchInputError(f"{name} = {value!r}: must be a number in {lb}{lo}, {hi}{hb}")
