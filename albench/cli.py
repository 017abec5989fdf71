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
    cell_timeout,
    retries,
):
    """Simulate every cell of an experiment (the quick suite when CONFIG is omitted)."""
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
        raw = apply_overrides(
            raw,
            {
                "suite": suite if config is not None else None,
                "datasets": _csv(datasets),
                "models": _csv(models),
                "strategies": _csv(strategies),
                "repetitions": reps,
                "seed": seed,
            },
        )
        exp = parse_config(raw, source=source, default_name=default_name)
    except AlbenchInputError as exc:
        _fail(str(exc))
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
    out_console.print(f"results: {escape(str(summary.results_dir))}")
    if summary.failed:
        out_console.print(
            f"[red]{len(summary.failed)} cell(s) failed[/]: tracebacks in {summary.results_dir / 'failed'}"
        )
    out_console.print(f"report:  albench report {escape(str(summary.results_dir))}")


def aubc_table(cells: pd.DataFrame, metric: str, exp) -> Table:
    """Mean AUBC per dataset (and model) x strategy, the best of each row in bold."""
    strategies = [s.label for s in exp.strategies if s.label in set(cells["strategy"])]
    by_model = cells["model"].nunique() > 1
    index = ["dataset", "model"] if by_model else ["dataset"]
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


def _write_report(results_dir, out, metric, variant, strict: bool = False) -> None:
    """Build the report (exit 2 with a one-line error on bad input) and say where it is.

    Stored cells that fail their checksum are left out with a one-line warning, or stop the
    report (exit 1) under ``strict``.
    """
    from albench.report import build_report
    from albench.store import DamagedCellWarning, ResultStore

    try:
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
            data = build_report(results_dir, out=out, metric=metric, aubc_variant=variant)
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


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option(
    "--out", default="reports", show_default=True, type=click.Path(file_okay=False), help="Parent folder."
)
@click.option("--metric", default=None, help="Metric of the report (default: accuracy).")
@click.option("--aubc-variant", "variant", default="trapezoid", show_default=True, help="AUBC variant.")
@click.option(
    "--strict", is_flag=True, help="Fail (exit 1) if a stored cell is damaged instead of leaving it out."
)
def report(results_dir, out, metric, variant, strict):
    """Write <out>/<experiment>/index.html, report.md, figures/ and tables/ for RESULTS_DIR."""
    _write_report(results_dir, out, metric, variant, strict)


@main.command(name="list")
@click.argument("kind", required=False, type=click.Choice(sorted(REGISTRIES)))
@click.option("--plugin", "plugins", multiple=True, type=click.Path(dir_okay=False))
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Data folder used to tell whether card datasets are available (default: $ALBENCH_DATA, ./data).",
)
def list_(kind, plugins, data_dir):
    """List registered datasets, models, strategies, labelers, metrics or suites."""
    from albench.datasets.cards import availability
    from albench.datasets.datadir import resolve_data_dir, set_data_dir

    try:
        ensure_plugins(tuple(plugins))
    except AlbenchInputError as exc:
        _fail(str(exc))
    set_data_dir(*resolve_data_dir(data_dir))
    kinds = [kind] if kind else sorted(REGISTRIES)
    for k in kinds:
        reg = REGISTRIES[k]
        table = Table(title=f"{k} ({len(reg)})", title_justify="left")
        table.add_column("name", style="bold")
        table.add_column("description")
        extra = {"strategies": "reference", "datasets": "source"}.get(k)
        if extra:
            table.add_column(extra)
        if k == "strategies":
            table.add_column("needs (default parameters)")
        if k == "datasets":
            table.add_column("available")
        for e in reg:
            cols = [e.name, e.description]
            if extra == "reference":
                cols.append(e.reference)
                cols.append(_needs_text(e.obj))
            elif extra == "source":
                cols.append(str(e.meta.get("source", "")))
            if k == "datasets":
                cols.append(availability(e))
            table.add_row(*(escape(c) for c in cols))
        for prefix, (_, description) in sorted(reg.prefixes.items()):
            blanks = [""] * (len(table.columns) - 3)
            table.add_row(escape(f"{prefix}:<id>"), escape(description), escape(prefix), *blanks)
        for name, reason in sorted(reg.unavailable.items()):
            blanks = [""] * (len(table.columns) - 2)
            table.add_row(escape(name), f"[red]unavailable[/]: {escape(reason)}", *blanks)
        if k == "datasets":
            table.caption = escape("data directory: {} ({})".format(*get_data_dir()))
        out_console.print(table)


def _needs_text(strategy_cls) -> str:
    """What a strategy needs from the query model, with its default parameters."""
    try:
        needs = strategy_cls().needs
    except Exception:  # a plugin strategy without defaults: needs depend on its parameters
        return "?"
    return ", ".join(sorted(needs)) or "-"


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
@click.option("--plugin", "plugins", multiple=True, type=click.Path(dir_okay=False))
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Data folder (default: $ALBENCH_DATA, else the one the run recorded).",
)
def verify(results_dir, sample, seed, plugins, data_dir):
    """Re-run a sample of stored cells and compare their rows bit for bit (timings excepted)."""
    from albench.datasets.datadir import resolve_data_dir, set_data_dir
    from albench.grid import expand_grid
    from albench.simulation import TIMING_COLUMNS, run_cell
    from albench.store import ResultStore

    store = ResultStore(results_dir)
    try:
        ensure_plugins(tuple(plugins))
        manifest = store.read_manifest()
        set_data_dir(*resolve_data_dir(data_dir, manifest.get("data_dir")))
        exp = _experiment_from_manifest(manifest, str(store.manifest_path()))
        cells = {c.key: c for c in expand_grid(exp)}
    except AlbenchInputError as exc:
        _fail(str(exc))
    stored = sorted(k for k in store.stored_keys() if k in cells)
    if not stored:
        _fail(f"{results_dir}: no stored cells to verify")
    rng = np.random.default_rng(seed)
    chosen = rng.choice(stored, size=min(sample, len(stored)), replace=False)
    mismatches = 0
    index = store.checksums()
    for key in chosen:
        data = store.read_verified(key, index)
        if data is None:
            mismatches += 1
            out_console.print(
                f"[red]DAMAGED[/] {key}  {escape(cells[key].describe())}: "
                f"{escape(str(store.cell_path(key)))} fails its checksum; `albench run` recomputes it",
                soft_wrap=True,
            )
            continue
        expected = pd.read_parquet(_roundtrip_bytes(data)).drop(columns=list(TIMING_COLUMNS))
        got = run_cell(cells[key]).drop(columns=list(TIMING_COLUMNS))
        got = pd.read_parquet(_roundtrip(got))
        try:
            pd.testing.assert_frame_equal(expected, got, check_exact=True)
            out_console.print(f"[green]identical[/] {key}  {escape(cells[key].describe())}")
        except AssertionError as exc:
            mismatches += 1
            first = str(exc).strip().splitlines()
            out_console.print(
                f"[red]DIFFERENT[/] {key}  {escape(cells[key].describe())}: {escape(' '.join(first[:3]))}"
            )
    out_console.print(f"{len(chosen) - mismatches} of {len(chosen)} re-run cell(s) identical")
    sys.exit(EXIT_OK if mismatches == 0 else EXIT_FAILED)


def _roundtrip_bytes(data: bytes):
    import io

    return io.BytesIO(data)


def _roundtrip(df: pd.DataFrame):
    import io

    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    buf.seek(0)
    return buf


@main.command()
@click.option("--quick", is_flag=True, help="Pool sizes up to 1e5 instead of 1e6.")
@click.option("--sizes", help="Comma-separated pool sizes (overrides --quick), e.g. 1000,10000.")
@click.option("--out", default="reports/bench", show_default=True, type=click.Path(file_okay=False))
def bench(quick, sizes, out):
    """Time the scoring kernels with pytest-benchmark; write a table and scaling plots."""
    from albench.bench.cases import FULL_SIZES, QUICK_SIZES
    from albench.bench.report import (
        load_benchmarks,
        plot_scaling,
        run_suite,
        scaling_exponent,
        write_markdown,
    )

    out_dir = Path(out)
    try:
        chosen = QUICK_SIZES if quick else FULL_SIZES
        if sizes is not None:
            try:
                chosen = tuple(int(v) for v in sizes.split(","))
            except ValueError:
                raise AlbenchInputError(f"--sizes = {sizes!r}: give comma-separated integers >= 10") from None
            if not chosen or min(chosen) < 10:
                raise AlbenchInputError(f"--sizes = {sizes!r}: give comma-separated integers >= 10")
        json_path = run_suite(out_dir, chosen)
    except AlbenchInputError as exc:
        _fail(str(exc))
    except RuntimeError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/]")
        sys.exit(EXIT_FAILED)
    df, meta = load_benchmarks(json_path)
    exponents = scaling_exponent(df)
    plot_scaling(df, out_dir)
    md = write_markdown(df, exponents, meta, out_dir)
    table = Table(title="kernel timings (median per call)")
    for col in ("kernel", "expected", "N", "median", "ns/sample"):
        table.add_column(col, justify="left" if col in ("kernel", "expected") else "right")
    for r in df.itertuples():
        table.add_row(
            escape(r.case), r.complexity, f"{r.n:,}", f"{r.median_s * 1e3:.3f} ms", f"{r.ns_per_sample:.1f}"
        )
    out_console.print(table)
    for case, exp in exponents.items():
        out_console.print(f"scaling exponent {escape(case)}: {exp:.2f}")
    out_console.print(f"report: {escape(str(md))} (+ scaling.png, scaling.svg, benchmark.json)")


if __name__ == "__main__":  # pragma: no cover
    main()
