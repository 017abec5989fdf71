"""Least confident on wide rows takes NumPy's row maximum: the same scores as the compiled scan."""

from __future__ import annotations

import numpy as np
import pytest

from albench.strategies.kernels import _compiled
from albench.strategies.kernels import uncertainty as U


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("k", [U.LEAST_CONFIDENT_NUMPY_FROM - 1, U.LEAST_CONFIDENT_NUMPY_FROM, 1000])
def test_both_sides_of_the_switch_score_one_minus_the_row_maximum(dtype, k):
    rng = np.random.default_rng(k)
    X = rng.random((37, k))
    P = (X / X.sum(axis=1, keepdims=True)).astype(dtype)
    by_definition = np.array([1 - max(row) for row in P.tolist()], dtype=dtype)  # Python max per row
    got = U.least_confident_scores(P)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, by_definition)
    if _compiled.enabled():
        np.testing.assert_array_equal(got, _compiled.least_confident(P))
