"""Cells: one (dataset, model, strategy, labeler, update, rebalancing, repetition), content-hashed.

Also the up-front feasibility checks that need the data (pool sizes, class counts,
strategy/model pairing), so that a run that cannot work fails before any work starts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from albench.components import ComponentSpec, build_instance, canonical_json
from albench.config import DEFAULT_REBALANCING, DEFAULT_UPDATE, Experiment, Protocol
from albench.datasets.base import Dataset
from albench.errors import AlbenchInputError
from albench.featurize import build_pipeline, check_dataset_features
from albench.formats import RESULT_FORMAT_VERSION
from albench.models import build_model, build_model_for_data
from albench.partition import (
    MAX_INITIAL_DRAWS,
    count_test_rows,
    initial_success_lower_bound,
    initial_success_probability,
    planned_split_sizes,
    smallest_feasible_initial_size,
)
from albench.rebalance import check_rebalance_model
from albench.registry import DATASETS
from albench.strategies.base import PROBA, check_strategy_model, model_capabilities
from albench.updates import check_update_model


@dataclass(frozen=True, eq=False)
class Cell:
    """One simulation of the grid. A pure function of its spec (DESIGN invariant 2)."""

    experiment: str
    seed: int
    protocol: Protocol
    dataset: ComponentSpec
    model: ComponentSpec
    strategy: ComponentSpec
    labeler: ComponentSpec
    repetition: int
    update: ComponentSpec | None = None
    rebalance: ComponentSpec | None = None

    @property
    def update_name(self) -> str:
        return self.update.name if self.update is not None else DEFAULT_UPDATE

    @property
    def rebalance_name(self) -> str:
        return self.rebalance.name if self.rebalance is not None else DEFAULT_REBALANCING

    def _non_default(self) -> dict:
        """The update and rebalancing entries, left out when at their defaults (older keys hold)."""
        out = {}
        if self.update is not None and (self.update.name != DEFAULT_UPDATE or self.update.params):
            out["update"] = self.update.identity()
        if self.rebalance is not None and (
            self.rebalance.name != DEFAULT_REBALANCING or self.rebalance.params
        ):
            out["rebalance"] = self.rebalance.identity()
        return out

    @property
    def learner_label(self) -> str:
        """The model's label, with the update policy and rebalancing in brackets when not the defaults."""
        extra = [
            spec.label
            for spec, default in ((self.update, DEFAULT_UPDATE), (self.rebalance, DEFAULT_REBALANCING))
            if spec is not None and spec.label != default
        ]
        return f"{self.model.label} [{', '.join(extra)}]" if extra else self.model.label

    def spec(self) -> dict:
        """The canonical description hashed into the key (no runtime knobs, no paths)."""
        return {
            **self._non_default(),
            "format": RESULT_FORMAT_VERSION,
            "seed": self.seed,
            "protocol": self.protocol.identity(),
            "dataset": self.dataset.identity(),
            "model": self.model.identity(),
            "strategy": self.strategy.identity(),
            "labeler": self.labeler.identity(),
            "repetition": self.repetition,
        }

    @cached_property
    def key(self) -> str:
        """First 20 hex digits of the SHA-256 of the canonical spec."""
        return hashlib.sha256(canonical_json(self.spec()).encode()).hexdigest()[:20]

    def describe(self) -> str:
        """Human-readable one-liner."""
        return (
            f"{self.dataset.label} / {self.learner_label} / {self.strategy.label} / "
            f"{self.labeler.label} / rep {self.repetition}"
        )


#: Largest grid albench expands (cells); larger grids are refused before any work.
MAX_GRID_CELLS = 200_000


def grid_size(exp: Experiment) -> int:
    """Number of cells of the experiment's grid, computed without expanding it."""
    return len(exp.datasets) * len(exp.models) * len(exp.strategies) * len(exp.labelers) * exp.repetitions


def check_grid_size(exp: Experiment) -> int:
    """The grid's size; an input error, at once, when it exceeds :data:`MAX_GRID_CELLS`."""
    n = grid_size(exp)
    if n > MAX_GRID_CELLS:
        raise AlbenchInputError(
            f"repetitions = {exp.repetitions}: the grid would have {n:,} cells, more than the "
            f"{MAX_GRID_CELLS:,} albench runs in one experiment; use fewer repetitions or split the grid "
            "into several experiments"
        )
    return n


def expand_grid(exp: Experiment) -> list[Cell]:
    """Every cell of the experiment, in a fixed order (the order does not affect results).

    Raises
    ------
    AlbenchInputError
        If the grid exceeds :data:`MAX_GRID_CELLS` (checked before building anything).
    """
    check_grid_size(exp)
    return [
        Cell(exp.name, exp.seed, exp.protocol, d, m, s, lab, r, u, b)
        for d in exp.datasets
        for m in exp.models
        for s in exp.strategies
        for lab in exp.labelers
        for u in exp.updates or (None,)
        for b in exp.rebalancing or (None,)
        for r in range(exp.repetitions)
    ]


def load_dataset(spec: ComponentSpec) -> Dataset:
    """Build the dataset a spec names (its factory validates the data)."""
    factory = DATASETS.get(spec.name).obj
    try:
        ds = factory(**spec.resolved)
    except AlbenchInputError:
        raise
    except (TypeError, ValueError) as exc:
        raise AlbenchInputError(f"dataset {spec.label!r}: {exc}") from None
    if not isinstance(ds, Dataset):
        raise AlbenchInputError(
            f"dataset {spec.name!r}: its loader returned {type(ds).__name__}, not albench.Dataset"
        )
    return ds


def split_sizes(n_samples: int, test_fraction: float, rounding: str = "ceil") -> tuple[int, int]:
    """(n_train, n_test): test size rounded up as scikit-learn's ``train_test_split``, or down."""
    n_test = count_test_rows(n_samples, test_fraction, rounding)
    return n_samples - n_test, n_test


def _fixed_splits_info(p: Protocol, label: str, ds: Dataset, repetitions: int) -> dict:
    """Check a dataset's fixed splits (every repetition) and the budget on each pool."""
    from albench.datasets.splits import check_splits

    sizes = check_splits(p.splits_file, label, ds.y, repetitions)
    pools = [s["n_train"] - s["n_initial"] for s in sizes]
    for r, pool in enumerate(pools):
        budget = p.budget_for(pool)
        if not 1 <= budget <= pool:
            raise AlbenchInputError(
                f"protocol.budget = {p.budget!r}: dataset {label!r}, repetition {r} of the splits file has a "
                f'pool of {pool}; use a budget in 1..{pool}, a fraction, or "pool"'
            )
    budget = p.budget_for(min(pools))
    return {
        **ds.describe(),
        "splits_file": p.splits_file,
        "n_train": sizes[0]["n_train"],
        "n_test": sizes[0]["n_test"],
        "n_initial": sizes[0]["n_initial"],
        "pool": min(pools),
        "budget": budget,
        "rounds": int(math.ceil(budget / p.batch_size)) + 1,
    }


def check_feasible(exp: Experiment) -> dict[str, dict]:
    """Load each dataset once and check that the protocol can run on it.

    Returns
    -------
    dict
        Dataset label to its description (sizes, class balance, pool size, budget).

    Raises
    ------
    AlbenchInputError
        When a class is too small for the split and the initial set, the initial set or the
        budget exceeds what the pool holds, or a strategy cannot use a model.
    """
    p = exp.protocol
    info: dict[str, dict] = {}
    for spec in exp.datasets:
        ds = load_dataset(spec)
        where = f"dataset {spec.label!r}"
        check_dataset_features(spec, ds, p.standardize)
        _check_network_shapes(exp, spec, ds)
        if p.splits_file:
            info[spec.label] = _fixed_splits_info(p, spec.label, ds, exp.repetitions)
            continue
        counts = ds.class_counts
        n_train, n_test = planned_split_sizes(ds, p)  # group / published splits: their own sizes
        smallest = int(counts.min())
        if smallest < 2 and p.split == "stratified":
            cls = ds.classes[int(np.argmin(counts))]
            raise AlbenchInputError(
                f"{where}: class {cls} has {smallest} sample; a stratified split needs at least 2 per class"
            )
        if n_test < ds.n_classes or n_train < ds.n_classes:
            raise AlbenchInputError(
                f"{where}: test_fraction {p.test_fraction} leaves {n_train} training and {n_test} test "
                f"samples for {ds.n_classes} classes"
            )
        n_init = p.initial_count(ds.n_classes)
        if p.initial_per_class is None and n_init < ds.n_classes * p.initial_min_per_class:
            raise AlbenchInputError(
                f"protocol.initial_size = {n_init}: {where} has {ds.n_classes} classes and the initial "
                f"set must contain {p.initial_min_per_class} of each; use a larger initial_size or "
                "initial_per_class"
            )
        if p.initial_per_class is None and n_init < n_train:
            _check_initial_draw(p, where, counts, n_train, n_init)
        if p.initial_per_class is not None:
            # a stratified split puts about (1 - test_fraction) of each class in the training part
            train_smallest = int(math.floor(smallest * (1 - p.test_fraction)))
            if train_smallest < p.initial_per_class + 1:
                raise AlbenchInputError(
                    f"protocol.initial_per_class = {p.initial_per_class}: the smallest class of {where} "
                    f"has about {train_smallest} training samples; it needs more than {p.initial_per_class}"
                )
        if n_init >= n_train:
            raise AlbenchInputError(
                f"protocol initial set of {n_init} labels: larger than the {n_train} training samples of "
                f"{where} (it must leave a non-empty pool)"
            )
        pool = n_train - n_init
        budget = p.budget_for(pool)
        _check_labelers(exp, spec.label, ds)
        if p.budget_unit == "cost":
            info[spec.label] = {**ds.describe(), "n_train": n_train, "n_test": n_test, "n_initial": n_init}
            info[spec.label].update({"pool": pool, "budget": budget, "budget_unit": "cost"})
            continue
        if budget > pool:
            raise AlbenchInputError(
                f"protocol.budget = {p.budget!r}: larger than the pool of {where} ({pool} samples after "
                f'the {n_init} initial labels); use a smaller budget, a fraction, or "pool"'
            )
        if budget < 1:
            raise AlbenchInputError(
                f"protocol.budget = {p.budget!r}: gives no label to spend on {where} (pool of {pool})"
            )
        info[spec.label] = {
            **ds.describe(),
            "n_train": n_train,
            "n_test": n_test,
            "n_initial": n_init,
            "pool": pool,
            "budget": budget,
            "rounds": int(math.ceil(budget / p.batch_size)) + 1,
        }
    for strat in exp.strategies:
        instance = build_instance("strategy", strat.name, strat.params, f"strategy {strat.label!r}")
        query_models = [strat.extra["query_model"]] if "query_model" in strat.extra else exp.models
        for model in query_models:
            est = build_model(model.name, model.params, random_state=0)
            check_strategy_model(strat.label, instance, model.label, est)
            check_fixed_features(model.label, est, exp.protocol.standardize)
    _check_learners(exp)
    return info


def _check_initial_draw(p: Protocol, where: str, counts: np.ndarray, n_train: int, n_init: int) -> None:
    """Refuse an initial size whose re-drawn set would rarely hold every class (cells would fail).

    The training part's class sizes are taken proportional to the whole set's. A repetition
    fails when :data:`~albench.partition.MAX_INITIAL_DRAWS` draws all miss a class; refused
    when that has a chance above about 0.1 % (success probability per draw below 7 / draws).
    """
    train_counts = np.rint(np.asarray(counts) * n_train / counts.sum()).astype(np.int64)
    least = p.initial_min_per_class
    if initial_success_lower_bound(train_counts, n_init, least) * MAX_INITIAL_DRAWS >= 7:
        return  # the usual case, settled exactly without simulating draws
    prob = initial_success_probability(train_counts, n_init, least)
    if prob * MAX_INITIAL_DRAWS >= 7:
        return
    each = "every class" if least == 1 else f"{least} of every class"
    better = smallest_feasible_initial_size(train_counts, least)
    hint = f"initial_size >= {better}" if better is not None else "a smaller initial_min_per_class"
    raise AlbenchInputError(
        f"protocol.initial_size = {n_init}: a random initial set of {n_init} labels from {where} "
        f"({len(counts)} classes) holds {each} with probability about {prob:.2%}, so repetitions "
        f"would fail after {MAX_INITIAL_DRAWS} re-draws; use {hint} or initial_per_class"
    )


def _check_labelers(exp: Experiment, dataset_label: str, ds: Dataset) -> None:
    """Draw every labeler's state once on the whole dataset, so a labeler that cannot serve it fails now."""
    rng = np.random.default_rng(0)
    for i, lab in enumerate(exp.labelers):
        instance = build_instance("labeler", lab.name, lab.params, f"grid.labelers[{i}]")
        try:
            instance.start(ds.y, ds.X, ds.n_classes, rng)
        except AlbenchInputError as exc:
            raise AlbenchInputError(
                f"grid.labelers[{i}] {lab.label!r} on dataset {dataset_label!r}: {exc}"
            ) from None


def check_fixed_features(model_label: str, est, standardize: str) -> None:
    """A model that keeps one kernel for the whole cell (``needs_fixed_features``) cannot
    follow features re-standardised every round."""
    if getattr(est, "needs_fixed_features", False) and standardize == "labeled":
        raise AlbenchInputError(
            f"model {model_label!r} ({type(est).__name__}) computes its kernel once per cell: "
            "protocol.standardize = 'labeled' changes the features every round; "
            "use standardize = 'train' or 'none'"
        )


#: Vocabulary assumed when a text network is sized before any cell (the real one is fitted).
_CHECK_VOCABULARY = 1000


def _check_network_shapes(exp: Experiment, spec: ComponentSpec, ds: Dataset) -> None:
    """Size every network on the dataset's features before any cell runs (an input shape that
    does not fit the samples, or a text network without token ids, is refused now, not in
    every cell).

    Features whose shape only fitting tells (TF-IDF) are sized in the cells.
    """
    feats = spec.extra.get("features")
    vocab = None
    shape: tuple[int, ...] | None = tuple(getattr(ds, "sample_shape", ()))
    width = int(ds.X.shape[1])
    if feats is not None:
        pipe = build_pipeline(feats.name, dict(feats.resolved), "features")
        shape = pipe.declared_shape(shape)
        if shape is not None:
            width = int(np.prod(shape))
        if feats.name == "tokens":
            vocab = _CHECK_VOCABULARY
    for model in exp.models:
        needs = getattr(build_model(model.name, model.params, random_state=0), "needs_features", None)
        if needs is not None and getattr(feats, "name", None) != needs:
            raise AlbenchInputError(
                f"model {model.label!r} on dataset {spec.label!r}: the network reads token ids; give the "
                f"dataset features = {needs!r} (it has {getattr(feats, 'label', None) or 'no pipeline'!r})"
            )
        if shape is None:
            continue
        try:  # as the cells build it (a network is sized from the data there too)
            build_model_for_data(model, 0, width, ds.n_classes, shape, vocab)
        except AlbenchInputError as exc:
            raise AlbenchInputError(f"model {model.label!r} on dataset {spec.label!r}: {exc}") from None


def _check_learners(exp: Experiment) -> None:
    """Reject model / update policy / rebalancing / labeler combinations that cannot work."""
    from sklearn.naive_bayes import MultinomialNB

    p = exp.protocol
    for model in exp.models:
        est = build_model(model.name, model.params, random_state=0)
        check_fixed_features(model.label, est, p.standardize)
        if isinstance(est, MultinomialNB) and p.standardize != "none":
            raise AlbenchInputError(
                f"model {model.label!r} (MultinomialNB) needs non-negative features; "
                f"protocol.standardize = {p.standardize!r} centres them: use standardize = 'none'"
            )
        for i, upd in enumerate(exp.updates):
            policy = build_instance("update", upd.name, upd.params, f"grid.updates[{i}]")
            check_update_model(upd.label, policy, model.label, est)
            for j, reb in enumerate(exp.rebalancing):
                rebalancer = build_instance("rebalancer", reb.name, reb.params, f"grid.rebalancing[{j}]")
                check_rebalance_model(reb.label, rebalancer, model.label, est, upd.name)
        for lab in exp.labelers:
            instance = build_instance("labeler", lab.name, lab.params, "labeler")
            if PROBA in getattr(instance, "needs", ()) and PROBA not in model_capabilities(est):
                raise AlbenchInputError(
                    f"labeler {lab.label!r} needs predict_proba, which model {model.label!r} "
                    f"({type(est).__name__}) does not provide"
                )
