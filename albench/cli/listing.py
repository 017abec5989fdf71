"""``albench list``: the registered components, from their metadata."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from albench.cli.common import fail, out_console
from albench.errors import AlbenchInputError
from albench.registry import REGISTRIES


@click.command(name="list")
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

    from rich.table import Table

    from albench.listing import broken_plugin_records, listed_records
    from albench.plugins import load_entry_points, try_plugin_files

    load_entry_points()
    try_plugin_files(tuple(plugins))  # failures land in the "plugins" section
    kinds = [kind] if kind else sorted(REGISTRIES)
    data_dir_text = ""
    if "datasets" in kinds or data_dir is not None:  # the datasets package: only when it is needed
        from albench.datasets.datadir import get_data_dir, resolve_data_dir, set_data_dir

        try:
            set_data_dir(*resolve_data_dir(data_dir))
        except AlbenchInputError as exc:
            fail(str(exc))
        data_dir_text = "{} ({})".format(*get_data_dir())
    fmt = fmt or ("table" if sys.stdout.isatty() else "plain")
    data = {k: listed_records(k) for k in kinds}
    broken = broken_plugin_records()
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


def _oracle(kind: str, r: dict) -> bool:
    from albench.listing import is_oracle_record

    return kind == "strategies" and (bool(r.get("oracle")) or is_oracle_record(r))


def _plain_fields(kind: str, r: dict) -> tuple[str, ...]:
    from albench.listing import ORACLE_MARK

    needs = r.get("needs")
    description = r.get("description", "")
    fields = (
        kind,
        r["name"],
        r["status"],
        "?"
        if needs is None and kind == "strategies" and r["status"] == "available"
        else ",".join(needs or []),
        _params_text(r.get("parameters")),
        r.get("reference", ""),
        f"{ORACLE_MARK} {description}" if _oracle(kind, r) else description,
        r.get("source", ""),
        r.get("available", ""),
    )
    return tuple(str(f).replace("\t", " ").replace("\n", " ") for f in fields)


def _list_table(kind: str, records: list[dict]):
    from rich.table import Table

    from albench.datasets.datadir import get_data_dir
    from albench.listing import ORACLE_MARK

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
        name = escape(r["name"]) + (f" [yellow]{escape(ORACLE_MARK)}[/]" if _oracle(kind, r) else "")
        table.add_row(name, desc, *(escape(str(c)) for c in cols))
    if kind == "datasets":
        table.caption = escape("data directory: {} ({})".format(*get_data_dir()))
    return table
