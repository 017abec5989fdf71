"""Run an experiment's cells in parallel, skip stored ones, store results as they finish."""

from __future__ import annotations

import os
import signal
import threading
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
from albench.errors import AlbenchInputError, BackendLost
from albench.formats import RESULT_FORMAT_VERSION
from albench.grid import Cell, check_feasible, check_grid_size, expand_grid
from albench.lock import ResultsLock
from albench.plugins import ensure_plugins, provenance
from albench.pool import LocalPool, WorkerDeath
from albench.simulation import run_cell
from albench.splits_export import export_experiment_splits
from albench.store import ResultStore

BACKENDS = ("local", "loky", "dask", "ray", "sequential")
#: Seconds cells in flight get to finish after the first Ctrl-C before they are discarded.
INTERRUPT_GRACE_SECONDS = 3.0


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
    #: Cells whose stored file failed its checksum and were run again.
    recomputed: list[str] = field(default_factory=list)
    #: The run was stopped by Ctrl-C (SIGINT) before every cell was done.
    interrupted: bool = False
    #: Cells still running when the run was interrupted (discarded, not stored).
    discarded: int = 0
    #: Sum of the cells' and ceilings' own run times as measured in the workers.
    compute_seconds: float = 0.0

    @property
    def failed_cells(self) -> list[str]:
        """Keys of the failed cells (``failed`` less the full-pool ceiling fits)."""
        return [k for k in self.failed if not k.startswith("ceiling-")]

    @property
    def failed_ceilings(self) -> list[str]:
        """Keys of the failed full-pool ceiling fits (not cells: ``total`` does not count them)."""
        return [k for k in self.failed if k.startswith("ceiling-")]


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
    except (Exception, SystemExit):  # sys.exit() in a plugin is a failed cell, not the run's end
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


#: Restarts of a Ray pool worker that died, and re-runs of the cell it held.
RAY_RETRIES = 3


def ray_gpu_request(gpus_per_cell: float | None, cluster_gpus: float, note: Callable[[str], None]) -> dict:
    """The Ray remote arguments of a cell: ``{"num_gpus": g}``, or nothing.

    A cluster without GPUs (a laptop's local Ray) runs the cells on the CPU instead of
    waiting forever for a GPU that never comes; ``note`` says so.
    """
    if not gpus_per_cell:
        return {}
    if cluster_gpus <= 0:
        note(f"--gpus-per-cell = {gpus_per_cell:g}: the Ray cluster has no GPU; cells run on the CPU")
        return {}
    return {"num_gpus": float(gpus_per_cell)}


def _backend_context(
    backend: str, n_jobs: int, gpus_per_cell: float | None = None, note: Callable[[str], None] = print
):
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
            else Client(
                LocalCluster(
                    n_workers=n_jobs,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",  # scheduler, workers and nannies listen on loopback only
                    dashboard_address=None,
                )
            )
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
                _node_ip_address="127.0.0.1",  # every Ray process binds the loopback address only
                include_dashboard=False,
            )
        remote = ray_gpu_request(gpus_per_cell, float(ray.cluster_resources().get("GPU", 0)), note)
        # each cell's task asks Ray for its GPUs (Ray sets CUDA_VISIBLE_DEVICES in the worker);
        # a worker process that dies is restarted and its cell run again (cells are pure)
        remote.update(max_restarts=RAY_RETRIES, max_task_retries=RAY_RETRIES)
        return joblib.parallel_config(backend="ray", n_jobs=n_jobs, ray_remote_args=remote), None
    if backend == "sequential" or n_jobs == 1:
        return joblib.parallel_config(backend="sequential", n_jobs=1), None
    return joblib.parallel_config(backend="loky", n_jobs=n_jobs), None


def oracle_strategy_labels(cells: list[Cell]) -> set[str]:
    """Labels of the grid's oracle strategies: those that read ground truth (ORACLE_LABELS, ORACLE_TEST).

    Recorded in the manifest's cell index (``"oracle": true``) so that the report, which reads
    only what the store wrote, can mark them. A strategy that cannot be built counts as none.
    """
    from albench.components import build_instance
    from albench.strategies.base import is_oracle

    out: set[str] = set()
    seen: set[str] = set()
    for c in cells:
        if c.strategy.label in seen:
            continue
        seen.add(c.strategy.label)
        try:
            instance = build_instance("strategy", c.strategy.name, c.strategy.params, "strategy")
        except Exception:  # noqa: BLE001 - its cells fail with the reason; the manifest still lists them
            continue
        if is_oracle(instance):
            out.add(c.strategy.label)
    return out


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
    oracles = oracle_strategy_labels(cells)
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
                **({"oracle": True} if c.strategy.label in oracles else {}),
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
    backend: str = "local",
    force: bool = False,
    plugin_files: tuple[str, ...] = (),
    on_start: Callable[[int, int], None] | None = None,
    on_cell: Callable[[CellOutcome], None] | None = None,
    data_dir: str | Path | None = None,
    export_splits: str | Path | None = None,
    cell_timeout: float | None = None,
    retries: int | None = None,
    isolate: bool | None = None,
    handle_sigint: bool = False,
    on_note: Callable[[str], None] | None = None,
    gpus_per_cell: float | None = None,
) -> RunSummary:
    """Simulate every cell of ``exp`` not yet stored (intact) under ``out/<name>``.

    Parameters
    ----------
    exp : Experiment
        The validated experiment.
    out : path
        Parent folder of the results folder.
    n_jobs : int
        Parallel workers (``-1``: all cores).
    backend : {"local", "loky", "dask", "ray", "sequential"}
        ``local``: albench's own process pool (:mod:`albench.pool`: workers die with the run,
        cell timeouts, worker deaths recorded); ``loky``, ``dask``, ``ray``: joblib backends;
        ``sequential``: every cell in this process.
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
    cell_timeout : float, optional
        Seconds a cell may run (default: the experiment's ``cell_timeout``); a cell past it
        is stopped and recorded as failed. Needs worker processes (``local`` backend).
    retries : int, optional
        Extra attempts for cells whose worker died (default: the experiment's ``retries``).
    isolate : bool, optional
        Run cells in worker processes even with ``n_jobs=1`` (``local`` backend). By default
        one job runs in this process unless a cell timeout is set; the CLI always isolates.
    handle_sigint : bool
        Handle Ctrl-C: the first stops scheduling, gives cells in flight
        :data:`INTERRUPT_GRACE_SECONDS` to finish, then discards them and returns with
        ``interrupted``; a second exits at once (status 130). Only in the main thread.
    on_note : callable, optional
        Receives one-line notes (damaged cells being recomputed, interruption).
    gpus_per_cell : float, optional
        GPUs Ray reserves for each cell (``ray`` backend only; fractions share a GPU). A
        cluster without GPUs runs the cells on the CPU. Not part of any key: the device a
        network computes on is its ``device`` parameter, which is.

    Returns
    -------
    RunSummary

    Raises
    ------
    AlbenchInputError
        Bad input, found before any cell runs (nothing written), including another run
        holding the results folder (:class:`albench.lock.LockHeldError`).
    OSError
        The results folder cannot be written (read-only, disk full); stored cells stay valid.
    """
    note = on_note or (lambda message: None)
    cell_timeout = exp.cell_timeout if cell_timeout is None else cell_timeout
    retries = exp.retries if retries is None else retries
    if cell_timeout is not None and not cell_timeout > 0:
        raise AlbenchInputError(f"--cell-timeout = {cell_timeout}: must be a positive number of seconds")
    if retries < 0:
        raise AlbenchInputError(f"--retries = {retries}: must be an integer >= 0")
    n_jobs = resolve_n_jobs(n_jobs)
    if backend not in BACKENDS:
        raise AlbenchInputError(f"--backend = {backend!r}: allowed: {', '.join(BACKENDS)}")
    if cell_timeout is not None and backend != "local":
        raise AlbenchInputError(
            f"--cell-timeout needs the local backend (worker processes albench controls), not {backend!r}"
        )
    if gpus_per_cell is not None:
        if not (isinstance(gpus_per_cell, (int, float)) and 0 < gpus_per_cell < float("inf")):
            raise AlbenchInputError(f"--gpus-per-cell = {gpus_per_cell}: must be a number > 0")
        if backend != "ray":
            raise AlbenchInputError(
                f"--gpus-per-cell needs --backend ray (Ray reserves the GPUs), not {backend!r}"
            )
    check_grid_size(exp)
    data_path, how = resolve_data_dir(data_dir, exp.data_dir)
    set_data_dir(data_path, how)
    store = ResultStore(Path(out) / exp.name)
    previous = store.read_manifest() if store.manifest_path().exists() else None
    datasets = check_feasible(exp)
    cells = expand_grid(exp)
    ceilings = ceiling_tasks(exp)
    use_pool = backend == "local" and (n_jobs > 1 or bool(isolate) or cell_timeout is not None)
    in_process = backend == "sequential" or (backend == "local" and not use_pool)
    if in_process:
        n_jobs = 1
    if export_splits is not None:
        export_experiment_splits(exp, export_splits)
    parallel_ctx, client = (
        (None, None) if (use_pool or in_process) else _backend_context(backend, n_jobs, gpus_per_cell, note)
    )
    lock = ResultsLock(store.root)
    try:
        lock.acquire()
        try:
            manifest = build_manifest(exp, cells, ceilings, datasets, previous, plugin_files)
            manifest["data_dir"] = str(data_path)
            store.write_manifest(manifest)
            intact, damaged = store.verified_keys()
            todo = [c for c in cells if force or c.key not in intact]
            ceilings_todo = [t for t in ceilings if force or t.key not in intact]
            summary = RunSummary(store.root, total=len(cells), skipped=len(cells) - len(todo))
            summary.recomputed = [c.key for c in todo if c.key in damaged]
            if summary.recomputed:
                shown = ", ".join(str(store.cell_path(k)) for k in summary.recomputed[:3])
                more = f" and {len(summary.recomputed) - 3} more" if len(summary.recomputed) > 3 else ""
                note(
                    f"{len(summary.recomputed)} stored cell(s) fail their checksum (damaged or truncated) "
                    f"and are recomputed: {shown}{more}"
                )
            if on_start:
                on_start(len(todo), summary.skipped)
            start = time.perf_counter()
            cpus = os.cpu_count() or 1
            blas_threads = max(1, cpus // n_jobs) if n_jobs > 1 else None
            tasks = [*todo, *ceilings_todo]
            fixed = (plugin_files, blas_threads, str(data_path))
            # joblib backends keep Python's own KeyboardInterrupt
            control = _Interrupt(handle_sigint and (use_pool or in_process), note, lock)
            with control:
                if use_pool and tasks:
                    pool = LocalPool(n_jobs, _run_one, fixed, timeout=cell_timeout, retries=retries)
                    control.pool = pool
                    outcomes = (_from_death(o) for o in pool.run(tasks))
                elif in_process or not tasks:
                    outcomes = (_run_one(c, *fixed) for c in tasks if not control.requested)
                else:
                    outcomes = _guard_backend(_execute_joblib(tasks, fixed, parallel_ctx), backend, summary)
                try:
                    for outcome in outcomes:
                        _record(store, outcome, summary)
                        if on_cell and not outcome.key.startswith("ceiling-"):
                            on_cell(outcome)
                finally:
                    if control.pool is not None:
                        control.pool.close()
                if control.requested:
                    summary.interrupted = True
                    summary.discarded = control.pool.discarded if control.pool is not None else 0
        finally:
            lock.release()
    finally:
        if client is not None:
            client.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _record(store: ResultStore, outcome: CellOutcome, summary: RunSummary) -> None:
    """Store a finished cell, or its failure record."""
    summary.compute_seconds += outcome.seconds
    if outcome.error is None:
        store.write_cell(outcome.key, outcome.rows)
        summary.ran += 0 if outcome.key.startswith("ceiling-") else 1
        return
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


def _from_death(result: CellOutcome | WorkerDeath) -> CellOutcome:
    """A pool result as a :class:`CellOutcome` (a dead or stopped worker becomes a failure)."""
    if not isinstance(result, WorkerDeath):
        return result
    cell = result.task
    detail = f"{result.detail}\n" if result.detail else ""  # the reason last, as in a traceback
    return CellOutcome(cell.key, None, f"{detail}{result.reason}", result.seconds, cell.describe())


class _Interrupt:
    """Ctrl-C during a run: first stops scheduling, second exits at once (status 130)."""

    def __init__(self, enabled: bool, note: Callable[[str], None], lock: ResultsLock) -> None:
        self.enabled = enabled and threading.current_thread() is threading.main_thread()
        self.note, self.lock = note, lock
        self.requested = False
        self.pool: LocalPool | None = None
        self._previous = None

    def _handler(self, signum, frame) -> None:
        if self.requested:
            if self.pool is not None:
                self.pool.kill_all()
            self.lock.release()
            os.write(2, b"interrupted again: stopped at once, cells in flight discarded\n")
            os._exit(130)
        self.requested = True
        if self.pool is not None:
            self.pool.stop(INTERRUPT_GRACE_SECONDS)
        self.note(
            f"interrupted: no new cells; cells in flight get {INTERRUPT_GRACE_SECONDS:g} s to finish "
            "(Ctrl-C again to stop at once)"
        )

    def __enter__(self) -> _Interrupt:
        if self.enabled:
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            signal.signal(signal.SIGINT, self._previous)


def _guard_backend(
    outcomes: Iterator[CellOutcome], backend: str, summary: RunSummary
) -> Iterator[CellOutcome]:
    """Turn the backend failing under the run (not a cell: cells catch their own errors) into
    :class:`BackendLost`, one line saying what is stored and how to resume."""
    try:
        yield from outcomes
    except (KeyboardInterrupt, AlbenchInputError):
        raise
    except Exception as exc:  # the scheduler, head node or connection is gone (OSError included:
        # the results folder is written by the caller, outside this generator)
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        raise BackendLost(
            f"--backend {backend}: the cluster went away during the run ({type(exc).__name__}: {first}); "
            f"{summary.ran} cell(s) stored in this run; run the same command again to resume"
        ) from exc


def _execute_joblib(todo: list[Cell | CeilingTask], fixed: tuple, parallel_ctx) -> Iterator[CellOutcome]:
    """Run cells through joblib (loky, dask or ray), streaming results as they finish."""
    if not todo:
        return
    with parallel_ctx:
        # stream results back as cells finish; backends that cannot (e.g. ray) fall back to order
        for return_as in ("generator_unordered", "generator", "list"):
            try:
                parallel = joblib.Parallel(return_as=return_as)
                break
            except ValueError:
                continue
        yield from parallel(joblib.delayed(_run_one)(c, *fixed) for c in todo)
