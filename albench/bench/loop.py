"""The whole loop, timed: albench's ``run_cell`` against a bare scikit-learn loop on the same cells.

Two comparisons, each timed as interleaved repetitions (albench, bare, albench, bare, ...) and
reported as the median of the per-repetition ratios:

* **loop**: digits, logistic regression, 30 rounds of 10, entropy. The bare loop is the
  minimal one a user writes (fit; test accuracy from one ``predict``; ``predict_proba`` of the
  pool; entropy; top 10 by ``argpartition``). ``run_cell`` is timed with accuracy only and
  with the default four metrics.
* **protocol** (when the zhan2021 data are available): the zhan2021 protocol (RBF SVM,
  batch 1, the whole pool, margin) against the same ~30-line plain script as
  ``benchmarks/zhan2021_plain.py``, on the same splits: with features standardised on the
  labeled set every round (Zhan et al.'s scripts), and standardised once on the training part
  (``examples/zhan2021-svm.toml``, Lu et al.), where ``rbf_svm_gram`` is timed too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from albench.config import parse_config
from albench.grid import Cell, expand_grid, load_dataset
from albench.partition import standardize
from albench.simulation import cell_seeds, run_cell, split_cell

#: the loop of the comparison
LOOP_ROUNDS, LOOP_BATCH, LOOP_INITIAL = 30, 10, 20


def loop_cells(metrics: tuple[str, ...]) -> list[Cell]:
    """The digits / logistic regression / entropy cell with the given metrics."""
    raw = {
        "name": "bench-loop",
        "seed": 0,
        "repetitions": 1,
        "protocol": {
            "test_fraction": 0.3,
            "initial_size": LOOP_INITIAL,
            "batch_size": LOOP_BATCH,
            "budget": LOOP_ROUNDS * LOOP_BATCH,
            "metrics": list(metrics),
        },
        "grid": {"datasets": ["digits"], "models": ["logistic_regression"], "strategies": ["entropy"]},
    }
    return expand_grid(parse_config(raw))


def _cell_arrays(cell: Cell):
    ds = load_dataset(cell.dataset)
    seeds = cell_seeds(cell)
    train_rows, test_rows, answers, initial = split_cell(cell, ds, seeds)
    X_train, X_test = ds.X[train_rows], ds.X[test_rows]
    if cell.protocol.standardize == "train":
        X_train, X_test = standardize(X_train, X_test, X_train)
    return X_train, answers, X_test, ds.y[test_rows], initial, seeds.model


def bare_loop(X, y, X_test, y_test, initial, rounds, batch, random_state) -> list[float]:
    """The minimal scikit-learn loop: fit, accuracy, entropy of the pool, top ``batch``."""
    labeled = np.zeros(X.shape[0], dtype=bool)
    labeled[initial] = True
    accuracies = []
    for rnd in range(rounds + 1):
        model = LogisticRegression(max_iter=1000, random_state=random_state).fit(X[labeled], y[labeled])
        accuracies.append(accuracy_score(y_test, model.predict(X_test)))
        if rnd < rounds:
            pool = np.flatnonzero(~labeled)
            P = model.predict_proba(X[pool])
            entropy = -(P * np.log(np.clip(P, 1e-300, None))).sum(axis=1)
            labeled[pool[np.argpartition(-entropy, batch - 1)[:batch]]] = True
    return accuracies


def plain_protocol(X, y, train, test, initial, standardize: str = "labeled") -> list[float]:
    """The zhan2021 protocol as a plain script: RBF SVM, margin, batch 1 over the whole pool.

    Same work as ``benchmarks/zhan2021_plain.py`` for one (dataset, repetition, margin).
    ``standardize``: ``"labeled"`` (every round, on the labeled set) or ``"train"`` (once, on
    the training part).
    """
    labeled = np.zeros(train.shape[0], dtype=bool)
    labeled[initial] = True
    Xtr, ytr, Xte, yte = X[train], y[train], X[test], y[test]
    accuracies = []
    if standardize == "train":
        scaler = StandardScaler().fit(Xtr)
        A, B = scaler.transform(Xtr), scaler.transform(Xte)
    while True:
        if standardize == "labeled":
            scaler = StandardScaler().fit(Xtr[labeled])
            A, B = scaler.transform(Xtr), scaler.transform(Xte)
        model = SVC(kernel="rbf", gamma="auto", C=1.0).fit(A[labeled], ytr[labeled])
        pred = model.predict(B)
        accuracies.append(accuracy_score(yte, pred))
        f1_score(yte, pred, average="macro")
        pool = np.flatnonzero(~labeled)
        if pool.shape[0] == 0:
            return accuracies
        labeled[pool[np.argmin(np.abs(model.decision_function(A[pool])))]] = True


def _interleaved(funcs: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeats):
        for name, func in funcs.items():
            t0 = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - t0)
    return times


def _summary(times: dict[str, list[float]], reference: str) -> dict:
    ref = np.asarray(times[reference])
    out = {}
    for name, ts in times.items():
        ratios = np.asarray(ts) / ref
        out[name] = {
            "median_s": float(np.median(ts)),
            "ratio": float(np.median(ratios)),
            "ratio_q1": float(np.quantile(ratios, 0.25)),
            "ratio_q3": float(np.quantile(ratios, 0.75)),
        }
    return out


def loop_comparison(repeats: int = 5) -> dict:
    """Time ``run_cell`` (accuracy only; default metrics) against :func:`bare_loop`, interleaved.

    Returns
    -------
    dict
        Per variant: median seconds and the median (and quartiles) of its ratio to the bare
        loop over the interleaved repetitions.
    """
    from albench.metrics import DEFAULT_METRICS

    acc_cell = loop_cells(("accuracy",))[0]
    full_cell = loop_cells(DEFAULT_METRICS)[0]
    X, y, X_test, y_test, initial, rs = _cell_arrays(full_cell)
    funcs = {
        "bare scikit-learn loop": lambda: bare_loop(
            X, y, X_test, y_test, initial, LOOP_ROUNDS, LOOP_BATCH, rs
        ),
        "run_cell, accuracy only": lambda: run_cell(acc_cell),
        "run_cell, default metrics": lambda: run_cell(full_cell),
    }
    with threadpool_limits(1):  # as in a parallel run (DESIGN invariant 8), and less noisy
        for f in funcs.values():  # warm-up: imports, caches, compiled kernels
            f()
        return _summary(_interleaved(funcs, repeats), "bare scikit-learn loop")


def protocol_cells(
    datasets: list[str],
    repetitions: int,
    data_dir: str | None = None,
    standardize: str = "labeled",
    model: str = "rbf_svm",
) -> list[Cell]:
    """The margin cells of the zhan2021 protocol for ``datasets``.

    ``standardize`` and ``model`` (``rbf_svm`` or ``rbf_svm_gram``, gamma ``"auto"``, C 1) as in
    the config.
    """
    raw = {
        "name": "bench-protocol",
        "seed": 0,
        "repetitions": repetitions,
        "protocol": {
            "test_fraction": 0.4,
            "initial_size": 20,
            "batch_size": 1,
            "budget": "pool",
            "standardize": standardize,
            "metrics": ["accuracy", "f1_macro"],
        },
        "grid": {
            "datasets": datasets,
            "models": [{"name": model, "gamma": "auto", "C": 1.0}],
            "strategies": ["margin"],
        },
    }
    if data_dir is not None:
        raw["data_dir"] = data_dir
    return expand_grid(parse_config(raw))


def protocol_comparison(datasets: list[str], repetitions: int = 2, standardize: str = "labeled") -> dict:
    """Time ``run_cell`` against :func:`plain_protocol` on the same margin cells and splits.

    Each repetition of each dataset is one interleaved group (plain script, ``run_cell``
    with ``rbf_svm`` and, with ``standardize = "train"``, with ``rbf_svm_gram``); the result
    holds the total seconds of each and the median of the per-cell ratios.
    """
    cells = protocol_cells(datasets, repetitions, standardize=standardize)
    gram = (
        protocol_cells(datasets, repetitions, standardize=standardize, model="rbf_svm_gram")
        if standardize == "train"
        else [None] * len(cells)
    )
    times: dict[str, list[float]] = {"plain script": [], "albench run_cell": []}
    if standardize == "train":
        times["albench run_cell, rbf_svm_gram"] = []
    per_dataset: dict[str, dict[str, float]] = {}
    for cell, gram_cell in zip(cells, gram, strict=True):
        ds = load_dataset(cell.dataset)
        train, test, answers, initial = split_cell(cell, ds, cell_seeds(cell))
        y = ds.y.copy()
        y[train] = answers
        funcs = {
            "plain script": lambda ds=ds, y=y, tr=train, te=test, ini=initial: plain_protocol(
                ds.X, y, tr, te, ini, standardize
            ),
            "albench run_cell": lambda c=cell: run_cell(c),
        }
        if gram_cell is not None:
            funcs["albench run_cell, rbf_svm_gram"] = lambda c=gram_cell: run_cell(c)
        with threadpool_limits(1):
            t = _interleaved(funcs, 1)
        for k, v in t.items():
            times[k] += v
            per_dataset.setdefault(cell.dataset.label, {}).setdefault(k, 0.0)
            per_dataset[cell.dataset.label][k] += v[0]
    out = _summary(times, "plain script")
    for name in out:
        out[name]["total_s"] = float(np.sum(times[name]))
    return {"summary": out, "per_dataset": per_dataset, "cells": len(cells)}
