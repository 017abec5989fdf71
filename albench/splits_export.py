"""Export the splits and initial sets an experiment uses to a fixed-splits file.

It sits above the simulation (it computes the splits exactly as a cell does), so that the
fixed-splits reader in :mod:`albench.datasets.splits` stays below everything that uses it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from albench.datasets.splits import write_splits
from albench.errors import AlbenchInputError
from albench.grid import Cell, load_dataset
from albench.simulation import cell_seeds, split_cell


def experiment_splits(exp) -> dict[str, dict]:
    """The split and initial set of every (dataset, repetition) of an experiment.

    Computed exactly as the simulation computes them (for the experiment's first model,
    strategy and labeler: splits depend only on seed, dataset and repetition; with a noisy
    labeler the initial set is the one drawn against that labeler's answers).
    """
    out: dict[str, dict] = {}
    for spec in exp.datasets:
        ds = load_dataset(spec)
        reps = []
        for r in range(exp.repetitions):
            cell = Cell(
                exp.name, exp.seed, exp.protocol, spec, exp.models[0], exp.strategies[0], exp.labelers[0], r
            )
            train, test, _, initial = split_cell(cell, ds, cell_seeds(cell))
            reps.append({"train": train, "test": test, "initial": np.asarray(train)[initial]})
        out[spec.label] = {"n_samples": ds.n_samples, "repetitions": reps}
    return out


def export_experiment_splits(exp, path: str | Path) -> Path:
    """Write :func:`experiment_splits` of ``exp`` to ``path`` (a splits file).

    Raises
    ------
    AlbenchInputError
        If ``path`` exists with other contents (a splits file is never overwritten).
    """
    path = Path(path)
    splits = experiment_splits(exp)
    if path.exists():
        tmp = path.with_name(f".{path.name}.check")
        try:
            write_splits(tmp, splits, experiment=exp.name, seed=exp.seed)
            same = tmp.read_bytes() == path.read_bytes()
        finally:
            tmp.unlink(missing_ok=True)
        if not same:
            raise AlbenchInputError(
                f"--export-splits {str(path)!r}: the file exists with other splits; "
                "remove it or choose another name (it is never overwritten)"
            )
        return path
    return write_splits(path, splits, experiment=exp.name, seed=exp.seed)
