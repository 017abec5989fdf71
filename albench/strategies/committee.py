"""Query by committee: vote entropy and mean KL divergence to the consensus."""

from __future__ import annotations

from typing import Any

import numpy as np

from albench.errors import AlbenchInputError
from albench.models import build_model
from albench.registry import STRATEGIES
from albench.strategies import kernels
from albench.strategies.base import (
    FEATURES,
    LABELED,
    PROBA,
    REFIT,
    QueryContext,
    Strategy,
    check_choice,
    check_int,
    expand_proba,
    random_state_from,
)


def model_entry(entry: Any, field: str) -> tuple[str, dict]:
    """``(name, params)`` from a model given as ``"name"`` or ``{name = ..., param = ...}``."""
    if isinstance(entry, str):
        return entry, {}
    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
        return entry["name"], {k: v for k, v in entry.items() if k != "name"}
    raise AlbenchInputError(f"{field} = {entry!r}: must be a model name or a table with a 'name' key")


def stratified_bootstrap(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of a bootstrap sample drawn within each class, so every class stays present."""
    parts = [rng.choice(members, size=members.shape[0]) for members in _class_members(y)]
    return np.concatenate(parts)


def uniform_bootstrap(y: np.ndarray, rng: np.random.Generator, max_draws: int = 1000) -> np.ndarray:
    """Indices of a plain bootstrap sample, redrawn until it holds every class of ``y``.

    Each draw is ``rng.integers(0, n, size=n)`` (n = ``len(y)``): n rows uniformly with
    replacement, as libact's QueryByCommittee bags its students; a draw that misses a class of
    ``y`` is discarded and drawn again. After ``max_draws`` failed draws (a class with a single
    member in a large labeled set) the sample is drawn within each class instead
    (:func:`stratified_bootstrap`).
    """
    y = np.asarray(y)
    n = y.shape[0]
    n_classes = np.unique(y).shape[0]
    for _ in range(max_draws):
        rows = rng.integers(0, n, size=n)
        if np.unique(y[rows]).shape[0] == n_classes:
            return rows
    return stratified_bootstrap(y, rng)


BOOTSTRAPS = ("none", "uniform", "stratified")


def _class_members(y: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(y, kind="stable")
    _, starts = np.unique(y[order], return_index=True)
    return np.split(order, starts[1:])


class _QueryByCommittee(Strategy):
    """Shared committee machinery; subclasses fix the disagreement measure.

    Parameters
    ----------
    n_members : int, default 5
        Committee size when the committee bags the query model (ignored with ``models``).
        Each member is a clone of the query model (its own ``random_state`` drawn from the
        strategy's stream) fitted on a class-stratified bootstrap sample of the labeled set.
    models : list of model names or tables, optional
        A heterogeneous committee instead: each listed model (e.g. ``["logistic_regression",
        {name = "random_forest", n_estimators = 50}, "gaussian_nb"]``) is fitted on the whole
        labeled set (or on its own bootstrap sample, see ``bootstrap``). At least two.
    seed : int or None, default None
        Seed of the committee's randomness (bootstrap samples and members' ``random_state``).
        None draws it from the strategy's own stream (seeded per cell, the usual choice); an
        integer fixes it, e.g. to compare strategies with one and the same committee draws.
    bootstrap : {None, "none", "uniform", "stratified"}, default None
        What each member is fitted on. None: the class-stratified bootstrap for the bagged
        query model, the whole labeled set for ``models`` (the behaviour before this option).
        ``"none"``: the whole labeled set. ``"stratified"``: :func:`stratified_bootstrap`.
        ``"uniform"``: :func:`uniform_bootstrap`, libact's bagging (``QueryByCommittee.
        teach_students``: n rows uniformly with replacement, redrawn until every labeled class
        is present). Member by member, in order, the stream gives first the member's
        ``random_state`` (``rng.integers(0, 2**31 - 1)``), then its bootstrap rows.
    """

    _disagreement = "vote_entropy"

    def __init__(
        self,
        n_members: int = 5,
        models: list | None = None,
        seed: int | None = None,
        bootstrap: str | None = None,
    ) -> None:
        self.n_members = n_members
        self.models = models
        self.seed = seed
        self.bootstrap = bootstrap

    @property
    def needs(self) -> frozenset[str]:  # type: ignore[override]
        if self.models is not None:
            return frozenset({FEATURES, LABELED})
        return frozenset({REFIT, PROBA}) if self._disagreement == "kl" else frozenset({REFIT})

    def validate(self) -> None:
        check_int("n_members", self.n_members, minimum=2, maximum=1000)
        if self.seed is not None:
            check_int("seed", self.seed, minimum=0)
        if self.bootstrap is not None:
            check_choice("bootstrap", self.bootstrap, BOOTSTRAPS)
        if self.models is None:
            return
        if not isinstance(self.models, (list, tuple)) or len(self.models) < 2:
            raise AlbenchInputError(f"models = {self.models!r}: must be a list of at least two models")
        for i, entry in enumerate(self.models):
            name, params = model_entry(entry, f"models[{i}]")
            est = build_model(name, params, random_state=0, field=f"models[{i}]")
            if self._disagreement == "kl" and not hasattr(est, "predict_proba"):
                raise AlbenchInputError(
                    f"models[{i}] = {name!r}: {type(est).__name__} has no predict_proba, which the KL "
                    "disagreement needs"
                )

    def _rows(self, y_l: np.ndarray, rng: np.random.Generator, default: str) -> np.ndarray | None:
        """A member's training rows (indices into the labeled set), None for all of them."""
        mode = default if self.bootstrap is None else self.bootstrap
        if mode == "uniform":
            return uniform_bootstrap(y_l, rng)
        if mode == "stratified":
            return stratified_bootstrap(y_l, rng)
        return None

    def committee(self, ctx: QueryContext, rng: np.random.Generator) -> list:
        """The fitted committee of this round (see ``bootstrap`` for the order of the draws)."""
        if self.seed is not None:
            rng = np.random.default_rng(self.seed)
        X_l, y_l = ctx.X[ctx.labeled], np.asarray(ctx.y_labeled)
        members = []
        if self.models is not None:
            for i, entry in enumerate(self.models):
                name, params = model_entry(entry, f"models[{i}]")
                est = build_model(name, params, random_state=random_state_from(rng), field=f"models[{i}]")
                rows = self._rows(y_l, rng, "none")
                members.append(est.fit(X_l, y_l) if rows is None else est.fit(X_l[rows], y_l[rows]))
            return members
        for _ in range(self.n_members):
            est = ctx.make_model()
            seed = random_state_from(rng)
            if "random_state" in est.get_params(deep=False):
                est.set_params(random_state=seed)
            rows = self._rows(y_l, rng, "stratified")
            members.append(est.fit(X_l, y_l) if rows is None else est.fit(X_l[rows], y_l[rows]))
        return members

    def scores(self, ctx: QueryContext, rng: np.random.Generator) -> np.ndarray:
        """Disagreement of a freshly built committee on every pool sample."""
        members = self.committee(ctx, rng)
        X_pool = ctx.X[ctx.pool]
        if self._disagreement == "kl":
            probas = np.stack(
                [expand_proba(m.predict_proba(X_pool), m.classes_, ctx.n_classes) for m in members]
            )
            return kernels.kl_to_consensus_scores(probas)
        votes = np.stack([np.asarray(m.predict(X_pool), dtype=np.int64) for m in members])
        return kernels.vote_entropy_scores(votes, ctx.n_classes)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        return ctx.pool[kernels.select_top_k(self.scores(ctx, rng), batch_size, rng)]


@STRATEGIES.register(
    "qbc_vote_entropy",
    description="Query by committee, vote entropy (bagged query model or a list of models)",
    reference="Dagan & Engelson, ICML 1995; McCallum & Nigam, ICML 1998",
)
class QBCVoteEntropy(_QueryByCommittee):
    """Query the samples whose committee votes are most evenly split (highest vote entropy).

    The committee is either ``n_members`` bagged copies of the query model or the listed
    ``models``. Cost: M fits on the labeled set plus M predictions on the pool, O(M n) scoring,
    O(n) selection.
    """

    _disagreement = "vote_entropy"


@STRATEGIES.register(
    "qbc_kl",
    description="Query by committee, mean KL divergence to the consensus distribution",
    reference="McCallum & Nigam, ICML 1998",
)
class QBCKL(_QueryByCommittee):
    """Query the samples whose members' class distributions diverge most from their average.

    Scores ``(1/M) sum_m KL(P_m || P_avg)``. Members need ``predict_proba``. Cost: M fits plus
    M probability predictions on the pool, O(M n k) scoring, O(n) selection.
    """

    _disagreement = "kl"
