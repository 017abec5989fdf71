"""Mean learning curves over repetitions, with bootstrap confidence intervals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from albench.analysis.common import PROBLEM_COLUMNS


def bootstrap_mean_ci(
    samples: np.ndarray,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and percentile-bootstrap confidence interval of the mean, column by column.

    Rows are resampled with replacement (the repetitions); every column (e.g. every round of
    a curve) uses the same resampled rows, so a band is a set of consistent curves. NaN
    entries are ignored (``nanmean``).

    Parameters
    ----------
    samples : ndarray of shape (n_samples,) or (n_samples, n_columns)
        One row per repetition.
    n_boot : int
        Bootstrap resamples.
    confidence : float
        Coverage of the interval, in (0, 1).
    random_state : int, Generator or None
        Seed of the resampling.

    Returns
    -------
    mean, low, high : ndarray of shape (n_columns,) (scalars as 0-d arrays for 1-d input)
        With a single row the interval collapses to the mean.
    """
    x = np.asarray(samples, dtype=np.float64)
    one_d = x.ndim == 1
    if one_d:
        x = x[:, None]
    n = x.shape[0]
    if n == 0:
        nan = np.full(x.shape[1], np.nan)
        return (nan[0], nan[0], nan[0]) if one_d else (nan, nan.copy(), nan.copy())
    with warnings.catch_warnings():  # all-NaN columns give NaN silently
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=0)
        if n == 1:
            low, high = mean.copy(), mean.copy()
        else:
            rng = np.random.default_rng(random_state)
            idx = rng.integers(0, n, size=(n_boot, n))
            boots = np.nanmean(x[idx], axis=1)  # (n_boot, n_columns)
            alpha = (1.0 - confidence) / 2.0
            low, high = np.nanquantile(boots, [alpha, 1.0 - alpha], axis=0)
    if one_d:
        return mean[0], low[0], high[0]
    return mean, low, high


def mean_curves(
    df: pd.DataFrame,
    metric: str = "accuracy",
    x: str = "n_labeled",
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Mean learning curve of every (dataset, model, labeler, strategy) with a bootstrap CI band.

    Parameters
    ----------
    df : DataFrame
        Rows as :func:`albench.load_results` returns them.
    metric : str
        Metric column.
    x : str
        Column on the x axis (``n_labeled``, or a cost column if the results hold one);
        averaged over repetitions at each round.
    n_boot, confidence : int, float
        Bootstrap resamples and coverage (percentile bootstrap over repetitions).
    random_state : int
        Seed; each curve is resampled from its own stream derived from this seed and the
        curve's position in sorted order, so the output does not depend on row order.

    Returns
    -------
    DataFrame
        Columns dataset, model, labeler, strategy, round, x (named after ``x``), mean, low,
        high, n (repetitions with a value at that round).
    """
    keys = [*PROBLEM_COLUMNS, "strategy"]
    out = []
    ss = np.random.SeedSequence(random_state)
    groups = list(df.groupby(keys, sort=True))
    children = ss.spawn(len(groups))
    for (group_key, group), child in zip(groups, children, strict=True):
        wide = group.pivot_table(
            index="repetition", columns="round", values=metric, aggfunc="mean", dropna=False
        )
        xs = group.groupby("round")[x].mean().reindex(wide.columns)
        mean, low, high = bootstrap_mean_ci(
            wide.to_numpy(), n_boot=n_boot, confidence=confidence, random_state=np.random.default_rng(child)
        )
        counts = wide.notna().sum(axis=0).to_numpy()
        frame = pd.DataFrame(
            {
                "round": wide.columns.to_numpy(),
                x: xs.to_numpy(),
                "mean": mean,
                "low": low,
                "high": high,
                "n": counts,
            }
        )
        for col, val in zip(keys, group_key, strict=True):
            frame.insert(keys.index(col), col, val)
        out.append(frame)
    if not out:
        return pd.DataFrame(columns=[*keys, "round", x, "mean", "low", "high", "n"])
    return pd.concat(out, ignore_index=True)
