"""Stop points and the cost-based score on a tiny example computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from albench.analysis.stopping import (
    CostModel,
    criterion_labels,
    criterion_ranking,
    criterion_summary,
    stop_points,
)
from albench.errors import AlbenchInputError


def cell_rows(dataset="d", strategy="s", rep=0, acc=(0.6, 0.8, 0.84, 0.86), stops=None) -> pd.DataFrame:
    n = len(acc)
    stops = stops or {
        "early": [False, False, True, True],
        "late": [False, False, False, True],
        "never": [False] * n,
    }
    rows = {
        "dataset": dataset,
        "model": "m",
        "strategy": strategy,
        "labeler": "oracle",
        "repetition": rep,
        "round": range(n),
        "n_labeled": [10 * (r + 1) for r in range(n)],
        "accuracy": acc,
    }
    for label, s in stops.items():
        rows[f"stop_{label}"] = s
        rows[f"stop_{label}_value"] = np.linspace(1, 0, n)
    return pd.DataFrame(rows)


def test_criterion_labels_need_both_columns():
    df = cell_rows().drop(columns="stop_late_value")
    assert criterion_labels(df) == ["early", "never"]


def test_cost_score_by_hand():
    # cost = 1 * labels + 1 * 200 * (1 - accuracy):
    #   round 0: 10 + 80 = 90; round 1: 20 + 40 = 60; round 2: 30 + 32 = 62; round 3: 40 + 28 = 68
    points = stop_points(cell_rows(), "accuracy", CostModel(1.0, 1.0, 200.0)).set_index("criterion")
    assert (points["labels_optimal"] == 20).all() and points["cost_optimal"].tolist() == pytest.approx(
        [60.0] * 3
    )
    assert points.loc["early", "labels_at_stop"] == 30
    assert points.loc["early", "cost_at_stop"] == pytest.approx(62.0)
    assert points.loc["early", "excess_cost"] == pytest.approx(2.0)
    assert points.loc["early", "relative_excess"] == pytest.approx(2.0 / 60.0)
    assert points.loc["early", "label_distance"] == 10
    assert points.loc["late", "excess_cost"] == pytest.approx(8.0)
    # a criterion that never fires runs to the full budget
    assert not points.loc["never", "fired"] and points.loc["never", "labels_at_stop"] == 40
    assert points.loc["never", "metric_at_stop"] == points.loc["never", "metric_full"] == 0.86
    assert (points["metric_best"] == 0.86).all() and (points["labels_best"] == 40).all()
    # labels ten times dearer: the optimum moves to round 0 (10*10 + 80 = 180 < 260)
    dear = stop_points(cell_rows(), "accuracy", CostModel(10.0, 1.0, 200.0)).set_index("criterion")
    assert (dear["labels_optimal"] == 10).all()
    assert dear.loc["early", "excess_cost"] == pytest.approx(300 + 32 - 180)


def test_summary_and_ranking_order_the_criteria_by_excess_cost():
    rng = np.random.default_rng(0)
    frames = []
    for d in ("a", "b", "c", "e"):
        for rep in range(6):
            acc = np.sort(rng.uniform(0.6, 0.9, 4))
            frames.append(cell_rows(dataset=d, rep=rep, acc=tuple(acc)))
    points = stop_points(pd.concat(frames, ignore_index=True), "accuracy", CostModel(1.0, 1.0, 200.0))
    summary = criterion_summary(points)
    # the expected order, computed independently of criterion_summary
    expected = points.groupby("criterion")["excess_cost"].mean().sort_values()
    assert summary["criterion"].tolist() == list(expected.index)
    assert summary["excess_cost"].to_numpy() == pytest.approx(expected.to_numpy())
    fr, comps, wtl = criterion_ranking(points)
    assert fr is not None and fr.n_blocks == 4 and fr.n_strategies == 3
    assert set(comps["strategy"]) == {"s"} and set(comps["model"]) == {"m"}
    assert set(wtl["criterion"]) | set(comps["reference_criterion"]) == {"early", "late", "never"}


def test_bad_metric_and_costs():
    with pytest.raises(AlbenchInputError, match="higher-is-better"):
        stop_points(cell_rows().assign(log_loss=0.3), "log_loss")
    with pytest.raises(AlbenchInputError, match="not in these results"):
        stop_points(cell_rows(), "f1_macro")
    with pytest.raises(AlbenchInputError, match="lifetime = -1"):
        CostModel(lifetime=-1)
