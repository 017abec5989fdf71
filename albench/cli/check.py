"""``albench check``: compare a results folder with published results."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from albench.cli.common import EXIT_FAILED, EXIT_OK, fail, out_console
from albench.errors import AlbenchInputError

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table


def reference_table(comparison: pd.DataFrame, max_z: float, title: str) -> Table:
    """Ours vs published per dataset x strategy: means (std, n), difference, z, verdict."""
    from rich.table import Table

    show_model = comparison["model"].nunique() > 1 or comparison["labeler"].nunique() > 1
    table = Table(title=escape(title))
    for col in ["dataset", *(["model", "labeler"] if show_model else []), "strategy"]:
        table.add_column(col)
    for col in ("ours mean (std, n)", "published mean (std, n)", "difference", "z", "verdict"):
        table.add_column(col, justify="left" if col == "verdict" else "right")
    for r in comparison.itertuples():
        bad = not abs(r.z) <= max_z or r.verdict == "other settings"
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


def target_table(comparison: pd.DataFrame, title: str) -> Table:
    """Labels to reach each target, ours (bootstrap interval, runs) vs published, and the verdict."""
    from rich.table import Table

    show_model = comparison["model"].nunique() > 1 or comparison["labeler"].nunique() > 1
    table = Table(title=escape(title))
    for col in ["dataset", *(["model", "labeler"] if show_model else []), "strategy", "target"]:
        table.add_column(col)
    for col in ("ours labels (interval, n)", "published", "ratio", "tolerated", "verdict"):
        table.add_column(col, justify="left" if col == "verdict" else "right")
    for r in comparison.itertuples():
        sign = ">=" if r.goal == "at_least" else "<="
        ours = "-" if r.ours_labels != r.ours_labels else f"{r.ours_labels:g}"
        table.add_row(
            escape(r.dataset),
            *([escape(r.model), escape(r.labeler)] if show_model else []),
            escape(r.strategy),
            f"{r.metric} {sign} {r.target:g}",
            f"{ours} ({r.ours_low:g} .. {r.ours_high:g}, {r.ours_n})",
            f"{r.published_labels:g}",
            "-" if r.ratio != r.ratio else f"{r.ratio:.2f}",
            f"{r.allowed_low:.4g} .. {r.allowed_high:.4g}",
            r.verdict if r.verdict == "consistent" else f"[red]{escape(r.verdict)}[/]",
        )
    return table


def _check_target(comparison: pd.DataFrame, ref) -> None:
    """Print a labels-to-target comparison and exit 1 unless every group is consistent."""
    from albench.analysis.reference import beyond

    out_console.print(target_table(comparison, f"{ref.title} ({ref.name})"))
    failing = beyond(comparison, 0.0)
    for r in failing.itertuples():
        out_console.print(f"{escape(r.strategy)}: {escape(r.message)}", soft_wrap=True)
    out_console.print(
        f"{len(comparison)} group(s) x target(s) compared; {len(failing)} outside the tolerance "
        f"(labels / f - s .. labels x f + s, f = {comparison.attrs['tolerance_factor']:g}, "
        f"s = {comparison.attrs['tolerance_labels']:g}; ours from the mean curve over repetitions). "
        f"Source: {escape(str(comparison['source'].iloc[0]))}",
        soft_wrap=True,
    )
    sys.exit(EXIT_FAILED if len(failing) else EXIT_OK)


@click.command()
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
@click.option(
    "--max-factor",
    type=float,
    default=None,
    help="References of labels to reach a target: the tolerance factor f (default: the reference's).",
)
def check(results_dir, reference, max_z, max_factor):
    """Compare RESULTS_DIR with published results; exit 1 if any group has |z| > --max-z.

    z = (ours - published) / sqrt(s1^2/n1 + s2^2/n2), each group's AUBC computed with the
    reference's metric and AUBC variant. A group with fewer than 2 runs fails the check.
    A reference of labels to reach a target (e.g. gal2017-mnist) compares the labels at which
    the mean curve first reaches each target; exit 1 if any is outside the tolerance.
    """
    import numpy as np

    from albench.analysis.reference import beyond, compare_to_reference, load_reference, settings_notes
    from albench.store import load_results

    try:
        if not max_z > 0:
            raise AlbenchInputError(f"--max-z = {max_z!r}: must be a positive number")
        if not Path(results_dir, "manifest.json").is_file():
            raise AlbenchInputError(f"results folder {str(results_dir)!r} not found (no manifest.json in it)")
        ref = load_reference(reference)
        if ref.kind == "labels_to_target":
            from albench.analysis.target_reference import compare_labels_to_target

            comparison = compare_labels_to_target(load_results(results_dir), ref, tolerance_factor=max_factor)
        else:
            comparison = compare_to_reference(load_results(results_dir), ref, max_z)
    except AlbenchInputError as exc:
        fail(str(exc))
        return
    if ref.kind == "labels_to_target":
        _check_target(comparison, ref)
        return
    out_console.print(reference_table(comparison, max_z, f"{ref.title} ({ref.name})"))
    failing = beyond(comparison, max_z)
    for label, note in settings_notes(comparison):
        out_console.print(f"{escape(label)}: other settings: {escape(note)}", soft_wrap=True)
    z = comparison["z"].to_numpy(dtype=float)
    finite = z[np.isfinite(z)]
    mean_z = f"{finite.mean():+.2f}" if finite.size else "-"
    out_console.print(
        f"{len(comparison)} group(s) compared; mean signed z {mean_z}; {len(failing)} beyond |z| > {max_z:g}"
        f" (or too few runs). Source: {escape(str(comparison['source'].iloc[0]))}",
        soft_wrap=True,
    )
    sys.exit(EXIT_FAILED if len(failing) else EXIT_OK)
