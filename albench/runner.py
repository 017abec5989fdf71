"""Run an experiment's cells in parallel, skip stored ones, store results as they finish."""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import joblib
from threadpoolctl import threadpool_limits

from albench.ceiling import CeilingTask, ceiling_tasks, run_ceiling
from albench.config import Experiment
from albench.datasets.datadir import resolve_data_dir, set_data_dir
from albench.environment import machine_info, package_versions
from albench.errors import AlbenchInputError
from albench.formats import RESULT_FORMAT_VERSION
from albench.grid import Cell, check_feasible, expand_grid
from albench.plugins import ensure_plugins, provenance
from albench.simulation import run_cell
from albench.splits_export import export_experiment_splits
from albench.store import ResultStore

BACKENDS = ("loky", "dask", "ray", "sequential")


@dataclass
class CellOutcome:
    """What a worker sends back: the cell's rows, or its traceback."""

    key: str
    rows: object | None
    error: str | None
    seconds: float
    description: str


@dataclass
class RunSummary:
    """What a run did."""

    results_dir: Path
    total: int
    skipped: int
    ran: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _run_one(
    cell: Cell | CeilingTask,
    plugin_files: tuple[str, ...],
    blas_threads: int | None,
    data_dir: str | None = None,
) -> CellOutcome:
    """Worker entry point: load plugins, set the data directory, limit BLAS threads, run the task."""
    start = time.perf_counter()
    run = run_ceiling if isinstance(cell, CeilingTask) else run_cell
    try:
        ensure_plugins(plugin_files)
        if data_dir is not None:
            set_data_dir(data_dir, "as passed to the worker")
        if blas_threads is None:
            rows = run(cell)
        else:
            with threadpool_limits(limits=blas_threads):
                rows = run(cell)
        return CellOutcome(cell.key, rows, None, time.perf_counter() - start, cell.describe())
    except Exception:
        return CellOutcome(
            cell.key, None, traceback.format_exc(), time.perf_counter() - start, cell.describe()
        )


def resolve_n_jobs(n_jobs: int) -> int:
    """``-1`` means all cores; otherwise a positive worker count."""
    if n_jobs == -1:
        return os.cpu_count() or 1
    if n_jobs < 1:
        raise AlbenchInputError(f"-j/--jobs = {n_jobs}: must be a positive integer or -1 (all cores)")
    return n_jobs


def _backend_context(backend: str, n_jobs: int):
    """A joblib ``parallel_config`` for the chosen backend, with a clear error if it is missing."""
    if backend not in BACKENDS:
        raise AlbenchInputError(f"--backend = {backend!r}: allowed: {', '.join(BACKENDS)}")
    if backend == "dask":
        try:
            from dask.distributed import Client, LocalCluster  # noqa: F401
        except ImportError:
            raise AlbenchInputError(
                "--backend dask needs dask[distributed]: pip install 'albench[dask]'"
            ) from None
        address = os.environ.get("ALBENCH_DASK_SCHEDULER")
        client = (
            Client(address)
            if address
            else Client(LocalCluster(n_workers=n_jobs, threads_per_worker=1, processes=True))
        )
        return joblib.parallel_config(backend="dask", n_jobs=n_jobs), client
    if backend == "ray":
        try:
            import ray
            from ray.util.joblib import register_ray
        except ImportError:
            raise AlbenchInputError("--backend ray needs ray: pip install 'albench[ray]'") from None
        register_ray()
        if not ray.is_initialized():
            ray.init(
                address=os.environ.get("ALBENCH_RAY_ADDRESS"),
                num_cpus=None if os.environ.get("ALBENCH_RAY_ADDRESS") else n_jobs,
            )
        return joblib.parallel_config(backend="ray", n_jobs=n_jobs), None
    if backend == "sequential" or n_jobs == 1:
        return joblib.parallel_config(backend="sequential", n_jobs=1), None
    return joblib.parallel_config(backend="loky", n_jobs=n_jobs), None


def build_manifest(
    exp: Experiment,
    cells: list[Cell],
    ceilings: list[CeilingTask],
    datasets: dict,
    previous: dict | None,
    plugin_files: tuple[str, ...] = (),
) -> dict:
    """The manifest: config, cell keys, versions, machine, format and timestamps."""
    now = _timestamp()
    return {
        "format_version": RESULT_FORMAT_VERSION,
        "experiment": exp.name,
        "config_source": exp.source,
        "config": exp.to_dict(),
        "cells": [c.key for c in cells],
        "ceiling": [t.key for t in ceilings],
        "plugins": list(plugin_files),
        "plugin_provenance": provenance(plugin_files),
        "cell_index": {
            c.key: {
                "dataset": c.dataset.label,
                "model": c.learner_label,
                "strategy": c.strategy.label,
                "labeler": c.labeler.label,
                "repetition": c.repetition,
            }
            for c in cells
        },
        "datasets": datasets,
        "versions": package_versions(),
        "machine": machine_info(),
        "created": (previous or {}).get("created", now),
        "updated": now,
    }


def run_experiment(
    exp: Experiment,
    out: str | Path = "results",
    n_jobs: int = 1,
    backend: str = "loky",
    force: bool = False,
    plugin_files: tuple[str, ...] = (),
    on_start: Callable[[int, int], None] | None = None,
    on_cell: Callable[[CellOutcome], None] | None = None,
    data_dir: str | Path | None = None,
    export_splits: str | Path | None = None,
) -> RunSummary:
    """Simulate every cell of ``exp`` not yet stored under ``out/<name>``.

    Parameters
    ----------
    exp : Experiment
        The validated experiment.
    out : path
        Parent folder of the results folder.
    n_jobs : int
        Parallel workers (``-1``: all cores).
    backend : {"loky", "dask", "ray", "sequential"}
        joblib backend.
    force : bool
        Re-run cells that are already stored.
    plugin_files : tuple of str
        Plugin files the workers must load.
    on_start, on_cell : callable, optional
        Progress callbacks: ``on_start(total_to_run, skipped)``, ``on_cell(outcome)``.
    data_dir : path, optional
        Data directory (``--data-dir``); else ``$ALBENCH_DATA``, the config's ``data_dir``,
        ``./data``. Every worker uses the folder resolved here.
    export_splits : path, optional
        Write the splits and initial sets of every (dataset, repetition) to this file
        (:mod:`albench.datasets.splits`) once the checks pass.

    Returns
    -------
    RunSummary
    """
    n_jobs = resolve_n_jobs(n_jobs)
    data_path, how = resolve_data_dir(data_dir, exp.data_dir)
    set_data_dir(data_path, how)
    datasets = check_feasible(exp)
    cells = expand_grid(exp)
    ceilings = ceiling_tasks(exp)
    parallel_ctx, client = _backend_context(backend, n_jobs)
    if export_splits is not None:
        export_experiment_splits(exp, export_splits)
    store = ResultStore(Path(out) / exp.name)
    previous = None
    if store.manifest_path().is_file():
        try:
            previous = store.read_manifest()
        except (ValueError, OSError):
            previous = None
    manifest = build_manifest(exp, cells, ceilings, datasets, previous, plugin_files)
    manifest["data_dir"] = str(data_path)
    store.write_manifest(manifest)
    todo = [c for c in cells if force or not store.has(c.key)]
    summary = RunSummary(store.root, total=len(cells), skipped=len(cells) - len(todo))
    ceilings_todo = [t for t in ceilings if force or not store.has(t.key)]
    if on_start:
        on_start(len(todo), summary.skipped)
    start = time.perf_counter()
    cpus = os.cpu_count() or 1
    blas_threads = max(1, cpus // n_jobs) if n_jobs > 1 else None
    try:
        with parallel_ctx:
            for outcome in _execute(
                [*todo, *ceilings_todo], plugin_files, blas_threads, n_jobs, str(data_path)
            ):
                is_ceiling = outcome.key.startswith("ceiling-")
                if outcome.error is None:
                    store.write_cell(outcome.key, outcome.rows)
                    summary.ran += 0 if is_ceiling else 1
                else:
                    store.write_failure(
                        outcome.key,
                        {
                            "key": outcome.key,
                            "cell": outcome.description,
                            "traceback": outcome.error,
                            "time": _timestamp(),
                        },
                    )
                    summary.failed.append(outcome.key)
                if on_cell and not is_ceiling:
                    on_cell(outcome)
    finally:
        if client is not None:
            client.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _execute(
    todo: list[Cell | CeilingTask], plugin_files, blas_threads, n_jobs, data_dir=None
) -> Iterator[CellOutcome]:
    if not todo:
        return iter(())
    if n_jobs == 1:
        return (_run_one(c, plugin_files, blas_threads, data_dir) for c in todo)
    # stream results back as cells finish; backends that cannot (e.g. ray) fall back to order
    for return_as in ("generator_unordered", "generator", "list"):
        try:
            parallel = joblib.Parallel(return_as=return_as)
            break
        except ValueError:
            continue
    return iter(parallel(joblib.delayed(_run_one)(c, plugin_files, blas_threads, data_dir) for c in todo))
