"""``albench run``: simulate every cell of an experiment, then print its summary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from albench.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    csv_list,
    err_console,
    fail,
    fail_os,
    out_console,
)
from albench.errors import AlbenchInputError, BackendLost

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

#: ``albench.runner.BACKENDS``, spelled out so that ``--help`` imports no runner (a test checks)
BACKENDS = ("local", "loky", "dask", "ray", "sequential")
#: AUBC variant of the summary when the config's ``[report] aubc_variant`` names none
DEFAULT_VARIANT = "trapezoid"


def read_raw(config: str | None, suite: str | None) -> tuple[dict, str, str]:
    """The raw config dict, where it came from, and the default experiment name."""
    from albench.config import read_toml
    from albench.suites import suite_as_config

    if config is None:
        name = suite or "quick"
        return suite_as_config(name), f"<suite {name}>", name
    path = Path(config)
    return read_toml(path), str(path), path.stem


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--suite", help="Run a built-in suite (without CONFIG), or replace the config's datasets by a suite."
)
@click.option("--datasets", help="Comma-separated datasets (overrides the config).")
@click.option("--models", help="Comma-separated models (overrides the config).")
@click.option(
    "--strategies",
    help="Comma-separated strategies (overrides the config): labels of the config's entries, which "
    "keep their parameters, or registered names.",
)
@click.option("--labelers", help="Comma-separated labelers (overrides the config).")
@click.option("--updates", help="Comma-separated model-update policies (overrides the config).")
@click.option("--rebalancing", help="Comma-separated rebalancing methods (overrides the config).")
@click.option("--reps", type=int, help="Repetitions (overrides the config).")
@click.option("--seed", type=int, help="Experiment seed (overrides the config).")
@click.option(
    "-j",
    "--jobs",
    "n_jobs",
    type=int,
    default=1,
    show_default=True,
    help="Parallel workers; -1 for all cores.",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="local",
    show_default=True,
    help="local: albench's own worker processes (cell timeouts, crashes recorded); "
    "loky, dask, ray: joblib backends; sequential: in this process.",
)
@click.option(
    "--out",
    default="results",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Parent folder of results/<experiment>.",
)
@click.option("--force", is_flag=True, help="Re-run cells that are already stored.")
@click.option(
    "--plugin",
    "plugins",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Python file registering components (repeatable).",
)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--report", "make_report", is_flag=True, help="Write reports/<experiment>/ at the end.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Folder of data files (beats $ALBENCH_DATA, then the config's data_dir, then ./data).",
)
@click.option(
    "--export-splits",
    type=click.Path(dir_okay=False),
    help="Write every (dataset, repetition)'s split and initial set to this JSON file, for "
    "protocol.splits_file.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the input and print the cells per axis, cells already stored and a rough cost; run nothing.",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set any config field, e.g. --set protocol.budget=300 --set grid.models='[\"rbf_svm\"]' "
    "(a TOML value, or a bare string; repeatable; applied after the other options).",
)
@click.option(
    "--cell-timeout",
    type=float,
    default=None,
    help="Seconds a cell may run before its worker is stopped and the cell recorded as failed "
    "(overrides the config's cell_timeout).",
)
@click.option(
    "--gpus-per-cell",
    type=float,
    default=None,
    help="GPUs Ray reserves for each cell (--backend ray; fractions share a GPU; a cluster "
    "without GPUs runs the cells on the CPU).",
)
@click.option(
    "--retries",
    type=int,
    default=None,
    help="Extra attempts for a cell whose worker died (overrides the config's retries; default 0).",
)
def run(
    config,
    suite,
    datasets,
    models,
    strategies,
    labelers,
    updates,
    rebalancing,
    reps,
    seed,
    n_jobs,
    backend,
    out,
    force,
    plugins,
    no_progress,
    make_report,
    data_dir,
    export_splits,
    dry_run,
    settings,
    cell_timeout,
    gpus_per_cell,
    retries,
):
    """Simulate every cell of an experiment (the quick suite when CONFIG is omitted).

    Without CONFIG, --datasets/--models/--strategies/--labelers/--updates/--rebalancing run
    their own grid in a results folder named after the axes given (results/quick is the quick
    suite's alone).
    """
    from albench.config import apply_overrides, parse_config
    from albench.plugins import ensure_plugins

    try:
        if cell_timeout is not None and not (cell_timeout > 0 and cell_timeout != float("inf")):
            raise AlbenchInputError(f"--cell-timeout = {cell_timeout}: must be a positive number of seconds")
        if retries is not None and retries < 0:
            raise AlbenchInputError(f"--retries = {retries}: must be an integer >= 0")
        plugin_files = tuple(str(Path(p).resolve()) for p in plugins)
        ensure_plugins(plugin_files)
        raw, source, default_name = read_raw(config, suite)
        if reps is not None and reps < 1:
            raise AlbenchInputError(f"--reps = {reps}: must be an integer >= 1")
        if seed is not None and seed < 0:
            raise AlbenchInputError(f"--seed = {seed}: must be an integer >= 0")
        extra_axes = {
            "labelers": csv_list(labelers),
            "updates": csv_list(updates),
            "rebalancing": csv_list(rebalancing),
        }
        raw = apply_overrides(
            raw,
            {
                "suite": suite if config is not None else None,
                "datasets": csv_list(datasets),
                "models": csv_list(models),
                "strategies": csv_list(strategies),
                **extra_axes,
                "repetitions": reps,
                "seed": seed,
            },
        )
        if config is None and (datasets or models or strategies or any(extra_axes.values())):
            from albench.dryrun import axes_name

            default_name = axes_name(
                csv_list(datasets), csv_list(models), csv_list(strategies), *extra_axes.values()
            )
            raw.pop("name", None)
        if settings:
            from albench.cli.overrides import apply_settings, grid_name, parse_setting

            parsed = [parse_setting(s) for s in settings]
            raw = apply_settings(raw, parsed)
            if config is None and "name" not in {k for k, _ in parsed}:
                named = grid_name(raw, parsed, default_name if default_name != (suite or "quick") else None)
                if named is not None:  # a grid of one's own never lands in results/quick
                    default_name = named
                    raw.pop("name", None)
        exp = parse_config(raw, source=source, default_name=default_name)
    except AlbenchInputError as exc:
        fail(str(exc))
        return
    if dry_run:
        _dry_run(exp, out, data_dir)
        return

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from albench.runner import run_experiment

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("cells"),
        TextColumn("[red]{task.fields[failed]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        disable=no_progress,
    )
    state = {"task": None, "failed": 0}

    def on_start(total: int, skipped: int) -> None:
        if skipped:
            err_console.print(f"{skipped} cell(s) already stored, skipped (use --force to redo them)")
        state["task"] = progress.add_task(exp.name, total=total, failed="")

    def on_cell(outcome) -> None:
        if outcome.error is not None:
            state["failed"] += 1
            last = outcome.error.strip().splitlines()[-1]
            progress.console.print(f"[red]cell failed[/] {escape(outcome.description)}: {escape(last)}")
        progress.update(
            state["task"], advance=1, failed=f"{state['failed']} failed" if state["failed"] else ""
        )

    try:
        with progress:
            summary = run_experiment(
                exp,
                out=out,
                n_jobs=n_jobs,
                backend=backend,
                force=force,
                plugin_files=plugin_files,
                on_start=on_start,
                on_cell=on_cell,
                data_dir=data_dir,
                export_splits=export_splits,
                cell_timeout=cell_timeout,
                retries=retries,
                gpus_per_cell=gpus_per_cell,
                isolate=True,
                handle_sigint=True,
                on_note=lambda message: progress.console.print(
                    f"[yellow]note:[/] {escape(message)}", soft_wrap=True
                ),
            )
    except AlbenchInputError as exc:
        fail(str(exc))
        return
    except OSError as exc:
        fail_os(exc)
        return
    except BackendLost as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        sys.exit(EXIT_FAILED)
    if summary.interrupted:
        err_console.print(
            f"interrupted: {summary.ran} cell(s) stored in this run, {summary.skipped} stored before, "
            f"{len(summary.failed)} failed, {summary.discarded} in flight discarded, of {summary.total}; "
            "run the same command again to resume"
        )
        out_console.print(f"results: {escape(str(summary.results_dir))}")
        sys.exit(EXIT_INTERRUPTED)
    _print_summary(summary, exp)
    if make_report:
        from albench.cli.report import write_report

        write_report(summary.results_dir, "reports", None, exp.aubc_variant or DEFAULT_VARIANT)
    sys.exit(EXIT_FAILED if summary.failed else EXIT_OK)


def _dry_run(exp, out, data_dir) -> None:
    """Print what ``run`` would do; exit 2 on bad input, else 0. Writes nothing."""
    from albench.datasets.datadir import resolve_data_dir, set_data_dir
    from albench.dryrun import plan_run
    from albench.grid import check_feasible

    try:
        set_data_dir(*resolve_data_dir(data_dir, exp.data_dir))
        plan = plan_run(exp, check_feasible(exp), out)
    except AlbenchInputError as exc:
        fail(str(exc))
        return
    axes = " x ".join(f"{n} {axis}" for axis, n in plan.axes.items())
    out_console.print(f"experiment {escape(exp.name)}: {axes} = {plan.total} cell(s)")
    for label, d in plan.per_dataset.items():
        out_console.print(
            f"  {escape(label)}: pool {d['pool']}, budget {d['budget']}, {d['rounds']} round(s) per cell"
        )
    out_console.print(f"already stored: {plan.stored} of {plan.total} in {escape(str(plan.results_dir))}")
    out_console.print(
        f"to run: {plan.total - plan.stored} cell(s), {plan.fits} model fit(s), roughly "
        f"{plan.seconds:.1f} s of fitting on one worker (query time not included)"
    )
    sys.exit(EXIT_OK)


def _print_summary(summary, exp) -> None:
    import warnings

    from albench.analysis.aubc import aubc_per_cell
    from albench.store import load_results

    err_console.print(
        f"ran {summary.ran} cell(s), skipped {summary.skipped}, failed {len(summary.failed_cells)} "
        f"of {summary.total} in {summary.seconds:.1f} s"
        + (
            f"; {len(summary.failed_ceilings)} full-pool ceiling fit(s) failed"
            if summary.failed_ceilings
            else ""
        )
    )
    with warnings.catch_warnings():  # damaged cells were named when the run began
        warnings.simplefilter("ignore")
        df = load_results(summary.results_dir)
    if not df.empty:
        metric = "accuracy" if "accuracy" in df.columns else exp.protocol.metrics[0]
        variant = exp.aubc_variant or DEFAULT_VARIANT
        cells = aubc_per_cell(df, metric=metric, variant=variant)
        out_console.print(aubc_table(cells, metric, exp, variant))
        if summary.total == 1:
            out_console.print(curve_table(df, metric))
    out_console.print(f"results: {escape(str(summary.results_dir))}")
    if summary.failed:
        what = f"{len(summary.failed_cells)} cell(s)"
        if summary.failed_ceilings:
            what += f" and {len(summary.failed_ceilings)} ceiling fit(s)"
        out_console.print(f"[red]{what} failed[/]: tracebacks in {summary.results_dir / 'failed'}")
    out_console.print(f"report:  albench report {escape(str(summary.results_dir))}")


def curve_table(df: pd.DataFrame, metric: str) -> Table:
    """The learning curve of a one-cell run, round by round."""
    from rich.table import Table

    cols = [
        "round",
        "n_labeled",
        "cost_spent",
        metric,
        "n_refused",
        "n_pseudo",
        "n_pseudo_wrong",
        "fit_seconds",
    ]
    cols = [c for c in cols if c in df.columns]
    who = " / ".join(str(df[c].iloc[0]) for c in ("dataset", "model", "strategy", "labeler"))
    table = Table(title=f"learning curve: {escape(who)}")
    for c in cols:
        table.add_column(c, justify="right")
    for _, row in df.sort_values("round").iterrows():
        table.add_row(*(f"{row[c]:.4f}" if isinstance(row[c], float) else str(row[c]) for c in cols))
    return table


def aubc_table(cells: pd.DataFrame, metric: str, exp, variant: str = "trapezoid") -> Table:
    """Mean AUBC per dataset (and model and labeler, when several) x strategy; each row's best in bold.

    The title names the AUBC ``variant`` the values were computed with.
    """
    import numpy as np
    from rich.table import Table

    strategies = [s.label for s in exp.strategies if s.label in set(cells["strategy"])]
    index = ["dataset"] + [c for c in ("model", "labeler") if cells[c].nunique() > 1]
    pivot = cells.pivot_table(index=index, columns="strategy", values="aubc", aggfunc="mean")
    n_reps = cells.groupby([*index, "strategy"])["aubc"].count()
    title = (
        f"mean AUBC of {metric} (variant {variant}, normalised to \\[0, 1]), over {int(n_reps.max())} "
        "repetition(s)"
    )
    table = Table(title=title)
    for col in index:
        table.add_column(col)
    for s in strategies:
        table.add_column(escape(s), justify="right")
    for idx, row in pivot.iterrows():
        idx = idx if isinstance(idx, tuple) else (idx,)
        values = [row.get(s, np.nan) for s in strategies]
        best = np.nanmax(values) if not all(np.isnan(values)) else np.nan
        cells_txt = [
            "-" if np.isnan(v) else (f"[bold]{v:.4f}[/]" if v == best else f"{v:.4f}") for v in values
        ]
        table.add_row(*(escape(str(i)) for i in idx), *cells_txt)
    return table
