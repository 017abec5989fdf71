"""Known-answer tests of per-cell summaries: labels to target, deficiency, gain over random."""

import numpy as np
import pandas as pd
import pytest

from albench.analysis.summary import aggregate, cell_summary, deficiency, labels_to_target, target_value


def test_labels_to_target():
    x, y = [20, 30, 40, 50], [0.5, 0.8, 0.7, 0.95]
    assert labels_to_target(x, y, 0.75) == 30
    assert labels_to_target(x, y, 0.9) == 50
    assert np.isnan(labels_to_target(x, y, 0.99))
    assert labels_to_target(x, [2.0, 1.0, 0.5, 0.4], 0.6, higher_better=False) == 40
    assert target_value(0.9, 0.95) == pytest.approx(0.855)
    assert target_value(0.2, 0.8, higher_better=False) == pytest.approx(0.25)


def test_deficiency_by_hand():
    r = [0.5, 0.6, 0.7]
    a = [0.5, 0.7, 0.8]
    # numerator (0.7-0.5) + (0.7-0.7) + (0.7-0.8) = 0.1; denominator 0.2 + 0.1 + 0 = 0.3
    assert deficiency(a, r) == pytest.approx(1 / 3)
    assert deficiency(r, r) == pytest.approx(1.0)
    assert np.isnan(deficiency(a, [0.7, 0.7, 0.7]))  # random flat: undefined
    # lower is better: mirrored curves give the same deficiency
    assert deficiency([-v for v in a], [-v for v in r], higher_better=False) == pytest.approx(1 / 3)


def _df() -> pd.DataFrame:
    curves = {
        ("random", 0): [0.5, 0.6, 0.7],
        ("random", 1): [0.4, 0.6, 0.8],
        ("margin", 0): [0.5, 0.7, 0.8],
        ("margin", 1): [0.4, 0.8, 0.9],
    }
    rows = []
    for (s, rep), ys in curves.items():
        for r, y in enumerate(ys):
            rows.append(("d", "m", s, "oracle", rep, r, 10 + 10 * r, y))
    return pd.DataFrame(
        rows,
        columns=["dataset", "model", "strategy", "labeler", "repetition", "round", "n_labeled", "accuracy"],
    )


def test_cell_summary_with_ceiling():
    ceiling = pd.DataFrame(
        {
            "dataset": ["d", "d"],
            "model": ["m", "m"],
            "repetition": [0, 1],
            "n_labeled": [100, 100],
            "accuracy": [0.8, 1.0],
        }
    )
    out = cell_summary(_df(), "accuracy", "trapezoid", ceiling=ceiling, target_fraction=0.85)
    out = out.set_index(["strategy", "repetition"])
    assert out.loc[("margin", 0), "aubc"] == pytest.approx((0.6 + 0.75) / 2)
    assert out.loc[("margin", 0), "final"] == 0.8
    assert out.loc[("margin", 0), "ceiling"] == 0.8
    assert out.loc[("margin", 0), "labels_to_target"] == 20  # 0.7 >= 0.85 * 0.8
    assert out.loc[("random", 0), "labels_to_target"] == 30
    assert np.isnan(out.loc[("random", 1), "labels_to_target"])  # never reaches 0.85 * 1.0
    assert out.loc[("margin", 1), "labels_to_target"] == 30
    assert out.loc[("margin", 0), "gain_vs_random"] == pytest.approx(0.675 - 0.6)
    assert out.loc[("random", 0), "gain_vs_random"] == 0
    assert out.loc[("margin", 0), "deficiency"] == pytest.approx(1 / 3)
    agg = aggregate(out.reset_index(), n_boot=200).set_index("strategy")
    assert agg.loc["margin", "reps"] == 2
    assert agg.loc["random", "reached"] == 1
    assert agg.loc["random", "deficiency"] == pytest.approx(1.0)
    assert agg.loc["margin", "aubc_low"] <= agg.loc["margin", "aubc"] <= agg.loc["margin", "aubc_high"]


def test_cell_summary_without_ceiling_or_random():
    df = _df()
    out = cell_summary(df[df.strategy == "margin"], "accuracy")
    assert out["ceiling"].isna().all() and out["labels_to_target"].isna().all()
    assert out["gain_vs_random"].isna().all() and out["deficiency"].isna().all()


def test_aggregate_is_seeded():
    out = cell_summary(_df(), "accuracy")
    a = aggregate(out, random_state=3)
    b = aggregate(out, random_state=3)
    pd.testing.assert_frame_equal(a, b)
