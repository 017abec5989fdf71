"""Reference files and the ours-vs-published comparison, on hand-made tables."""

import math

import numpy as np
import pandas as pd
import pytest

from albench.analysis.reference import (
    beyond,
    builtin_references,
    compare_to_reference,
    load_reference,
    parse_reference,
    verdict,
    z_score,
)
from albench.errors import AlbenchInputError

REF_TOML = """
format = 1
name = "handmade"
title = "a hand-made table"
metric = "accuracy"
aubc_variant = "trapezoid"
source = "nowhere, test"
citation = "nobody (2026)"

[strategies]
uniform = "random"

[datasets]
toy = "demo.toy"

[[result]]
dataset = "toy"
strategy = "uniform"
mean = 0.5
std = 0.1
n = 4

[[result]]
dataset = "toy"
strategy = "margin"
mean = 0.9
std = 0.0
n = 9
"""


def _curve_rows(dataset, strategy, rep, values):
    return [
        {
            "dataset": dataset,
            "model": "m",
            "strategy": strategy,
            "labeler": "oracle",
            "repetition": rep,
            "round": r,
            "n_labeled": 10 + r,
            "accuracy": v,
        }
        for r, v in enumerate(values)
    ]


def _results() -> pd.DataFrame:
    # constant curves: each cell's trapezoid AUBC is that constant
    rows = []
    for rep, v in enumerate([0.6, 0.7, 0.8]):
        rows += _curve_rows("demo.toy", "random", rep, [v, v, v])
    for rep, v in enumerate([0.9, 0.9]):
        rows += _curve_rows("demo.toy", "margin", rep, [v, v])
    rows += _curve_rows("demo.other", "random", 0, [0.1, 0.1])  # not in the reference
    return pd.DataFrame(rows)


@pytest.fixture
def ref_file(tmp_path):
    path = tmp_path / "ref.toml"
    path.write_text(REF_TOML, encoding="utf-8")
    return path


def test_z_score_by_hand():
    # (0.7 - 0.5) / sqrt(0.1^2 / 3 + 0.1^2 / 4) = 0.2 / sqrt(0.0058333...) = 2.6186...
    assert z_score(0.7, 0.1, 3, 0.5, 0.1, 4) == pytest.approx(0.2 / math.sqrt(0.01 / 3 + 0.01 / 4))
    assert z_score(0.7, 0.1, 3, 0.5, 0.1, 4) == pytest.approx(2.61861468, rel=1e-7)
    assert z_score(0.5, 0.0, 3, 0.5, 0.0, 4) == 0.0
    assert z_score(0.6, 0.0, 3, 0.5, 0.0, 4) == math.inf
    assert math.isnan(z_score(0.6, float("nan"), 1, 0.5, 0.1, 4))


def test_verdicts():
    assert verdict(3.4, 3.5) == "consistent"
    assert verdict(-3.5, 3.5) == "consistent"
    assert verdict(3.6, 3.5) == "higher"
    assert verdict(-9.0, 3.5) == "lower"
    assert verdict(float("nan"), 3.5) == "too few runs"


def test_compare_hand_made_table(ref_file):
    ref = load_reference(ref_file)
    out = compare_to_reference(_results(), ref, max_z=2.0)
    assert list(out["strategy"]) == ["random", "margin"]  # reference order; demo.other left out
    rnd = out.iloc[0]
    # ours: AUBCs 0.6, 0.7, 0.8 -> mean 0.7, std (ddof 1) 0.1, n 3
    assert rnd["ours_mean"] == pytest.approx(0.7)
    assert rnd["ours_std"] == pytest.approx(0.1)
    assert rnd["ours_n"] == 3
    assert (rnd["published_dataset"], rnd["published_strategy"]) == ("toy", "uniform")
    assert rnd["difference"] == pytest.approx(0.2)
    assert rnd["z"] == pytest.approx(0.2 / math.sqrt(0.1**2 / 3 + 0.1**2 / 4))
    assert rnd["verdict"] == "higher"  # 2.62 > 2.0
    mar = out.iloc[1]
    # both standard deviations zero, equal means
    assert mar["z"] == 0.0 and mar["verdict"] == "consistent"
    assert list(beyond(out, 2.0)["strategy"]) == ["random"]
    assert beyond(out, 3.0).empty


def test_compare_uses_the_reference_variant(ref_file, tmp_path):
    text = REF_TOML.replace('aubc_variant = "trapezoid"', 'aubc_variant = "lu2025"')
    path = tmp_path / "lu.toml"
    path.write_text(text, encoding="utf-8")
    df = pd.DataFrame(_curve_rows("demo.toy", "random", 0, [0.2, 0.6, 0.8]))
    df = pd.concat([df, pd.DataFrame(_curve_rows("demo.toy", "random", 1, [0.2, 0.6, 0.8]))])
    out = compare_to_reference(df, load_reference(path))
    # rounds 1..2: (0.6 + 0.8) / 2 over 2 queries = 0.35 (round 0 left out)
    assert out.iloc[0]["ours_mean"] == pytest.approx(0.35)


def test_one_run_is_too_few(ref_file):
    df = pd.DataFrame(_curve_rows("demo.toy", "random", 0, [0.5, 0.5]))
    out = compare_to_reference(df, load_reference(ref_file))
    assert out.iloc[0]["verdict"] == "too few runs"
    assert len(beyond(out, 3.5)) == 1


def test_no_common_group_is_bad_input(ref_file):
    df = pd.DataFrame(_curve_rows("demo.other", "random", 0, [0.5, 0.5]))
    with pytest.raises(AlbenchInputError, match="no dataset x strategy of the results"):
        compare_to_reference(df, load_reference(ref_file))


def test_bad_max_z(ref_file):
    with pytest.raises(AlbenchInputError, match="--max-z"):
        compare_to_reference(_results(), load_reference(ref_file), max_z=0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("format = 1", "format = 2"), "format = 2"),
        (("std = 0.1", "std = -0.1"), r"result\[0\]\.std = -0\.1: must be >= 0"),
        (("n = 4", "n = 0"), r"result\[0\]\.n = 0"),
        (("mean = 0.5", 'mean = "x"'), r"result\[0\]\.mean = 'x'"),
        (('aubc_variant = "trapezoid"', 'aubc_variant = "simpson"'), "aubc_variant = 'simpson'"),
        (('strategy = "margin"', 'strategy = "uniform"'), "given more than once"),
        (('title = "a hand-made table"', 'colour = "red"'), "unknown key 'colour'"),
        (("n = 9", "n = 9\nweight = 2"), r"result\[1\]: unknown key 'weight'"),
        (('name = "handmade"', ""), "name = None"),
    ],
)
def test_bad_reference_files(tmp_path, change, message):
    path = tmp_path / "bad.toml"
    path.write_text(REF_TOML.replace(*change, 1), encoding="utf-8")
    with pytest.raises(AlbenchInputError, match=message):
        load_reference(path)


def test_unknown_reference_lists_shipped():
    with pytest.raises(AlbenchInputError, match="lu2025-binary"):
        load_reference("no-such-reference")


def test_not_toml(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(AlbenchInputError, match="not valid TOML"):
        load_reference(path)


LARGE_SETS = [f"zhan2021.{d}" for d in ("spambase", "banana", "phoneme", "ringnorm", "twonorm", "phishing")]


def test_shipped_lu2025_reference():
    assert "lu2025-binary" in builtin_references()
    ref = load_reference("lu2025-binary")
    t = ref.table
    # 26 binary sets x 19 columns, less the 33 "too long (time)" and 2 "error" cells
    assert len(t) == 26 * 19 - 35
    published = "uniform us qbc hintsvm quire albl dwus vr kcenter margin graph hier infodiv mcm eer"
    published += " bmdr spal lal bso"
    assert set(t["published_strategy"]) == set(published.split())
    assert t.groupby("published_strategy").size()["uniform"] == 26
    assert t.groupby("published_strategy").size()["bso"] == 20  # not on the six large sets
    assert not ((t["dataset"] == "zhan2021.spambase") & (t["published_strategy"] == "quire")).any()  # "error"
    labels = dict(zip(t["published_strategy"], t["strategy"], strict=True))
    assert (labels["uniform"], labels["margin"], labels["kcenter"]) == ("random", "margin", "kcenter")
    assert t["dataset"].str.startswith("zhan2021.").all()
    assert (t["aubc_variant"] == "lu2025").all() and (t["metric"] == "accuracy").all()
    # the published run counts: 100 on the 20 small sets, 10 on the 6 large ones
    assert set(t.loc[t["dataset"].isin(LARGE_SETS), "n"]) == {10}
    assert set(t.loc[~t["dataset"].isin(LARGE_SETS), "n"]) == {100}
    assert t["source"].str.contains("ariapoy/active-learning-benchmark").all()
    # every dataset label is a dataset card albench knows
    from albench.registry import DATASETS

    assert set(t["dataset"]) <= set(DATASETS.names())


def test_parse_reference_defaults_ddof_and_rows():
    raw = {
        "format": 1,
        "name": "x",
        "metric": "accuracy",
        "aubc_variant": "trapezoid",
        "source": "s",
        "citation": "c",
        "result": [{"dataset": "a", "strategy": "b", "mean": 1, "std": 0, "n": 1, "source": "row source"}],
    }
    ref = parse_reference(raw)
    assert ref.std_ddof == 1
    row = ref.table.iloc[0]
    assert (row["dataset"], row["strategy"], row["source"]) == ("a", "b", "row source")
    assert np.isclose(row["mean"], 1.0)
    assert ref.title == "x"
