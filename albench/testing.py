"""Conformance kit for plugin authors: the checks albench's built-in strategies pass.

Use it in your own tests::

    from albench.testing import check_strategy

    def test_my_strategy():
        check_strategy(MyStrategy, params={"alpha": 0.5}, bad_params={"alpha": -1})

or on the command line: ``albench check-plugin my_plugin.py``. Each check is a small
function; :func:`check_strategy` runs them all and raises one ``AssertionError`` listing
every failure (or returns the results with ``raise_on_failure=False``).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from albench.errors import AlbenchInputError
from albench.strategies.base import (
    DECISION,
    EMBEDDINGS,
    POSTERIOR,
    PROBA,
    PROBA_OR_DECISION,
    QueryContext,
    StrategyContractError,
    check_needs,
    check_query_result,
    is_oracle,
    oracle_fields,
)


@dataclass
class CheckResult:
    """The outcome of one conformance check."""

    name: str
    passed: bool
    message: str = ""


class _NeedsOnly:
    """A fitted model that exposes only the outputs a strategy's ``needs`` declares."""

    def __init__(self, model: Any, needs: frozenset[str]) -> None:
        self._model = model
        self._proba = bool({PROBA, PROBA_OR_DECISION} & needs)
        self._decision = bool({DECISION, PROBA_OR_DECISION} & needs)
        self._posterior = POSTERIOR in needs
        self._embeddings = EMBEDDINGS in needs

    def __getattr__(self, name: str) -> Any:
        if name == "predict_proba" and not self._proba:
            raise AttributeError("predict_proba: the strategy's needs do not include PROBA")
        if name == "decision_function" and not self._decision:
            raise AttributeError("decision_function: the strategy's needs do not include DECISION")
        if name == "predict_proba_samples" and not self._posterior:
            raise AttributeError("predict_proba_samples: the strategy's needs do not include POSTERIOR")
        if name == "embed" and not self._embeddings:
            raise AttributeError("embed: the strategy's needs do not include EMBEDDINGS")
        return getattr(self._model, name)


class BootstrapEnsemble(ClassifierMixin, BaseEstimator):
    """A small posterior-capable model without torch, for checking posterior and embedding strategies.

    ``n_members`` logistic regressions, each fitted on a class-stratified bootstrap resample of
    the training rows (every member sees every class), the resamples drawn from
    ``random_state``. It serves what a network serves:

    * ``predict_proba``: the members' mean;
    * ``predict_proba_samples(X, n_samples, random_state)``: the members' probabilities, shape
      ``(n_members, n, n_classes)``. As for a deep ensemble, ``T`` is the number of members
      whatever ``n_samples``, and the samples do not depend on ``random_state``;
    * ``embed(X)``: ``tanh(X W)``, ``W`` a fixed Gaussian random projection to
      ``n_components`` dimensions drawn from ``random_state`` (deterministic, like a
      network's penultimate layer with dropout off).

    It is what :func:`check_strategy` queries when a strategy's ``needs`` include
    ``POSTERIOR`` or ``EMBEDDINGS``. Not a benchmark model.

    Parameters
    ----------
    n_members : int, default 5
    n_components : int, default 8
    C : float, default 1.0
        Inverse regularisation of each member.
    random_state : int, default 0
    """

    def __init__(self, n_members: int = 5, n_components: int = 8, C: float = 1.0, random_state: int = 0):
        self.n_members = n_members
        self.n_components = n_components
        self.C = C
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray) -> BootstrapEnsemble:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        rng = np.random.default_rng(self.random_state)
        self.classes_ = np.unique(y)
        by_class = [np.flatnonzero(y == c) for c in self.classes_]
        self.members_ = []
        for _ in range(self.n_members):
            rows = np.concatenate([rng.choice(idx, idx.shape[0], replace=True) for idx in by_class])
            self.members_.append(LogisticRegression(C=self.C, max_iter=1000).fit(X[rows], y[rows]))
        self.projection_ = rng.normal(size=(X.shape[1], self.n_components)) / np.sqrt(X.shape[1])
        return self

    def predict_proba_samples(
        self, X: np.ndarray, n_samples: int, random_state: int | None = None
    ) -> np.ndarray:
        """The members' class probabilities, shape ``(n_members, len(X), n_classes)``."""
        return np.stack([m.predict_proba(X) for m in self.members_])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.predict_proba_samples(X, self.n_members).mean(axis=0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def embed(self, X: np.ndarray) -> np.ndarray:
        """``tanh(X W)``: a deterministic ``n_components``-dimensional embedding."""
        return np.tanh(np.asarray(X, dtype=np.float64) @ self.projection_)


def make_problem(seed: int = 0, n_samples: int = 90, n_classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A small synthetic classification problem (features standardised, labels 0..n-1)."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        random_state=seed,
    )
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, y.astype(np.int64)


def make_context(
    X: np.ndarray,
    y: np.ndarray,
    labeled: np.ndarray,
    needs: frozenset[str] = frozenset(),
    model: Any = None,
    test: tuple[np.ndarray, np.ndarray] | None = None,
) -> QueryContext:
    """A query context as the loop builds it: model fitted on the labeled set only.

    The model handed to the strategy exposes only what ``needs`` declares. The default model is
    a logistic regression, or a :class:`BootstrapEnsemble` when ``needs`` include
    ``POSTERIOR`` or ``EMBEDDINGS``. An oracle strategy (``ORACLE_LABELS`` / ``ORACLE_TEST`` in
    ``needs``) gets ``y`` as the true labels and ``test`` (default: ``(X, y)`` itself) as the
    test part; any other strategy gets neither.
    """
    if model is not None:
        template = model
    elif {POSTERIOR, EMBEDDINGS} & set(needs):
        template = BootstrapEnsemble(random_state=0)
    else:
        template = LogisticRegression(max_iter=1000, random_state=0)
    labeled = np.asarray(labeled, dtype=np.int64)
    fitted = clone(template).fit(X[labeled], y[labeled])
    pool = np.setdiff1d(np.arange(X.shape[0]), labeled)
    return QueryContext(
        X=X,
        labeled=labeled,
        y_labeled=y[labeled].copy(),
        pool=pool,
        n_classes=int(y.max()) + 1,
        model=_NeedsOnly(fitted, frozenset(needs)),
        make_model=lambda: clone(template),
        **(oracle_fields(needs, y, *(test if test is not None else (X, y))) if is_oracle(needs) else {}),
    )


def _initial(y: np.ndarray, per_class: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.sort(
        np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in np.unique(y)])
    )


def _query(strategy: Any, ctx: QueryContext, k: int, seed: int) -> np.ndarray:
    return check_query_result(
        strategy.query(ctx, k, np.random.default_rng(seed)),
        ctx.pool,
        min(k, len(ctx.pool)),
        type(strategy).__name__,
    )


def _build(cls: Any, params: dict) -> Any:
    strategy = cls(**params)
    validate = getattr(strategy, "validate", None)
    if validate is not None:
        validate()
    return strategy


def _check_init_stores_params(cls: Any, params: dict) -> str:
    strategy = cls(**params)
    if not hasattr(strategy, "get_params"):
        return "has no get_params(); subclass albench.strategies.base.Strategy"
    got = strategy.get_params(deep=False)
    for k, v in params.items():
        if k not in got:
            return f"get_params() lacks parameter {k!r}: store each __init__ argument under its own name"
        if got[k] is not v and got[k] != v:
            return f"__init__ changed parameter {k!r}: given {v!r}, get_params() says {got[k]!r}"
    twin = clone(strategy)
    if twin.get_params(deep=False).keys() != got.keys():
        return "clone() does not reproduce the parameters"
    return ""


def _check_unknown_parameter(cls: Any, params: dict) -> str:
    from albench.components import signature_params

    try:
        signature_params(cls, "strategy", cls.__name__, {**params, "_no_such_parameter": 1}, "check")
    except AlbenchInputError:
        return ""
    return "accepts an unknown parameter (**kwargs in __init__?); list the parameters explicitly"


def _check_bad_params(cls: Any, params: dict, bad_params: dict) -> str:
    for k, v in bad_params.items():
        try:
            _build(cls, {**params, k: v})
        except (AlbenchInputError, ValueError, TypeError):
            continue
        return f"{k}={v!r} was accepted; validate() should raise AlbenchInputError naming {k!r}"
    return ""


def _check_batches(strategy: Any, needs: frozenset[str], seed: int) -> str:
    X, y = make_problem(seed)
    labeled = _initial(y, seed=seed)
    for k in (1, 4, 10):
        ctx = make_context(X, y, labeled, needs)
        got = _query(strategy, ctx, k, seed)
        if len(got) != k:
            return f"batch_size={k}: returned {len(got)}"
    # the pool smaller than the batch: everything that is left
    ctx = make_context(X, y, np.arange(len(y) - 3), needs)
    got = _query(strategy, ctx, 10, seed)
    if sorted(got.tolist()) != sorted(ctx.pool.tolist()):
        return f"a pool of 3 with batch_size=10 must return the whole pool, got {got.tolist()}"
    return ""


def _check_deterministic(strategy: Any, needs: frozenset[str], seed: int) -> str:
    X, y = make_problem(seed)
    labeled = _initial(y, seed=seed)
    state = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(1)  # noqa: NPY002 - the global stream must not matter: rng is the only randomness
        a = _query(strategy, make_context(X, y, labeled, needs), 5, seed)
        np.random.seed(2)  # noqa: NPY002
        b = _query(clone(strategy), make_context(X, y, labeled, needs), 5, seed)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    if not np.array_equal(a, b):
        return f"the same seed gave {a.tolist()} then {b.tolist()}; use only the rng argument"
    return ""


def _check_no_mutation(strategy: Any, needs: frozenset[str], seed: int) -> str:
    X, y = make_problem(seed)
    ctx = make_context(X, y, _initial(y, seed=seed), needs)
    before = {k: copy.deepcopy(getattr(ctx, k)) for k in ("X", "labeled", "y_labeled", "pool")}
    _query(strategy, ctx, 5, seed)
    changed = [k for k, v in before.items() if not np.array_equal(v, getattr(ctx, k))]
    return f"query() modified ctx.{', ctx.'.join(changed)}" if changed else ""


def _query_world(strategy: Any, X: np.ndarray, y: np.ndarray, labeled: np.ndarray, needs, seed: int):
    """One round in a world whose true labels are ``y`` (only ``y[labeled]`` reaches ctx)."""
    return _query(strategy, make_context(X, y, labeled, needs), 5, seed)


def _check_hidden_labels(strategy: Any, needs: frozenset[str], seed: int) -> str:
    """The choice must not depend on the pool's true labels (which ctx does not hold).

    An oracle strategy (``ORACLE_LABELS`` / ``ORACLE_TEST`` in its needs) reads them by
    declaration, which is its point: the check does not apply and passes.
    """
    if is_oracle(needs):
        return ""
    X, y = make_problem(seed)
    labeled = _initial(y, seed=seed)
    pool = np.setdiff1d(np.arange(len(y)), labeled)
    y_other = y.copy()
    y_other[pool] = np.random.default_rng(seed + 1).permutation(y[pool])
    y_other[pool[: len(pool) // 2]] = (y_other[pool[: len(pool) // 2]] + 1) % (int(y.max()) + 1)
    a = _query_world(strategy, X, y, labeled, needs, seed)
    b = _query_world(clone(strategy), X, y_other, labeled, needs, seed)
    if not np.array_equal(a, b):
        return "the choice changed when only the pool's hidden labels changed"
    return ""


def check_strategy(
    cls: type,
    params: dict | None = None,
    bad_params: dict | None = None,
    seed: int = 0,
    raise_on_failure: bool = True,
) -> list[CheckResult]:
    """Run the conformance checks on a strategy class.

    The checks: ``needs`` holds allowed values; ``__init__`` only stores its parameters
    (``get_params`` / ``clone``); unknown parameters are rejected; each entry of
    ``bad_params`` is rejected; ``query`` returns ``min(batch_size, len(pool))`` distinct
    values of ``ctx.pool`` for several batch sizes and a pool smaller than the batch; the
    same seed gives the same batch whatever the global random state; ``ctx`` is not
    modified; the choice does not depend on the pool's hidden labels (unless the strategy is
    a declared oracle: ``ORACLE_LABELS`` / ``ORACLE_TEST`` in its needs). The query model
    exposes only the outputs ``needs`` declares (so a missing ``PROBA`` shows); a strategy
    that needs ``POSTERIOR`` or ``EMBEDDINGS`` is checked on a :class:`BootstrapEnsemble`
    (posterior samples and embeddings without torch).

    Parameters
    ----------
    cls : type
        The strategy class (a subclass of :class:`albench.strategies.base.Strategy`).
    params : dict, optional
        Parameters to build it with (default: its defaults).
    bad_params : dict, optional
        ``{parameter: invalid value}``; each must be rejected when the strategy is built.
    seed : int
        Seed of the synthetic problem and of the strategy's stream.
    raise_on_failure : bool
        Raise ``AssertionError`` listing every failed check (default), else only return.

    Returns
    -------
    list of CheckResult
    """
    params = dict(params or {})
    results: list[CheckResult] = []

    def run(name: str, fn: Callable[[], str]) -> None:
        try:
            message = fn()
        except (StrategyContractError, AlbenchInputError) as exc:
            message = str(exc)
        except Exception as exc:  # noqa: BLE001 - any crash is a failed check
            message = f"raised {type(exc).__name__}: {exc}"
        results.append(CheckResult(name, not message, message))

    strategy = None
    try:
        strategy = _build(cls, params)
        needs = check_needs(getattr(cls, "__name__", "?"), strategy.needs)
    except Exception as exc:  # noqa: BLE001 - report as a failed check
        results.append(CheckResult("builds and declares needs", False, f"{type(exc).__name__}: {exc}"))
    else:
        results.append(CheckResult("builds and declares needs", True))
        run("__init__ only stores parameters", lambda: _check_init_stores_params(cls, params))
        run("unknown parameters rejected", lambda: _check_unknown_parameter(cls, params))
        run("bad parameter values rejected", lambda: _check_bad_params(cls, params, bad_params or {}))
        run("batch size respected, distinct pool positions", lambda: _check_batches(strategy, needs, seed))
        run("deterministic under a seed", lambda: _check_deterministic(strategy, needs, seed))
        run("does not modify the context", lambda: _check_no_mutation(strategy, needs, seed))
        run("no access to hidden labels", lambda: _check_hidden_labels(strategy, needs, seed))
    failed = [r for r in results if not r.passed]
    if failed and raise_on_failure:
        lines = [f"{getattr(cls, '__name__', cls)} fails {len(failed)} conformance check(s):"]
        lines += [f"  - {r.name}: {r.message}" for r in failed]
        raise AssertionError("\n".join(lines))
    return results


def check_model(factory: Callable[..., Any], params: dict | None = None) -> list[CheckResult]:
    """Check a model factory ``(random_state, **params) -> estimator``.

    It must accept ``random_state``, return an unfitted scikit-learn classifier with
    ``fit``/``predict`` and ``get_params``, and give the same predictions for the same
    ``random_state``. Raises ``AssertionError`` listing the failures.
    """
    params = dict(params or {})
    results: list[CheckResult] = []
    X, y = make_problem(0)
    try:
        if "random_state" not in inspect.signature(factory).parameters:
            raise TypeError("the factory must accept random_state")
        a = factory(random_state=0, **params)
        b = factory(random_state=0, **params)
        for attr in ("fit", "predict", "get_params"):
            if not hasattr(a, attr):
                raise TypeError(f"the estimator has no {attr}()")
        pa, pb = a.fit(X, y).predict(X), b.fit(X, y).predict(X)
        if not np.array_equal(pa, pb):
            raise AssertionError("two estimators with random_state=0 predict differently")
        results.append(CheckResult("builds, fits, predicts, deterministic", True))
    except Exception as exc:  # noqa: BLE001
        results.append(
            CheckResult("builds, fits, predicts, deterministic", False, f"{type(exc).__name__}: {exc}")
        )
    failed = [r for r in results if not r.passed]
    if failed:
        raise AssertionError("; ".join(f"{r.name}: {r.message}" for r in failed))
    return results


def check_dataset(factory: Callable[..., Any], params: dict | None = None) -> list[CheckResult]:
    """Check a dataset factory: it returns an :class:`albench.datasets.base.Dataset`, twice the same.

    Raises ``AssertionError`` naming the problem.
    """
    from albench.datasets.base import Dataset

    params = dict(params or {})
    try:
        a, b = factory(**params), factory(**params)
        if not isinstance(a, Dataset):
            raise TypeError(f"returned {type(a).__name__}, not albench.datasets.base.Dataset")
        if not (np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)):
            raise AssertionError("two calls with the same parameters gave different data")
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"dataset factory: {type(exc).__name__}: {exc}") from None
    return [CheckResult("returns the same Dataset every call", True)]
