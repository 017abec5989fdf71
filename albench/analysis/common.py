"""Shared vocabulary of the analysis: problem columns, metric directions, available metrics."""

from __future__ import annotations

import pandas as pd

from albench.errors import AlbenchInputError

#: Columns that identify a cell of the grid.
CELL_COLUMNS = ["dataset", "model", "strategy", "labeler", "repetition"]
#: Columns that identify a problem: the unit strategies are compared on (a block of the
#: Friedman test, a row of the AUBC heatmap).
PROBLEM_COLUMNS = ["dataset", "model", "labeler"]
#: Metrics the report knows; others found in the results are accepted too.
KNOWN_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "log_loss")
_LOWER_IS_BETTER = {"log_loss"}


def higher_is_better(metric: str) -> bool:
    """Whether larger values of ``metric`` are better.

    ``log_loss`` and any metric whose name contains ``loss`` or ``error`` are lower-is-better;
    every other metric is higher-is-better.
    """
    name = metric.lower()
    return not (metric in _LOWER_IS_BETTER or "loss" in name or "error" in name)


def direction(metric: str) -> float:
    """``+1.0`` when higher is better, ``-1.0`` when lower is better."""
    return 1.0 if higher_is_better(metric) else -1.0


def available_metrics(df: pd.DataFrame, manifest: dict | None = None) -> list[str]:
    """Metric columns of a results DataFrame that hold at least one value.

    Parameters
    ----------
    df : DataFrame
        Rows as :func:`albench.load_results` returns them.
    manifest : dict, optional
        The experiment's manifest; its ``config.protocol.metrics`` gives the order and the
        candidates when ``df`` is empty.
    """
    listed = list(((manifest or {}).get("config", {}).get("protocol", {}) or {}).get("metrics", []) or [])
    candidates = listed + [m for m in KNOWN_METRICS if m not in listed]
    if df.empty:
        return listed
    return [m for m in candidates if m in df.columns and df[m].notna().any()]


def check_metric(df: pd.DataFrame, metric: str, manifest: dict | None = None) -> None:
    """Raise an input error naming the available metrics if ``metric`` is not one of them."""
    avail = available_metrics(df, manifest)
    if metric not in avail:
        raise AlbenchInputError(
            f"--metric = {metric!r}: not in these results; available: {', '.join(avail) or '(none)'}"
        )


def problem_label(row: pd.Series | dict) -> str:
    """``dataset / model`` (and ``/ labeler`` when not the oracle) for titles and table rows."""
    parts = [str(row["dataset"]), str(row["model"])]
    if "labeler" in row and str(row["labeler"]) != "oracle":
        parts.append(str(row["labeler"]))
    return " / ".join(parts)
