"""The ``albench`` command line. Exit status: 0 all good, 1 some cells failed, 2 bad input."""

from __future__ import annotations

import errno
import sys
import warnings
from pathlib import Path

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from albench.config import apply_overrides, parse_config, read_toml
from albench.datasets.datadir import get_data_dir
from albench.errors import AlbenchInputError
from albench.plugins import ensure_plugins
from albench.registry import REGISTRIES
from albench.runner import BACKENDS, run_experiment
from albench.suites import suite_as_config

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
#: Ctrl-C: the run stopped early (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
out_console = Console(highlight=False)
if not out_console.is_terminal:  # keep tables whole in logs and pipes
    out_console = Console(highlight=False, width=160)
err_console = Console(stderr=True, highlight=False)


def _fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    sys.exit(EXIT_BAD_INPUT)


def _fail_os(exc: OSError, flag: str = "--out") -> None:
    """One line for an I/O failure: exit 2 when a path given is unusable, 1 when the machine is."""
    path = exc.filename or "?"
    reason = exc.strerror or str(exc)
    code = exc.errno
    if code in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        message, status = f"{path}: {reason}; a file is in the way, {flag} must name a folder", EXIT_BAD_INPUT
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        message = f"{path}: cannot write ({reason}); make it writable or choose another {flag}"
        status = EXIT_FAILED
    elif code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        message = (
            f"{path}: {reason} (disk full or file size limit); free space or raise the limit and run "
            "again (complete cells stay stored)"
        )
        status = EXIT_FAILED
    else:
        message, status = f"{path}: {reason}", EXIT_FAILED
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    sys.exit(status)


def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise AlbenchInputError(f"empty list {value!r}: give comma-separated names")
    return items


def _read_raw(config: str | None, suite: str | None) -> tuple[dict, str, str]:
    """The raw config dict, where it came from, and the default experiment name."""
    if config is None:
        name = suite or "quick"
        return suite_as_config(name), f"<suite {name}>", name
    path = Path(config)
    return read_toml(path), str(path), path.stem


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="albench", message="albench %(version)s")
def main() -> None:
    """albench: benchmark pool-based active learning strategies, reproducibly."""


@main.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--suite", help="Run a built-in suite (without CONFIG), or replace the config's datasets by a suite."
)
@click.option("--datasets", help="Comma-separated datasets (overrides the config).")
@click.option("--models", help="Comma-separated models (overrides the config).")
@click.option("--strategies", help="Comma-separated strategies (overrides the config).")
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
    "--cell-timeout",
    type=float,
    default=None,
    help="Seconds a cell may run before its worker is stopped and the cell recorded as failed "
    "(overrides the config's cell_timeout).",
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
    cell_timeout,
    retries,
):
    """Simulate every cell of an experiment (the quick suite when CONFIG is omitted).

    Without CONFIG, --datasets/--models/--strategies/--labelers/--updates/--rebalancing run
    their own grid in a results folder named after the axes given (results/quick is the quick
    suite's alone).
    """
    try:
        if cell_timeout is not None and not (cell_timeout > 0 and cell_timeout != float("inf")):
            raise AlbenchInputError(f"--cell-timeout = {cell_timeout}: must be a positive number of seconds")
        if retries is not None and retries < 0:
            raise AlbenchInputError(f"--retries = {retries}: must be an integer >= 0")
        plugin_files = tuple(str(Path(p).resolve()) for p in plugins)
        ensure_plugins(plugin_files)
        raw, source, default_name = _read_raw(config, suite)
        if reps is not None and reps < 1:
            raise AlbenchInputError(f"--reps = {reps}: must be an integer >= 1")
        if seed is not None and seed < 0:
            raise AlbenchInputError(f"--seed = {seed}: must be an integer >= 0")
        extra_axes = {"labelers": _csv(labelers), "updates": _csv(updates), "rebalancing": _csv(rebalancing)}
        raw = apply_overrides(
            raw,
            {
                "suite": suite if config is not None else None,
                "datasets": _csv(datasets),
                "models": _csv(models),
                "strategies": _csv(strategies),
                **extra_axes,
                "repetitions": reps,
                "seed": seed,
            },
        )
        if config is None and (datasets or models or strategies or any(extra_axes.values())):
            from albench.dryrun import axes_name

            default_name = axes_name(_csv(datasets), _csv(models), _csv(strategies), *extra_axes.values())
            raw.pop("name", None)
        exp = parse_config(raw, source=source, default_name=default_name)
    except AlbenchInputError as exc:
        _fail(str(exc))
        return
    if dry_run:
        _dry_run(exp, out, data_dir)
        return

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
                isolate=True,
                handle_sigint=True,
                on_note=lambda message: progress.console.print(
                    f"[yellow]note:[/] {escape(message)}", soft_wrap=True
                ),
            )
    except AlbenchInputError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail_os(exc)
        return
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
        _write_report(summary.results_dir, "reports", None, "trapezoid")
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
        _fail(str(exc))
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
    from albench.analysis.aubc import aubc_per_cell
    from albench.store import load_results

    err_console.print(
        f"ran {summary.ran} cell(s), skipped {summary.skipped}, failed {len(summary.failed)} "
        f"of {summary.total} in {summary.seconds:.1f} s"
    )
    with warnings.catch_warnings():  # damaged cells were named when the run began
        warnings.simplefilter("ignore")
        df = load_results(summary.results_dir)
    if not df.empty:
        metric = "accuracy" if "accuracy" in df.columns else exp.protocol.metrics[0]
        cells = aubc_per_cell(df, metric=metric)
        out_console.print(aubc_table(cells, metric, exp))
        if summary.total == 1:
            out_console.print(curve_table(df, metric))
    out_console.print(f"results: {escape(str(summary.results_dir))}")
    if summary.failed:
        out_console.print(
            f"[red]{len(summary.failed)} cell(s) failed[/]: tracebacks in {summary.results_dir / 'failed'}"
        )
    out_console.print(f"report:  albench report {escape(str(summary.results_dir))}")


def curve_table(df: pd.DataFrame, metric: str) -> Table:
    """The learning curve of a one-cell run, round by round."""
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


def aubc_table(cells: pd.DataFrame, metric: str, exp) -> Table:
    """Mean AUBC per dataset (and model and labeler, when several) x strategy; each row's best in bold."""
    strategies = [s.label for s in exp.strategies if s.label in set(cells["strategy"])]
    index = ["dataset"] + [c for c in ("model", "labeler") if cells[c].nunique() > 1]
    pivot = cells.pivot_table(index=index, columns="strategy", values="aubc", aggfunc="mean")
    n_reps = cells.groupby([*index, "strategy"])["aubc"].count()
    title = (
        f"mean AUBC of {metric} (trapezoid, normalised to \\[0, 1]), over {int(n_reps.max())} repetition(s)"
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


def _write_report(
    results_dir,
    out,
    metric,
    variant,
    x_axis="labels",
    reference=None,
    strict: bool = False,
    costs: tuple[float, float, float] | None = None,
) -> None:
    """Build the report (exit 2 with a one-line error on bad input) and say where it is.

    Stored cells that fail their checksum are left out with a one-line warning, or stop the
    report (exit 1) under ``strict``.
    """
    from albench.analysis.stopping import CostModel
    from albench.report import build_report
    from albench.store import DamagedCellWarning, ResultStore

    try:
        stopping_costs = CostModel(*costs) if costs is not None else None
        store = ResultStore(results_dir)
        manifest = store.read_manifest()
        damaged = store.classify(manifest).damaged
        if damaged:
            paths = ", ".join(str(store.cell_path(k)) for k in damaged[:3])
            more = f" and {len(damaged) - 3} more" if len(damaged) > 3 else ""
            message = (
                f"{len(damaged)} stored cell(s) fail their checksum (damaged or truncated): {paths}{more}; "
                "`albench run` recomputes them"
            )
            if strict:
                err_console.print(f"[bold red]error:[/] {escape(message)} (--strict)", soft_wrap=True)
                sys.exit(EXIT_FAILED)
            err_console.print(
                f"[yellow]warning:[/] {escape(message)}; the report leaves them out", soft_wrap=True
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DamagedCellWarning)
            data = build_report(
                results_dir,
                out=out,
                metric=metric,
                aubc_variant=variant,
                x_axis=x_axis,
                reference=reference,
                stopping_costs=stopping_costs,
            )
    except AlbenchInputError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail_os(exc)
        return
    if data.incomplete or data.failed:
        n_missing, n_failed = len(data.missing), len(data.failed)
        err_console.print(
            f"[yellow]note:[/] {n_missing} cell(s) missing, {n_failed} failed; the report says so"
        )
    out_console.print(
        f"report:  {data.out_dir / 'index.html'} (+ report.md, figures/, tables/)", soft_wrap=True
    )


def _cost_option(flag: str, default: float, help_text: str):
    """A non-negative number of the stopping section's cost model, as an option of ``report``."""
    return click.option(
        flag,
        type=click.FloatRange(min=0),
        default=default,
        show_default=True,
        help=f"Stopping section: {help_text}",
    )


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option(
    "--out", default="reports", show_default=True, type=click.Path(file_okay=False), help="Parent folder."
)
@click.option("--metric", default=None, help="Metric of the report (default: accuracy).")
@click.option("--aubc-variant", "variant", default="trapezoid", show_default=True, help="AUBC variant.")
@click.option(
    "--x-axis",
    "x_axis",
    default="labels",
    show_default=True,
    help="Budget axis of curves and AUBC: labels, or cost (the cumulative cost_spent).",
)
@click.option(
    "--reference",
    default=None,
    help="Published results to compare with: a reference file or a shipped name (e.g. lu2025-binary).",
)
@click.option(
    "--strict", is_flag=True, help="Fail (exit 1) if a stored cell is damaged instead of leaving it out."
)
@_cost_option("--label-cost", 1.0, "cost of one label (Pullar-Strecker et al. 2024 cost score).")
@_cost_option("--misclassification-cost", 1.0, "cost of one wrong prediction of the deployed model.")
@_cost_option("--lifetime", 10_000.0, "predictions the deployed model makes over its lifetime.")
def report(
    results_dir, out, metric, variant, x_axis, reference, strict, label_cost, misclassification_cost, lifetime
):
    """Write <out>/<experiment>/index.html, report.md, figures/ and tables/ for RESULTS_DIR."""
    costs = (label_cost, misclassification_cost, lifetime)
    _write_report(results_dir, out, metric, variant, x_axis, reference, strict, costs)


def reference_table(comparison: pd.DataFrame, max_z: float, title: str) -> Table:
    """Ours vs published per dataset x strategy: means (std, n), difference, z, verdict."""
    show_model = comparison["model"].nunique() > 1 or comparison["labeler"].nunique() > 1
    table = Table(title=escape(title))
    for col in ["dataset", *(["model", "labeler"] if show_model else []), "strategy"]:
        table.add_column(col)
    for col in ("ours mean (std, n)", "published mean (std, n)", "difference", "z", "verdict"):
        table.add_column(col, justify="left" if col == "verdict" else "right")
    for r in comparison.itertuples():
        bad = not abs(r.z) <= max_z
        table.add_row(
            escape(r.dataset),
            *([escape(r.model), escape(r.labeler)] if show_model else []),
            escape(r.strategy),
            f"{r.ours_mean:.4f} ({r.ours_std:.4f}, {r.ours_n})",
            f"{r.published_mean:.4f} ({r.published_std:.4f}, {r.published_n})",
            f"{r.difference:+.4f}",
            f"{r.z:+.2f}",
            f"[red]{r.verdict}[/]" if bad else r.verdict,
        )
    return table


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option(
    "--reference",
    required=True,
    help="A reference file (docs/reproducing.md) or a shipped name (e.g. lu2025-binary).",
)
@click.option(
    "--max-z",
    type=float,
    default=3.5,
    show_default=True,
    help="Largest |z| accepted for any dataset x strategy group.",
)
def check(results_dir, reference, max_z):
    """Compare RESULTS_DIR with published results; exit 1 if any group has |z| > --max-z.

    z = (ours - published) / sqrt(s1^2/n1 + s2^2/n2), each group's AUBC computed with the
    reference's metric and AUBC variant. A group with fewer than 2 runs fails the check.
    """
    from albench.analysis.reference import beyond, compare_to_reference, load_reference
    from albench.store import load_results

    try:
        if not max_z > 0:
            raise AlbenchInputError(f"--max-z = {max_z!r}: must be a positive number")
        if not Path(results_dir, "manifest.json").is_file():
            raise AlbenchInputError(f"results folder {str(results_dir)!r} not found (no manifest.json in it)")
        ref = load_reference(reference)
        comparison = compare_to_reference(load_results(results_dir), ref, max_z)
    except AlbenchInputError as exc:
        _fail(str(exc))
        return
    out_console.print(reference_table(comparison, max_z, f"{ref.title} ({ref.name})"))
    failing = beyond(comparison, max_z)
    z = comparison["z"].to_numpy(dtype=float)
    finite = z[np.isfinite(z)]
    mean_z = f"{finite.mean():+.2f}" if finite.size else "-"
    out_console.print(
        f"{len(comparison)} group(s) compared; mean signed z {mean_z}; {len(failing)} beyond |z| > {max_z:g}"
        f" (or too few runs). Source: {escape(str(comparison['source'].iloc[0]))}",
        soft_wrap=True,
    )
    sys.exit(EXIT_FAILED if len(failing) else EXIT_OK)


@main.command(name="list")
@click.argument("kind", required=False, type=click.Choice(sorted(REGISTRIES)))
@click.option(
    "--plugin",
    "plugins",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Python file registering components (repeatable); a broken one is listed as unavailable.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Data folder used to tell whether card datasets are available (default: $ALBENCH_DATA, ./data).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "plain", "json"]),
    default=None,
    help="Output format [default: table on a terminal, plain when piped].",
)
def list_(kind, plugins, data_dir, fmt):
    """List registered datasets, models, strategies, labelers, metrics, suites or stopping criteria."""
    import json

    from albench.datasets.datadir import get_data_dir, resolve_data_dir, set_data_dir
    from albench.listing import broken_plugin_records, component_records
    from albench.plugins import load_entry_points, try_plugin_files

    load_entry_points()
    try_plugin_files(tuple(plugins))  # failures land in the "plugins" section
    try:
        set_data_dir(*resolve_data_dir(data_dir))
    except AlbenchInputError as exc:
        _fail(str(exc))
    fmt = fmt or ("table" if sys.stdout.isatty() else "plain")
    kinds = [kind] if kind else sorted(REGISTRIES)
    data = {k: component_records(k) for k in kinds}
    broken = broken_plugin_records()
    data_dir_text = "{} ({})".format(*get_data_dir())
    if fmt == "json":
        payload = {**data, "broken_plugins": broken}
        if "datasets" in data:
            payload["data_directory"] = data_dir_text
        click.echo(json.dumps(payload, indent=2, sort_keys=True, default=str))
        return
    if fmt == "plain":
        header = (
            "kind",
            "name",
            "status",
            "needs",
            "parameters",
            "reference",
            "description",
            "source",
            "available",
        )
        click.echo("\t".join(header))
        for k, records in data.items():
            for r in records:
                click.echo("\t".join(_plain_fields(k, r)))
        for r in broken:
            click.echo("\t".join(("plugins", r["name"], r["status"], "", "", "", r["description"], "", "")))
        if "datasets" in data:
            click.echo(f"# data directory: {data_dir_text}")
        return
    for k, records in data.items():
        out_console.print(_list_table(k, records))
    if broken:
        table = Table(title=f"plugins that failed to load ({len(broken)})", title_justify="left")
        table.add_column("plugin", style="bold")
        table.add_column("error")
        for r in broken:
            table.add_row(escape(r["name"]), f"[red]unavailable[/]: {escape(r['description'])}")
        out_console.print(table)


def _params_text(params: dict | None) -> str:
    if not params:
        return "-"
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def _plain_fields(kind: str, r: dict) -> tuple[str, ...]:
    needs = r.get("needs")
    fields = (
        kind,
        r["name"],
        r["status"],
        "?"
        if needs is None and kind == "strategies" and r["status"] == "available"
        else ",".join(needs or []),
        _params_text(r.get("parameters")),
        r.get("reference", ""),
        r.get("description", ""),
        r.get("source", ""),
        r.get("available", ""),
    )
    return tuple(str(f).replace("\t", " ").replace("\n", " ") for f in fields)


def _list_table(kind: str, records: list[dict]) -> Table:

    n = sum(r["status"] == "available" for r in records)
    table = Table(title=f"{kind} ({n})", title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("description")
    if kind == "strategies":
        table.add_column("reference")
        table.add_column("needs (default parameters)")
    if kind == "datasets":
        table.add_column("source")
        table.add_column("available")
    if kind in ("strategies", "models", "labelers"):
        table.add_column("parameters")
    for r in records:
        if r["status"] == "unavailable":
            desc = f"[red]unavailable[/]: {escape(r['description'])}"
        else:
            desc = escape(r["description"])
        cols = []
        if kind == "strategies":
            needs = r.get("needs")
            cols = [r.get("reference", ""), "?" if needs is None else (", ".join(needs) or "-")]
        if kind == "datasets":
            cols = [r.get("source", ""), r.get("available", "")]
        if kind in ("strategies", "models", "labelers"):
            cols.append(_params_text(r.get("parameters")) if r["status"] == "available" else "")
        table.add_row(escape(r["name"]), desc, *(escape(str(c)) for c in cols))
    if kind == "datasets":
        table.caption = escape("data directory: {} ({})".format(*get_data_dir()))
    return table


@main.command(name="check-plugin")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check_plugin(files):
    """Run the conformance kit on every strategy, model and dataset the FILES register.

    Exit 0 when all checks pass, 1 when one fails, 2 when a file cannot be loaded or
    registers nothing.
    """
    from albench.plugins import file_sha256, load_entry_points, load_plugin_file
    from albench.registry import DATASETS, MODELS, STRATEGIES
    from albench.testing import check_dataset, check_model, check_strategy

    try:
        load_entry_points()
        for file in files:
            load_plugin_file(file)
    except AlbenchInputError as exc:
        _fail(str(exc))
        return
    n_failed = 0
    for file in files:
        origin = {"sha256": file_sha256(file)}
        found = {
            kind: [e for e in reg if e.origin == origin]
            for kind, reg in (("strategy", STRATEGIES), ("model", MODELS), ("dataset", DATASETS))
        }
        if not any(found.values()):
            _fail(f"{file}: registers no strategy, model or dataset (use albench.register_strategy etc.)")
            return
        for kind, entries in found.items():
            for e in entries:
                if kind == "strategy":
                    results = check_strategy(e.obj, raise_on_failure=False)
                else:
                    checker = check_model if kind == "model" else check_dataset
                    try:
                        results = checker(e.obj)
                    except AssertionError as exc:
                        results = [_Failed(str(exc))]
                for r in results:
                    mark = "[green]PASS[/]" if r.passed else "[red]FAIL[/]"
                    detail = "" if r.passed else f": {escape(r.message)}"
                    out_console.print(
                        f"{mark} {kind} {escape(e.name)}: {escape(r.name)}{detail}", soft_wrap=True
                    )
                    n_failed += not r.passed
    out_console.print(f"{n_failed} check(s) failed" if n_failed else "all checks passed")
    sys.exit(EXIT_FAILED if n_failed else EXIT_OK)


class _Failed:
    """A failed check of a model or dataset factory, shaped like a CheckResult."""

    passed = False
    name = "conformance"

    def __init__(self, message: str) -> None:
        self.message = message


def _experiment_from_manifest(manifest: dict, source: str):
    return parse_config(manifest["config"], source=source, default_name=manifest["experiment"])


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
def status(results_dir):
    """Cells done / failed / missing of a results folder."""
    from albench.store import ResultStore

    store = ResultStore(results_dir)
    try:
        manifest = store.read_manifest()
    except AlbenchInputError as exc:
        _fail(str(exc))
    keys = manifest["cells"]
    index = manifest.get("cell_index", {})
    index = index if isinstance(index, dict) else {}
    cells = store.classify(manifest)
    done, bad, missing, stale, damaged = cells.done, cells.failed, cells.missing, cells.stale, cells.damaged
    out_console.print(f"experiment {escape(str(manifest['experiment']))}: {len(keys)} cells")
    out_console.print(f"  done    {len(done)}")
    out_console.print(f"  failed  {len(bad)}")
    out_console.print(f"  missing {len(missing) - len(damaged)}")
    out_console.print(f"  damaged {len(damaged)}")
    for k in damaged:
        out_console.print(
            f"  [red]damaged[/] {escape(str(store.cell_path(k)))}: fails its checksum; "
            "`albench run` recomputes it",
            soft_wrap=True,
        )
    if stale:
        out_console.print(f"  ({len(stale)} stored cell(s) belong to an earlier config and are ignored)")
    for k in bad:
        c = index.get(k) if isinstance(index.get(k), dict) else {}
        out_console.print(
            f"  [red]failed[/] {k}: "
            + escape(
                f"{c.get('dataset')} / {c.get('model')} / {c.get('strategy')} / rep {c.get('repetition')}"
            )
        )
    sys.exit(EXIT_OK if not bad and not missing else EXIT_FAILED)


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option("--sample", default=3, show_default=True, type=click.IntRange(min=1), help="Cells to re-run.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the sample.")
@click.option(
    "--plugin",
    "plugins",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A copy of a recorded plugin file that moved (matched by content hash; repeatable).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Data folder (default: $ALBENCH_DATA, else the one the run recorded).",
)
@click.option(
    "-j",
    "--jobs",
    "n_jobs",
    type=int,
    default=1,
    show_default=True,
    help="Parallel workers; -1 for all cores.",
)
def verify(results_dir, sample, seed, plugins, data_dir, n_jobs):
    """Re-run a sample of stored cells and compare their rows bit for bit (timings excepted).

    The plugins recorded in the manifest are loaded from where the run found them; a file
    that moved is passed with --plugin, a package must be installed at the recorded version.
    """
    from albench.datasets.datadir import resolve_data_dir, set_data_dir
    from albench.grid import expand_grid
    from albench.plugins import load_recorded
    from albench.runner import resolve_n_jobs
    from albench.store import ResultStore
    from albench.verification import verify_cells

    store = ResultStore(results_dir)
    try:
        n_jobs = resolve_n_jobs(n_jobs)
        manifest = store.read_manifest()
        plugin_files = load_recorded(manifest, tuple(plugins))
        data_path, how = resolve_data_dir(data_dir, manifest.get("data_dir"))
        set_data_dir(data_path, how)
        exp = _experiment_from_manifest(manifest, str(store.manifest_path()))
        cells = {c.key: c for c in expand_grid(exp)}
    except AlbenchInputError as exc:
        _fail(str(exc))
        return
    stored = sorted(k for k in store.stored_keys() if k in cells)
    if not stored:
        _fail(f"{results_dir}: no stored cells to verify")
    rng = np.random.default_rng(seed)
    chosen = [str(k) for k in rng.choice(stored, size=min(sample, len(stored)), replace=False)]
    mismatches = 0
    index = store.checksums()
    intact = []
    for key in chosen:
        if store.read_verified(key, index) is None:
            mismatches += 1
            out_console.print(
                f"[red]DAMAGED[/] {key}  {escape(cells[key].describe())}: "
                f"{escape(str(store.cell_path(key)))} fails its checksum; `albench run` recomputes it",
                soft_wrap=True,
            )
        else:
            intact.append(key)
    verdicts = verify_cells(
        [cells[k] for k in intact],
        [str(store.cell_path(k)) for k in intact],
        plugin_files,
        str(data_path),
        n_jobs,
    )
    for v in verdicts:
        if v.identical:
            out_console.print(f"[green]identical[/] {v.key}  {escape(v.description)}")
        else:
            mismatches += 1
            out_console.print(f"[red]DIFFERENT[/] {v.key}  {escape(v.description)}: {escape(v.detail)}")
    out_console.print(f"{len(chosen) - mismatches} of {len(chosen)} re-run cell(s) identical")
    sys.exit(EXIT_OK if mismatches == 0 else EXIT_FAILED)


@main.command()
@click.option(
    "--quick", is_flag=True, help="Small ladder: pool sizes up to 1e5 instead of 1e6, fewer repeats."
)
@click.option("--sizes", help="Comma-separated pool sizes (overrides --quick), e.g. 1000,10000.")
@click.option("--out", default="reports/bench", show_default=True, type=click.Path(file_okay=False))
@click.option(
    "--compare",
    "compare_to",
    type=click.Path(dir_okay=False),
    help="A benchmark.json of an earlier run: report significant changes; exit 1 on a slowdown.",
)
@click.option(
    "--threshold",
    type=float,
    default=1.2,
    show_default=True,
    help="With --compare: a change counts beyond this ratio of medians (and only if significant).",
)
@click.option("--max-time", type=float, default=0.5, show_default=True, help="Seconds of timing per case.")
@click.option("-k", "select", help="Only kernel cases matching this pytest -k expression.")
@click.option("--no-loop", is_flag=True, help="Skip the run_cell-against-bare-loop comparison.")
@click.option("--no-strategies", is_flag=True, help="Skip timing every strategy's query.")
@click.option(
    "--no-interleaved",
    is_flag=True,
    help="Skip the interleaved timing of the uncertainty kernels against the floor and the peers "
    "(also skipped with -k).",
)
@click.option(
    "--protocol",
    "protocol_sets",
    help="Comma-separated datasets for the zhan2021 protocol comparison (needs the data), e.g. "
    "zhan2021.sonar,zhan2021.heart.",
)
@click.option("--protocol-reps", type=int, default=2, show_default=True, help="Repetitions per protocol set.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Folder with the datasets' files for --protocol (default: $ALBENCH_DATA).",
)
def bench(
    quick,
    sizes,
    out,
    compare_to,
    threshold,
    max_time,
    select,
    no_loop,
    no_strategies,
    no_interleaved,
    protocol_sets,
    protocol_reps,
    data_dir,
):
    """Time the kernels, the strategies and the loop; write tables, ratios and scaling plots."""
    from albench.bench.cases import FULL_SIZES, QUICK_SIZES
    from albench.bench.compare import compare_runs, load_rounds
    from albench.bench.report import (
        changes_markdown,
        comparison_markdown,
        floor_ratios,
        load_benchmarks,
        plot_scaling,
        run_suite,
        scaling_exponent,
        write_markdown,
    )
    from albench.fileio import atomic_write_json

    out_dir = Path(out)
    protocol_cells = None
    try:
        chosen = QUICK_SIZES if quick else FULL_SIZES
        if sizes is not None:
            try:
                chosen = tuple(int(v) for v in sizes.split(","))
            except ValueError:
                raise AlbenchInputError(f"--sizes = {sizes!r}: give comma-separated integers >= 10") from None
            if not chosen or min(chosen) < 10:
                raise AlbenchInputError(f"--sizes = {sizes!r}: give comma-separated integers >= 10")
        if not threshold > 1:
            raise AlbenchInputError(f"--threshold = {threshold}: must be a number > 1")
        if not max_time > 0:
            raise AlbenchInputError(f"--max-time = {max_time}: must be a number of seconds > 0")
        if protocol_reps < 1:
            raise AlbenchInputError(f"--protocol-reps = {protocol_reps}: must be an integer >= 1")
        if compare_to is not None:
            load_rounds(Path(compare_to))  # a bad file fails now, before any timing
        if protocol_sets is not None:
            from albench.bench.loop import protocol_cells as make_protocol_cells
            from albench.datasets.datadir import resolve_data_dir, set_data_dir

            set_data_dir(*resolve_data_dir(data_dir))
            names = _csv(protocol_sets)
            protocol_cells = make_protocol_cells(names, protocol_reps)
            for cell in protocol_cells[:: max(1, protocol_reps)]:
                from albench.grid import load_dataset

                load_dataset(cell.dataset)  # missing data fails now
        json_path = run_suite(out_dir, chosen, max_time=max_time, select=select)
    except AlbenchInputError as exc:
        _fail(str(exc))
    except RuntimeError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/]")
        sys.exit(EXIT_FAILED)
    df, meta = load_benchmarks(json_path)
    exponents = scaling_exponent(df)
    plot_scaling(df, out_dir)
    sections = []
    extra: dict = {}
    repeats = 3 if quick else 7
    # a loop repetition is ~1.5 s of three variants; its ratio's quartiles spanned 1.05-1.24
    # over 7 repetitions on the shared machine, 0.95-1.13 over 15
    loop_repeats = 3 if quick else 15
    interleaved = None
    if not no_interleaved and not select:
        from albench.bench.interleaved import interleaved_floor_ratios, interleaved_markdown

        out_console.print("timing the uncertainty kernels against the floor, interleaved ...")
        interleaved = interleaved_floor_ratios(chosen, repeats)
        extra["interleaved"] = interleaved.to_dict(orient="records")
        sections.append(interleaved_markdown(interleaved, repeats))
    if not no_loop:
        from albench.bench.loop import LOOP_BATCH, LOOP_ROUNDS, loop_comparison

        out_console.print("timing the loop (run_cell against a bare scikit-learn loop) ...")
        extra["loop"] = loop_comparison(loop_repeats)
        sections.append(
            comparison_markdown(
                "The loop: run_cell against a bare scikit-learn loop",
                extra["loop"],
                "bare scikit-learn loop",
                f"digits, logistic regression, entropy, {LOOP_ROUNDS} rounds of {LOOP_BATCH}, same split; "
                f"{loop_repeats} interleaved repetitions, one BLAS thread.",
            )
        )
    if protocol_cells is not None:
        from albench.bench.loop import protocol_comparison

        out_console.print(f"timing the zhan2021 protocol on {len(protocol_cells)} cells ...")
        for key, standardize, how in (
            ("protocol", "labeled", "standardised on the labeled set every round"),
            ("protocol_train", "train", "standardised once on the training part"),
        ):
            extra[key] = protocol_comparison(_csv(protocol_sets), protocol_reps, standardize)
            totals = ", ".join(f"{k}: {v['total_s']:.1f} s" for k, v in extra[key]["summary"].items())
            sections.append(
                comparison_markdown(
                    f"The published protocol ({how}): run_cell against a plain script",
                    extra[key]["summary"],
                    "plain script",
                    f"RBF SVM, margin, batch 1 over the whole pool, {protocol_sets}, {protocol_reps} "
                    f"repetitions, same splits; ratio per cell. Totals: {totals}.",
                )
            )
    if not no_strategies:
        from albench.bench.strategies import strategies_markdown, strategy_times

        ladder = tuple(n for n in chosen if n <= 100_000)
        out_console.print("timing every strategy's query ...")
        times, failed = strategy_times(ladder)
        extra["strategies"] = {"times": times, "failed": failed}
        sections.append(strategies_markdown(times, failed, ladder))
    status = 0
    if compare_to is not None:
        changes = compare_runs(Path(compare_to), json_path, threshold=threshold)
        sections.append(changes_markdown(changes, compare_to, threshold))
        slower = changes[changes["verdict"] == "slower"]
        faster = changes[changes["verdict"] == "faster"]
        out_console.print(
            f"compared with {escape(compare_to)}: {len(slower)} significantly slower, {len(faster)} faster, "
            f"{len(changes) - len(slower) - len(faster)} unchanged (threshold {threshold:g}x)"
        )
        for r in slower.itertuples():
            out_console.print(f"[red]slower[/] {escape(r.case)} N={r.n:,}: {r.ratio:.2f}x")
        status = EXIT_FAILED if len(slower) else 0
    if extra:
        atomic_write_json(out_dir / "extra.json", extra)
    md = write_markdown(df, exponents, meta, out_dir, sections)
    if interleaved is not None and not interleaved.empty:
        from albench.bench.interleaved import ratio_table

        title, cells = "multiples of the floor (P.sum()), interleaved", ratio_table(interleaved)
    else:
        ratios = floor_ratios(df)
        title = "multiples of the floor (P.sum())"
        cells = ratios.map(lambda v: "-" if v != v else f"{v:.2f}x")
    if not cells.empty:
        table = Table(title=f"uncertainty score + top-k, {title}")
        for col in ("measure", "input", "N", *cells.columns):
            table.add_column(str(col), justify="left" if col in ("measure", "input") else "right")
        for (measure, inp, n), r in cells.iterrows():
            table.add_row(measure, inp, f"{n:,}", *(r[c] for c in cells.columns))
        out_console.print(table)
    table = Table(title="kernel timings (median per call)")
    for col in ("kernel", "expected", "N", "median", "ns/sample"):
        table.add_column(col, justify="left" if col in ("kernel", "expected") else "right")
    for r in df[df["implementation"].isin(["albench"])].itertuples():
        table.add_row(
            escape(r.case), r.complexity, f"{r.n:,}", f"{r.median_s * 1e3:.3f} ms", f"{r.ns_per_sample:.1f}"
        )
    out_console.print(table)
    own = set(df.loc[df["implementation"] == "albench", "case"])
    for case, exp in exponents.items():
        if case in own:
            out_console.print(f"scaling exponent {escape(case)}: {exp:.2f}")
    for key, result in extra.items():
        if key in ("loop", "protocol", "protocol_train"):
            summary = result if key == "loop" else result["summary"]
            for name, r in summary.items():
                out_console.print(f"{key}: {escape(name)}: {r['median_s']:.3f} s, ratio {r['ratio']:.2f}x")
    out_console.print(f"report: {escape(str(md))} (+ scaling.png, scaling.svg, benchmark.json)")
    sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    main()
