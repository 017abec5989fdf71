"""Parsing of the published-protocol options of [protocol]: split, test_rounding,
initial_min_per_class (bad values name the field, the value and what is allowed)."""

from pathlib import Path

import pytest

from albench.config import Protocol, load_config, parse_config
from albench.errors import AlbenchInputError
from albench.grid import check_feasible

REPO = Path(__file__).resolve().parents[1]


def cfg(**protocol):
    return {"grid": {"datasets": ["iris"]}, "protocol": protocol}


def test_options_parse_and_round_trip():
    exp = parse_config(cfg(split="random", test_rounding="floor", initial_min_per_class=2))
    p = exp.protocol
    assert (p.split, p.test_rounding, p.initial_min_per_class) == ("random", "floor", 2)
    again = parse_config(exp.to_dict())
    assert again.protocol == p


def test_defaults_keep_existing_cell_keys():
    plain = parse_config(cfg(initial_size=10))
    explicit = parse_config(
        cfg(initial_size=10, split="stratified", test_rounding="ceil", initial_min_per_class=1)
    )
    assert explicit.protocol == plain.protocol == Protocol(initial_size=10)
    assert explicit.protocol.to_dict() == plain.protocol.to_dict()


@pytest.mark.parametrize(
    ("protocol", "message"),
    [
        ({"split": "shuffled"}, "protocol.split = 'shuffled': allowed: stratified, random"),
        ({"test_rounding": "round"}, "protocol.test_rounding = 'round': allowed: ceil, floor"),
        ({"initial_min_per_class": 0}, "protocol.initial_min_per_class = 0: must be an integer >= 1"),
        ({"initial_min_per_class": 1.5}, "protocol.initial_min_per_class = 1.5"),
        ({"initial_per_class": 2, "initial_min_per_class": 2}, "initial_min_per_class applies to"),
    ],
)
def test_bad_values(protocol, message):
    with pytest.raises(AlbenchInputError) as exc:
        parse_config(cfg(**protocol))
    assert message in str(exc.value)


def test_feasibility_knows_the_options():
    # 3 classes x 2 each cannot fit in an initial set of 5
    exp = parse_config(cfg(initial_size=5, initial_min_per_class=2))
    with pytest.raises(AlbenchInputError, match="must contain 2 of each"):
        check_feasible(exp)
    assert check_feasible(parse_config(cfg(initial_size=6, initial_min_per_class=2)))


def test_zhan2021_example_uses_the_published_protocol():
    exp = load_config(REPO / "examples" / "zhan2021-svm.toml")
    p = exp.protocol
    assert (p.split, p.test_fraction, p.test_rounding) == ("random", 0.4, "ceil")
    assert (p.initial_size, p.initial_min_per_class, p.batch_size, p.budget) == (20, 1, 1, "pool")
    assert p.standardize == "train"
    assert [m.resolved.get("gamma") for m in exp.models] == ["auto"]
    assert {"random", "margin"} <= {s.name for s in exp.strategies}
