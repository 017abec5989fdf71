"""``albench report``: the HTML and Markdown report of a results folder."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from albench.cli.common import EXIT_FAILED, err_console, fail, fail_os, manifest_config, out_console
from albench.errors import AlbenchInputError


def write_report(
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
    import warnings

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
        fail(str(exc))
        return
    except OSError as exc:
        fail_os(exc)
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


@click.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option(
    "--out", default="reports", show_default=True, type=click.Path(file_okay=False), help="Parent folder."
)
@click.option("--metric", default=None, help="Metric of the report (default: accuracy).")
@click.option(
    "--aubc-variant",
    "variant",
    default=None,
    help="AUBC variant [default: the config's [report] aubc_variant, else trapezoid].",
)
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
    if variant is None:
        from albench.analysis.aubc import configured_variant

        variant = configured_variant(manifest_config(results_dir))
    write_report(results_dir, out, metric, variant, x_axis, reference, strict, costs)
