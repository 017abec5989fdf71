"""QueryContext hands strategies finite model outputs, or stops the cell with a clear error."""

from __future__ import annotations

import numpy as np
import pytest

from albench.errors import AlbenchInputError
from albench.strategies.uncertainty import Entropy, Margin

from ._helpers import table_ctx


def _ctx(proba=None, decision=None):
    X = np.arange(6, dtype=np.float64)
    return table_ctx(X, labeled=np.array([0, 1]), y_labeled=np.array([0, 1]), proba=proba, decision=decision)


def test_nan_probabilities_stop_the_query_naming_model_and_count() -> None:
    proba = np.full((6, 2), 0.5)
    proba[3] = [np.nan, np.nan]
    proba[5, 0] = np.inf
    ctx = _ctx(proba=proba)
    message = r"TableModel\.predict_proba .*NaN or infinite .* 2 of 4 samples"
    with pytest.raises(AlbenchInputError, match=message):
        Entropy().query(ctx, 1, np.random.default_rng(0))


def test_nan_decision_values_stop_the_query() -> None:
    decision = np.array([0.1, -0.2, np.nan, 0.3, 0.5, -0.4])
    with pytest.raises(AlbenchInputError, match=r"decision_function .* 1 of 4 samples"):
        _ctx(decision=decision).decision_function()


def test_finite_outputs_pass_unchanged() -> None:
    proba = np.array([[0.5, 0.5], [0.9, 0.1], [0.6, 0.4], [0.99, 0.01], [0.7, 0.3], [0.55, 0.45]])
    ctx = _ctx(proba=proba)
    np.testing.assert_array_equal(ctx.predict_proba(), proba[2:])
    assert Margin().query(ctx, 2, np.random.default_rng(0)).tolist() == [5, 2]  # margins 0.1 and 0.2


def test_huge_finite_decision_values_whose_sum_overflows_pass() -> None:
    decision = np.array([0.0, 0.0, 1e308, 1e308, -1.0, 2.0])
    np.testing.assert_array_equal(_ctx(decision=decision).decision_function(), decision[2:])
