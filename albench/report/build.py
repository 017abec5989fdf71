"""Build a report: read a results folder, run the analysis, draw the figures, fill the tables.

:func:`build_report` is what ``albench report`` and ``albench run --report`` call. It reads
only what the store wrote (cells, manifest, failures, the full-data ceiling) and writes
``<out>/<experiment>/``: ``index.html`` (self-contained), ``report.md``, ``figures/`` (PNG
and SVG) and ``tables/`` (CSV and LaTeX).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from albench.analysis.aubc import AUBC_VARIANTS
from albench.analysis.common import PROBLEM_COLUMNS, available_metrics, check_metric, higher_is_better
from albench.analysis.cost import check_x_axis, on_cost_axis
from albench.analysis.curves import mean_curves
from albench.analysis.reference import Reference, compare_to_reference, load_reference, settings_notes
from albench.analysis.stats import (
    FriedmanResult,
    block_ranks,
    friedman_nemenyi,
    min_wilcoxon_p,
    nemenyi_pvalues,
    paired_comparisons,
    problem_table,
    win_tie_loss,
)
from albench.analysis.stopping import CostModel
from albench.analysis.summary import aggregate, cell_summary
from albench.errors import AlbenchInputError
from albench.report import plots
from albench.report.data import FailedCell, FigureItem, ReportData
from albench.report.tables import ReportTable, TCell, fmt, fmt_p, num, txt, write_table_files
from albench.store import ResultStore, atomic_write_bytes, load_ceiling, load_results

REFERENCE = "random"
#: appended to the name of an oracle strategy (one that reads ground truth) wherever the report shows it
ORACLE_MARK = " (oracle)"


def oracle_strategies(manifest: dict) -> set[str]:
    """Labels of the strategies the run recorded as oracles (``"oracle": true`` in the cell index)."""
    return {str(v.get("strategy")) for v in manifest.get("cell_index", {}).values() if v.get("oracle")}


def mark_oracles(df: pd.DataFrame | None, oracles: set[str]) -> pd.DataFrame | None:
    """``df`` with :data:`ORACLE_MARK` appended to the oracle strategies' names (column ``strategy``)."""
    if df is None or df.empty or not oracles or "strategy" not in df.columns:
        return df
    df = df.copy()
    df["strategy"] = [f"{s}{ORACLE_MARK}" if s in oracles else s for s in df["strategy"].astype(str)]
    return df


def slug(name: object) -> str:
    """A file-name-safe version of a user-provided name."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._")
    return s[:60] or "x"


def _order(seen: list[str], present: set[str]) -> list[str]:
    out = []
    for s in seen:
        if s in present and s not in out:
            out.append(s)
    return out + sorted(present - set(out))


def _status(store: ResultStore, manifest: dict) -> tuple[list[str], list[FailedCell], list[str]]:
    cells = store.classify(manifest)
    records = {r.get("key"): r for r in store.read_failures()}
    failed = []
    for k in cells.failed:
        r = records.get(k, {})
        tb = str(r.get("traceback", ""))
        lines = [ln for ln in tb.strip().splitlines() if ln.strip()]
        failed.append(
            FailedCell(
                k,
                str(r.get("cell", k)),
                lines[-1] if lines else "(no traceback)",
                tb,
                str(r.get("time", "")),
            )
        )
    return cells.done, failed, cells.missing


def _ceiling(results_dir: Path) -> pd.DataFrame | None:
    c = load_ceiling(results_dir)
    return None if c is None or c.empty else c


def build_report(
    results_dir: str | Path,
    out: str | Path = "reports",
    metric: str | None = None,
    aubc_variant: str = "trapezoid",
    target_fraction: float = 0.95,
    alpha: float = 0.05,
    n_boot: int = 1000,
    random_state: int = 0,
    figure_formats: tuple[str, ...] = ("png", "svg"),
    x_axis: str = "labels",
    stopping_costs: CostModel | None = None,
    reference: str | Path | None = None,
    max_z: float = 3.5,
) -> ReportData:
    """Write the report of a results folder.

    Parameters
    ----------
    results_dir : path
        ``results/<experiment>`` as ``albench run`` wrote it.
    out : path
        Parent folder; the report goes to ``<out>/<experiment>/``.
    metric : str, optional
        Metric of every figure and table; ``accuracy`` when recorded, else the first metric.
    aubc_variant : str
        AUBC variant (:data:`albench.analysis.aubc.AUBC_VARIANTS`).
    target_fraction : float
        Fraction of the full-data ceiling for "labels to target".
    alpha : float
        Significance level of the Holm-adjusted Wilcoxon tests and the Nemenyi CD.
    n_boot, random_state : int
        Bootstrap resamples and seed of the confidence intervals.
    figure_formats : tuple of str
        Files written per figure besides the inline PNG: ``"png"`` and/or ``"svg"``.
    x_axis : {"labels", "cost"}
        Budget axis of the curves, AUBC and "labels to target": labels, or the cost spent
        (:func:`albench.analysis.cost.on_cost_axis`).
    stopping_costs : CostModel, optional
        Label and misclassification costs of the stopping section's cost-based score.
    reference : str or path, optional
        Published results (a reference file or a shipped name,
        :func:`albench.analysis.reference.load_reference`): adds a section of ours vs published
        per dataset x strategy, with the difference, z and a verdict at ``max_z``.
    max_z : float
        Threshold of that verdict.

    Returns
    -------
    ReportData
        What was computed; ``out_dir`` is where the files are.

    Raises
    ------
    AlbenchInputError
        Missing or non-results folder, unknown metric (naming the available ones), unknown
        AUBC variant.
    """
    from albench.report.html import render_html
    from albench.report.markdown import render_markdown

    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise AlbenchInputError(f"results folder {str(results_dir)!r} not found")
    store = ResultStore(results_dir)
    manifest = store.read_manifest()
    if aubc_variant not in AUBC_VARIANTS:
        raise AlbenchInputError(
            f"--aubc-variant = {aubc_variant!r}: unknown; known: {', '.join(sorted(AUBC_VARIANTS))}"
        )
    if not 0 < target_fraction <= 1:
        raise AlbenchInputError(f"target fraction = {target_fraction!r}: must be in (0, 1]")
    ref = load_reference(reference) if reference is not None else None
    df = load_results(results_dir)
    comparison = compare_to_reference(df, ref, max_z) if ref is not None else None
    # oracle strategies read ground truth: every table, figure and legend shows them marked
    oracles = oracle_strategies(manifest)
    df = mark_oracles(df, oracles)
    comparison = mark_oracles(comparison, oracles)
    avail = available_metrics(df, manifest)
    if metric is None:
        metric = "accuracy" if "accuracy" in avail else (avail[0] if avail else "accuracy")
    check_metric(df, metric, manifest)
    check_x_axis(x_axis)
    if x_axis == "cost" and not df.empty:
        df = on_cost_axis(df)
    done, failed, missing = _status(store, manifest)
    experiment = str(manifest.get("experiment", results_dir.name))
    out_dir = Path(out) / slug(experiment)
    index = manifest.get("cell_index", {})
    seen_strategies = [
        f"{v.get('strategy')}{ORACLE_MARK}" if v.get("oracle") else v.get("strategy") for v in index.values()
    ]
    seen_datasets = [v.get("dataset") for v in index.values()]
    strategies = _order(seen_strategies, set(df["strategy"]) if not df.empty else set(seen_strategies))
    datasets = _order(seen_datasets, set(df["dataset"]) if not df.empty else set())
    data = ReportData(
        experiment=experiment,
        results_dir=results_dir,
        out_dir=out_dir,
        metric=metric,
        variant=aubc_variant,
        target_fraction=target_fraction,
        alpha=alpha,
        manifest=manifest,
        n_cells=len(manifest.get("cells", [])),
        done=done,
        failed=failed,
        missing=missing,
        strategies=strategies,
        datasets=datasets,
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        metrics_available=avail,
    )
    fig_dir, tab_dir = out_dir / "figures", out_dir / "tables"
    for d, patterns in ((fig_dir, ("*.png", "*.svg")), (tab_dir, ("*.csv", "*.tex"))):
        for pattern in patterns:  # stale files of an earlier report (e.g. a dataset since removed)
            for p in d.glob(pattern) if d.is_dir() else []:
                p.unlink()
    if oracles:
        data.notes.append(
            f"Strategies marked{ORACLE_MARK} read ground truth no active learner has (the true labels of "
            f"the pool, and maybe the test set): upper references, not active learning strategies "
            f"({', '.join(sorted(oracles))})."
        )
    if x_axis == "cost":
        data.notes.append(
            "Budget axis: cost spent (cost_spent), not labels: learning curves, AUBC and 'labels to target' "
            "are against cumulative cost; round 0 is at cost 0."
        )
    if not df.empty:
        _analyse(data, df, _ceiling(results_dir), n_boot, random_state, fig_dir, figure_formats)
        _add_sections(data, df, fig_dir, figure_formats, stopping_costs)
    else:
        data.notes.append("No cell of this experiment is stored yet: nothing to plot or compare.")
    if comparison is not None:
        make_table = _target_table if ref.kind == "labels_to_target" else _reference_table
        data.reference = make_table(comparison, ref, max_z)
    section_tables = [t for sec in data.sections for t in sec.tables]
    for t in [*data.tables, *section_tables, *([data.reference] if data.reference is not None else [])]:
        write_table_files(t, tab_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write(out_dir / "index.html", render_html(data))
    _write(out_dir / "report.md", render_markdown(data))
    return data


def _add_sections(
    data: ReportData, df: pd.DataFrame, fig_dir: Path, formats: tuple[str, ...], costs: CostModel | None
) -> None:
    """The stopping-criteria and query-insight sections (:mod:`albench.report.sections`)."""
    from albench.insight_data import results_pools
    from albench.report.sections import insight_section, stopping_section

    configured = bool(((data.manifest.get("config") or {}).get("protocol") or {}).get("stopping"))
    data.sections.append(stopping_section(df, data.metric, data.alpha, fig_dir, formats, costs, configured))
    pools, problems = results_pools(data.manifest, df)
    styles = plots.strategy_styles(data.strategies, REFERENCE)
    data.sections.append(
        insight_section(df, pools, problems, data.strategies, styles, data.alpha, fig_dir, formats)
    )
    from albench.report.gallery import gallery_section

    gallery = gallery_section(data.manifest, df, data.strategies, data.out_dir)
    if gallery is not None:
        data.sections.append(gallery)


def _write(path: Path, content: str) -> None:
    """Atomically write a text file, readable like any other file the user creates."""
    atomic_write_bytes(path, content.encode("utf-8"))
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


def _analyse(
    data: ReportData,
    df: pd.DataFrame,
    ceiling: pd.DataFrame | None,
    n_boot: int,
    seed: int,
    fig_dir: Path,
    formats: tuple[str, ...],
) -> None:
    metric, variant, strategies = data.metric, data.variant, data.strategies
    higher = higher_is_better(metric)
    styles = plots.strategy_styles(strategies, REFERENCE)
    reference = REFERENCE if REFERENCE in strategies else None
    cells = cell_summary(df, metric, variant, ceiling, data.target_fraction, reference or REFERENCE)
    agg = aggregate(cells, n_boot=n_boot, random_state=seed)
    curves = mean_curves(df, metric, n_boot=n_boot, random_state=seed)
    data.has_ceiling = ceiling is not None and metric in ceiling.columns
    ceil_mean = None
    if data.has_ceiling:
        ceil_mean = ceiling.groupby(["dataset", "model"])[metric].agg(["mean", "std", "count"]).reset_index()
        ceil_mean = ceil_mean.rename(columns={"mean": "ceiling"})
    else:
        data.notes.append(
            "No full-data ceiling is stored with these results: no ceiling line on the learning curves "
            "and no 'labels to target'."
        )
    if reference is None:
        data.notes.append(f"No strategy named {REFERENCE!r}: comparisons with random sampling are left out.")

    # ------------------------------------------------------------------ statistics
    comps = []
    if reference is not None:
        comps.append(paired_comparisons(cells, "aubc", metric, reference, data.alpha))
    comps.append(paired_comparisons(cells, "aubc", metric, "best", data.alpha))
    non_empty = [c for c in comps if not c.empty]
    # one strategy alone (or nothing paired) leaves no comparison at all, not an error
    comparisons = pd.concat(non_empty, ignore_index=True) if non_empty else pd.DataFrame()
    wtl = win_tie_loss(comparisons, metric) if not comparisons.empty else pd.DataFrame()
    ptable = problem_table(cells).dropna(axis=0, how="all")
    fr = friedman_nemenyi(ptable, higher, data.alpha) if ptable.shape[1] >= 2 and len(ptable) else None
    data.friedman = fr
    reps = int(cells.groupby([*PROBLEM_COLUMNS, "strategy"]).size().max())
    if reps < 6:
        data.notes.append(
            f"With {reps} repetition(s) the smallest two-sided Wilcoxon p-value is "
            f"{min_wilcoxon_p(reps):.3g}; no paired difference can be significant at alpha = {data.alpha} "
            "(every outcome is a tie). Run more repetitions (6 or more) for paired tests."
        )

    # --------------------------------------------------------------------- figures
    def add(fig, name: str, title: str, caption: str) -> None:
        saved = plots.save_figure(fig, fig_dir, name, formats=formats)
        data.figures.append(
            FigureItem(name, title, caption, saved.get("png"), saved.get("svg"), saved["png_bytes"])
        )

    for i, dset in enumerate(data.datasets):
        add(
            plots.plot_learning_curves(curves, dset, strategies, styles, metric, ceil_mean),
            f"learning_curves_{i:02d}_{slug(dset)}",
            f"Learning curves: {dset}",
            f"Mean {plots.metric_label(metric)} over repetitions against the number of labels, with a 95% "
            "percentile-bootstrap band"
            + (" and the full-data ceiling as a black line." if data.has_ceiling else "."),
        )
    add(
        plots.plot_aubc_heatmap(agg, strategies, styles, metric, variant),
        "aubc_heatmap",
        "AUBC heatmap",
        f"Mean AUBC ({variant}) of every problem and strategy. Colour: AUBC minus the row's mean, "
        "red = better than the row's average.",
    )
    if fr is not None and fr.n_blocks >= 1:
        add(
            plots.plot_cd_diagram(fr, styles),
            "critical_difference",
            "Critical-difference diagram",
            f"Mean rank of each strategy's mean AUBC over {fr.n_blocks} problem(s) (1 = best). Strategies "
            f"joined by a bar do not differ significantly (Nemenyi, alpha = {data.alpha}).",
        )
    br = block_ranks(cells, "aubc", metric)
    if not br.empty:
        order = list(fr.mean_ranks.index) if fr is not None else strategies
        add(
            plots.plot_rank_distribution(br, order, styles),
            "rank_distribution",
            "Rank distributions",
            "Rank of each strategy's AUBC within every (problem, repetition); boxes span the quartiles, "
            "the diamond is the mean rank.",
        )
    if "query_seconds" in df.columns and plots.query_time_rows(df)["query_seconds"].gt(0).any():
        add(
            plots.plot_query_time(df, strategies, styles),
            "query_time",
            "Query time",
            "Wall-clock seconds the strategy took to choose each batch (log scale): median by round, and "
            "the distribution over every round that queried.",
        )

    # ---------------------------------------------------------------------- tables
    data.tables.append(_ranking_table(data, agg, wtl, fr, reference))
    data.tables.append(_aubc_wide_table(agg, strategies, metric, variant))
    data.tables.append(_summary_table(data, agg, reference))
    if not comparisons.empty:
        data.tables.append(_comparison_table(comparisons, data.alpha))
    if fr is not None:
        data.tables.append(_friedman_table(fr))
        if fr.n_blocks >= 1 and fr.n_strategies >= 2:
            data.tables.append(_nemenyi_table(fr))
    if ceil_mean is not None:
        data.tables.append(_ceiling_table(ceil_mean, ceiling, metric))


def _problem_cells(rec: dict) -> list[TCell]:
    return [txt(rec["dataset"]), txt(rec["model"]), txt(rec["labeler"])]


def _ranking_table(data, agg, wtl, fr, reference) -> ReportTable:
    strategies = list(fr.mean_ranks.index) if fr is not None else data.strategies
    strategies += [s for s in data.strategies if s not in strategies]
    mean_aubc = agg.groupby("strategy")["aubc"].mean()
    mean_gain = agg.groupby("strategy")["gain_vs_random"].mean()
    w = wtl.set_index(["reference", "strategy"]) if not wtl.empty else pd.DataFrame()
    rows, raw = [], []
    for s in strategies:
        rank = float(fr.mean_ranks.get(s, np.nan)) if fr is not None else np.nan

        def counts(ref: str, s=s) -> tuple[int, int, int, int, int] | None:
            if w.empty or (ref, s) not in w.index:
                return None
            r = w.loc[(ref, s)]
            return int(r["win"]), int(r["tie"]), int(r["loss"]), int(r["better_on_mean"]), int(r["problems"])

        vr, vb = counts("random") if reference else None, counts("best")
        rows.append(
            [
                txt(s),
                num(rank, 2),
                num(mean_aubc.get(s, np.nan), 4),
                num(mean_gain.get(s, np.nan), 4),
                TCell("/".join(map(str, vr[:3])) if vr else "-", vr[0] - vr[2] if vr else None),
                TCell(f"{vr[3]} of {vr[4]}" if vr else "-", vr[3] if vr else None),
                TCell("/".join(map(str, vb[:3])) if vb else "-", vb[0] - vb[2] if vb else None),
            ]
        )
        raw.append(
            {
                "strategy": s,
                "mean_rank": rank,
                "mean_aubc": mean_aubc.get(s, np.nan),
                "mean_gain_vs_random": mean_gain.get(s, np.nan),
                **{f"vs_random_{k}": (vr[i] if vr else np.nan) for i, k in enumerate(("win", "tie", "loss"))},
                "vs_random_better_on_mean": vr[3] if vr else np.nan,
                **{f"vs_best_{k}": (vb[i] if vb else np.nan) for i, k in enumerate(("win", "tie", "loss"))},
                "problems": vr[4] if vr else (vb[4] if vb else np.nan),
            }
        )
    return ReportTable(
        "ranking",
        "Overall ranking",
        "Mean rank of each strategy's mean AUBC over the problems (dataset x model x labeler; 1 = best; the "
        "Friedman blocks), the mean AUBC and mean gain over random across problems, and the win/tie/loss "
        "counts of the paired Wilcoxon tests (Holm-adjusted) against random and against the best strategy of "
        "each problem. 'better on mean' counts problems where the mean AUBC beats random, significant "
        "or not.",
        [
            "strategy",
            "mean rank",
            "mean AUBC",
            "gain vs random",
            "W/T/L vs random",
            "better on mean",
            "W/T/L vs best",
        ],
        rows,
        pd.DataFrame(raw),
        numeric={1, 2, 3, 4, 5, 6},
    )


def _aubc_wide_table(agg: pd.DataFrame, strategies: list[str], metric: str, variant: str) -> ReportTable:
    sign = 1.0 if higher_is_better(metric) else -1.0
    wide = agg.pivot_table(index=PROBLEM_COLUMNS, columns="strategy", values="aubc", aggfunc="mean")
    cols = [s for s in strategies if s in wide.columns]
    wide = wide.reindex(columns=cols)
    rows = []
    for idx, r in wide.iterrows():
        vals = r.to_numpy(dtype=np.float64)
        best = np.nanmax(vals * sign) if np.isfinite(vals).any() else np.nan
        rows.append(
            [txt(idx[0]), txt(idx[1]), txt(idx[2])]
            + [num(v, 3, bold=bool(np.isfinite(v) and np.isclose(v * sign, best))) for v in vals]
        )
    return ReportTable(
        "aubc_mean",
        f"Mean AUBC ({variant})",
        f"Mean over repetitions of the AUBC of {plots.metric_label(metric)} (variant {variant!r}) per "
        "problem and strategy; the best of each row in bold. Bootstrap intervals are in the next table "
        "and the CSV.",
        ["dataset", "model", "labeler", *cols],
        rows,
        wide.reset_index(),
        numeric=set(range(3, 3 + len(cols))),
    )


def _summary_table(data: ReportData, agg: pd.DataFrame, reference) -> ReportTable:
    rows = []
    for rec in agg.to_dict("records"):
        reached = f"{fmt(rec['labels_to_target'], 1)} ({rec['reached']}/{rec['reps']})"
        rows.append(
            [
                *_problem_cells(rec),
                txt(rec["strategy"]),
                num(rec["reps"], 0),
                num(rec["aubc"], 4),
                TCell(f"[{fmt(rec['aubc_low'], 4)}, {fmt(rec['aubc_high'], 4)}]", rec["aubc_low"]),
                num(rec["final"], 4),
                TCell(reached if data.has_ceiling else "-", rec["labels_to_target"]),
                num(rec["gain_vs_random"], 4),
                num(rec["deficiency"], 3),
            ]
        )
    raw = agg.rename(columns={"aubc_low": "aubc_ci_low", "aubc_high": "aubc_ci_high"})
    return ReportTable(
        "summary",
        "Per problem and strategy",
        f"Means over repetitions: AUBC with its 95% percentile-bootstrap interval, the final {data.metric}, "
        f"the labels needed to reach {data.target_fraction:g} x the full-data ceiling (mean over the "
        "repetitions that reached it; reached/total), the gain over random (AUBC minus random's AUBC on "
        "the same repetition: the normalised area between the curves; positive = better) and the deficiency "
        "(Baram et al. 2004; below 1 = better than random).",
        [
            "dataset",
            "model",
            "labeler",
            "strategy",
            "reps",
            "AUBC",
            "95% CI",
            "final",
            "labels to target",
            "gain vs random",
            "deficiency",
        ],
        rows,
        raw,
        numeric={4, 5, 6, 7, 8, 9, 10},
    )


def _comparison_table(comparisons: pd.DataFrame, alpha: float) -> ReportTable:
    rows = []
    for rec in comparisons.to_dict("records"):
        ref = (
            rec["reference_strategy"] if rec["reference"] != "best" else f"best ({rec['reference_strategy']})"
        )
        rows.append(
            [
                *_problem_cells(rec),
                txt(rec["strategy"]),
                txt(ref),
                num(rec["n"], 0),
                num(rec["mean_diff"], 4),
                TCell(fmt_p(rec["p_value"]), rec["p_value"]),
                TCell(fmt_p(rec["p_holm"]), rec["p_holm"]),
                txt(rec["outcome"], bold=rec["outcome"] != "tie"),
            ]
        )
    return ReportTable(
        "paired_tests",
        "Paired comparisons (Wilcoxon signed-rank, Holm)",
        "Each strategy against random and against the best strategy of the problem, paired by repetition "
        "(common random numbers). mean diff = strategy's AUBC minus the reference's. p: two-sided Wilcoxon "
        f"signed-rank; Holm-adjusted within each problem and reference. win/loss: adjusted p < {alpha} and "
        "better/worse on mean; otherwise tie.",
        [
            "dataset",
            "model",
            "labeler",
            "strategy",
            "reference",
            "n",
            "mean diff",
            "p",
            "p (Holm)",
            "outcome",
        ],
        rows,
        comparisons,
        numeric={5, 6, 7, 8},
    )


def _reference_notes(comparison: pd.DataFrame, ref: Reference) -> str:
    """Caption sentences: groups run with other settings, published columns not in the results."""
    notes = [f" {label}: other settings, {note}." for label, note in settings_notes(comparison)]
    columns = dict(zip(ref.table["published_strategy"], ref.table["strategy"], strict=True))
    absent = [published for published, label in columns.items() if label not in set(comparison["strategy"])]
    if absent:
        notes.append(f" Published columns not in these results: {', '.join(absent)}.")
    return "".join(notes)


def _reference_table(comparison: pd.DataFrame, ref: Reference, max_z: float) -> ReportTable:
    rows = [
        [
            *_problem_cells(rec),
            txt(rec["strategy"]),
            num(rec["ours_mean"], 4),
            num(rec["ours_std"], 4),
            num(rec["ours_n"], 0),
            num(rec["published_mean"], 4),
            num(rec["published_std"], 4),
            num(rec["published_n"], 0),
            num(rec["difference"], 4),
            num(rec["z"], 2),
            txt(rec["verdict"], bold=rec["verdict"] != "consistent"),
        ]
        for rec in comparison.to_dict("records")
    ]
    sources = "; ".join(sorted(set(comparison["source"])))
    variants = ", ".join(sorted(set(comparison["metric"] + " / " + comparison["aubc_variant"])))
    return ReportTable(
        "reference",
        f"Published reference: {ref.title}",
        f"Mean AUBC ({variants}, as the reference states) per dataset x strategy, ours vs published "
        f"({ref.name}). z = (ours - published) / sqrt(s1^2/n1 + s2^2/n2); consistent when |z| <= {max_z:g}. "
        f"Source: {sources}.{_reference_notes(comparison, ref)}",
        [
            "dataset",
            "model",
            "labeler",
            "strategy",
            "ours",
            "ours std",
            "ours n",
            "published",
            "published std",
            "published n",
            "difference",
            "z",
            "verdict",
        ],
        rows,
        comparison,
        numeric=set(range(4, 12)),
    )


def _target_table(comparison: pd.DataFrame, ref: Reference, max_z: float) -> ReportTable:
    """Labels to reach each published target, ours vs published (a ``labels_to_target`` reference)."""
    rows = [
        [
            *_problem_cells(rec),
            txt(rec["strategy"]),
            txt(f"{rec['metric']} {'>=' if rec['goal'] == 'at_least' else '<='} {rec['target']:g}"),
            num(rec["ours_labels"], 0),
            num(rec["ours_low"], 0),
            num(rec["ours_high"], 0),
            num(rec["ours_n"], 0),
            num(rec["published_labels"], 0),
            num(rec["ratio"], 2),
            txt(f"{rec['allowed_low']:.4g} .. {rec['allowed_high']:.4g}"),
            txt(rec["verdict"], bold=rec["verdict"] != "consistent"),
            txt(rec["message"]),
        ]
        for rec in comparison.to_dict("records")
    ]
    sources = "; ".join(sorted(set(comparison["source"])))
    f, s = comparison.attrs.get("tolerance_factor"), comparison.attrs.get("tolerance_labels")
    return ReportTable(
        "reference",
        f"Published reference: {ref.title}",
        f"Labels ({', '.join(sorted(set(comparison['count'])))}) at which the mean learning curve over "
        f"repetitions first reaches each target, ours vs published ({ref.name}); interval: percentile "
        f"bootstrap over repetitions (inf: the resampled mean curve does not reach it). Consistent when "
        f"published / {f:g} - {s:g} <= ours <= published x {f:g} + {s:g}. Source: {sources}.",
        [
            "dataset",
            "model",
            "labeler",
            "strategy",
            "target",
            "ours",
            "ours low",
            "ours high",
            "ours n",
            "published",
            "ratio",
            "tolerated",
            "verdict",
            "note",
        ],
        rows,
        comparison,
        numeric={5, 6, 7, 8, 9, 10},
    )


def _friedman_table(fr: FriedmanResult) -> ReportTable:
    items = [
        ("problems (blocks)", fr.n_blocks, 0),
        ("strategies", fr.n_strategies, 0),
        ("Friedman chi-square", fr.statistic, 3),
        ("Friedman p-value", fr.p_value, None),
        ("Iman-Davenport F", fr.iman_davenport, 3),
        ("Iman-Davenport p-value", fr.iman_davenport_p, None),
        (f"Nemenyi critical difference (alpha = {fr.alpha})", fr.cd, 3),
    ]
    rows = [[txt(k), TCell(fmt_p(v) if d is None else fmt(float(v), d), v)] for k, v, d in items]
    raw = pd.DataFrame({"quantity": [k for k, _, _ in items], "value": [v for _, v, _ in items]})
    return ReportTable(
        "friedman",
        "Friedman test and Nemenyi critical difference",
        "Do the strategies' mean ranks differ across problems? Friedman's chi-square (tie-corrected, SciPy) "
        "and the Iman-Davenport F correction; two strategies differ significantly by the Nemenyi test when "
        "their mean ranks differ by at least the critical difference (Demsar 2006)."
        + (f" Note: {fr.note}" if fr.note else ""),
        ["quantity", "value"],
        rows,
        raw,
        numeric={1},
    )


def _nemenyi_table(fr: FriedmanResult) -> ReportTable:
    p = nemenyi_pvalues(fr.mean_ranks, fr.n_blocks)
    names = list(p.index)
    rows = [
        [txt(a)] + [TCell(fmt_p(p.loc[a, b]), p.loc[a, b], bool(p.loc[a, b] < fr.alpha)) for b in names]
        for a in names
    ]
    return ReportTable(
        "nemenyi",
        "Nemenyi pairwise p-values",
        f"Pairwise Nemenyi p-values of the mean ranks; below {fr.alpha} in bold.",
        ["strategy", *names],
        rows,
        p.reset_index(names="strategy"),
        numeric=set(range(1, len(names) + 1)),
    )


def _ceiling_table(ceil_mean: pd.DataFrame, ceiling: pd.DataFrame, metric: str) -> ReportTable:
    sizes = ceiling.groupby(["dataset", "model"])["n_labeled"].mean() if "n_labeled" in ceiling else None
    rows = []
    for rec in ceil_mean.to_dict("records"):
        n = sizes.get((rec["dataset"], rec["model"]), np.nan) if sizes is not None else np.nan
        rows.append(
            [
                txt(rec["dataset"]),
                txt(rec["model"]),
                num(rec["ceiling"], 4),
                num(rec["std"], 4),
                num(rec["count"], 0),
                num(n, 0),
            ]
        )
    return ReportTable(
        "ceiling",
        "Full-data ceiling",
        f"{plots.metric_label(metric)} of the evaluation model trained on the whole pool (all training "
        "labels), mean and standard deviation over repetitions: the line every learning curve aims at.",
        ["dataset", "model", "ceiling", "sd", "reps", "training labels"],
        rows,
        ceil_mean,
        numeric={2, 3, 4, 5},
    )
