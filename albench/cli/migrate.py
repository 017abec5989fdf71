"""``albench migrate``: write the checksums of a results folder from before checksums."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from albench.cli.common import EXIT_FAILED, EXIT_OK, experiment_from_manifest, fail, out_console
from albench.errors import AlbenchInputError


@click.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option(
    "--sample",
    default=3,
    show_default=True,
    type=click.IntRange(min=0),
    help="Cells without a checksum to re-run and compare bit for bit before vouching (0: re-read only).",
)
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
    help="Data folder for the re-runs (default: $ALBENCH_DATA, else the one the run recorded).",
)
@click.option(
    "-j", "--jobs", "n_jobs", type=int, default=1, show_default=True, help="Parallel workers for the re-runs."
)
def migrate(results_dir, sample, seed, plugins, data_dir, n_jobs):
    """Vouch for the cells of RESULTS_DIR stored before checksums existed, and write their checksums.

    Every cell file without a checksum is re-read (a complete Parquet file of this result
    format, holding its own cell's rows, no round missing) and a sample of them is re-run and
    compared bit for bit. Only when all pass are their checksums appended to checksums.tsv;
    otherwise the folder is left as it was and the reason is printed (exit 1 for a file that
    fails, 2 for a folder that is not a results folder or is in use).
    """
    import numpy as np

    from albench.lock import ResultsLock
    from albench.migrate import plan_migration, write_checksums
    from albench.store import ResultStore

    store = ResultStore(results_dir)
    try:
        manifest = store.read_manifest()
        lock = ResultsLock(store.root)
        lock.acquire()
    except AlbenchInputError as exc:
        fail(str(exc))
        return
    try:
        plan = plan_migration(store, manifest)
        out_console.print(
            f"experiment {escape(str(manifest['experiment']))}: {len(plan.checked)} stored file(s) already "
            f"checksummed, {len(plan.unchecked) + len(plan.problems)} without a checksum"
        )
        if plan.problems:
            for key, why in plan.problems.items():
                out_console.print(
                    f"  [red]cannot vouch[/] {escape(str(store.cell_path(key)))}: {escape(why)}",
                    soft_wrap=True,
                )
            out_console.print(
                f"[red]refused[/]: {len(plan.problems)} file(s) cannot be vouched for; nothing was written "
                "(delete them and `albench run` recomputes them, then migrate again)",
                soft_wrap=True,
            )
            sys.exit(EXIT_FAILED)
        if not plan.unchecked:
            out_console.print("nothing to migrate: every stored file has its checksum")
            sys.exit(EXIT_OK)
        cells_only = [k for k in plan.unchecked if not k.startswith("ceiling-")]
        chosen: list[str] = []
        if sample and cells_only:
            rng = np.random.default_rng(seed)
            chosen = [
                str(k) for k in rng.choice(cells_only, size=min(sample, len(cells_only)), replace=False)
            ]
        if chosen and not _rerun_identical(store, manifest, chosen, plugins, data_dir, n_jobs):
            out_console.print(
                "[red]refused[/]: a re-run cell differs from its stored rows, so the folder cannot be "
                "vouched for; nothing was written (re-run it into a fresh --out)",
                soft_wrap=True,
            )
            sys.exit(EXIT_FAILED)
        write_checksums(store, plan.unchecked)
    except OSError as exc:
        from albench.cli.common import fail_os

        fail_os(exc, "RESULTS_DIR")
        return
    finally:
        lock.release()
    out_console.print(
        f"wrote the checksums of {len(plan.unchecked)} file(s) "
        f"({len(chosen)} re-run and identical, all re-read whole) to {escape(str(store.index_path))}",
        soft_wrap=True,
    )
    sys.exit(EXIT_OK)


def _rerun_identical(store, manifest, chosen, plugins, data_dir, n_jobs) -> bool:
    """Re-run the ``chosen`` cells and print a verdict per cell; whether all are identical."""
    from albench.datasets.datadir import resolve_data_dir, set_data_dir
    from albench.grid import expand_grid
    from albench.plugins import load_recorded
    from albench.runner import resolve_n_jobs
    from albench.verification import verify_cells

    try:
        n_jobs = resolve_n_jobs(n_jobs)
        plugin_files = load_recorded(manifest, tuple(plugins))
        data_path, how = resolve_data_dir(data_dir, manifest.get("data_dir"))
        set_data_dir(data_path, how)
        exp = experiment_from_manifest(manifest, str(store.manifest_path()))
        cells = {c.key: c for c in expand_grid(exp)}
    except AlbenchInputError as exc:
        fail(str(exc))
        return False
    missing = [k for k in chosen if k not in cells]
    if missing:
        fail(
            f"cannot migrate: cell {missing[0]} is in the manifest but not in the grid its config expands to"
        )
    verdicts = verify_cells(
        [cells[k] for k in chosen],
        [str(store.cell_path(k)) for k in chosen],
        plugin_files,
        str(data_path),
        n_jobs,
    )
    same = True
    for v in verdicts:
        if v.identical:
            out_console.print(f"[green]identical[/] {v.key}  {escape(v.description)}")
        else:
            same = False
            out_console.print(f"[red]DIFFERENT[/] {v.key}  {escape(v.description)}: {escape(v.detail)}")
    return same
