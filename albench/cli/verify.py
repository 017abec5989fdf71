"""``albench verify``: re-run a sample of stored cells and compare them bit for bit."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from albench.cli.common import EXIT_FAILED, EXIT_OK, experiment_from_manifest, fail, out_console
from albench.errors import AlbenchInputError


@click.command()
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
    import numpy as np

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
        exp = experiment_from_manifest(manifest, str(store.manifest_path()))
        cells = {c.key: c for c in expand_grid(exp)}
    except AlbenchInputError as exc:
        fail(str(exc))
        return
    stored = sorted(k for k in store.stored_keys() if k in cells)
    if not stored:
        fail(f"{results_dir}: no stored cells to verify")
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
