"""The report's stopping-criteria and query-insight sections.

Each function computes with :mod:`albench.analysis.stopping` / :mod:`albench.analysis.insight`,
draws with :mod:`albench.report.plots` and returns a :class:`ReportSection` the HTML and
Markdown renderers show after the tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from albench.analysis.insight import (
    PoolView,
    batch_geometry,
    cell_insight,
    class_mix,
    first_queries,
    paired_claims,
    pca_projection,
    query_overlap,
)
from albench.analysis.stats import min_wilcoxon_p
from albench.analysis.stopping import (
    CostModel,
    criterion_labels,
    criterion_ranking,
    criterion_summary,
    stop_points,
)
from albench.report import plots
from albench.report.data import FigureItem, ReportSection
from albench.report.tables import ReportTable, TCell, fmt_p, num, txt

#: Queries marked per strategy on the 2-D views.
FIRST_QUERIES = 20
INSIGHT_METRICS = {
    "minority_share": "minority share of the queries",
    "mean_pairwise": "mean pairwise distance (diversity)",
    "dist_to_labeled": "distance to the nearest labeled sample",
    "knn_distance": "k-NN distance (low = dense region)",
    "exploration": "exploration ratio",
}


def _adder(section: ReportSection, fig_dir: Path, formats: tuple[str, ...]):
    def add(fig, name: str, title: str, caption: str) -> None:
        saved = plots.save_figure(fig, fig_dir, name, formats=formats)
        section.figures.append(
            FigureItem(
                name, title, caption, saved.get("png"), saved.get("svg"), saved["png_bytes"], section.id
            )
        )

    return add


# ------------------------------------------------------------------------------------ stopping


def stopping_section(
    df: pd.DataFrame,
    metric: str,
    alpha: float,
    fig_dir: Path,
    formats: tuple[str, ...],
    costs: CostModel | None = None,
    configured: bool = False,
) -> ReportSection:
    """Where each criterion stops, the metric there vs the full budget and the best, and its cost score.

    ``configured``: the experiment's config lists criteria (so missing columns mean the loop
    that ran it did not record them yet).
    """
    costs = costs or CostModel()
    sec = ReportSection(
        "stopping",
        "Stopping criteria",
        "Each criterion stops a run at the first round its rule is met (one that never fires runs "
        "to the full "
        "budget). A run's cost at a round is label_cost x labels + misclassification_cost x lifetime x "
        f"(1 - {metric}) (Pullar-Strecker et al., Machine Learning 2024), here label_cost = "
        f"{costs.label_cost:g}, misclassification_cost = {costs.misclassification_cost:g}, lifetime = "
        f"{costs.lifetime:g} predictions; the cost optimum is the round of least cost, and a criterion's "
        "score is the excess cost of stopping where it stops (0 = optimal).",
    )
    labels = criterion_labels(df)
    if not labels and configured:
        sec.notes.append(
            "The config lists stopping criteria, but the simulation loop that produced these results does "
            "not record them yet. albench.stopping_replay.replay_results(results_dir, criteria, out) "
            "evaluates them on the stored cells (refit models only) and writes a results folder "
            "that has the columns."
        )
        return sec
    if not labels:
        sec.notes.append(
            "These results record no stopping criteria (no stop_<name> columns): configure them with "
            '[protocol] stopping = ["stabilizing_predictions", ...] (albench list stopping) and run again.'
        )
        return sec
    from albench.analysis.common import higher_is_better

    if not higher_is_better(metric):
        sec.notes.append(f"The cost-based evaluation needs a higher-is-better metric; {metric!r} is not.")
        return sec
    points = stop_points(df, metric, costs)
    summary = criterion_summary(points)
    fr, comps, wtl = criterion_ranking(points, "excess_cost", alpha)
    order = list(fr.mean_ranks.index) if fr is not None else summary["criterion"].tolist()
    styles = plots.criterion_styles(summary["criterion"].tolist())
    add = _adder(sec, fig_dir, formats)
    add(
        plots.plot_stopping_points(points, order, styles),
        "stopping_points",
        "Where the criteria stop",
        "Left: labels at the stop minus labels at the cost-optimal round, one dot per cell "
        "(dataset x model x "
        "strategy x repetition). Right: the excess cost of stopping there. Black diamonds: means.",
    )
    curves = _mean_cost_curves(df, metric, costs)
    add(
        plots.plot_stopping_on_cost(curves, points, order, styles),
        "stopping_on_cost",
        "Criteria on the cost curve",
        "Mean cost over strategies and repetitions against labels, per dataset; markers: each "
        "criterion's mean "
        "stopping point; dotted line: the mean cost-optimal number of labels.",
    )
    if fr is not None and fr.n_blocks >= 1:
        add(
            plots.plot_cd_diagram(fr, styles),
            "stopping_critical_difference",
            "Criteria: critical-difference diagram",
            f"Mean rank of each criterion's mean excess cost over {fr.n_blocks} (dataset, model, labeler, "
            "strategy) blocks (1 = cheapest); bars join criteria not significantly different (Nemenyi, "
            f"alpha = {alpha}).",
        )
    sec.tables.append(_stopping_table(summary, fr, wtl, metric))
    if not comps.empty:
        sec.tables.append(_stopping_tests_table(comps, alpha))
        reps = int(comps["n"].max())
        if min_wilcoxon_p(reps) >= alpha:
            sec.notes.append(
                f"With {reps} repetitions no paired test against the cheapest criterion can be significant "
                f"at alpha = {alpha} (smallest p = {min_wilcoxon_p(reps):.3g}); the ranks and the Friedman "
                "test over blocks still apply."
            )
    best = summary.sort_values("abs_label_distance").iloc[0]
    sec.notes.append(
        "The cost optimum of each cell is chosen with hindsight on its test metric, whose noise (one test "
        "sample is 1/n_test of accuracy) also counts: every criterion's excess cost carries that noise."
    )
    sec.notes.append(
        f"Closest to the cost-optimal point on average: {best['criterion']} "
        f"(mean |labels at stop - labels at optimum| = {best['abs_label_distance']:.1f}); "
        f"lowest mean excess cost: {summary.iloc[0]['criterion']} ({summary.iloc[0]['excess_cost']:.1f})."
    )
    return sec


def _mean_cost_curves(df: pd.DataFrame, metric: str, costs: CostModel) -> pd.DataFrame:
    d = df[["dataset", "n_labeled", metric]].dropna()
    d = d.assign(cost=costs.cost(d["n_labeled"].to_numpy(), d[metric].to_numpy()))
    return d.groupby(["dataset", "n_labeled"])["cost"].mean().reset_index()


def _stopping_table(summary: pd.DataFrame, fr, wtl: pd.DataFrame, metric: str) -> ReportTable:
    ranks = fr.mean_ranks if fr is not None else pd.Series(dtype=float)
    w = wtl.set_index("criterion") if not wtl.empty else pd.DataFrame()
    rows, raw = [], []
    for rec in summary.to_dict("records"):
        c = rec["criterion"]
        rank = float(ranks.get(c, np.nan))
        counts = (
            "-" if w.empty or c not in w.index else f"{w.loc[c, 'win']}/{w.loc[c, 'tie']}/{w.loc[c, 'loss']}"
        )
        rows.append(
            [
                txt(c),
                num(rank, 2),
                num(rec["excess_cost"], 1),
                num(rec["relative_excess"], 3),
                num(rec["labels_at_stop"], 1),
                num(rec["labels_optimal"], 1),
                num(rec["abs_label_distance"], 1),
                num(rec["metric_at_stop"], 4),
                num(rec["metric_full"], 4),
                num(rec["metric_best"], 4),
                num(rec["fired_share"], 2),
                TCell(counts, None),
            ]
        )
        raw.append({**rec, "mean_rank": rank})
    return ReportTable(
        "stopping_criteria",
        "Stopping criteria: where they stop and what it costs",
        "Means over every cell. rank: mean rank of the criterion's mean excess cost within each "
        "(dataset, model, "
        "labeler, strategy) block (1 = cheapest; Friedman blocks). |dist|: mean absolute distance in labels "
        f"between the stop and the cost optimum. {metric} at the stop, at the full budget and the "
        "best over the "
        "run. fired: share of cells where the rule was met before the budget ran out. W/T/L: paired Wilcoxon "
        "tests over repetitions against the cheapest criterion of each block (Holm).",
        [
            "criterion",
            "rank",
            "excess cost",
            "relative excess",
            "labels at stop",
            "labels at optimum",
            "|dist|",
            f"{metric} at stop",
            f"{metric} full budget",
            f"best {metric}",
            "fired",
            "W/T/L vs best",
        ],
        rows,
        pd.DataFrame(raw),
        numeric=set(range(1, 11)),
    )


def _stopping_tests_table(comps: pd.DataFrame, alpha: float) -> ReportTable:
    rows = [
        [
            txt(r["dataset"]),
            txt(r["model"]),
            txt(r["strategy"]),
            txt(r["criterion"]),
            txt(r["reference_criterion"]),
            num(r["n"], 0),
            num(r["mean_diff"], 2),
            TCell(fmt_p(r["p_holm"]), r["p_holm"]),
            txt(r["outcome"], bold=r["outcome"] != "tie"),
        ]
        for r in comps.to_dict("records")
    ]
    return ReportTable(
        "stopping_tests",
        "Stopping criteria: paired tests against the cheapest criterion",
        "Per (dataset, model, strategy): each criterion's excess cost against the criterion with "
        "the lowest mean "
        f"excess cost, paired by repetition (Wilcoxon signed-rank, Holm within the block; alpha = {alpha}). "
        "mean diff > 0: the criterion costs more.",
        ["dataset", "model", "strategy", "criterion", "cheapest", "n", "mean diff", "p (Holm)", "outcome"],
        rows,
        comps,
        numeric={5, 6, 7},
    )


# ------------------------------------------------------------------------------------- insight


def insight_section(
    df: pd.DataFrame,
    pools: dict,
    problems: list[str],
    strategies: list[str],
    styles: dict,
    alpha: float,
    fig_dir: Path,
    formats: tuple[str, ...],
) -> ReportSection:
    """What each strategy queried: class mix, batch geometry, overlap, 2-D views, paired claims."""
    sec = ReportSection(
        "insight",
        "Query insight",
        "What the strategies queried, from the rows' queried indices and the pools recomputed from the "
        "experiment's seed (the same split and initial set as the cells). Metrics per batch: the "
        "share of the "
        "pool's minority class; diversity (mean pairwise distance in the batch); distance to the nearest "
        "labeled sample; the k-NN distance of the queried samples (k = 10; low = dense, representative "
        "regions); exploration = distance to the labels relative to the pool's mean (above 1 explores, below "
        "1 exploits). Distances are Euclidean on the standardised features. Claims are paired Wilcoxon tests "
        "over (problem, repetition) blocks, Holm-adjusted over strategy pairs, on each cell's mean over the "
        "first half of its querying rounds (late rounds converge when the budget is the whole pool).",
    )
    sec.notes.extend(problems)
    add = _adder(sec, fig_dir, formats)
    if "queried" not in df.columns:
        sec.notes.append("These results have no 'queried' column: nothing to analyse.")
        return sec
    overlap = query_overlap(df)
    if not overlap.empty:
        add(
            plots.plot_overlap(overlap, strategies),
            "insight_overlap",
            "Overlap of queried sets",
            "Mean Jaccard overlap of the samples two strategies queried on the same repetition "
            "(same pool and "
            "initial set), over the first half of the rounds, averaged over problems and repetitions.",
        )
    if not pools:
        sec.notes.append("No pool could be recomputed: class mix, batch geometry and 2-D views are left out.")
        return sec
    mix = class_mix(df, pools)
    geometry = batch_geometry(df, pools)
    if not mix.empty:
        add(
            plots.plot_class_mix(mix, strategies, styles),
            "insight_class_mix",
            "Class mix of the queries",
            "Share of the pool's minority class in each batch (mean over repetitions) by labels "
            "spent; dotted: "
            "its share of the pool.",
        )
    if not geometry.empty:
        add(
            plots.plot_batch_geometry(geometry, strategies, styles),
            "insight_geometry",
            "Diversity, representativeness and exploration",
            "Batch metrics over the run (mean over datasets and repetitions). Distances are in units of the "
            "pool's median k-NN distance; exploration 1 (black line) = as far from the labels as the average "
            "pool sample.",
        )
    several_labelers = len({k[1] for k in pools}) > 1
    for i, key in enumerate(sorted(k for k in pools if k[2] == 0)):
        pool: PoolView = pools[key]
        coords, explained = pca_projection(pool.X)
        first = first_queries(df, pool, key, FIRST_QUERIES)
        if not first:
            continue
        add(
            plots.plot_pca_queries(coords, pool.y, first, strategies, styles, key[0], explained),
            f"insight_pca_{i:02d}",
            f"First queries in 2-D: {key[0]}" + (f", labeler {key[1]}" if several_labelers else ""),
            "The training part of repetition 0 projected on its first two principal components "
            "(grey: classes); "
            f"marked: the first {FIRST_QUERIES} samples each strategy queried.",
        )
    cells = cell_insight(mix, geometry)
    if not cells.empty:
        sec.tables.append(_insight_means_table(cells, strategies))
        claims = pd.concat(
            [paired_claims(cells, v, alpha).assign(metric=v) for v in INSIGHT_METRICS if v in cells.columns],
            ignore_index=True,
        )
        if not claims.empty:
            sec.tables.append(_claims_table(claims, alpha))
    return sec


def _insight_means_table(cells: pd.DataFrame, strategies: list[str]) -> ReportTable:
    cols = [c for c in INSIGHT_METRICS if c in cells.columns]
    means = cells.groupby("strategy")[cols].mean()
    pool_share = float(cells["minority_pool"].mean()) if "minority_pool" in cells else np.nan
    rows = [[txt(s), *[num(means.loc[s, c], 3) for c in cols]] for s in strategies if s in means.index]
    return ReportTable(
        "insight_means",
        "Query insight per strategy",
        "Means over every cell of the per-cell means over the first half of the querying rounds. The pool's "
        f"minority share is {pool_share:.3f} on average.",
        ["strategy", *[INSIGHT_METRICS[c] for c in cols]],
        rows,
        means.reset_index(),
        numeric=set(range(1, len(cols) + 1)),
    )


def _claims_table(claims: pd.DataFrame, alpha: float) -> ReportTable:
    rows = [
        [
            txt(INSIGHT_METRICS[r["metric"]]),
            txt(r["strategy_a"]),
            txt(r["strategy_b"]),
            num(r["n"], 0),
            num(r["mean_diff"], 4),
            TCell(fmt_p(r["p_value"]), r["p_value"]),
            TCell(fmt_p(r["p_holm"]), r["p_holm"]),
            txt(r["claim"], bold=r["claim"] != "no difference shown"),
        ]
        for r in claims.to_dict("records")
    ]
    return ReportTable(
        "insight_claims",
        "Query insight: paired claims",
        "Every pair of strategies on every metric: paired two-sided Wilcoxon signed-rank test "
        "over the (problem, "
        "repetition) blocks both ran, Holm-adjusted over the pairs of one metric. A claim such as 'A > B' is "
        f"made only when the adjusted p < {alpha}.",
        ["metric", "A", "B", "n", "mean diff (A - B)", "p", "p (Holm)", "claim"],
        rows,
        claims,
        numeric={3, 4, 5, 6},
    )
