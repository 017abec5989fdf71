"""Where each stopping criterion stops, what that costs, and how the criteria rank.

Pure functions over the results DataFrame. They need the per-round columns the stopping
criteria add (``stop_<label>_value`` and ``stop_<label>``, :mod:`albench.stopping`); results
without them have no criteria (:func:`criterion_labels` returns an empty list).

The cost-based evaluation follows Pullar-Strecker et al. (Machine Learning, 2024): a model
trained on ``n`` labels and then used for ``lifetime`` predictions costs
``label_cost * n + misclassification_cost * lifetime * (1 - accuracy)``. The cost-optimal
point of a run is the round of least cost; a criterion is scored by the extra cost of
stopping where it stops instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from albench.analysis.common import CELL_COLUMNS, PROBLEM_COLUMNS, higher_is_better
from albench.analysis.stats import FriedmanResult, friedman_nemenyi, paired_comparisons, win_tie_loss
from albench.errors import AlbenchInputError

#: The column of the criteria's label in the tables below.
CRITERION = "criterion"
#: Columns that identify one block of the criteria's ranking: a problem and the AL strategy.
BLOCK_COLUMNS = [*PROBLEM_COLUMNS, "strategy"]


@dataclass(frozen=True)
class CostModel:
    """Costs of the cost-based evaluation (Pullar-Strecker et al. 2024).

    Attributes
    ----------
    label_cost : float
        Cost of one label.
    misclassification_cost : float
        Cost of one wrong prediction of the deployed model.
    lifetime : float
        Predictions the model makes over its lifetime.
    """

    label_cost: float = 1.0
    misclassification_cost: float = 1.0
    lifetime: float = 10_000.0

    def __post_init__(self) -> None:
        for name in ("label_cost", "misclassification_cost", "lifetime"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise AlbenchInputError(f"stopping cost {name} = {v!r}: must be a finite number >= 0")

    def cost(self, n_labeled: np.ndarray, score: np.ndarray) -> np.ndarray:
        """Total cost of stopping with ``n_labeled`` labels at a test ``score`` (accuracy-like, in [0, 1])."""
        return self.label_cost * np.asarray(n_labeled, dtype=np.float64) + (
            self.misclassification_cost * self.lifetime * (1.0 - np.asarray(score, dtype=np.float64))
        )


def criterion_labels(df: pd.DataFrame) -> list[str]:
    """Labels of the criteria recorded in ``df``: every ``stop_<label>`` with a ``stop_<label>_value``."""
    out = []
    for col in df.columns:
        if col.startswith("stop_") and not col.endswith("_value") and f"{col}_value" in df.columns:
            out.append(col[len("stop_") :])
    return out


def stop_points(df: pd.DataFrame, metric: str = "accuracy", costs: CostModel | None = None) -> pd.DataFrame:
    """Per cell and criterion: where it stops, the metric there, and the cost of stopping there.

    A criterion stops at the first round its rule is met. One that never fires lets the run
    go on to the full budget (``fired`` is False and the stop is the last round).

    Parameters
    ----------
    df : DataFrame
        Results rows with ``stop_*`` columns.
    metric : str
        A higher-is-better metric in [0, 1] (its complement is the error rate of the cost).
    costs : CostModel, optional
        Defaults to :class:`CostModel()`.

    Returns
    -------
    DataFrame
        dataset, model, strategy, labeler, repetition, criterion, fired, stop_round,
        labels_at_stop, metric_at_stop, labels_full, metric_full, labels_best, metric_best
        (first round of the highest value), labels_optimal, metric_optimal (the round of
        least cost), cost_at_stop, cost_optimal, excess_cost (cost_at_stop minus
        cost_optimal, >= 0), relative_excess (excess over cost_optimal), label_distance
        (labels_at_stop minus labels_optimal).

    Raises
    ------
    AlbenchInputError
        If ``metric`` is missing or lower-is-better.
    """
    costs = costs or CostModel()
    if metric not in df.columns:
        raise AlbenchInputError(f"metric = {metric!r}: not in these results")
    if not higher_is_better(metric):
        raise AlbenchInputError(
            f"metric = {metric!r}: the cost-based evaluation needs a higher-is-better score in [0, 1] "
            "(e.g. accuracy)"
        )
    labels = criterion_labels(df)
    rows = []
    for key, cell in df.sort_values("round").groupby(CELL_COLUMNS, sort=True):
        n = cell["n_labeled"].to_numpy()
        score = cell[metric].to_numpy(dtype=np.float64)
        cost = costs.cost(n, score)
        finite = np.isfinite(cost)
        if not finite.any():
            continue
        opt = int(np.nanargmin(np.where(finite, cost, np.inf)))
        best = int(np.nanargmax(np.where(np.isfinite(score), score, -np.inf)))
        last = len(cell) - 1
        for label in labels:
            stops = cell[f"stop_{label}"].fillna(False).to_numpy(dtype=bool)
            fired = bool(stops.any())
            at = int(np.argmax(stops)) if fired else last
            rows.append(
                {
                    **dict(zip(CELL_COLUMNS, key, strict=True)),
                    CRITERION: label,
                    "fired": fired,
                    "stop_round": int(cell["round"].iloc[at]),
                    "labels_at_stop": int(n[at]),
                    "metric_at_stop": float(score[at]),
                    "labels_full": int(n[last]),
                    "metric_full": float(score[last]),
                    "labels_best": int(n[best]),
                    "metric_best": float(score[best]),
                    "labels_optimal": int(n[opt]),
                    "metric_optimal": float(score[opt]),
                    "cost_at_stop": float(cost[at]),
                    "cost_optimal": float(cost[opt]),
                    "excess_cost": float(cost[at] - cost[opt]),
                    "relative_excess": float((cost[at] - cost[opt]) / cost[opt]) if cost[opt] > 0 else np.nan,
                    "label_distance": int(n[at] - n[opt]),
                }
            )
    columns = [*CELL_COLUMNS, CRITERION, "fired", "stop_round", "labels_at_stop", "metric_at_stop"]
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)


def criterion_summary(points: pd.DataFrame) -> pd.DataFrame:
    """Mean over every cell, per criterion: labels and metric at the stop, full budget, best, optimum.

    Returns
    -------
    DataFrame
        criterion, cells, fired_share, labels_at_stop, metric_at_stop, metric_full,
        metric_best, labels_optimal, excess_cost, relative_excess, abs_label_distance
        (mean of ``|labels_at_stop - labels_optimal|``), sorted by mean excess cost.
    """
    if points.empty:
        return pd.DataFrame()
    p = points.assign(
        abs_label_distance=points["label_distance"].abs(), fired_share=points["fired"].astype(float)
    )
    out = p.groupby(CRITERION).agg(
        cells=("fired", "size"),
        fired_share=("fired_share", "mean"),
        labels_at_stop=("labels_at_stop", "mean"),
        metric_at_stop=("metric_at_stop", "mean"),
        metric_full=("metric_full", "mean"),
        metric_best=("metric_best", "mean"),
        labels_optimal=("labels_optimal", "mean"),
        excess_cost=("excess_cost", "mean"),
        relative_excess=("relative_excess", "mean"),
        abs_label_distance=("abs_label_distance", "mean"),
    )
    return out.sort_values("excess_cost").reset_index()


def _as_strategy_cells(points: pd.DataFrame, value: str) -> tuple[pd.DataFrame, dict]:
    """Recast the criteria as the 'strategies' of :mod:`albench.analysis.stats`.

    The blocks of the criteria are (dataset, model, labeler, AL strategy); the stats module
    groups by (dataset, model, labeler), so the AL strategy is folded into the model column
    and unfolded afterwards with the returned mapping.
    """
    models = {}
    cells = points[[*CELL_COLUMNS, CRITERION, value]].copy()
    folded = cells["model"].astype(str) + " \u2022 " + cells["strategy"].astype(str)
    for f, m, s in zip(folded, cells["model"], cells["strategy"], strict=True):
        models[f] = (m, s)
    cells["model"] = folded
    cells = cells.drop(columns="strategy").rename(columns={CRITERION: "strategy"})
    return cells, models


def criterion_ranking(
    points: pd.DataFrame, value: str = "excess_cost", alpha: float = 0.05
) -> tuple[FriedmanResult | None, pd.DataFrame, pd.DataFrame]:
    """Rank the criteria with the statistics the report uses for strategies.

    Blocks are (dataset, model, labeler, AL strategy); within a block, the criteria's mean
    ``value`` over repetitions is ranked (lower is better: a cost). Friedman and Nemenyi as
    :func:`albench.analysis.stats.friedman_nemenyi`; paired Wilcoxon tests over repetitions,
    Holm-adjusted, against the best criterion of each block as
    :func:`albench.analysis.stats.paired_comparisons`.

    Returns
    -------
    friedman : FriedmanResult or None
        None with fewer than 2 criteria or no complete block.
    comparisons : DataFrame
        :func:`paired_comparisons` columns with ``model`` and ``strategy`` restored and the
        compared criterion in ``criterion``.
    wtl : DataFrame
        :func:`win_tie_loss` of the criteria against the best one.
    """
    if points.empty or points[CRITERION].nunique() < 2:
        return None, pd.DataFrame(), pd.DataFrame()
    cells, models = _as_strategy_cells(points, value)
    table = cells.pivot_table(index=PROBLEM_COLUMNS, columns="strategy", values=value, aggfunc="mean")
    fr = friedman_nemenyi(table, higher_better=False, alpha=alpha) if len(table.dropna()) else None
    comps = paired_comparisons(cells, value, "error", "best", alpha)  # "error": lower is better
    wtl = win_tie_loss(comps, "error")
    if not comps.empty:
        comps = comps.rename(columns={"strategy": CRITERION, "reference_strategy": "reference_criterion"})
        comps["strategy"] = comps["model"].map(lambda f: models[f][1])
        comps["model"] = comps["model"].map(lambda f: models[f][0])
        wtl = wtl.rename(columns={"strategy": CRITERION})
    return fr, comps, wtl
