"""One cell, simulated: split, initial labels, then rounds of fit, evaluate, query, label.

:func:`run_cell` drives the loop's parts, each in its own module: the
:class:`~albench.learner.Learner` (model, update policy, rebalancing), the labeler's
per-cell :class:`~albench.labelers.LabelerState` (answers, costs, refusals, pseudo-labels),
the :class:`~albench.budget.Budget` (labels or cost) and the strategy. It records one row
per round, is pure (its rows depend only on the cell's spec, timing columns aside) and
knows nothing of storage or parallelism.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from albench.budget import Budget
from albench.components import build_instance, canonical_json
from albench.evaluation import evaluate
from albench.featurize import cell_features
from albench.grid import Cell, load_dataset
from albench.labelers.base import LabelerState
from albench.learner import Learner
from albench.models import build_model_for_data
from albench.partition import draw_initial, standardize, train_test_rows
from albench.query import StrategyContractError, check_query
from albench.seeding import derive_int, derive_rng
from albench.stopping import StoppingMonitor, draw_stop_set
from albench.stopping.observe import observe_model
from albench.strategies.base import QueryContext, is_oracle, oracle_fields

__all__ = ["TIMING_COLUMNS", "Seeds", "StrategyContractError", "cell_seeds", "run_cell", "split_cell"]

#: Columns whose values are wall-clock timings (everything else is bit-for-bit reproducible).
TIMING_COLUMNS = ("fit_seconds", "query_seconds", "evaluate_seconds")

_EMPTY = np.empty(0, dtype=np.int64)


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

    The split, the initial set and the models' random_state (and the rebalancing's
    resampling) depend only on (seed, dataset, repetition): every strategy of a repetition
    starts from the same pool. The labeler's randomness depends on (seed, dataset,
    repetition, labeler), the strategy's own randomness on (seed, dataset, repetition,
    strategy). The update policy and the rebalancing enter no seed.
    """
    s, d, r = cell.seed, cell.dataset.seed_name(), cell.repetition
    return Seeds(
        split=derive_int(s, d, r, "split"),
        initial=derive_rng(s, d, r, "initial"),
        model=derive_int(s, d, r, "model"),
        labeler=derive_rng(s, d, r, "labeler", cell.labeler.seed_name()),
        strategy=derive_rng(s, d, r, "strategy", cell.strategy.seed_name()),
    )


def partition_cell(cell: Cell, ds, seeds: Seeds) -> tuple[np.ndarray, np.ndarray, LabelerState, np.ndarray]:
    """A cell's training rows (pool order), test rows, labeler state and initial positions."""
    p = cell.protocol
    train_rows, test_rows, fixed = train_test_rows(ds, p, cell.dataset.label, cell.repetition, seeds.split)
    labeler = build_instance("labeler", cell.labeler.name, cell.labeler.params, "labeler")
    state = labeler.start(ds.y[train_rows], ds.X[train_rows], ds.n_classes, seeds.labeler)
    if fixed is not None:
        initial = fixed.initial_positions()
    else:
        initial = draw_initial(state.answers, ds.n_classes, p, seeds.initial)
    return train_rows, test_rows, state, initial


def split_cell(cell: Cell, ds, seeds: Seeds) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A cell's training rows (pool order), test rows, labels as answered, initial positions.

    From ``protocol.splits_file`` when set (the file's rows, in its order), else a stratified
    random split and a random initial draw seeded by (seed, dataset, repetition).
    """
    train_rows, test_rows, state, initial = partition_cell(cell, ds, seeds)
    return train_rows, test_rows, state.answers, initial


def _component(cell: Cell, kind: str):
    spec = cell.update if kind == "update" else cell.rebalance
    if spec is None:
        return None, "refit" if kind == "update" else "none", "{}"
    instance = build_instance(kind, spec.name, spec.params, kind)
    return instance, spec.label, canonical_json(spec.resolved)


def run_cell(cell: Cell) -> pd.DataFrame:
    """Simulate one cell and return one row per round (round 0 is the initial model).

    With the budget counted in labels (B) and batch size b, and one label per query, a run
    records ``ceil(B / b) + 1`` rounds; the last batch may be smaller than b. A budget in
    cost runs until no pool sample is affordable. See ``docs/design.md`` for the columns.
    """
    p = cell.protocol
    ds = load_dataset(cell.dataset)
    seeds = cell_seeds(cell)
    train_rows, test_rows, state, initial = partition_cell(cell, ds, seeds)
    answers = state.answers
    y_true_train = ds.y[train_rows]
    # features fitted on the training rows only (DESIGN invariant 11); tables pass through
    X_train_raw, X_test_raw, feature_info = cell_features(
        ds, cell.dataset.extra.get("features"), train_rows, test_rows
    )
    X_train, X_test = X_train_raw, X_test_raw
    if p.standardize == "train" and feature_info["pipeline"] is None:
        X_train, X_test = standardize(X_train_raw, X_test_raw, X_train_raw)
    y_test = ds.y[test_rows]
    K = ds.n_classes

    labeled_mask = np.zeros(train_rows.shape[0], dtype=bool)
    labeled_mask[initial] = True
    in_pool = ~labeled_mask

    policy, update_label, update_params = _component(cell, "update")
    rebalancer, rebalance_label, rebalance_params = _component(cell, "rebalancer")
    shape = (int(X_train.shape[1]), ds.n_classes, feature_info["sample_shape"], feature_info["vocab_size"])
    template = build_model_for_data(cell.model, seeds.model, *shape)
    qm_spec = cell.strategy.extra.get("query_model")
    query_template = build_model_for_data(qm_spec, seeds.model, *shape) if qm_spec else None
    for t in (template, query_template):  # a model that computes its kernel once per cell (GramRBFSVC)
        if hasattr(t, "set_kernel_universe"):
            t.set_kernel_universe(X_train, X_test)
    subsample_rng = derive_rng(
        cell.seed, cell.dataset.seed_name(), cell.repetition, "pool_subsample", cell.strategy.seed_name()
    )
    learner = Learner(template, policy, rebalancer, K, seeds.model)
    strategy = build_instance("strategy", cell.strategy.name, cell.strategy.params, "strategy")
    # ground truth reaches a strategy only if it declares itself an oracle (ORACLE_LABELS, ORACLE_TEST)
    oracle = is_oracle(strategy)
    budget = Budget(p.budget_for(int(in_pool.sum())), p.budget_unit)
    # observers (DESIGN invariant 10): they read the round's model and add columns, nothing else
    monitor = StoppingMonitor(p.stopping) if p.stopping else None
    stop_set = (
        draw_stop_set(
            cell.seed, cell.dataset.seed_name(), cell.repetition, np.flatnonzero(in_pool), p.stop_set_size
        )
        if monitor is not None
        else _EMPTY
    )
    observed_budget = int(round(budget.total))
    last_batch = _EMPTY
    base = {
        "experiment": cell.experiment,
        "cell_key": cell.key,
        "dataset": cell.dataset.label,
        "model": cell.learner_label,
        "strategy": cell.strategy.label,
        "labeler": cell.labeler.label,
        "update": update_label,
        "rebalance": rebalance_label,
        "query_model": qm_spec.label if qm_spec else cell.model.label,
        "repetition": cell.repetition,
        "seed": cell.seed,
    }
    params = {
        "dataset_params": canonical_json(cell.dataset.resolved),
        "model_params": canonical_json(cell.model.resolved),
        "strategy_params": canonical_json(cell.strategy.resolved),
        "labeler_params": canonical_json(cell.labeler.resolved),
        "update_params": update_params,
        "rebalance_params": rebalance_params,
    }
    records = []
    cost_spent = 0.0
    new_positions = initial
    pseudo_pos, pseudo_lab = _EMPTY, _EMPTY
    rnd = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while True:
            labeled = np.flatnonzero(labeled_mask)
            pool = np.flatnonzero(in_pool)
            affordable = budget.affordable(pool, state.price(pool, p.budget_unit))
            k = budget.batch_size(p.batch_size, state.price(affordable, p.budget_unit))
            t0 = time.perf_counter()
            if p.standardize == "labeled":
                X_train, X_test = standardize(X_train_raw, X_test_raw, X_train_raw[labeled])
            X_all, y_all = X_train[labeled], answers[labeled]
            X_new, y_new = X_train[new_positions], answers[new_positions]
            if pseudo_pos.shape[0]:
                X_all = np.concatenate([X_all, X_train[pseudo_pos]])
                y_all = np.concatenate([y_all, pseudo_lab])
                X_new = np.concatenate([X_new, X_train[pseudo_pos]])
                y_new = np.concatenate([y_new, pseudo_lab])
            model = learner.fit(rnd, X_all, y_all, X_new, y_new)
            query_model = model
            if query_template is not None and k > 0:
                query_model = clone(query_template).fit(X_train[labeled], answers[labeled])
            t1 = time.perf_counter()
            scores = evaluate(model, X_test, y_test, K, p.metrics)
            t_eval = time.perf_counter()
            stop_cols = {}
            if monitor is not None:
                stop_cols = monitor.observe(
                    observe_model(
                        model,
                        X_train,
                        stop_set,
                        np.flatnonzero(in_pool),
                        round=rnd,
                        n_labeled=int(labeled.shape[0]),
                        spent=int(labeled.shape[0] - initial.shape[0]),
                        budget=observed_budget,
                        n_classes=K,
                        queried=last_batch,
                    )
                )
            t2 = time.perf_counter()  # the observers' time counts neither as evaluation nor as query
            chosen, revealed, refused = _EMPTY, _EMPTY, np.zeros(0, dtype=bool)
            row_cost = cost_spent
            n_pseudo, n_pseudo_wrong = (
                int(pseudo_pos.shape[0]),
                int((pseudo_lab != y_true_train[pseudo_pos]).sum()),
            )
            if k > 0:
                scored = affordable
                if p.pool_subsample is not None and affordable.shape[0] > max(p.pool_subsample, k):
                    scored = np.sort(subsample_rng.choice(affordable, p.pool_subsample, replace=False))
                ctx = QueryContext(
                    X=X_train,
                    labeled=labeled,
                    y_labeled=answers[labeled],
                    pool=scored,
                    n_classes=K,
                    model=query_model,
                    make_model=(
                        lambda t=(query_template if query_template is not None else learner.template): clone(
                            t
                        )
                    ),
                    posterior_seed=derive_int(
                        cell.seed,
                        cell.dataset.seed_name(),
                        cell.repetition,
                        "posterior",
                        cell.strategy.seed_name(),
                        rnd,
                    ),
                    **(oracle_fields(strategy.needs, y_true_train, X_test, y_test) if oracle else {}),
                )
                chosen = check_query(strategy.query(ctx, k, seeds.strategy), scored, k, cell.strategy.label)
                chosen = budget.take(chosen, state.price(chosen, p.budget_unit))
                answered = state.answer(chosen)
                budget.spend(state.price(chosen, p.budget_unit))
                cost_spent += answered.cost
                revealed, refused = answered.labels, answered.refused
                new_positions = chosen[~refused]
                last_batch = new_positions
                labeled_mask[new_positions] = True
                in_pool[new_positions] = False
                if state.refused_leave_pool:
                    in_pool[chosen[refused]] = False
                pseudo_pos, pseudo_lab = state.pseudo_labels(
                    model, X_train, np.flatnonzero(in_pool), K, rnd + 1
                )
            t3 = time.perf_counter()
            records.append(
                {
                    **base,
                    "round": rnd,
                    "n_labeled": int(labeled.shape[0]),
                    **scores,
                    "fit_seconds": t1 - t0,
                    "query_seconds": t3 - t2,
                    "evaluate_seconds": t_eval - t1,
                    "queried": train_rows[chosen].astype(np.int64).tolist(),
                    "revealed": revealed.astype(np.int64).tolist(),
                    "n_refused": int(refused.sum()),
                    "cost_spent": row_cost,
                    "n_pseudo": n_pseudo,
                    "n_pseudo_wrong": n_pseudo_wrong,
                    "fit_iterations": learner.iterations,
                    "class_counts": np.bincount(y_true_train[labeled], minlength=K).astype(np.int64).tolist(),
                    **params,
                    **stop_cols,
                }
            )
            if k == 0:
                break
            rnd += 1
    return pd.DataFrame.from_records(records)
