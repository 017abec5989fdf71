"""What a run would do, without doing it (``albench run --dry-run``): cells per axis,
cells already stored, and a rough cost estimate. Writes nothing."""

from __future__ import annotations

import hashlib
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from albench.config import Experiment
from albench.grid import expand_grid, load_dataset
from albench.models import build_model
from albench.store import ResultStore


@dataclass
class Plan:
    """The outcome of planning a run.

    Attributes
    ----------
    axes : dict
        Axis name to its number of entries (datasets, models, strategies, labelers, repetitions).
    total, stored : int
        Cells in the grid; cells whose result is already stored under ``results_dir``.
    results_dir : Path
        Where the results would go.
    fits : int
        Model fits the cells still to run need (one per round), strategies' own fits excluded.
    seconds : float
        Rough time of those fits on one worker: one timed fit per (dataset, model) on a
        labeled set of the mean size over the rounds, times the number of rounds. Query time is not included.
    per_dataset : dict
        Dataset label to ``{"pool", "budget", "rounds"}``.
    """

    axes: dict
    total: int
    stored: int
    results_dir: Path
    fits: int = 0
    seconds: float = 0.0
    per_dataset: dict = field(default_factory=dict)


def plan_run(exp: Experiment, datasets: dict[str, dict], out: str | Path) -> Plan:
    """Count the cells of ``exp``, those stored under ``out/<name>``, and estimate the cost.

    Parameters
    ----------
    exp : Experiment
        The validated experiment.
    datasets : dict
        :func:`albench.grid.check_feasible`'s description of each dataset.
    out : path
        Parent folder of the results folder.
    """
    store = ResultStore(Path(out) / exp.name)
    cells = expand_grid(exp)
    todo = [c for c in cells if not store.has(c.key)]
    plan = Plan(
        axes={
            "datasets": len(exp.datasets),
            "models": len(exp.models),
            "strategies": len(exp.strategies),
            "labelers": len(exp.labelers),
            "repetitions": exp.repetitions,
        },
        total=len(cells),
        stored=len(cells) - len(todo),
        results_dir=store.root,
        per_dataset={
            k: {"pool": v["pool"], "budget": v["budget"], "rounds": v["rounds"]} for k, v in datasets.items()
        },
    )
    fit_time: dict[tuple[str, str], float] = {}
    for d in exp.datasets:
        if not any(c.dataset is d for c in todo):
            continue
        ds = load_dataset(d)
        info = datasets[d.label]
        n = min(ds.n_samples, info["n_initial"] + info["budget"] // 2)  # the mean labeled set
        rows = np.random.default_rng(0).choice(ds.n_samples, n, replace=False)
        X = ds.X[rows]
        X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        for m in exp.models:
            est = build_model(m.name, m.params, random_state=0)
            start = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est.fit(X, ds.y[rows])
            except ValueError:  # e.g. one class in the sample: no estimate for this pair
                pass
            fit_time[(d.label, m.label)] = time.perf_counter() - start
    for c in todo:
        rounds = datasets[c.dataset.label]["rounds"]
        plan.fits += rounds
        plan.seconds += rounds * fit_time.get((c.dataset.label, c.model.label), 0.0)
    return plan


def axes_name(*axes: list[str] | None) -> str:
    """Results folder name of a config-less run from the axes given on the command line.

    The names of each given axis joined by ``_``, the axes by ``-`` (characters other than
    letters, digits, ``.``, ``_`` and ``-`` become ``_``); long names are cut and end in a
    short hash of the full one, so two different grids never share a folder by accident.
    """
    parts = ["_".join(axis) for axis in axes if axis]
    full = "-".join(parts)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", full).strip("._-") or "run"
    if len(name) > 60 or name != full:
        name = f"{name[:50].rstrip('._-')}-{hashlib.sha256(full.encode()).hexdigest()[:8]}"
    return name
