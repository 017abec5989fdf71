"""References of the kind "labels to reach a target": published label counts, and ours beside them.

Some papers report, per strategy, how many labels the learning curve needed to reach a test
score (Gal, Islam & Ghahramani 2017, Table 1: labels to reach 10 % and 5 % test error on MNIST).
A reference file of this kind (``kind = "labels_to_target"``, format in ``docs/reproducing.md``)
lists, per data set, strategy and target, the published number of labels. albench's number is
read from the **mean** learning curve over repetitions (the published numbers are means of
curves too): the first budget point at which the mean curve reaches the target
(:func:`first_crossing`). It is *consistent* with the published one when

.. math:: \\frac{L_{pub}}{f} - s \\le L_{ours} \\le f \\, L_{pub} + s,

a multiplicative tolerance ``f`` (``tolerance_factor``) widened by ``s`` labels
(``tolerance_labels``, e.g. one acquisition round: crossings are only seen on the round grid).
Papers of this kind publish no spread, so no z-score can be formed; label counts are a
ratio scale, hence a factor. A percentile-bootstrap interval over the repetitions (the mean
curve's crossing under resampled repetitions) is shown beside it, for information.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from albench.analysis.common import higher_is_better
from albench.analysis.reference_types import REFERENCE_FORMAT, Reference
from albench.errors import AlbenchInputError, invalid_value
from albench.seeding import derive_rng

KIND = "labels_to_target"
TOP_KEYS = (
    "format",
    "kind",
    "name",
    "title",
    "metric",
    "goal",
    "count",
    "tolerance_factor",
    "tolerance_labels",
    "source",
    "citation",
    "datasets",
    "strategies",
    "result",
)
RESULT_KEYS = ("dataset", "strategy", "target", "labels", "metric", "goal", "count", "source", "citation")
#: Keys a [[result]] may take from the top level.
INHERITED = ("metric", "goal", "count", "source", "citation")
GOALS = ("at_least", "at_most")
#: ``total``: labels including the initial set (``n_labeled``); ``acquired``: labels acquired
#: after it (``n_labeled`` minus that of round 0).
COUNTS = ("total", "acquired")
DEFAULT_FACTOR = 1.5
DEFAULT_SLACK = 0.0
TARGET_REFERENCE_COLUMNS = [
    "dataset",
    "strategy",
    "published_dataset",
    "published_strategy",
    "metric",
    "goal",
    "target",
    "count",
    "labels",
    "source",
    "citation",
]
TARGET_COMPARISON_COLUMNS = [
    "dataset",
    "model",
    "labeler",
    "strategy",
    "published_dataset",
    "published_strategy",
    "metric",
    "goal",
    "target",
    "count",
    "ours_labels",
    "ours_low",
    "ours_high",
    "ours_n",
    "published_labels",
    "ratio",
    "allowed_low",
    "allowed_high",
    "budget_labels",
    "best_value",
    "verdict",
    "message",
    "source",
]
#: Verdicts; only "consistent" passes a check.
VERDICTS = ("consistent", "more labels", "fewer labels", "not reached", "budget too small")


def _text(value, field: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AlbenchInputError(f"{where}: {field} = {value!r}: must be a non-empty string")
    return value


def _number(value, field: str, low: float, where: str, strict: bool = False) -> float:
    bad = isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
    if bad or (value <= low if strict else value < low):
        raise invalid_value(
            f"{where}: {field}", value, f"must be a finite number {'>' if strict else '>='} {low}"
        )
    return float(value)


def _mapping(raw: dict, key: str, where: str) -> dict[str, str]:
    table = raw.get(key, {})
    if not isinstance(table, dict):
        raise AlbenchInputError(
            f"{where}: [{key}] = {table!r}: must be a table of published name = albench label"
        )
    for k, v in table.items():
        _text(v, f"{key}.{k}", where)
    return dict(table)


def parse_target_reference(raw: dict, where: str = "<reference>") -> Reference:
    """Validate a ``kind = "labels_to_target"`` reference (a dict as TOML reads it).

    Top-level keys are defaults of every ``[[result]]`` (``metric``, ``goal``, ``count``,
    ``source``, ``citation``); each result gives ``dataset``, ``strategy``, ``target`` (the
    metric value to reach, e.g. accuracy 0.90 for 10 % test error) and ``labels`` (the
    published count).

    Raises
    ------
    AlbenchInputError
        Unknown or missing keys, wrong types, an unknown goal or count, a tolerance factor
        below 1, negative labels, or a (data set, strategy, target) given twice, naming the
        field, the value and what is allowed.
    """
    unknown = [k for k in raw if k not in TOP_KEYS]
    if unknown:
        raise AlbenchInputError(f"{where}: unknown key {unknown[0]!r}; allowed keys: {', '.join(TOP_KEYS)}")
    if raw.get("format") != REFERENCE_FORMAT:
        raise AlbenchInputError(f"{where}: format = {raw.get('format')!r}: must be {REFERENCE_FORMAT}")
    name = _text(raw.get("name"), "name", where)
    title = raw.get("title", name)
    factor = _number(raw.get("tolerance_factor", DEFAULT_FACTOR), "tolerance_factor", 1.0, where)
    slack = _number(raw.get("tolerance_labels", DEFAULT_SLACK), "tolerance_labels", 0.0, where)
    datasets = _mapping(raw, "datasets", where)
    strategies = _mapping(raw, "strategies", where)
    results = raw.get("result")
    if not isinstance(results, list) or not results:
        raise AlbenchInputError(
            f"{where}: result = {results!r}: must be a non-empty array of [[result]] tables"
        )
    rows = []
    for i, res in enumerate(results):
        at = f"{where}: result[{i}]"
        if not isinstance(res, dict):
            raise AlbenchInputError(f"{at} = {res!r}: must be a table")
        bad = [k for k in res if k not in RESULT_KEYS]
        if bad:
            raise AlbenchInputError(f"{at}: unknown key {bad[0]!r}; allowed keys: {', '.join(RESULT_KEYS)}")
        row = {k: res.get(k, raw.get(k)) for k in INHERITED}
        for k in ("metric", "source", "citation"):
            _text(row[k], k, at)
        row["goal"] = (
            row["goal"]
            if row["goal"] is not None
            else ("at_least" if higher_is_better(row["metric"]) else "at_most")
        )
        if row["goal"] not in GOALS:
            raise invalid_value(f"{at}.goal", row["goal"], f"must be one of {', '.join(GOALS)}")
        row["count"] = row["count"] if row["count"] is not None else "total"
        if row["count"] not in COUNTS:
            raise invalid_value(f"{at}.count", row["count"], f"must be one of {', '.join(COUNTS)}")
        pub_d, pub_s = _text(res.get("dataset"), "dataset", at), _text(res.get("strategy"), "strategy", at)
        target = _number(res.get("target"), "target", -math.inf, at)
        labels = _number(res.get("labels"), "labels", 0.0, at)
        rows.append(
            {
                "dataset": datasets.get(pub_d, pub_d),
                "strategy": strategies.get(pub_s, pub_s),
                "published_dataset": pub_d,
                "published_strategy": pub_s,
                "target": target,
                "labels": labels,
                **row,
            }
        )
    table = pd.DataFrame(rows, columns=TARGET_REFERENCE_COLUMNS)
    dup = table.duplicated(["dataset", "strategy", "metric", "target"], keep=False)
    if dup.any():
        first = table[dup].iloc[0]
        raise AlbenchInputError(
            f"{where}: dataset {first['dataset']!r} x strategy {first['strategy']!r} x target "
            f"{first['target']!r} is given more than once"
        )
    return Reference(
        name=name,
        title=str(title),
        path=where,
        std_ddof=1,
        table=table,
        kind=KIND,
        tolerance_factor=factor,
        tolerance_labels=slack,
    )


def first_crossing(
    labels: np.ndarray, curves: np.ndarray, target: float, at_least: bool = True
) -> np.ndarray:
    """Labels at which each curve first reaches ``target``; NaN where it never does.

    Parameters
    ----------
    labels : ndarray of shape (L,)
        The budget points, increasing.
    curves : ndarray of shape (L,) or (B, L)
        Metric values at those points (one curve per row).
    target : float
    at_least : bool
        Reach means ``value >= target`` (else ``value <= target``).

    Returns
    -------
    ndarray of shape () or (B,)
        O(B L), no loop over curves.
    """
    y = np.asarray(curves, dtype=np.float64)
    if y.shape[-1] == 0:  # no budget point that every repetition has
        return np.full(y.shape[:-1], np.nan)
    hit = (y >= target) if at_least else (y <= target)
    hit &= ~np.isnan(y)
    first = hit.argmax(axis=-1)
    x = np.asarray(labels, dtype=np.float64)
    return np.where(hit.any(axis=-1), x[first], np.nan)


def _curve_matrix(group: pd.DataFrame, metric: str, count: str) -> tuple[np.ndarray, np.ndarray]:
    """(budget points, repetitions x points) of one group; points every repetition has."""
    g = group[["repetition", "round", "n_labeled", metric]].copy()
    if count == "acquired":
        start = g[g["round"] == g.groupby("repetition")["round"].transform("min")].set_index("repetition")
        g["n_labeled"] = g["n_labeled"] - g["repetition"].map(start["n_labeled"])
    wide = g.pivot_table(index="repetition", columns="n_labeled", values=metric, aggfunc="mean")
    wide = wide.loc[:, wide.notna().all(axis=0)]
    return wide.columns.to_numpy(dtype=np.float64), wide.to_numpy(dtype=np.float64)


def _verdict(ours: float, pub: float, low: float, high: float, budget: float) -> str:
    if math.isnan(ours):
        return "budget too small" if budget < high else "not reached"
    if ours < low:
        return "fewer labels"
    if ours > high:
        return "more labels"
    return "consistent"


def compare_labels_to_target(
    df: pd.DataFrame,
    reference: Reference,
    tolerance_factor: float | None = None,
    tolerance_labels: float | None = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Labels ours needed to reach each published target, next to the published labels.

    Per (data set, model, labeler, strategy) of the results and target of the reference: the
    mean learning curve over repetitions (budget points that every repetition has), its first
    crossing of the target (:func:`first_crossing`), a percentile-bootstrap interval of that
    crossing over resampled repetitions (``inf`` when the resampled mean curve does not reach
    it; seeded from the group's names), and the verdict against the tolerance.

    Parameters
    ----------
    df : DataFrame
        Rows as :func:`albench.load_results` returns them.
    reference : Reference
        Of kind ``labels_to_target`` (:func:`parse_target_reference`).
    tolerance_factor, tolerance_labels : float, optional
        Override the reference's tolerance (factor >= 1, labels >= 0).
    n_boot : int
        Bootstrap resamples.
    confidence : float
        Coverage of the bootstrap interval.

    Returns
    -------
    DataFrame
        :data:`TARGET_COMPARISON_COLUMNS`, in reference order. ``verdict`` is one of
        :data:`VERDICTS`; ``message`` says it in words (e.g. that the mean curve never reaches
        the target within the budget, and the best value it reached). ``attrs`` holds the
        tolerance used (``tolerance_factor``, ``tolerance_labels``).

    Raises
    ------
    AlbenchInputError
        A bad tolerance, a metric missing from the results, or no group in common.
    """
    factor = reference.tolerance_factor if tolerance_factor is None else tolerance_factor
    slack = reference.tolerance_labels if tolerance_labels is None else tolerance_labels
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not factor >= 1:
        raise invalid_value("--max-factor", factor, "must be a number >= 1")
    if isinstance(slack, bool) or not isinstance(slack, (int, float)) or not slack >= 0:
        raise invalid_value("tolerance_labels", slack, "must be a number >= 0")
    ref = reference.table.reset_index(drop=True)
    in_results = set(zip(df["dataset"], df["strategy"], strict=True)) if not df.empty else set()
    wanted = ref[[(d, s) in in_results for d, s in zip(ref["dataset"], ref["strategy"], strict=True)]]
    if wanted.empty:
        have_d = sorted(set(df["dataset"])) if not df.empty else []
        have_s = sorted(set(df["strategy"])) if not df.empty else []
        raise AlbenchInputError(
            f"reference {reference.name!r}: no dataset x strategy of the results is in it (results: "
            f"datasets {', '.join(have_d) or '(none)'}; strategies {', '.join(have_s) or '(none)'}; "
            f"reference: datasets {', '.join(sorted(set(ref['dataset'])))}; strategies "
            f"{', '.join(sorted(set(ref['strategy'])))})"
        )
    for metric in sorted(set(wanted["metric"])):
        if metric not in df.columns or df[metric].isna().all():
            raise AlbenchInputError(
                f"reference {reference.name!r}: metric {metric!r} is not in the results "
                f"(columns: {', '.join(c for c in df.columns if df[c].dtype.kind == 'f')})"
            )
    alpha = (1.0 - confidence) / 2.0
    out = []
    for r in wanted.itertuples():
        sub = df[(df["dataset"] == r.dataset) & (df["strategy"] == r.strategy)]
        for (model, labeler), group in sub.groupby(["model", "labeler"], sort=True):
            x, Y = _curve_matrix(group, r.metric, r.count)
            at_least = r.goal == "at_least"
            mean = Y.mean(axis=0)
            ours = float(first_crossing(x, mean, r.target, at_least))
            rng = derive_rng(0, "labels_to_target", r.dataset, model, labeler, r.strategy, r.target)
            idx = rng.integers(0, Y.shape[0], size=(n_boot, Y.shape[0]))
            boots = first_crossing(x, Y[idx].mean(axis=1), r.target, at_least)
            boots = np.where(np.isnan(boots), np.inf, boots)
            low, high = np.quantile(boots, [alpha, 1.0 - alpha], method="inverted_cdf")  # inf-safe
            allowed_low, allowed_high = r.labels / factor - slack, r.labels * factor + slack
            budget = float(x.max()) if x.size else float("nan")
            best = float(mean.max() if at_least else mean.min()) if mean.size else float("nan")
            verdict = _verdict(ours, r.labels, allowed_low, allowed_high, budget)
            sign = ">=" if at_least else "<="
            reach = f"{r.metric} {sign} {r.target:g}"
            acquired = " acquired" if r.count == "acquired" else ""
            if verdict == "not reached":
                message = (
                    f"the mean curve never reaches {reach} within the budget ({budget:g} labels{acquired}; "
                    f"best {best:.4f})"
                )
            elif verdict == "budget too small":
                message = (
                    f"the mean curve does not reach {reach} within the budget ({budget:g} "
                    f"labels{acquired}; best {best:.4f}), which ends before the tolerated "
                    f"{allowed_high:g}: raise the budget"
                )
            else:
                message = f"{reach} at {ours:g} labels; tolerated {max(allowed_low, 0):g} .. {allowed_high:g}"
            out.append(
                {
                    "dataset": r.dataset,
                    "model": model,
                    "labeler": labeler,
                    "strategy": r.strategy,
                    "published_dataset": r.published_dataset,
                    "published_strategy": r.published_strategy,
                    "metric": r.metric,
                    "goal": r.goal,
                    "target": r.target,
                    "count": r.count,
                    "ours_labels": ours,
                    "ours_low": float(low),
                    "ours_high": float(high),
                    "ours_n": int(Y.shape[0]),
                    "published_labels": r.labels,
                    "ratio": ours / r.labels if r.labels > 0 else float("nan"),
                    "allowed_low": max(allowed_low, 0.0),
                    "allowed_high": allowed_high,
                    "budget_labels": budget,
                    "best_value": best,
                    "verdict": verdict,
                    "message": message,
                    "source": r.source,
                }
            )
    result = pd.DataFrame(out, columns=TARGET_COMPARISON_COLUMNS)
    result.attrs.update(tolerance_factor=float(factor), tolerance_labels=float(slack))
    return result


def failing(comparison: pd.DataFrame) -> pd.DataFrame:
    """The groups that fail a check: every verdict but "consistent"."""
    return comparison[comparison["verdict"] != "consistent"]
