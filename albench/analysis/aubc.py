"""Area under the budget curve (AUBC): a learning curve's mean height over the budget."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from albench.errors import AlbenchInputError

CELL_COLUMNS = ["dataset", "model", "strategy", "labeler", "repetition"]


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


#: name -> (function, description)
AUBC_VARIANTS: dict[str, tuple[Callable[[np.ndarray, np.ndarray], float], str]] = {
    "trapezoid": (
        aubc_trapezoid,
        "trapezoid over n_labeled from the initial set to the end of the budget, "
        "divided by the budget's width (round 0 included)",
    ),
}


def aubc(n_labeled: np.ndarray, values: np.ndarray, variant: str = "trapezoid") -> float:
    """AUBC of one learning curve by a named variant (see :data:`AUBC_VARIANTS`)."""
    if variant not in AUBC_VARIANTS:
        raise AlbenchInputError(
            f"AUBC variant {variant!r} unknown; known: {', '.join(sorted(AUBC_VARIANTS))}"
        )
    return AUBC_VARIANTS[variant][0](n_labeled, values)


def aubc_per_cell(df: pd.DataFrame, metric: str = "accuracy", variant: str = "trapezoid") -> pd.DataFrame:
    """One AUBC value per cell.

    Parameters
    ----------
    df : DataFrame
        Rows as :func:`albench.load_results` returns them.
    metric : str
        Metric column.
    variant : str
        AUBC variant name.

    Returns
    -------
    DataFrame
        The cell columns plus ``aubc``.
    """
    if metric not in df.columns:
        raise AlbenchInputError(f"metric {metric!r} is not in the results (columns: {', '.join(df.columns)})")
    rows = []
    for keys, group in df.sort_values("round").groupby(CELL_COLUMNS, sort=True):
        rows.append((*keys, aubc(group["n_labeled"].to_numpy(), group[metric].to_numpy(), variant)))
    return pd.DataFrame(rows, columns=[*CELL_COLUMNS, "aubc"])
