"""Curves and AUBC against cost instead of labels."""

import pandas as pd
import pytest

from albench.analysis.aubc import aubc_per_cell
from albench.analysis.cost import check_x_axis, on_cost_axis
from albench.errors import AlbenchInputError


def rows():
    return pd.DataFrame(
        {
            "dataset": "d",
            "model": "m",
            "strategy": "s",
            "labeler": "cost",
            "repetition": 0,
            "round": [0, 1, 2],
            "n_labeled": [10, 15, 20],
            "cost_spent": [0.0, 12.0, 15.0],
            "accuracy": [0.5, 0.7, 0.8],
        }
    )


def test_aubc_against_cost_is_the_trapezoid_over_cost():
    got = aubc_per_cell(rows(), "accuracy", x="cost_spent")["aubc"].item()
    # by hand: (12 * (0.5 + 0.7) / 2 + 3 * (0.7 + 0.8) / 2) / 15
    assert got == pytest.approx((12 * 0.6 + 3 * 0.75) / 15)
    by_labels = aubc_per_cell(rows(), "accuracy")["aubc"].item()
    assert by_labels == pytest.approx((5 * 0.6 + 5 * 0.75) / 10)


def test_on_cost_axis_moves_cost_to_the_budget_axis_and_keeps_the_counts():
    out = on_cost_axis(rows())
    assert out["n_labeled"].tolist() == [0.0, 12.0, 15.0] and out["n_labels"].tolist() == [10, 15, 20]
    assert aubc_per_cell(out, "accuracy")["aubc"].item() == pytest.approx((12 * 0.6 + 3 * 0.75) / 15)
    assert rows()["n_labeled"].tolist() == [10, 15, 20]  # the input is not changed


def test_cost_axis_needs_a_cost_column_and_a_known_axis():
    with pytest.raises(AlbenchInputError, match="no cost_spent"):
        on_cost_axis(rows().drop(columns=["cost_spent"]))
    with pytest.raises(AlbenchInputError, match="--x-axis = 'money': unknown; allowed: labels, cost"):
        check_x_axis("money")
    check_x_axis("cost")
