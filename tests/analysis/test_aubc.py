"""Known-answer tests of the AUBC variants (hand-computed from the definitions)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albench.analysis.aubc import AUBC_VARIANTS, aubc, aubc_per_cell
from albench.errors import AlbenchInputError


def test_trapezoid_by_hand():
    # areas 10 * (0.5 + 0.7) / 2 = 6 and 20 * (0.7 + 0.9) / 2 = 16 over a width of 30
    assert aubc([10, 20, 40], [0.5, 0.7, 0.9], "trapezoid") == pytest.approx(22 / 30)


def test_trapezoid_no_initial_drops_round_zero():
    assert aubc([10, 20, 40], [0.5, 0.7, 0.9], "trapezoid_no_initial") == pytest.approx(0.8)


def test_zhan2021_by_hand_and_unit_spacing():
    x, y = [10, 20, 25, 45], [0.5, 0.6, 0.8, 0.7]
    # rounds 1..3: ((0.6 + 0.8) / 2 + (0.8 + 0.7) / 2) / 2 = (0.7 + 0.75) / 2
    assert aubc(x, y, "zhan2021") == pytest.approx(0.725)
    # the label-weighted variant differs when batches differ: (5 * 0.7 + 20 * 0.75) / 25
    assert aubc(x, y, "trapezoid_no_initial") == pytest.approx(0.74)


def test_zhan2021_equals_no_initial_for_equal_batches():
    rng = np.random.default_rng(0)
    y = rng.random(9)
    x = 20 + 10 * np.arange(9)
    assert aubc(x, y, "zhan2021") == pytest.approx(aubc(x, y, "trapezoid_no_initial"))


def test_degenerate_curves():
    assert aubc([20], [0.7], "trapezoid") == 0.7
    assert np.isnan(aubc([20], [0.7], "trapezoid_no_initial"))
    assert np.isnan(aubc([20], [0.7], "zhan2021"))
    assert aubc([20, 30], [0.1, 0.7], "zhan2021") == 0.7
    assert aubc([20, 30], [0.1, 0.7], "trapezoid_no_initial") == 0.7


def test_unknown_variant_lists_known():
    with pytest.raises(AlbenchInputError, match="trapezoid_no_initial"):
        aubc([1, 2], [0.1, 0.2], "simpson")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=2, max_size=12),
    st.lists(st.integers(1, 50), min_size=11, max_size=11),
)
def test_variants_lie_between_min_and_max(values, steps):
    y = np.array(values)
    x = 10 + np.concatenate([[0], np.cumsum(steps[: len(y) - 1])])
    for name in AUBC_VARIANTS:
        v = aubc(x, y, name)
        assert y.min() - 1e-12 <= v <= y.max() + 1e-12
    # a constant curve has that constant as every AUBC
    for name in AUBC_VARIANTS:
        assert aubc(x, np.full_like(y, 0.42), name) == pytest.approx(0.42)


def test_aubc_per_cell_one_row_per_cell():
    rows = []
    for strategy, ys in {"random": [0.5, 0.6, 0.7], "margin": [0.5, 0.8, 0.9]}.items():
        for r, yv in enumerate(ys):
            rows.append(("d", "m", strategy, "oracle", 0, r, 10 + 10 * r, yv))
    df = pd.DataFrame(
        rows,
        columns=["dataset", "model", "strategy", "labeler", "repetition", "round", "n_labeled", "accuracy"],
    )
    out = aubc_per_cell(df.sample(frac=1, random_state=1), "accuracy", "trapezoid").set_index("strategy")
    assert out.loc["random", "aubc"] == pytest.approx(0.6)
    assert out.loc["margin", "aubc"] == pytest.approx((0.65 + 0.85) / 2)
    with pytest.raises(AlbenchInputError):
        aubc_per_cell(df, "f1_macro")
