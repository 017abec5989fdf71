"""One cell, simulated: split, initial labels, then rounds of fit, evaluate, query, label.

:func:`run_cell` is pure: its rows depend only on the cell's spec (timing columns aside).
It knows nothing of storage or parallelism.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from albench.components import build_instance, canonical_json
from albench.evaluation import evaluate
from albench.grid import Cell, load_dataset
from albench.models import build_model
from albench.partition import draw_initial, standardize, train_test_rows
from albench.seeding import derive_int, derive_rng
from albench.strategies.base import QueryContext

#: Columns whose values are wall-clock timings (everything else is bit-for-bit reproducible).
TIMING_COLUMNS = ("fit_seconds", "query_seconds", "evaluate_seconds")


class StrategyContractError(RuntimeError):
    """A strategy returned indices that break the query contract."""


@dataclass(frozen=True)
class Seeds:
    """Every seed a cell uses, derived by hashing names (DESIGN invariant 1)."""

    split: int
    initial: np.random.Generator
    model: int
    labeler: np.random.Generator
    strategy: np.random.Generator


def cell_seeds(cell: Cell) -> Seeds:
    """Derive a cell's seeds.

    The split, the initial set and the models' random_state depend only on
    (seed, dataset, repetition): every strategy of a repetition starts from the same pool.
    The labeler's noise depends on (seed, dataset, repetition, labeler), the strategy's own
    randomness on (seed, dataset, repetition, strategy).
    """
    s, d, r = cell.seed, cell.dataset.seed_name(), cell.repetition
    return Seeds(
        split=derive_int(s, d, r, "split"),
        initial=derive_rng(s, d, r, "initial"),
        model=derive_int(s, d, r, "model"),
        labeler=derive_rng(s, d, r, "labeler", cell.labeler.seed_name()),
        strategy=derive_rng(s, d, r, "strategy", cell.strategy.seed_name()),
    )


def _check_query(chosen: np.ndarray, pool: np.ndarray, k: int, label: str) -> np.ndarray:
    chosen = np.asarray(chosen)
    if chosen.ndim != 1 or not np.issubdtype(chosen.dtype, np.integer):
        raise StrategyContractError(f"strategy {label!r} returned {chosen!r}, not a 1-D integer array")
    if chosen.shape[0] != k:
        raise StrategyContractError(f"strategy {label!r} returned {chosen.shape[0]} indices, expected {k}")
    if np.unique(chosen).shape[0] != k:
        raise StrategyContractError(f"strategy {label!r} returned duplicate indices")
    if not np.isin(chosen, pool).all():
        raise StrategyContractError(f"strategy {label!r} returned indices outside the pool")
    return chosen.astype(np.int64)


def split_cell(cell: Cell, ds, seeds: Seeds) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A cell's training rows (pool order), test rows, labels as answered, initial positions.

    From ``protocol.splits_file`` when set (the file's rows, in its order), else a stratified
    random split and a random initial draw seeded by (seed, dataset, repetition).
    """
    p = cell.protocol
    train_rows, test_rows, fixed = train_test_rows(ds, p, cell.dataset.label, cell.repetition, seeds.split)
    labeler = build_instance("labeler", cell.labeler.name, cell.labeler.params, "labeler")
    answers = labeler.answers(ds.y[train_rows], ds.n_classes, seeds.labeler)
    if fixed is not None:
        initial = fixed.initial_positions()
    else:
        initial = draw_initial(answers, ds.n_classes, p, seeds.initial)
    return train_rows, test_rows, answers, initial


def run_cell(cell: Cell) -> pd.DataFrame:
    """Simulate one cell and return one row per round (round 0 is the initial model).

    A run with budget B and batch size b records ``ceil(B / b) + 1`` rounds; the last batch
    may be smaller than b.
    """
    p = cell.protocol
    ds = load_dataset(cell.dataset)
    seeds = cell_seeds(cell)
    train_rows, test_rows, answers, initial = split_cell(cell, ds, seeds)
    X_train_raw, X_test_raw = ds.X[train_rows], ds.X[test_rows]
    X_train, X_test = X_train_raw, X_test_raw
    if p.standardize == "train":
        X_train, X_test = standardize(X_train_raw, X_test_raw, X_train_raw)
    y_test = ds.y[test_rows]
    K = ds.n_classes

    labeled_mask = np.zeros(train_rows.shape[0], dtype=bool)
    labeled_mask[initial] = True

    template = build_model(cell.model.name, cell.model.params, random_state=seeds.model)
    qm_spec = cell.strategy.extra.get("query_model")
    query_template = build_model(qm_spec.name, qm_spec.params, random_state=seeds.model) if qm_spec else None
    strategy = build_instance("strategy", cell.strategy.name, cell.strategy.params, "strategy")

    pool_size = int((~labeled_mask).sum())
    budget = p.budget_for(pool_size)
    n_rounds = int(math.ceil(budget / p.batch_size))
    base = {
        "experiment": cell.experiment,
        "cell_key": cell.key,
        "dataset": cell.dataset.label,
        "model": cell.model.label,
        "strategy": cell.strategy.label,
        "labeler": cell.labeler.label,
        "query_model": qm_spec.label if qm_spec else cell.model.label,
        "repetition": cell.repetition,
        "seed": cell.seed,
    }
    params = {
        "dataset_params": canonical_json(cell.dataset.resolved),
        "model_params": canonical_json(cell.model.resolved),
        "strategy_params": canonical_json(cell.strategy.resolved),
        "labeler_params": canonical_json(cell.labeler.resolved),
    }
    records = []
    spent = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rnd in range(n_rounds + 1):
            labeled = np.flatnonzero(labeled_mask)
            t0 = time.perf_counter()
            if p.standardize == "labeled":
                X_train, X_test = standardize(X_train_raw, X_test_raw, X_train_raw[labeled])
            model = clone(template).fit(X_train[labeled], answers[labeled])
            query_model = model
            if query_template is not None and rnd < n_rounds:
                query_model = clone(query_template).fit(X_train[labeled], answers[labeled])
            t1 = time.perf_counter()
            scores = evaluate(model, X_test, y_test, K, p.metrics)
            t2 = time.perf_counter()
            queried = np.empty(0, dtype=np.int64)
            if rnd < n_rounds:
                pool = np.flatnonzero(~labeled_mask)
                k = min(p.batch_size, budget - spent, pool.shape[0])
                ctx = QueryContext(
                    X=X_train,
                    labeled=labeled,
                    y_labeled=answers[labeled],
                    pool=pool,
                    n_classes=K,
                    model=query_model,
                    make_model=(
                        lambda t=(query_template if query_template is not None else template): clone(t)
                    ),
                )
                chosen = _check_query(strategy.query(ctx, k, seeds.strategy), pool, k, cell.strategy.label)
                labeled_mask[chosen] = True
                spent += k
                queried = train_rows[chosen]
            t3 = time.perf_counter()
            records.append(
                {
                    **base,
                    "round": rnd,
                    "n_labeled": int(labeled.shape[0]),
                    **scores,
                    "fit_seconds": t1 - t0,
                    "query_seconds": t3 - t2,
                    "evaluate_seconds": t2 - t1,
                    "queried": queried.astype(np.int64).tolist(),
                    **params,
                }
            )
    return pd.DataFrame.from_records(records)
