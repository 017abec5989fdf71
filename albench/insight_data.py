"""Recompute the pools of a results folder for the query-insight analysis.

The rows store which dataset rows each round queried, not the pool itself. The pool of a
(dataset, labeler, repetition) depends on nothing else (DESIGN invariant 1), so it is
recomputed exactly as the cells computed it (:func:`albench.simulation.split_cell`), with
the dataset loaded through the registry. This module sits above the simulation, like
:mod:`albench.splits_export`; :mod:`albench.analysis.insight` stays pure.
"""

from __future__ import annotations

import numpy as np

from albench.analysis.insight import PoolKey, PoolView
from albench.errors import AlbenchInputError
from albench.featurize import cell_features
from albench.grid import Cell, load_dataset
from albench.partition import standardize
from albench.simulation import cell_seeds, split_cell


def experiment_pools(exp, wanted: set[PoolKey] | None = None) -> tuple[dict[PoolKey, PoolView], list[str]]:
    """The :class:`PoolView` of every (dataset, labeler, repetition) of an experiment.

    Parameters
    ----------
    exp : Experiment
        The experiment (e.g. rebuilt from a results folder's manifest).
    wanted : set of PoolKey, optional
        Only these pools (e.g. those with stored rows).

    Returns
    -------
    pools : dict
        PoolKey -> PoolView. Features are the cells' own: a dataset's feature pipeline fitted
        on the training part, else the rows standardised on the training part when the
        protocol standardises at all (``"labeled"`` refits per round; the insight metrics
        measure distances in one fixed space, the training part's).
    problems : list of str
        One message per dataset that could not be loaded (its pools are left out).
    """
    pools: dict[PoolKey, PoolView] = {}
    problems: list[str] = []
    for spec in exp.datasets:
        keys = [
            (spec.label, lab.label, r)
            for lab in exp.labelers
            for r in range(exp.repetitions)
            if wanted is None or (spec.label, lab.label, r) in wanted
        ]
        if not keys:
            continue
        try:
            ds = load_dataset(spec)
        except AlbenchInputError as exc:
            problems.append(f"dataset {spec.label!r} not loaded: {exc}")
            continue
        labelers = {lab.label: lab for lab in exp.labelers}
        for _, lab_label, r in keys:
            cell = Cell(
                exp.name,
                exp.seed,
                exp.protocol,
                spec,
                exp.models[0],
                exp.strategies[0],
                labelers[lab_label],
                r,
            )
            train, test, _, initial = split_cell(cell, ds, cell_seeds(cell))
            # the models' own inputs: a dataset's feature pipeline fitted on the training part
            # (a text or audio set's ds.X is a placeholder column), tables as standardised
            X, _, info = cell_features(ds, spec.extra.get("features"), train, test)
            if exp.protocol.standardize != "none" and info["pipeline"] is None:
                X, _ = standardize(X, ds.X[test], X)
            pools[(spec.label, lab_label, r)] = PoolView(
                X=np.asarray(X, dtype=np.float64),
                y=np.asarray(ds.y[train], dtype=np.int64),
                rows=np.asarray(train, dtype=np.int64),
                initial=np.asarray(initial, dtype=np.int64),
            )
    if len(problems) > 1:  # one line for many datasets (e.g. a data folder not found)
        problems = [f"{len(problems)} datasets not loaded; the first: {problems[0]}"]
    return pools, problems


def results_pools(manifest: dict, df) -> tuple[dict[PoolKey, PoolView], list[str]]:
    """The pools of the stored rows of a results folder (its manifest and ``load_results`` rows).

    The data directory is the one the run recorded (``$ALBENCH_DATA`` first), as
    ``albench verify`` does. Problems (a config that no longer parses, a dataset that cannot
    be loaded) are returned as messages, never raised: the report then leaves the
    data-dependent insight out and says why.
    """
    from albench.config import parse_config
    from albench.datasets.datadir import resolve_data_dir, set_data_dir

    try:
        exp = parse_config(
            manifest["config"], source="<manifest>", default_name=manifest.get("experiment", "x")
        )
    except (AlbenchInputError, KeyError) as exc:
        return {}, [f"the experiment's config could not be read back: {exc}"]
    set_data_dir(*resolve_data_dir(None, manifest.get("data_dir")))
    wanted = {
        (str(d), str(lab), int(r))
        for d, lab, r in df[["dataset", "labeler", "repetition"]].drop_duplicates().itertuples(index=False)
    }
    return experiment_pools(exp, wanted)
