"""Figures of a report (matplotlib + seaborn), each returned as a :class:`matplotlib.figure.Figure`.

Figures are built on plain ``Figure`` objects with the Agg canvas (no pyplot, no global
backend switch, nothing left open). Every strategy keeps one colour, marker and line style in
every figure (:func:`strategy_styles`); legends sit outside the axes so 20 strategies fit.
"""

from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from albench.analysis.common import PROBLEM_COLUMNS, higher_is_better, problem_label
from albench.analysis.stats import FriedmanResult

REFERENCE_COLOR = "#3a3a3a"
_TAB20 = sns.color_palette("tab20").as_hex()
# the 9 saturated tab20 colours, then their 9 light partners (greys left out)
_BASE = [_TAB20[i] for i in range(0, 20, 2) if i != 14] + [_TAB20[i] for i in range(1, 20, 2) if i != 15]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]
_LINESTYLES = ["-", "--", "-.", ":"]
METRIC_LABELS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "f1_macro": "macro F1",
    "log_loss": "log loss",
}


def _quiet(func):
    """Silence library chatter while drawing: seaborn's deprecations on newer matplotlib, and
    the constrained-layout notice of seaborn's own trial draw (made before the figure's
    decorations are placed; the saved figure is laid out)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)
            return func(*args, **kwargs)

    return wrapper


def text(s: object) -> str:
    """A name safe for matplotlib text: ``$`` would start mathtext."""
    return str(s).replace("$", r"\$")


def metric_label(metric: str) -> str:
    """Human-readable metric name."""
    return METRIC_LABELS.get(metric, metric)


def strategy_styles(strategies: list[str], reference: str = "random") -> dict[str, dict]:
    """Colour, marker and line style per strategy, fixed by the order of ``strategies``.

    ``reference`` (random sampling) is always dark grey and dashed. The others take the 9
    saturated tab20 colours, then their 9 light partners (dashed), then evenly spaced HUSL hues
    (dotted); markers cycle with a period (10) prime to the colours', so no two of the first
    90 strategies share colour, marker and line style.
    """
    others = [s for s in strategies if s != reference]
    extra = max(0, len(others) - len(_BASE))
    husl = sns.color_palette("husl", extra).as_hex() if extra else []
    styles = {}
    for i, s in enumerate(others):
        if i < len(_BASE):
            color, ls = _BASE[i], "-" if i < 9 else "--"
        else:
            color, ls = husl[i - len(_BASE)], ":"
        styles[s] = {"color": color, "marker": _MARKERS[i % len(_MARKERS)], "linestyle": ls}
    if reference in strategies:
        styles[reference] = {"color": REFERENCE_COLOR, "marker": "x", "linestyle": (0, (4, 2))}
    return styles


def _legend(fig: Figure, strategies: list[str], styles: dict[str, dict], extra: list | None = None) -> None:
    handles = [
        Line2D([], [], color=styles[s]["color"], marker=styles[s]["marker"], linestyle=styles[s]["linestyle"])
        for s in strategies
    ]
    labels = [text(s) for s in strategies]
    for h, lab in extra or []:
        handles.append(h)
        labels.append(lab)
    ncol = 1 if len(labels) <= 22 else 2
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, ncol=ncol)


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


@_quiet
def plot_learning_curves(
    curves: pd.DataFrame,
    dataset: str,
    strategies: list[str],
    styles: dict[str, dict],
    metric: str,
    ceiling: pd.DataFrame | None = None,
    x: str = "n_labeled",
) -> Figure:
    """Mean learning curves of one dataset with their confidence band, one panel per model.

    Parameters
    ----------
    curves : DataFrame
        :func:`albench.analysis.curves.mean_curves` output.
    dataset : str
        The dataset to draw.
    strategies : list of str
        Legend order.
    styles : dict
        :func:`strategy_styles` output.
    metric : str
        Metric on the y axis.
    ceiling : DataFrame, optional
        Mean full-data ceiling per (dataset, model): columns dataset, model, ceiling. Drawn as
        a horizontal black line.
    x : str
        Column on the x axis.
    """
    sub = curves[curves["dataset"] == dataset]
    panels = list(sub.groupby(["model", "labeler"], sort=True).groups)
    n = max(1, len(panels))
    ncols = min(n, 3)
    nrows = int(np.ceil(n / ncols))
    fig = _new_figure(4.2 * ncols + 2.2, 3.3 * nrows + 0.4)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    has_ceiling = False
    for ax, (model, labeler) in zip(axes, panels, strict=False):
        panel = sub[(sub["model"] == model) & (sub["labeler"] == labeler)]
        for s in strategies:
            c = panel[panel["strategy"] == s].sort_values("round")
            if c.empty:
                continue
            st = styles[s]
            ax.fill_between(c[x], c["low"], c["high"], color=st["color"], alpha=0.15, linewidth=0)
            ax.plot(
                c[x],
                c["mean"],
                color=st["color"],
                marker=st["marker"],
                linestyle=st["linestyle"],
                markersize=4,
                linewidth=1.4,
            )
        if ceiling is not None and not ceiling.empty:
            row = ceiling[(ceiling["dataset"] == dataset) & (ceiling["model"] == model)]
            if not row.empty and np.isfinite(row["ceiling"].iloc[0]):
                ax.axhline(float(row["ceiling"].iloc[0]), color="black", linewidth=1.2, linestyle="-")
                has_ceiling = True
        title = text(model) if labeler == "oracle" else f"{text(model)} / {text(labeler)}"
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("labels" if x == "n_labeled" else text(x))
        ax.set_ylabel(metric_label(metric))
        ax.grid(alpha=0.3)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    fig.suptitle(f"{text(dataset)}: mean {metric_label(metric)} with 95% bootstrap CI", fontsize=11)
    extra = [(Line2D([], [], color="black", linewidth=1.2), "full-data ceiling")] if has_ceiling else []
    present = [s for s in strategies if s in set(sub["strategy"])]
    _legend(fig, present, styles, extra)
    return fig


@_quiet
def plot_aubc_heatmap(
    agg: pd.DataFrame, strategies: list[str], styles: dict, metric: str, variant: str
) -> Figure:
    """Mean AUBC per problem (rows) and strategy (columns), annotated.

    Colour is the AUBC minus the row's mean, sign-flipped for lower-is-better metrics, so
    within every row the better strategies are red and the worse blue, whatever the scale.
    """
    agg = agg.copy()
    agg["problem"] = [problem_label(r) for r in agg[PROBLEM_COLUMNS].to_dict("records")]
    table = agg.pivot_table(index="problem", columns="strategy", values="aubc", aggfunc="mean")
    table = table.reindex(columns=[s for s in strategies if s in table.columns])
    sign = 1.0 if higher_is_better(metric) else -1.0
    centred = table.sub(table.mean(axis=1), axis=0) * sign
    finite = np.isfinite(centred.to_numpy())
    lim = float(np.nanmax(np.abs(centred.to_numpy()))) if finite.any() else 1.0
    lim = lim or 1.0
    shown = centred.copy()  # names escaped before seaborn draws them (it draws to check label overlap)
    shown.index = [text(r) for r in table.index]
    shown.columns = [text(c) for c in table.columns]
    nrow, ncol = table.shape
    row_chars = max((len(str(r)) for r in table.index), default=10)
    col_chars = max((len(str(c)) for c in table.columns), default=10)
    fig = _new_figure(
        max(5.0, 0.75 * ncol + 0.075 * row_chars + 2.6), max(2.8, 0.42 * nrow + 0.06 * col_chars + 1.6)
    )
    ax = fig.add_subplot()
    sns.heatmap(
        shown,
        ax=ax,
        cmap="RdBu_r",
        center=0.0,
        vmin=-lim,
        vmax=lim,
        annot=table.to_numpy(),
        fmt=".3f",
        annot_kws={"fontsize": 7 if ncol > 10 else 8},
        cbar_kws={"label": "AUBC minus row mean (+ = better)"},
        linewidths=0.5,
        linecolor="white",
        xticklabels=True,
        yticklabels=True,
    )
    ax.tick_params(axis="x", labelrotation=45, pad=9)
    for lab in ax.get_xticklabels():
        lab.set_horizontalalignment("right")
    ax.tick_params(axis="y", labelrotation=0)
    for j, s in enumerate(table.columns):  # each strategy's colour as a swatch under its column
        color = styles.get(s, {}).get("color", "black")
        ax.add_patch(Rectangle((j + 0.08, nrow + 0.04), 0.84, 0.16, color=color, clip_on=False, linewidth=0))
    ax.set_xlabel("strategy")
    ax.set_ylabel("")
    ax.set_title(f"mean AUBC of {metric_label(metric)} ({variant})", fontsize=11)
    return fig


@_quiet
def plot_cd_diagram(result: FriedmanResult, styles: dict) -> Figure:
    """Critical-difference diagram (Demsar 2006): mean ranks on an axis, cliques as bars.

    Strategies joined by a thick bar are not significantly different by the Nemenyi test at
    ``result.alpha``; the segment at the top is the critical difference. The best half of
    the strategies hangs to the left, the rest to the right; lines keep the strategy colours.
    """
    ranks = result.mean_ranks.sort_values()
    k = len(ranks)
    half = (k + 1) // 2
    # vertical layout in inches from the top
    cd_y, axis_y, clique_gap, row = 0.3, 0.8, 0.13, 0.27
    first_clique = axis_y + 0.22
    names_top = first_clique + clique_gap * len(result.cliques) + 0.2
    bottom = names_top + row * max(half, k - half, 1) + 0.25
    height = bottom + 0.3
    width = 9.0
    fig = Figure(figsize=(width, height))  # manual layout: one axes over the whole figure
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(height, 0)
    lo, hi = 1, max(k, 2)
    left, right = 0.25, 0.75

    def xpos(r: float) -> float:
        return left + (right - left) * (r - lo) / (hi - lo)

    ax.plot([xpos(lo), xpos(hi)], [axis_y, axis_y], color="black", linewidth=1)
    tick_step = 1 if k <= 12 else 2
    for r in range(lo, hi + 1):
        major = (r - lo) % tick_step == 0
        ax.plot([xpos(r), xpos(r)], [axis_y, axis_y - (0.08 if major else 0.04)], color="black", linewidth=1)
        if major:
            ax.text(xpos(r), axis_y - 0.1, str(r), ha="center", va="bottom", fontsize=9)
    if np.isfinite(result.cd):
        ax.plot([xpos(lo), xpos(min(hi, lo + result.cd))], [cd_y, cd_y], color="black", linewidth=2)
        ax.text(xpos(lo), cd_y - 0.05, f"CD = {result.cd:.2f}", fontsize=8, va="bottom")
    for j, members in enumerate(result.cliques):
        rs = ranks[members]
        y = first_clique + clique_gap * j
        ax.plot([xpos(rs.min()) - 0.006, xpos(rs.max()) + 0.006], [y, y], color="black", linewidth=3.5)
    for i, (name, r) in enumerate(ranks.items()):
        st = styles.get(name, {"color": "black", "marker": "o"})
        if i < half:
            y, xe, ha, dx = names_top + row * i, left - 0.04, "right", -0.008
        else:
            y, xe, ha, dx = names_top + row * (k - 1 - i), right + 0.04, "left", 0.008
        ax.plot([xpos(r), xpos(r), xe], [axis_y, y, y], color=st["color"], linewidth=1.3)
        ax.plot([xe], [y], marker=st.get("marker", "o"), color=st["color"], markersize=5)
        ax.text(xe + dx * 1.6, y, f"{text(name)} ({r:.2f})", ha=ha, va="center", fontsize=9)
    p = "n/a" if not np.isfinite(result.p_value) else f"{result.p_value:.3g}"
    ax.text(
        0.5,
        bottom + 0.05,
        f"mean rank over {result.n_blocks} problem(s), 1 = best; Friedman p = {p}; "
        f"bars join strategies not significantly different (Nemenyi, alpha = {result.alpha})",
        ha="center",
        va="top",
        fontsize=8,
    )
    return fig


@_quiet
def plot_rank_distribution(ranks: pd.DataFrame, order: list[str], styles: dict) -> Figure:
    """Distribution of each strategy's rank over (problem, repetition) blocks, best mean first."""
    order = [s for s in order if s in set(ranks["strategy"])]
    fig = _new_figure(7.5, max(2.5, 0.38 * len(order) + 1.3))
    ax = fig.add_subplot()
    palette = {s: styles[s]["color"] for s in order}
    sns.boxplot(
        data=ranks,
        y="strategy",
        x="rank",
        hue="strategy",
        order=order,
        palette=palette,
        ax=ax,
        fliersize=0,
        width=0.6,
        legend=False,
        boxprops={"alpha": 0.55},
    )
    sns.stripplot(
        data=ranks,
        y="strategy",
        x="rank",
        hue="strategy",
        order=order,
        palette=palette,
        ax=ax,
        size=3,
        jitter=0.25,
        alpha=0.7,
        legend=False,
    )
    means = ranks.groupby("strategy")["rank"].mean()
    ax.scatter([means[s] for s in order], range(len(order)), marker="D", color="black", s=18, zorder=5)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels([text(s) for s in order])
    ax.set_xlabel("rank within (problem, repetition); 1 = best; black diamond = mean")
    ax.set_ylabel("")
    ax.grid(axis="x", alpha=0.3)
    return fig


def query_time_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Rows whose round actually queried (the last round of a cell queries nothing)."""
    if "queried" in df.columns:
        mask = df["queried"].map(lambda q: q is not None and len(q) > 0)
    else:
        last = df.groupby("cell_key")["round"].transform("max")
        mask = df["round"] < last
    return df[mask]


@_quiet
def plot_query_time(df: pd.DataFrame, strategies: list[str], styles: dict) -> Figure:
    """Query time per round per strategy, log scale: median over cells by round, and the
    distribution over every queried round."""
    rows = query_time_rows(df)
    rows = rows[rows["query_seconds"] > 0]
    present = [s for s in strategies if s in set(rows["strategy"])]
    fig = _new_figure(11.5, max(3.4, 0.3 * len(present) + 1.5))
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.2, 1])
    med = rows.groupby(["strategy", "round"])["query_seconds"].median().reset_index()
    for s in present:
        m = med[med["strategy"] == s]
        st = styles[s]
        ax1.plot(
            m["round"], m["query_seconds"], color=st["color"], marker=st["marker"], linestyle=st["linestyle"]
        )
    ax1.set_yscale("log")
    ax1.set_xlabel("round")
    ax1.set_ylabel("query time (s), median over datasets, models, reps")
    ax1.grid(alpha=0.3, which="both")
    if present:
        sns.boxplot(
            data=rows,
            y="strategy",
            x="query_seconds",
            hue="strategy",
            order=present,
            palette={s: styles[s]["color"] for s in present},
            ax=ax2,
            log_scale=True,
            fliersize=2,
            legend=False,
            width=0.6,
        )
        ax2.set_yticks(range(len(present)))
        ax2.set_yticklabels([text(s) for s in present])
    ax2.set_xlabel("query time per round (s)")
    ax2.set_ylabel("")
    ax2.grid(axis="x", alpha=0.3, which="both")
    _legend(fig, present, styles)
    return fig


@_quiet
def save_figure(
    fig: Figure, directory: Path, name: str, dpi: int = 110, formats: tuple[str, ...] = ("png", "svg")
) -> dict:
    """Render ``fig`` as PNG bytes and write ``name.<format>`` files into ``directory``.

    Returns
    -------
    dict
        ``png_bytes`` and, per written format, its path (keys ``"png"``, ``"svg"``).
    """
    directory.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    out: dict = {"png_bytes": buf.getvalue()}
    if "png" in formats:
        out["png"] = directory / f"{name}.png"
        out["png"].write_bytes(out["png_bytes"])
    if "svg" in formats:
        out["svg"] = directory / f"{name}.svg"
        fig.savefig(out["svg"], format="svg", bbox_inches="tight", metadata={"Date": None})
    return out


# ------------------------------------------------------------------------------------ stopping


def criterion_styles(criteria: list[str]) -> dict[str, dict]:
    """Colour and marker per stopping criterion: seaborn's colour-blind-safe palette, in order."""
    palette = sns.color_palette("colorblind", max(1, len(criteria))).as_hex()
    return {
        c: {"color": palette[i % len(palette)], "marker": _MARKERS[i % len(_MARKERS)]}
        for i, c in enumerate(criteria)
    }


@_quiet
def plot_stopping_points(points: pd.DataFrame, order: list[str], styles: dict) -> Figure:
    """Where each criterion stops against the cost-optimal point, and what stopping there costs.

    Left: labels at the stop minus labels at the cost-optimal round, one dot per cell (0 is
    the optimum; left of 0 stops too early, right too late). Right: excess cost over the
    optimum (log scale). Diamonds are means.
    """
    order = [c for c in order if c in set(points["criterion"])]
    fig = _new_figure(11.5, max(2.8, 0.42 * len(order) + 1.4))
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    palette = {c: styles[c]["color"] for c in order}
    for ax, col in ((ax1, "label_distance"), (ax2, "excess_cost")):
        data = (
            points.assign(excess_cost=points["excess_cost"].clip(lower=1e-3))
            if col == "excess_cost"
            else points
        )
        sns.stripplot(
            data=data,
            y="criterion",
            x=col,
            hue="criterion",
            order=order,
            palette=palette,
            ax=ax,
            size=3,
            jitter=0.25,
            alpha=0.6,
            legend=False,
        )
        means = data.groupby("criterion")[col].mean()
        ax.scatter([means[c] for c in order], range(len(order)), marker="D", color="black", s=22, zorder=5)
        ax.grid(axis="x", alpha=0.3)
        ax.set_ylabel("")
    ax1.axvline(0.0, color="black", linewidth=1)
    ax1.set_yticks(range(len(order)))
    ax1.set_yticklabels([text(c) for c in order])
    ax1.set_xlabel("labels at stop minus labels at the cost optimum")
    ax2.set_xscale("log")
    ax2.set_xlabel("excess cost over the optimum (log; 0 drawn at 1e-3)")
    return fig


@_quiet
def plot_stopping_on_cost(
    cost_curves: pd.DataFrame, points: pd.DataFrame, order: list[str], styles: dict
) -> Figure:
    """Mean cost curve of every dataset with each criterion's mean stop marked on it."""
    datasets = list(dict.fromkeys(cost_curves["dataset"]))
    ncols = min(3, max(1, len(datasets)))
    nrows = int(np.ceil(len(datasets) / ncols))
    fig = _new_figure(4.0 * ncols + 2.4, 3.0 * nrows + 0.4)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, ds in zip(axes, datasets, strict=False):
        c = cost_curves[cost_curves["dataset"] == ds].sort_values("n_labeled")
        ax.plot(c["n_labeled"], c["cost"], color="black", linewidth=1.3)
        p = points[points["dataset"] == ds]
        ax.axvline(float(p["labels_optimal"].mean()), color="black", linestyle=":", linewidth=1)
        for crit in order:
            at = p[p["criterion"] == crit]["labels_at_stop"]
            if at.empty:
                continue
            x = float(at.mean())
            y = float(np.interp(x, c["n_labeled"], c["cost"]))
            ax.plot(
                [x],
                [y],
                linestyle="none",
                marker=styles[crit]["marker"],
                color=styles[crit]["color"],
                markersize=8,
            )
        ax.set_title(text(ds), fontsize=10)
        ax.set_xlabel("labels")
        ax.set_ylabel("mean cost")
        ax.grid(alpha=0.3)
    for ax in axes[len(datasets) :]:
        ax.set_visible(False)
    handles = [
        Line2D([], [], linestyle="none", marker=styles[c]["marker"], color=styles[c]["color"], markersize=8)
        for c in order
    ]
    handles.append(Line2D([], [], color="black", linestyle=":"))
    fig.legend(
        handles,
        [text(c) for c in order] + ["mean cost optimum"],
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        frameon=False,
    )
    return fig


# ------------------------------------------------------------------------------------- insight


def _panels(n: int, width: float = 4.0, height: float = 3.0) -> tuple[Figure, np.ndarray]:
    ncols = min(3, max(1, n))
    nrows = int(np.ceil(max(1, n) / ncols))
    fig = _new_figure(width * ncols + 2.4, height * nrows + 0.5)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


@_quiet
def plot_class_mix(mix: pd.DataFrame, strategies: list[str], styles: dict) -> Figure:
    """Minority-class share of each batch by labels spent, per dataset, against the pool's share."""
    m = mix[mix["minority"]]
    datasets = list(dict.fromkeys(m["dataset"]))
    fig, axes = _panels(len(datasets))
    for ax, ds in zip(axes, datasets, strict=False):
        d = m[m["dataset"] == ds]
        means = d.groupby(["strategy", "n_labeled"])["batch_share"].mean().reset_index()
        for s in strategies:
            c = means[means["strategy"] == s]
            if c.empty:
                continue
            st = styles[s]
            ax.plot(
                c["n_labeled"], c["batch_share"], color=st["color"], linestyle=st["linestyle"], linewidth=1.3
            )
        ax.axhline(float(d["pool_share"].mean()), color="black", linestyle=":", linewidth=1.2)
        ax.set_title(text(ds), fontsize=10)
        ax.set_xlabel("labels")
        ax.set_ylabel("minority share of the batch")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    present = [s for s in strategies if s in set(m["strategy"])]
    _legend(
        fig, present, styles, [(Line2D([], [], color="black", linestyle=":"), "minority share of the pool")]
    )
    return fig


GEOMETRY_LABELS = {
    "mean_pairwise": "diversity: mean pairwise distance in the batch",
    "dist_to_labeled": "distance to the nearest labeled sample",
    "knn_distance": "k-NN distance (low = dense region)",
    "exploration": "exploration (>1) vs exploitation (<1)",
}


@_quiet
def plot_batch_geometry(geometry: pd.DataFrame, strategies: list[str], styles: dict) -> Figure:
    """Diversity, distance to the labels, density and exploration of the batches over the budget.

    Distances are divided by the pool's median k-NN distance (units of typical neighbour
    spacing, comparable across datasets); x is the share of the cell's querying rounds done.
    Lines are means over datasets and repetitions.
    """
    g = geometry.copy()
    for col in ("mean_pairwise", "dist_to_labeled", "knn_distance"):
        g[col] = g[col] / g["pool_knn_median"]
    last = g.groupby(["dataset", "model", "strategy", "labeler", "repetition"])["round"].transform("max")
    g["progress"] = np.round(np.where(last > 0, g["round"] / last.clip(lower=1), 0.0) * 10) / 10
    fig = _new_figure(11.0, 7.0)
    axes = np.atleast_1d(fig.subplots(2, 2)).ravel()
    for ax, col in zip(axes, GEOMETRY_LABELS, strict=True):
        means = g.groupby(["strategy", "progress"])[col].mean().reset_index()
        for s in strategies:
            c = means[means["strategy"] == s]
            if c.empty or c[col].isna().all():
                continue
            st = styles[s]
            ax.plot(
                c["progress"],
                c[col],
                color=st["color"],
                marker=st["marker"],
                linestyle=st["linestyle"],
                markersize=3,
                linewidth=1.2,
            )
        if col == "exploration":
            ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_title(GEOMETRY_LABELS[col], fontsize=10)
        ax.set_xlabel("share of the querying rounds done")
        ax.grid(alpha=0.3)
    _legend(fig, [s for s in strategies if s in set(g["strategy"])], styles)
    return fig


@_quiet
def plot_overlap(overlap: pd.DataFrame, strategies: list[str]) -> Figure:
    """Mean Jaccard overlap of the strategies' queried sets (first half of the rounds), pair by pair."""
    o = overlap.copy()
    last = o.groupby([*PROBLEM_COLUMNS, "repetition", "strategy_a", "strategy_b"])["round"].transform("max")
    o = o[o["round"] <= np.floor(last / 2)]
    pairs = o.groupby(["strategy_a", "strategy_b"])["jaccard"].mean()
    present = [s for s in strategies if s in set(o["strategy_a"]) | set(o["strategy_b"])]
    mat = pd.DataFrame(np.eye(len(present)), index=present, columns=present)
    for (a, b), v in pairs.items():
        mat.loc[a, b] = mat.loc[b, a] = v
    shown = mat.copy()
    shown.index = [text(s) for s in present]
    shown.columns = [text(s) for s in present]
    fig = _new_figure(max(4.5, 0.9 * len(present) + 2.5), max(3.5, 0.7 * len(present) + 1.8))
    ax = fig.add_subplot()
    sns.heatmap(
        shown,
        ax=ax,
        cmap="viridis",
        vmin=0,
        vmax=1,
        annot=mat.to_numpy(),
        fmt=".2f",
        cbar_kws={"label": "Jaccard overlap"},
        xticklabels=True,
        yticklabels=True,
    )
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_title("overlap of queried sets, same repetition (first half of the rounds)", fontsize=10)
    return fig


@_quiet
def plot_pca_queries(
    coords: np.ndarray,
    y: np.ndarray,
    first: dict[str, np.ndarray],
    strategies: list[str],
    styles: dict,
    dataset: str,
    explained: np.ndarray,
) -> Figure:
    """The pool in 2-D (PCA) with each strategy's first queries marked, one panel per strategy."""
    present = [s for s in strategies if s in first]
    fig, axes = _panels(len(present), 3.6, 3.2)
    classes = np.unique(y)
    greys = sns.color_palette("Greys", len(classes) + 2).as_hex()[1:]
    for ax, s in zip(axes, present, strict=False):
        for i, c in enumerate(classes):
            sel = y == c
            ax.scatter(
                coords[sel, 0],
                coords[sel, 1],
                s=6,
                color=greys[i],
                marker="o",
                linewidths=0,
                alpha=0.6,
                label=f"class {c}",
            )
        q = first[s]
        st = styles[s]
        if st["marker"] in ("x", "+"):  # unfilled markers take a colour, not an edge colour
            paint = {"color": st["color"]}
        else:
            paint = {"facecolors": "none", "edgecolors": st["color"]}
        ax.scatter(coords[q, 0], coords[q, 1], s=34, marker=st["marker"], linewidths=1.4, **paint)
        ax.set_title(text(s), fontsize=10)
        ax.set_xlabel(f"PC1 ({explained[0]:.0%})")
        ax.set_ylabel(f"PC2 ({explained[1]:.0%})")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{text(dataset)}: first queries on the pool (PCA); grey shades are classes", fontsize=11)
    return fig
