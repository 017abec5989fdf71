"""``albench check-plugin``: the conformance kit on the components a plugin file registers."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from albench.cli.common import EXIT_FAILED, EXIT_OK, fail, out_console
from albench.errors import AlbenchInputError


@click.command(name="check-plugin")
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
        fail(str(exc))
        return
    n_failed = 0
    for file in files:
        origin = {"sha256": file_sha256(file)}
        found = {
            kind: [e for e in reg if e.origin == origin]
            for kind, reg in (("strategy", STRATEGIES), ("model", MODELS), ("dataset", DATASETS))
        }
        if not any(found.values()):
            fail(f"{file}: registers no strategy, model or dataset (use albench.register_strategy etc.)")
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
