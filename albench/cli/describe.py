"""``albench describe``: what a dataset holds (rows, features, classes, modality, checksum)."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import Any

import click
from rich.markup import escape

from albench.cli.common import fail, out_console
from albench.errors import AlbenchInputError


@click.command()
@click.argument("name")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Folder of data files (beats $ALBENCH_DATA, then ./data).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def describe(name, data_dir, fmt):
    """Describe dataset NAME: rows, feature shape, classes with counts, modality, groups, checksum."""
    from albench.datasets.datadir import resolve_data_dir, set_data_dir

    try:
        from albench.datasets.describe import describe_dataset
    except ImportError:  # pragma: no cover - the function ships with the datasets package
        fail("albench describe needs albench.datasets.describe (not in this albench version)")
        return
    try:
        path, how = resolve_data_dir(data_dir)
        set_data_dir(path, how)
        info = describe_dataset(name, data_dir if data_dir is None else str(path))
    except AlbenchInputError as exc:
        fail(str(exc))
        return
    record = _as_dict(info)
    if fmt == "json":
        click.echo(json.dumps(record, indent=2, sort_keys=True, default=str))
        return
    _print_table(name, record)


def _as_dict(info: Any) -> dict:
    if is_dataclass(info) and not isinstance(info, type):
        return asdict(info)
    if hasattr(info, "to_dict"):
        return dict(info.to_dict())
    return dict(info)


def _print_table(name: str, record: dict) -> None:
    from rich.table import Table

    table = Table(title=f"dataset {escape(name)}", title_justify="left", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    classes = None
    for key, value in record.items():
        if key == "classes" and isinstance(value, (dict, list)) and value:
            classes = value
            table.add_row(key, str(len(value)))
            continue
        table.add_row(escape(str(key)), escape(_text(value)))
    out_console.print(table)
    if classes is not None:
        counts = Table(title="classes", title_justify="left")
        counts.add_column("class")
        counts.add_column("rows", justify="right")
        items = classes.items() if isinstance(classes, dict) else _class_items(classes)
        for label, count in items:
            counts.add_row(escape(str(label)), escape(str(count)))
        out_console.print(counts)


def _class_items(classes: list) -> list[tuple[Any, Any]]:
    out = []
    for c in classes:
        if isinstance(c, dict):
            label = c.get("label", c.get("name", c.get("class", "?")))
            out.append((label, c.get("count", c.get("rows", ""))))
        elif isinstance(c, (list, tuple)) and len(c) == 2:
            out.append((c[0], c[1]))
        else:
            out.append((c, ""))
    return out


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)) and all(isinstance(v, int) for v in value):
        return " x ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    return str(value)
