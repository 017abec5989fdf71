"""Area under the budget curve (AUBC): a learning curve's mean height over the budget."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from albench.analysis.common import CELL_COLUMNS
from albench.errors import AlbenchInputError


def aubc_trapezoid(n_labeled: np.ndarray, values: np.ndarray) -> float:
    """Trapezoid area under ``values`` over ``n_labeled``, divided by the width of the budget.

    This is the curve's mean height between the initial set and the last round: for a
    metric in [0, 1] the result is in [0, 1]. A curve with a single point returns that point.

    Parameters
    ----------
    n_labeled : ndarray
        Labels used at each round, increasing.
    values : ndarray
        Metric at each round.
    """
    x = np.asarray(n_labeled, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    if x.shape[0] == 1:
        return float(y[0])
    width = x[-1] - x[0]
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))
    return area / width


def aubc_trapezoid_no_initial(n_labeled: np.ndarray, values: np.ndarray) -> float:
    """:func:`aubc_trapezoid` of the curve without its first point (round 0).

    The initial model is the same for every strategy of a repetition (common random numbers),
    so leaving it out measures only what the queries changed. The x axis is normalised from
    the labels of round 1 to the labels of the last round. A curve of one point after
    dropping round 0 returns that point; a curve of round 0 alone returns NaN.

    Parameters
    ----------
    n_labeled : ndarray
        Labels used at each round, increasing; the first entry is round 0.
    values : ndarray
        Metric at each round.
    """
    x = np.asarray(n_labeled, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    if x.shape[0] < 2:
        return float("nan")
    return aubc_trapezoid(x[1:], y[1:])


def aubc_zhan2021(n_labeled: np.ndarray, values: np.ndarray) -> float:
    """Mean of the per-round trapezoids after round 0 (historically named after Zhan et al. 2021).

    With :math:`y_1, \\dots, y_L` the metric after rounds 1..L (round 0, the initial model, is
    excluded), the value is

    .. math:: \\frac{1}{L-1} \\sum_{t=1}^{L-1} \\frac{y_t + y_{t+1}}{2},

    the trapezoid over rounds with unit spacing per round divided by the number of
    intervals. It ignores ``n_labeled`` (every round weighs the same, whatever its batch), so
    it differs from ``trapezoid_no_initial`` only when batches differ in size. One point after
    round 0 returns that point; round 0 alone returns NaN.

    This is *not* what the published code computes: Zhan et al.'s ``get_aubc``
    (``Algorithm/baseline-libact-binary.py``) includes round 0 and divides by the quota, which is
    :func:`aubc_trapezoid`; Lu et al. (TMLR 2025) exclude round 0 but still divide by the quota,
    which is :func:`aubc_lu2025`. See docs/reproducing.md.

    Parameters
    ----------
    n_labeled : ndarray
        Labels used at each round (only its length is used); the first entry is round 0.
    values : ndarray
        Metric at each round.
    """
    y = np.asarray(values, dtype=np.float64)[1:]
    if y.shape[0] == 0:
        return float("nan")
    if y.shape[0] == 1:
        return float(y[0])
    return float(np.mean((y[:-1] + y[1:]) / 2.0))


def aubc_lu2025(n_labeled: np.ndarray, values: np.ndarray) -> float:
    """AUBC as Lu et al. (TMLR 2025) compute it (``src/utils.py::AUBC`` of ariapoy/active-learning-benchmark).

    Their curve is the test metric after each query round (``E_tst_score``; the initial model's
    score is kept apart and left out). The trapezoids between consecutive rounds 1..L, each as
    wide as the labels added between them, are summed and divided by the *whole* budget, the
    labels from round 0 to round L. With batch size 1 and L queries:

    .. math:: \\frac{1}{L} \\sum_{t=1}^{L-1} \\frac{y_t + y_{t+1}}{2}.

    So the interval from round 0 to round 1 counts with height 0: the value is
    ``(L-1)/L`` times :func:`aubc_zhan2021` for batch size 1. The published values are rounded to
    5 decimals per run; this function does not round. A curve of round 0 alone returns NaN; one
    query round gives 0, as the published code does.

    Parameters
    ----------
    n_labeled : ndarray
        Labels used at each round, increasing; the first entry is round 0.
    values : ndarray
        Metric at each round.
    """
    x = np.asarray(n_labeled, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    if x.shape[0] < 2:
        return float("nan")
    width = x[-1] - x[0]
    xs, ys = x[1:], y[1:]
    area = float(np.sum((xs[1:] - xs[:-1]) * (ys[1:] + ys[:-1]) / 2.0))
    return area / width


#: name -> (function, description)
AUBC_VARIANTS: dict[str, tuple[Callable[[np.ndarray, np.ndarray], float], str]] = {
    "trapezoid": (
        aubc_trapezoid,
        "trapezoid over n_labeled from the initial set to the end of the budget, "
        "divided by the budget's width (round 0 included)",
    ),
    "trapezoid_no_initial": (
        aubc_trapezoid_no_initial,
        "trapezoid over n_labeled from round 1 to the end of the budget, divided by that width "
        "(round 0 excluded)",
    ),
    "zhan2021": (
        aubc_zhan2021,
        "mean of (y_t + y_t+1)/2 over rounds t = 1..L-1, unit spacing per round, round 0 excluded "
        "(not the survey's own code, which is 'trapezoid'; see docs/reproducing.md)",
    ),
    "lu2025": (
        aubc_lu2025,
        "Lu et al. (TMLR 2025) src/utils.py::AUBC: trapezoid over rounds 1..L (round 0 excluded) "
        "divided by the whole budget (labels from round 0 to L)",
    ),
}


def aubc(n_labeled: np.ndarray, values: np.ndarray, variant: str = "trapezoid") -> float:
    """AUBC of one learning curve by a named variant (see :data:`AUBC_VARIANTS`)."""
    if variant not in AUBC_VARIANTS:
        raise AlbenchInputError(
            f"AUBC variant {variant!r} unknown; known: {', '.join(sorted(AUBC_VARIANTS))}"
        )
    return AUBC_VARIANTS[variant][0](n_labeled, values)


def aubc_per_cell(
    df: pd.DataFrame, metric: str = "accuracy", variant: str = "trapezoid", x: str = "n_labeled"
) -> pd.DataFrame:
    """One AUBC value per cell.

    Parameters
    ----------
    df : DataFrame
        Rows as :func:`albench.load_results` returns them.
    metric : str
        Metric column.
    variant : str
        AUBC variant name.
    x : str
        Column of the budget axis: ``n_labeled`` (labels), or ``cost_spent`` for AUBC against cost.

    Returns
    -------
    DataFrame
        The cell columns plus ``aubc``.
    """
    if metric not in df.columns:
        raise AlbenchInputError(f"metric {metric!r} is not in the results (columns: {', '.join(df.columns)})")
    rows = []
    for keys, group in df.sort_values("round").groupby(CELL_COLUMNS, sort=True):
        rows.append((*keys, aubc(group[x].to_numpy(dtype=float), group[metric].to_numpy(), variant)))
    return pd.DataFrame(rows, columns=[*CELL_COLUMNS, "aubc"])


#: AUBC variant used when neither the command line nor the config names one
DEFAULT_VARIANT = "trapezoid"


def configured_variant(config: dict) -> str:
    """The AUBC variant a raw config names in ``[report] aubc_variant`` (default: trapezoid).

    ``config`` is the dict a results folder's manifest records under ``"config"``.
    """
    report = config.get("report") if isinstance(config, dict) else None
    variant = report.get("aubc_variant") if isinstance(report, dict) else None
    return variant if isinstance(variant, str) else DEFAULT_VARIANT
