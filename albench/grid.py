"""Cells: one (dataset, model, strategy, labeler, repetition) of an experiment, content-hashed.

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
from albench.config import Experiment, Protocol
from albench.datasets.base import Dataset
from albench.errors import AlbenchInputError
from albench.formats import RESULT_FORMAT_VERSION
from albench.models import build_model
from albench.registry import DATASETS
from albench.strategies.base import check_strategy_model


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

    def spec(self) -> dict:
        """The canonical description hashed into the key (no runtime knobs, no paths)."""
        return {
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
            f"{self.dataset.label} / {self.model.label} / {self.strategy.label} / "
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
        Cell(exp.name, exp.seed, exp.protocol, d, m, s, lab, r)
        for d in exp.datasets
        for m in exp.models
        for s in exp.strategies
        for lab in exp.labelers
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


def split_sizes(n_samples: int, test_fraction: float) -> tuple[int, int]:
    """(n_train, n_test) as scikit-learn's ``train_test_split`` computes them."""
    n_test = int(math.ceil(test_fraction * n_samples))
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
        if p.splits_file:
            info[spec.label] = _fixed_splits_info(p, spec.label, ds, exp.repetitions)
            continue
        counts = ds.class_counts
        n_train, n_test = split_sizes(ds.n_samples, p.test_fraction)
        smallest = int(counts.min())
        if smallest < 2:
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
        if p.initial_per_class is None and n_init < ds.n_classes:
            raise AlbenchInputError(
                f"protocol.initial_size = {n_init}: {where} has {ds.n_classes} classes and the initial "
                "set must contain each; use a larger initial_size or initial_per_class"
            )
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
    return info
