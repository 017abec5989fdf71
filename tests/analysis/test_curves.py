"""Mean curves and bootstrap intervals."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from albench.analysis.curves import bootstrap_mean_ci, mean_curves


def test_bootstrap_degenerate():
    m, lo, hi = bootstrap_mean_ci(np.full((5, 3), 0.7))
    np.testing.assert_allclose([m, lo, hi], 0.7)
    m, lo, hi = bootstrap_mean_ci(np.array([[0.1, 0.2]]))
    np.testing.assert_allclose(lo, [0.1, 0.2])
    m, lo, hi = bootstrap_mean_ci(np.array([0.3]))
    assert m == lo == hi == 0.3


@pytest.mark.parametrize("confidence", [0.95, 0.90])
def test_bootstrap_seeded_and_close_to_scipy(confidence):
    """The percentile interval matches scipy's at a tolerance that tells 90 % from 95 %.

    For 40 normal values of standard deviation s the 90 % and 95 % bounds lie about
    (1.960 - 1.645) s / sqrt(40) apart, 0.04 for this sample (the last check measures it);
    with 20,000 and 100,000 resamples the two bootstraps differ by at most 0.004 here, so a
    tolerance of 0.015 accepts the right coverage and rejects the other.
    """
    x = np.random.default_rng(0).normal(size=40)
    a = bootstrap_mean_ci(x, n_boot=20_000, confidence=confidence, random_state=1)
    b = bootstrap_mean_ci(x, n_boot=20_000, confidence=confidence, random_state=1)
    assert a == b
    assert a[0] == pytest.approx(x.mean())
    scipy_ci = {
        level: sps.bootstrap(
            (x,), np.mean, n_resamples=100_000, confidence_level=level, method="percentile", random_state=2
        ).confidence_interval
        for level in (0.95, 0.90)
    }
    other = 0.90 if confidence == 0.95 else 0.95
    for bound, i in (("low", 1), ("high", 2)):
        assert a[i] == pytest.approx(getattr(scipy_ci[confidence], bound), abs=0.015)
        assert abs(a[i] - getattr(scipy_ci[other], bound)) > 0.03  # the other coverage fails


def test_mean_curves_by_hand():
    rows = []
    for rep, ys in enumerate([[0.5, 0.7], [0.7, 0.9]]):
        for r, y in enumerate(ys):
            rows.append(("d", "m", "oracle", "s", rep, r, 10 + 5 * r, y))
    df = pd.DataFrame(
        rows,
        columns=["dataset", "model", "labeler", "strategy", "repetition", "round", "n_labeled", "accuracy"],
    )
    out = mean_curves(df, "accuracy", n_boot=500)
    np.testing.assert_allclose(out["mean"], [0.6, 0.8])
    np.testing.assert_allclose(out["n_labeled"], [10, 15])
    assert (out["low"] >= 0.5 - 1e-12).all() and (out["high"] <= 0.9 + 1e-12).all()
    assert out["n"].tolist() == [2, 2]
    pd.testing.assert_frame_equal(out, mean_curves(df.iloc[::-1], "accuracy", n_boot=500))
