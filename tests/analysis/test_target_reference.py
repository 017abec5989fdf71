"""References of the kind "labels to reach a target", on hand-made results worked out by hand."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from albench.analysis.reference import (
    beyond,
    builtin_references,
    compare_to_reference,
    load_reference,
    parse_reference,
)
from albench.analysis.target_reference import first_crossing
from albench.errors import AlbenchInputError

REF = """
format = 1
kind = "labels_to_target"
name = "toy-target"
metric = "accuracy"
count = "acquired"
tolerance_factor = 1.5
tolerance_labels = 0
source = "hand"
citation = "nobody (2026)"

[strategies]
Random = "random"
BALD = "bald"

[[result]]
dataset = "toy"
strategy = "BALD"
target = 0.9
labels = 20

[[result]]
dataset = "toy"
strategy = "Random"
target = 0.9
labels = 20

[[result]]
dataset = "toy"
strategy = "Random"
target = 0.95
labels = 100
"""


def _rows(strategy: str, rep: int, accuracies: list[float], initial: int = 20, batch: int = 10) -> list[dict]:
    return [
        {
            "dataset": "toy",
            "model": "cnn",
            "labeler": "oracle",
            "strategy": strategy,
            "repetition": rep,
            "round": r,
            "n_labeled": initial + batch * r,
            "accuracy": a,
        }
        for r, a in enumerate(accuracies)
    ]


def _frame() -> pd.DataFrame:
    rows = []
    # bald: mean curve (0.5, 0.8, 0.9, 0.95) -> reaches 0.9 at round 2 = 20 acquired labels
    rows += _rows("bald", 0, [0.4, 0.7, 0.9, 0.96])
    rows += _rows("bald", 1, [0.6, 0.9, 0.9, 0.94])
    # random: mean (0.5, 0.6, 0.7, 0.85, 0.91) -> reaches 0.9 at round 4 = 40 acquired labels,
    # never 0.95 (budget: 40 acquired labels; best mean 0.91)
    rows += _rows("random", 0, [0.5, 0.6, 0.7, 0.80, 0.90])
    rows += _rows("random", 1, [0.5, 0.6, 0.7, 0.90, 0.92])
    return pd.DataFrame(rows)


def test_first_crossing_by_hand() -> None:
    x = np.array([0.0, 10, 20, 30])
    assert first_crossing(x, np.array([0.1, 0.5, 0.4, 0.6]), 0.5) == 10
    assert math.isnan(first_crossing(x, np.array([0.1, 0.2, 0.3, 0.4]), 0.5))
    assert first_crossing(x, np.array([0.9, 0.6, 0.3, 0.1]), 0.5, at_least=False) == 20
    both = first_crossing(x, np.array([[0.1, 0.5, 0.6, 0.7], [0.1, 0.1, 0.1, 0.55]]), 0.5)
    np.testing.assert_array_equal(both, [10, 30])


def test_comparison_by_hand() -> None:
    ref = parse_reference(tomllib.loads(REF), "toy.toml")
    assert ref.kind == "labels_to_target" and ref.tolerance_factor == 1.5
    out = compare_to_reference(_frame(), ref).set_index(["strategy", "target"])
    bald = out.loc[("bald", 0.9)]
    assert bald["ours_labels"] == 20 and bald["published_labels"] == 20 and bald["verdict"] == "consistent"
    assert bald["allowed_low"] == pytest.approx(20 / 1.5) and bald["allowed_high"] == 30
    rnd = out.loc[("random", 0.9)]
    # 40 acquired labels against 20 published, tolerated up to 30: more labels than published
    assert rnd["ours_labels"] == 40 and rnd["ratio"] == 2.0 and rnd["verdict"] == "more labels"
    never = out.loc[("random", 0.95)]
    assert math.isnan(never["ours_labels"]) and never["budget_labels"] == 40
    assert never["best_value"] == pytest.approx(0.91)
    # the budget (40) ends before the tolerated 150: the check cannot confirm, and says why
    assert never["verdict"] == "budget too small" and "raise the budget" in never["message"]
    assert "never" not in bald["message"]
    assert len(beyond(compare_to_reference(_frame(), ref), 3.5)) == 2


def test_total_count_and_tolerance_labels() -> None:
    raw = tomllib.loads(REF)
    raw["count"] = "total"
    raw["tolerance_labels"] = 20
    ref = parse_reference(raw, "toy.toml")
    out = compare_to_reference(_frame(), ref).set_index(["strategy", "target"])
    # total labels: bald 40 (20 initial + 20), random 60; tolerated 20/1.5-20 .. 1.5*20+20 = 50
    assert out.loc[("bald", 0.9), "ours_labels"] == 40 and out.loc[("bald", 0.9), "verdict"] == "consistent"
    assert (
        out.loc[("random", 0.9), "ours_labels"] == 60 and out.loc[("random", 0.9), "verdict"] == "more labels"
    )


def test_not_reached_when_the_budget_was_large_enough() -> None:
    raw = tomllib.loads(REF)
    raw["result"] = [{"dataset": "toy", "strategy": "Random", "target": 0.99, "labels": 10}]
    out = compare_to_reference(_frame(), parse_reference(raw, "toy.toml"))
    row = out.iloc[0]
    assert row["verdict"] == "not reached"  # budget 40 >= tolerated 15, and still never 0.99
    want = "never reaches accuracy >= 0.99 within the budget (40 labels acquired; best 0.9100)"
    assert want in row["message"]


def test_bootstrap_interval_over_repetitions_by_hand() -> None:
    ref = parse_reference(tomllib.loads(REF), "toy.toml")
    out = compare_to_reference(_frame(), ref).set_index(["strategy", "target"])
    # bald's resampled mean curves: rep 0 twice -> 20, rep 1 twice -> 10, one of each -> 20
    assert out.loc[("bald", 0.9), "ours_low"] == 10 and out.loc[("bald", 0.9), "ours_high"] == 20
    # random at 0.9: rep 0 twice -> 40, rep 1 twice -> 30, mixed -> 40
    assert out.loc[("random", 0.9), "ours_low"] == 30 and out.loc[("random", 0.9), "ours_high"] == 40
    assert out.loc[("random", 0.95), "ours_high"] == math.inf  # most resamples never reach it
    again = compare_to_reference(_frame(), ref)
    pd.testing.assert_frame_equal(again, compare_to_reference(_frame(), ref))


def test_lower_is_better_metric() -> None:
    raw = tomllib.loads(REF)
    raw["metric"] = "log_loss"
    del raw["count"]
    raw["result"] = [{"dataset": "toy", "strategy": "BALD", "target": 0.5, "labels": 30}]
    df = _frame()
    df["log_loss"] = 1.0 - df["accuracy"]  # mean (0.5, 0.2, 0.1, 0.05): <= 0.5 at round 0 = 20 labels
    out = compare_to_reference(df, parse_reference(raw, "toy.toml"))
    assert out.iloc[0]["goal"] == "at_most" and out.iloc[0]["ours_labels"] == 20


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tolerance_factor": 0.5}, "tolerance_factor = 0.5"),
        ({"count": "some"}, "count = 'some'"),
        ({"goal": "up"}, "goal = 'up'"),
        ({"kind": "median"}, "kind = 'median'"),
        ({"mean": 1.0}, "unknown key 'mean'"),
    ],
)
def test_bad_files_are_named(change: dict, message: str) -> None:
    raw = {**tomllib.loads(REF), **change}
    with pytest.raises(AlbenchInputError, match=message):
        parse_reference(raw, "toy.toml")


def test_bad_results_are_named() -> None:
    raw = tomllib.loads(REF)
    raw["result"][0]["labels"] = -5
    with pytest.raises(AlbenchInputError, match=r"result\[0\].*labels = -5"):
        parse_reference(raw, "toy.toml")
    raw = tomllib.loads(REF)
    raw["result"][1]["strategy"] = "BALD"
    with pytest.raises(AlbenchInputError, match="more than once"):
        parse_reference(raw, "toy.toml")


def test_no_group_in_common_and_missing_metric() -> None:
    ref = parse_reference(tomllib.loads(REF), "toy.toml")
    df = _frame().assign(dataset="other")
    with pytest.raises(AlbenchInputError, match="no dataset x strategy"):
        compare_to_reference(df, ref)
    raw = tomllib.loads(REF)
    raw["metric"] = "f1_macro"
    with pytest.raises(AlbenchInputError, match="metric 'f1_macro' is not in the results"):
        compare_to_reference(_frame(), parse_reference(raw, "toy.toml"))


def test_the_shipped_gal2017_table() -> None:
    assert "gal2017-mnist" in builtin_references()
    ref = load_reference("gal2017-mnist")
    t = ref.table.set_index(["strategy", "target"])["labels"]
    published = {
        "bald": (145, 335),
        "variation_ratios": (120, 295),
        "mc_entropy": (165, 355),
        "mean_std": (230, 695),
        "random": (255, 835),
    }
    for strategy, (ten, five) in published.items():
        assert t[(strategy, 0.90)] == ten and t[(strategy, 0.95)] == five
    assert len(t) == 10 and set(ref.table["dataset"]) == {"mnist10k"}
    assert set(ref.table["count"]) == {"acquired"} and ref.tolerance_labels == 10


def test_the_shipped_gal2017_code_curves() -> None:
    """The counts read off the published code's stored curves (transcribed from the .npy
    files named in the reference's header), beside Table 1's."""
    assert "gal2017-mnist-code" in builtin_references()
    ref = load_reference("gal2017-mnist-code")
    t = ref.table.set_index(["strategy", "target"])["labels"]
    stored = {"bald": (300, 480), "variation_ratios": (150, 280), "mc_entropy": (180, 350)}
    for strategy, (ten, five) in stored.items():
        assert t[(strategy, 0.90)] == ten and t[(strategy, 0.95)] == five
    assert len(t) == 6 and "random" not in set(ref.table["strategy"])
    table1 = load_reference("gal2017-mnist")
    assert (ref.tolerance_factor, ref.tolerance_labels) == (
        table1.tolerance_factor,
        table1.tolerance_labels,
    )
