"""The cost axis: learning curves and AUBC against the cost spent instead of the labels."""

from __future__ import annotations

import pandas as pd

from albench.errors import AlbenchInputError

#: What a report's x axis can be.
X_AXES = ("labels", "cost")


def on_cost_axis(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of the results with ``n_labeled`` replaced by the cumulative ``cost_spent``.

    Every analysis that reads ``n_labeled`` as its x axis (AUBC, mean curves, labels to a
    target) then works against cost; the label counts stay in ``n_labels``. Round 0 is at
    cost 0 (the initial set is free).

    Raises
    ------
    AlbenchInputError
        When the results have no ``cost_spent`` column (written by albench before the cost axis).
    """
    if "cost_spent" not in df.columns or df["cost_spent"].isna().any():
        raise AlbenchInputError(
            "x axis 'cost': the results have no cost_spent for every row (re-run them with this albench)"
        )
    out = df.copy()
    out["n_labels"] = out["n_labeled"]
    out["n_labeled"] = out["cost_spent"].astype(float)
    return out


def check_x_axis(x_axis: str) -> None:
    """Reject an unknown x axis, naming the allowed ones."""
    if x_axis not in X_AXES:
        raise AlbenchInputError(f"--x-axis = {x_axis!r}: unknown; allowed: {', '.join(X_AXES)}")
