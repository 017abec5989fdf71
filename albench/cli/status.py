"""``albench status``: cells done / failed / missing / damaged of a results folder."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from albench.cli.common import EXIT_FAILED, EXIT_OK, fail, out_console
from albench.errors import AlbenchInputError


@click.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
def status(results_dir):
    """Cells done / failed / missing of a results folder."""
    from albench.store import ResultStore

    store = ResultStore(results_dir)
    try:
        manifest = store.read_manifest()
    except AlbenchInputError as exc:
        fail(str(exc))
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
