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
    # lu2025 counts the interval from round 0 to round 1 as height 0: it is a mean height
    # only after rounds 1..L, and scaled down by the share of that first interval
    means = [name for name in AUBC_VARIANTS if name != "lu2025"]
    for name in means:
        v = aubc(x, y, name)
        assert y.min() - 1e-12 <= v <= y.max() + 1e-12
    # a constant curve has that constant as every AUBC
    for name in means:
        assert aubc(x, np.full_like(y, 0.42), name) == pytest.approx(0.42)
    first_share = (x[1] - x[0]) / (x[-1] - x[0])
    assert aubc(x, np.full_like(y, 0.42), "lu2025") == pytest.approx(0.42 * (1 - first_share))
    assert 0 <= aubc(x, y, "lu2025") <= y[1:].max() + 1e-12


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


def _lu2025_published_loop(quota: int, resseq: list[float], bsize: int) -> float:
    """Lu et al.'s src/utils.py::AUBC, re-typed as its loop (without the final 5-decimal rounding)."""
    ressum = 0.0
    if quota % bsize == 0:
        for i in range(len(resseq) - 1):
            ressum += (resseq[i + 1] + resseq[i]) * bsize / 2
    else:
        for i in range(len(resseq) - 2):
            ressum += (resseq[i + 1] + resseq[i]) * bsize / 2
        ressum += (resseq[-1] + resseq[-2]) * (quota % bsize) / 2
    return ressum / quota


def test_lu2025_by_hand():
    # round 0 (0.5) is left out; rounds 1..3 give (0.6 + 0.8) / 2 + (0.8 + 0.7) / 2 = 1.45,
    # divided by the 3 queries (not by the 2 intervals)
    assert aubc([20, 21, 22, 23], [0.5, 0.6, 0.8, 0.7], "lu2025") == pytest.approx(1.45 / 3)


@pytest.mark.parametrize(("quota", "bsize"), [(37, 1), (40, 5), (43, 5), (7, 3), (1, 1)])
def test_lu2025_equals_published_loop(quota, bsize):
    rng = np.random.default_rng(quota * 10 + bsize)
    n_rounds = -(-quota // bsize)
    after = rng.random(n_rounds)  # E_tst_score: one value per query round
    x = 20 + np.minimum(np.arange(n_rounds + 1) * bsize, quota)  # n_labeled, round 0 first
    y = np.concatenate([[rng.random()], after])  # round 0's value must not matter
    assert aubc(x, y, "lu2025") == pytest.approx(_lu2025_published_loop(quota, list(after), bsize))


def test_lu2025_vs_zhan2021_factor():
    rng = np.random.default_rng(3)
    y = rng.random(11)
    x = 20 + np.arange(11)
    # batch size 1, L = 10 queries: lu2025 = (L - 1) / L * zhan2021
    assert aubc(x, y, "lu2025") == pytest.approx(0.9 * aubc(x, y, "zhan2021"))


def test_zhan_survey_get_aubc_is_trapezoid():
    """Zhan et al.'s get_aubc (round 0 included, divided by the quota) is the default variant."""
    rng = np.random.default_rng(5)
    quota, bsize = 12, 1
    resseq = list(rng.random(quota + 1))  # round 0 .. round quota
    by_loop = sum((resseq[i + 1] + resseq[i]) * bsize / 2 for i in range(len(resseq) - 1)) / quota
    assert aubc(20 + np.arange(quota + 1), resseq, "trapezoid") == pytest.approx(by_loop)


def test_lu2025_degenerate():
    assert np.isnan(aubc([20], [0.7], "lu2025"))
    assert aubc([20, 21], [0.1, 0.7], "lu2025") == 0.0  # one query: no interval, as published
