"""Evaluate stopping criteria on stored results that were run without them.

A stored cell holds, per round, the rows it queried. Its models are pure functions of the
labeled set (DESIGN invariant 2), so refitting the model of every round on the labeled set
the rows imply reproduces them; from those models the criteria get exactly the observations
the loop would have given them. :func:`replay_cell` checks that every refitted model gives
the stored test metrics bit for bit and refuses to go on otherwise, so a replay can never
report criteria of models the run did not have.

The loop records the same columns during a run when ``[protocol] stopping`` is set (a test
checks that loop and replay agree); the replay serves results stored without criteria, of
``refit`` cells.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.evaluation import evaluate
from albench.featurize import cell_features
from albench.grid import Cell, expand_grid, load_dataset
from albench.models import build_model_for_data
from albench.partition import standardize
from albench.runner import build_manifest
from albench.simulation import cell_seeds, split_cell
from albench.stopping import StoppingMonitor, StoppingSpec, draw_stop_set, parse_stopping
from albench.stopping.observe import observe_model
from albench.store import ResultStore


class ReplayMismatch(RuntimeError):
    """A refitted model does not reproduce the stored metrics: the replay would not be honest."""


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b


def replay_cell(cell: Cell, rows: pd.DataFrame, specs: tuple[StoppingSpec, ...]) -> pd.DataFrame:
    """The stored rows of ``cell`` with the stopping columns of ``specs`` added.

    Parameters
    ----------
    cell : Cell
        The cell the rows belong to (its protocol gives split, standardisation, budget).
    rows : DataFrame
        Its stored rows.
    specs : tuple of StoppingSpec
        The criteria.

    Raises
    ------
    ReplayMismatch
        If a refitted model's test metrics differ from the stored ones.
    """
    p = cell.protocol
    ds = load_dataset(cell.dataset)
    seeds = cell_seeds(cell)
    train_rows, test_rows, answers, initial = split_cell(cell, ds, seeds)
    X_train_raw, X_test_raw, info = cell_features(
        ds, cell.dataset.extra.get("features"), train_rows, test_rows
    )
    X_train, X_test = X_train_raw, X_test_raw
    pipeline = info["pipeline"] is not None  # a pipeline's output is never standardised
    if p.standardize == "train" and not pipeline:
        X_train, X_test = standardize(X_train_raw, X_test_raw, X_train_raw)
    y_test, K = ds.y[test_rows], ds.n_classes
    labeled_mask = np.zeros(train_rows.shape[0], dtype=bool)
    labeled_mask[initial] = True
    pool0 = np.flatnonzero(~labeled_mask)
    budget = p.budget_for(pool0.shape[0])
    stop_set = draw_stop_set(cell.seed, cell.dataset.seed_name(), cell.repetition, pool0, p.stop_set_size)
    template = build_model_for_data(
        cell.model, seeds.model, X_train.shape[1], ds.n_classes, info["sample_shape"], info["vocab_size"]
    )
    order = np.argsort(train_rows)
    monitor = StoppingMonitor(specs)
    rows = rows.sort_values("round").reset_index(drop=True)
    added, previous = [], np.empty(0, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rec in rows.to_dict("records"):
            labeled = np.flatnonzero(labeled_mask)
            if p.standardize == "labeled" and not pipeline:
                X_train, X_test = standardize(X_train_raw, X_test_raw, X_train_raw[labeled])
            model = clone(template).fit(X_train[labeled], answers[labeled])
            scores = evaluate(model, X_test, y_test, K, p.metrics)
            bad = [m for m in p.metrics if not _same(float(scores[m]), float(rec[m]))]
            if bad or labeled.shape[0] != rec["n_labeled"]:
                raise ReplayMismatch(
                    f"{cell.describe()} round {rec['round']}: the refitted model does not reproduce "
                    f"the stored {', '.join(bad) or 'n_labeled'}"
                )
            pool = np.flatnonzero(~labeled_mask)
            obs = observe_model(
                model,
                X_train,
                stop_set,
                pool,
                round=rec["round"],
                n_labeled=labeled.shape[0],
                spent=labeled.shape[0] - initial.shape[0],
                budget=budget,
                n_classes=K,
                queried=previous,
            )
            added.append(monitor.observe(obs))
            q = np.asarray(rec["queried"] if rec["queried"] is not None else [], dtype=np.int64)
            previous = order[np.searchsorted(train_rows, q, sorter=order)]
            labeled_mask[previous] = True
    return pd.concat([rows, pd.DataFrame(added, columns=monitor.columns)], axis=1)


def replay_results(
    results_dir: str | Path, stopping: list, out: str | Path, suffix: str = "-stopping"
) -> Path:
    """Write a copy of a results folder whose cells record the criteria ``stopping``.

    The copy is the experiment with ``[protocol] stopping`` set (name + ``suffix``): the
    cells' keys are those a run of that config would have, their rows are the stored rows
    (every value unchanged) plus the ``stop_*`` columns. Only stored cells are copied.

    Parameters
    ----------
    results_dir : path
        ``results/<experiment>``.
    stopping : list
        As in the config: names or tables.
    out : path
        Parent folder of the copy.

    Returns
    -------
    Path
        The new results folder.
    """
    from albench.datasets.datadir import resolve_data_dir, set_data_dir

    src = ResultStore(results_dir)
    manifest = src.read_manifest()
    set_data_dir(*resolve_data_dir(None, manifest.get("data_dir")))
    raw = dict(manifest["config"])
    raw["name"] = f"{manifest['experiment']}{suffix}"
    raw["protocol"] = {**raw.get("protocol", {}), "stopping": stopping}
    parse_stopping(stopping)
    exp = parse_config(raw, source=f"<replay of {results_dir}>")
    old = parse_config(manifest["config"], source="<manifest>", default_name=manifest["experiment"])
    old_keys = {
        (c.dataset.label, c.model.label, c.strategy.label, c.labeler.label, c.repetition): c.key
        for c in expand_grid(old)
    }
    stored = src.stored_keys()
    dst = ResultStore(Path(out) / exp.name)
    cells = []
    for cell in expand_grid(exp):
        key = old_keys.get(
            (cell.dataset.label, cell.model.label, cell.strategy.label, cell.labeler.label, cell.repetition)
        )
        if key is None or key not in stored:
            continue
        rows = pd.read_parquet(src.cell_path(key))
        new = replay_cell(cell, rows, exp.protocol.stopping)
        new["experiment"] = exp.name
        new["cell_key"] = cell.key
        dst.write_cell(cell.key, new)
        cells.append(cell)
    if not cells:
        raise AlbenchInputError(f"{results_dir}: no stored cells to replay")
    new_manifest = build_manifest(exp, cells, [], manifest.get("datasets", {}), None)
    if "data_dir" in manifest:
        new_manifest["data_dir"] = manifest["data_dir"]
    dst.write_manifest(new_manifest)
    return dst.root
