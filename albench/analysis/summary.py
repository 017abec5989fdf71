"""Per-cell summaries of a learning curve: AUBC, final value, labels to a target, gain over random.

Every function takes the long results DataFrame (one row per cell and round) and returns one
row per cell; :func:`aggregate` averages them over repetitions with bootstrap intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from albench.analysis.aubc import aubc
from albench.analysis.common import CELL_COLUMNS, PROBLEM_COLUMNS, direction
from albench.analysis.curves import bootstrap_mean_ci


def labels_to_target(
    n_labeled: np.ndarray, values: np.ndarray, target: float, higher_better: bool = True
) -> float:
    """Labels of the first round whose value reaches ``target``; NaN if no round does.

    Parameters
    ----------
    n_labeled, values : ndarray
        The curve, ordered by round.
    target : float
        Value to reach: ``value >= target`` when higher is better, ``value <= target`` otherwise.
    higher_better : bool
        Direction of the metric.
    """
    x = np.asarray(n_labeled, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    hit = y >= target if higher_better else y <= target
    idx = np.flatnonzero(hit & ~np.isnan(y))
    return float(x[idx[0]]) if idx.shape[0] else float("nan")


def target_value(ceiling: float, fraction: float, higher_better: bool = True) -> float:
    """The value a curve must reach: ``fraction * ceiling`` (higher-is-better metrics) or
    ``ceiling / fraction`` (lower-is-better metrics such as log loss)."""
    return fraction * ceiling if higher_better else ceiling / fraction


def deficiency_parts(
    values: np.ndarray, random_values: np.ndarray, higher_better: bool = True
) -> tuple[float, float]:
    """Numerator and denominator of :func:`deficiency` (NaN, NaN if the curves differ in length)."""
    a = np.asarray(values, dtype=np.float64)
    r = np.asarray(random_values, dtype=np.float64)
    if a.shape != r.shape or a.shape[0] == 0:
        return float("nan"), float("nan")
    s = 1.0 if higher_better else -1.0
    return float(np.sum(s * (r[-1] - a))), float(np.sum(s * (r[-1] - r)))


def _ratio(num: float, den: float) -> float:
    # random's curve must lie below its final value on average for the ratio to mean anything
    return num / den if den > 1e-12 else float("nan")


def deficiency(values: np.ndarray, random_values: np.ndarray, higher_better: bool = True) -> float:
    """Deficiency of a learning curve against random sampling (Baram et al. 2004; Yang & Loog 2018).

    ``sum_t (r_T - a_t) / sum_t (r_T - r_t)`` where ``a_t`` is the strategy's curve, ``r_t``
    random's curve on the same repetition and ``r_T`` random's final value; the sums run over
    every recorded round (round 0 included: it is the same for both curves). Below 1 the
    strategy's curve lies above random's on average, above 1 below it; random itself scores 1.
    For lower-is-better metrics the differences are negated. NaN when the denominator is not
    positive (random's curve does not lie below its final value on average: the ratio is then
    undefined or meaningless) or the curves differ in length.
    """
    return _ratio(*deficiency_parts(values, random_values, higher_better))


def ceiling_table(ceiling: pd.DataFrame | None, metric: str) -> pd.DataFrame:
    """The full-data ceiling of ``metric`` per (dataset, model, repetition); empty if absent."""
    cols = ["dataset", "model", "repetition", "ceiling"]
    if ceiling is None or ceiling.empty or metric not in ceiling.columns:
        return pd.DataFrame(columns=cols)
    return ceiling[["dataset", "model", "repetition", metric]].rename(columns={metric: "ceiling"})


def cell_summary(
    df: pd.DataFrame,
    metric: str = "accuracy",
    variant: str = "trapezoid",
    ceiling: pd.DataFrame | None = None,
    target_fraction: float = 0.95,
    reference: str = "random",
) -> pd.DataFrame:
    """One row per cell: AUBC, final value, labels to reach a fraction of the ceiling, gain over
    random and deficiency.

    Parameters
    ----------
    df : DataFrame
        Rows as :func:`albench.load_results` returns them.
    metric : str
        Metric column.
    variant : str
        AUBC variant (see :data:`albench.analysis.aubc.AUBC_VARIANTS`).
    ceiling : DataFrame, optional
        :func:`albench.store.load_ceiling` output (dataset, model, repetition, metric columns).
    target_fraction : float
        Fraction of the ceiling to reach for ``labels_to_target``.
    reference : str
        The strategy the gain and the deficiency are measured against.

    Returns
    -------
    DataFrame
        The cell columns plus ``aubc``, ``final`` (value at the last round), ``ceiling`` (NaN
        without one), ``labels_to_target`` (NaN when never reached or without a ceiling),
        ``gain_vs_random`` (AUBC minus the reference's AUBC on the same repetition, signed so
        that positive is better; this is the normalised area between the two curves), and
        ``deficiency`` = ``deficiency_num / deficiency_den`` (see :func:`deficiency`).
    """
    higher = direction(metric) > 0
    ceil = ceiling_table(ceiling, metric)
    ceil_map = {(r.dataset, r.model, int(r.repetition)): float(r.ceiling) for r in ceil.itertuples()}
    curves = {}
    rows = []
    for keys, g in df.sort_values("round").groupby(CELL_COLUMNS, sort=True):
        x, y = g["n_labeled"].to_numpy(), g[metric].to_numpy(dtype=np.float64)
        curves[keys] = y
        c = ceil_map.get((keys[0], keys[1], int(keys[4])), float("nan"))
        l2t = (
            labels_to_target(x, y, target_value(c, target_fraction, higher), higher)
            if not np.isnan(c)
            else float("nan")
        )
        rows.append([*keys, aubc(x, y, variant), float(y[-1]) if len(y) else np.nan, c, l2t])
    out = pd.DataFrame(rows, columns=[*CELL_COLUMNS, "aubc", "final", "ceiling", "labels_to_target"])
    if out.empty:
        return out.assign(gain_vs_random=[], deficiency_num=[], deficiency_den=[], deficiency=[])
    ref = out[out["strategy"] == reference].set_index(["dataset", "model", "labeler", "repetition"])["aubc"]
    idx = pd.MultiIndex.from_frame(out[["dataset", "model", "labeler", "repetition"]])
    out["gain_vs_random"] = direction(metric) * (out["aubc"].to_numpy() - ref.reindex(idx).to_numpy())
    parts = []
    for keys in out[CELL_COLUMNS].itertuples(index=False):
        rkey = (keys[0], keys[1], reference, keys[3], keys[4])
        parts.append(
            deficiency_parts(curves[tuple(keys)], curves[rkey], higher) if rkey in curves else (np.nan,) * 2
        )
    out["deficiency_num"] = [p[0] for p in parts]
    out["deficiency_den"] = [p[1] for p in parts]
    out["deficiency"] = [_ratio(*p) for p in parts]
    return out


def aggregate(
    cells: pd.DataFrame,
    columns: tuple[str, ...] = ("aubc", "final", "labels_to_target", "gain_vs_random", "deficiency"),
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Means over repetitions per (dataset, model, labeler, strategy), with a bootstrap CI of the
    mean AUBC.

    Returns
    -------
    DataFrame
        Problem columns, strategy, ``reps``, the mean of each of ``columns``, ``aubc_low`` and
        ``aubc_high`` (percentile bootstrap over repetitions), and ``reached`` (repetitions
        whose curve reached the target; ``labels_to_target`` is the mean over those).
        ``deficiency`` is pooled, ``sum(deficiency_num) / sum(deficiency_den)`` over the
        repetitions: the deficiency of the mean curve against random's mean curve, which stays
        finite when a single repetition's denominator is near zero.
    """
    keys = [*PROBLEM_COLUMNS, "strategy"]
    rows = []
    ss = np.random.SeedSequence(random_state)
    groups = list(cells.groupby(keys, sort=True))
    for (key, g), child in zip(groups, ss.spawn(len(groups)), strict=True):
        m, lo, hi = bootstrap_mean_ci(
            g["aubc"].to_numpy(),
            n_boot=n_boot,
            confidence=confidence,
            random_state=np.random.default_rng(child),
        )
        rec = dict(zip(keys, key, strict=True))
        rec["reps"] = len(g)
        for c in columns:
            rec[c] = float(g[c].mean()) if c in g and g[c].notna().any() else float("nan")
        if {"deficiency_num", "deficiency_den"} <= set(g.columns):
            # pooled over repetitions: the deficiency of the mean curve against random's mean curve
            rec["deficiency"] = _ratio(float(g["deficiency_num"].sum()), float(g["deficiency_den"].sum()))
        rec["aubc_low"], rec["aubc_high"] = float(lo), float(hi)
        rec["reached"] = int(g["labels_to_target"].notna().sum()) if "labels_to_target" in g else 0
        rows.append(rec)
    return pd.DataFrame(rows)
