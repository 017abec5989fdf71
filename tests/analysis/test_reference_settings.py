"""A reference's [strategies] entries as configurations, and results run with other settings."""

import json

import pandas as pd
import pytest

from albench.analysis.reference import beyond, compare_to_reference, parse_reference, settings_notes
from albench.analysis.reference_settings import StrategySetting, parse_strategy_map, settings_mismatch
from albench.errors import AlbenchInputError


def _raw(strategies: dict) -> dict:
    return {
        "format": 1,
        "name": "r",
        "metric": "accuracy",
        "aubc_variant": "trapezoid",
        "source": "s",
        "citation": "c",
        "strategies": strategies,
        "result": [
            {"dataset": "toy", "strategy": "uniform", "mean": 0.7, "std": 0.1, "n": 3},
            {"dataset": "toy", "strategy": "qbc", "mean": 0.8, "std": 0.1, "n": 3},
        ],
    }


def _rows(strategy: str, params: dict, query_model: str = "m") -> list[dict]:
    return [
        {
            "dataset": "toy",
            "model": "m",
            "labeler": "oracle",
            "strategy": strategy,
            "query_model": query_model,
            "strategy_params": json.dumps(params),
            "repetition": rep,
            "round": r,
            "n_labeled": 10 + r,
            "accuracy": 0.7 + 0.1 * (strategy == "qbc"),
        }
        for rep in range(3)
        for r in range(3)
    ]


QBC = {"name": "qbc_vote_entropy", "n_members": 4, "label": "qbc"}


def test_strings_and_tables_parse():
    labels, settings = parse_strategy_map({"strategies": {"uniform": "random", "qbc": QBC}}, "f")
    assert labels == {"uniform": "random", "qbc": "qbc"}
    assert settings == {"qbc": StrategySetting(name="qbc_vote_entropy", label="qbc", params={"n_members": 4})}
    # label defaults to the published name; query_model is not a parameter
    _, settings = parse_strategy_map({"strategies": {"us": {"name": "entropy", "query_model": "lr"}}}, "f")
    assert settings["us"].params == {} and settings["us"].query_model == "lr"
    assert settings["us"].describe() == "entropy() with query model 'lr'"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"a": 3}, r"strategies\.a = 3: must be an albench label"),
        ({"a": ""}, r"strategies\.a = '': must be an albench label"),
        ({"a": {"n_members": 2}}, r"strategies\.a\.name = None: must name the albench strategy"),
        ({"a": {"name": "margin", "label": 7}}, r"strategies\.a\.label = 7: must be a non-empty string"),
        ({"a": {"name": "m", "label": "x"}, "b": {"name": "m", "label": "x"}}, r"strategies\.b\.label = 'x'"),
    ],
)
def test_bad_entries_name_the_field(entry, message):
    with pytest.raises(AlbenchInputError, match=message):
        parse_strategy_map({"strategies": entry}, "f")
    with pytest.raises(AlbenchInputError, match="must be a table"):
        parse_strategy_map({"strategies": ["a"]}, "f")


def test_mismatch_names_the_parameter_and_both_values():
    setting = StrategySetting(
        name="qbc_vote_entropy", label="qbc", params={"n_members": 4, "models": ["a", "b"]}
    )
    same = pd.DataFrame(_rows("qbc", {"n_members": 4, "models": ["a", "b"], "seed": None}))
    assert settings_mismatch(same, setting) is None
    other = pd.DataFrame(_rows("qbc", {"n_members": 5, "models": ["a", "b"]}))
    assert "ran with n_members=5, the reference replays it with n_members=4" in settings_mismatch(
        other, setting
    )
    missing = pd.DataFrame(_rows("qbc", {"n_members": 4}))
    assert "ran without parameter 'models'" in settings_mismatch(missing, setting)
    floats = StrategySetting(name="x", label="x", params={"beta": 2})
    assert settings_mismatch(pd.DataFrame(_rows("x", {"beta": 2.0})), floats) is None
    qm = StrategySetting(name="entropy", label="us", query_model="lr")
    assert "query model 'svm'" in settings_mismatch(pd.DataFrame(_rows("us", {}, "svm")), qm)
    assert settings_mismatch(pd.DataFrame(_rows("us", {}, "lr")), qm) is None


def test_a_column_run_with_other_settings_fails_the_check():
    ref = parse_reference(_raw({"uniform": "random", "qbc": QBC}), "f")
    right = pd.DataFrame(_rows("random", {}) + _rows("qbc", {"n_members": 4}))
    out = compare_to_reference(right, ref, 3.5)
    assert list(out["verdict"]) == ["consistent", "consistent"] and beyond(out, 3.5).empty
    wrong = pd.DataFrame(_rows("random", {}) + _rows("qbc", {"n_members": 5}))
    out = compare_to_reference(wrong, ref, 3.5)
    assert list(out["verdict"]) == ["consistent", "other settings"]
    assert list(beyond(out, 3.5)["strategy"]) == ["qbc"]
    [(label, note)] = settings_notes(out)
    assert label == "qbc" and "n_members=5" in note and "qbc_vote_entropy(n_members=4)" in note
