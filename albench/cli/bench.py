"""``albench bench``: time the kernels, the strategies and the loop."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from albench.cli.common import EXIT_FAILED, csv_list, err_console, fail, out_console
from albench.errors import AlbenchInputError


@click.command()
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
    from rich.table import Table

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
            names = csv_list(protocol_sets)
            protocol_cells = make_protocol_cells(names, protocol_reps)
            for cell in protocol_cells[:: max(1, protocol_reps)]:
                from albench.grid import load_dataset

                load_dataset(cell.dataset)  # missing data fails now
        json_path = run_suite(out_dir, chosen, max_time=max_time, select=select)
    except AlbenchInputError as exc:
        fail(str(exc))
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
            extra[key] = protocol_comparison(csv_list(protocol_sets), protocol_reps, standardize)
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
