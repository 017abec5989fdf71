"""The published split and initial-set options of albench.partition (split, test_rounding,
initial_min_per_class), and that their defaults leave existing behaviour and keys unchanged."""

import math
from dataclasses import replace

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from albench.ceiling import ceiling_tasks
from albench.config import Protocol, parse_config
from albench.datasets.base import Dataset
from albench.partition import (
    count_test_rows,
    draw_initial,
    initial_success_lower_bound,
    initial_success_probability,
    smallest_feasible_initial_size,
    split_rows,
)

# the sizes of the 26 binary zhan2021 data sets
ZHAN_SIZES = [106, 208, 195, 210, 270, 306, 351, 476, 478, 569, 690, 768, 830, 766, 958, 1000, 1000, 1000,
              1000, 1600, 4601, 5300, 5404, 7400, 7400, 11055]  # fmt: skip


def _ds(y) -> Dataset:
    y = np.asarray(y)
    return Dataset(
        name="t",
        X=np.arange(y.shape[0], dtype=np.float64).reshape(-1, 1),
        y=y.astype(np.int64),
        classes=np.unique(y),
    )


@pytest.mark.parametrize("n", ZHAN_SIZES)
def test_ceil_rounding_equals_lu2025_and_floor_equals_zhan2021(n):
    # Lu et al. (src/utils.py::init_data_exps): trn_size = int(n * (1 - tst_ratio)), test = the rest
    assert count_test_rows(n, 0.4, "ceil") == n - int(n * (1 - 0.4))
    # Zhan et al. (Algorithm/baseline-libact-binary.py::split_data): testsize = int(len(X) * test_size)
    assert count_test_rows(n, 0.4, "floor") == int(n * 0.4)


def test_default_split_is_the_stratified_sklearn_split():
    ds = _ds([0] * 60 + [1] * 40)
    train, test = split_rows(ds, Protocol(test_fraction=0.3), 11)
    exp_train, exp_test = train_test_split(
        np.arange(100), test_size=0.3, stratify=ds.y, random_state=11, shuffle=True
    )
    assert np.array_equal(train, exp_train) and np.array_equal(test, exp_test)


def test_random_split_is_not_stratified():
    ds = _ds([0] * 60 + [1] * 40)
    p = Protocol(test_fraction=0.3, split="random")
    shares = set()
    for seed in range(30):
        train, test = split_rows(ds, p, seed)
        assert len(test) == 30 and len(train) == 70
        assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(100))
        exp_train, _ = train_test_split(np.arange(100), test_size=0.3, random_state=seed, shuffle=True)
        assert np.array_equal(train, exp_train)
        shares.add(int(np.sum(ds.y[test] == 1)))
    # a stratified split always puts 12 of class 1 in the test set; a random one varies
    assert len(shares) > 3


def test_floor_rounding_sets_the_test_size():
    ds = _ds([0] * 104 + [1] * 104)
    train, test = split_rows(ds, Protocol(test_fraction=0.4, test_rounding="floor"), 0)
    assert (len(train), len(test)) == (125, 83)  # int(208 * 0.4) = 83; ceil would give 84
    train, test = split_rows(ds, Protocol(test_fraction=0.4), 0)
    assert (len(train), len(test)) == (124, 84)


def _old_rule_draw(y, n_classes, size, rng):
    """The initial draw before initial_min_per_class existed: re-draw until every class is present."""
    for _ in range(1000):
        chosen = rng.choice(y.shape[0], size=size, replace=False)
        if np.unique(y[chosen]).shape[0] == n_classes:
            return np.sort(chosen)
    raise AssertionError("no draw")


def test_initial_default_rule_is_unchanged():
    y = np.array([0] * 90 + [1] * 10)
    p = Protocol(initial_size=6)
    for seed in range(20):
        got = draw_initial(y, 2, p, np.random.default_rng(seed))
        assert np.array_equal(got, _old_rule_draw(y, 2, 6, np.random.default_rng(seed)))


def test_initial_min_per_class_two():
    y = np.array([0] * 90 + [1] * 10)
    p = Protocol(initial_size=6, initial_min_per_class=2)
    seen_one = False
    for seed in range(40):
        got = draw_initial(y, 2, p, np.random.default_rng(seed))
        assert len(got) == 6 and np.bincount(y[got], minlength=2).min() >= 2
        one = draw_initial(y, 2, Protocol(initial_size=6), np.random.default_rng(seed))
        seen_one |= bool(np.bincount(y[one], minlength=2).min() == 1)
    assert seen_one  # the default rule does accept sets with a single sample of a class


def test_initial_min_per_class_impossible():
    y = np.array([0] * 50 + [1] * 1)
    with pytest.raises(ValueError, match="with 2 of each of 2 classes"):
        draw_initial(y, 2, Protocol(initial_size=4, initial_min_per_class=2), np.random.default_rng(0))


def test_defaults_do_not_change_protocol_keys():
    p = Protocol()
    assert not {"split", "test_rounding", "initial_min_per_class"} & set(p.to_dict())
    assert p.identity() == Protocol(split="stratified", test_rounding="ceil").identity()
    q = replace(p, split="random", test_rounding="floor", initial_min_per_class=2)
    d = q.identity()
    assert (d["split"], d["test_rounding"], d["initial_min_per_class"]) == ("random", "floor", 2)
    assert replace(p, split="random").identity() != p.identity()


def test_ceiling_key_changes_only_with_non_default_split_options():
    grid = {"datasets": ["iris"], "models": ["logistic_regression"]}
    base = ceiling_tasks(parse_config({"grid": grid}))[0]
    assert "split" not in base.spec()["protocol"]
    same = ceiling_tasks(parse_config({"grid": grid, "protocol": {"split": "stratified"}}))[0]
    assert same.key == base.key
    other = ceiling_tasks(parse_config({"grid": grid, "protocol": {"split": "random"}}))[0]
    assert other.spec()["protocol"]["split"] == "random" and other.key != base.key


def test_initial_success_probability_matches_the_hypergeometric_count():
    # two classes of 5: a pair misses a class when both come from one class, 2 * C(5,2) of C(10,2)
    exact = 1 - 2 * math.comb(5, 2) / math.comb(10, 2)
    assert initial_success_probability(np.array([5, 5]), 2, 1) == pytest.approx(exact, abs=0.015)
    # three classes of 4, 3 draws, one of each: 4**3 / C(12,3)
    exact = 4**3 / math.comb(12, 3)
    assert initial_success_probability(np.array([4, 4, 4]), 3, 1) == pytest.approx(exact, abs=0.015)
    assert initial_success_probability(np.array([4, 4, 4]), 2, 1) == 0.0
    assert initial_success_probability(np.array([4, 4, 4]), 12, 1) == 1.0


def test_smallest_feasible_initial_size_is_the_first_size_above_the_target():
    counts = np.array([30, 30, 30, 30])
    size = smallest_feasible_initial_size(counts, 1, target=0.5)
    assert initial_success_probability(counts, size, 1) >= 0.45
    assert initial_success_probability(counts, size - 1, 1) < 0.55
    assert smallest_feasible_initial_size(np.array([1, 9]), 2) is None


def test_initial_success_lower_bound_by_hand():
    # two classes: missing one or the other are disjoint events, so the union bound is exact
    assert initial_success_lower_bound(np.array([5, 5]), 2, 1) == pytest.approx(
        1 - 2 * math.comb(5, 2) / math.comb(10, 2)
    )
    # three classes of 4, 3 draws: each class is missed with C(8,3) / C(12,3); exact is 4**3 / C(12,3)
    bound = initial_success_lower_bound(np.array([4, 4, 4]), 3, 1)
    assert bound == pytest.approx(1 - 3 * math.comb(8, 3) / math.comb(12, 3))
    assert bound <= 4**3 / math.comb(12, 3)
    assert initial_success_lower_bound(np.array([4, 4, 4]), 2, 1) == 0.0
    assert initial_success_lower_bound(np.array([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]), 10, 1) == 0.0  # says nothing


# --------------------------------------------------------------------------- group and published splits


def _grouped(n_groups=6, per_group=10):
    from albench.datasets.base import make_dataset

    groups = np.repeat([f"g{i}" for i in range(n_groups)], per_group)
    y = np.tile([0, 1], n_groups * per_group // 2)
    return make_dataset("speakers", np.zeros((groups.shape[0], 1)), y, groups=groups)


def test_group_split_keeps_every_group_on_one_side():
    ds = _grouped()
    p = Protocol(test_fraction=0.25, split="group")
    for seed in range(20):
        train, test = split_rows(ds, p, seed)
        assert set(ds.groups[train]).isdisjoint(ds.groups[test])
        assert np.union1d(train, test).tolist() == list(range(60))  # every row, once
        assert train.shape[0] + test.shape[0] == 60
        # GroupShuffleSplit holds out ceil(0.25 * 6) = 2 of the 6 groups
        assert len(set(ds.groups[test])) == 2 and test.shape[0] == 20


def test_group_split_is_seeded_and_repetitions_differ():
    ds = _grouped()
    p = Protocol(test_fraction=0.25, split="group")
    a, b = split_rows(ds, p, 5), split_rows(ds, p, 5)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    held_out = {frozenset(ds.groups[split_rows(ds, p, s)[1]]) for s in range(10)}
    assert len(held_out) > 1  # other seeds hold out other speakers


def test_group_split_without_groups_is_a_clear_error():
    from albench.errors import AlbenchInputError

    with pytest.raises(AlbenchInputError, match="protocol.split = 'group': dataset 't' has no groups"):
        split_rows(_ds([0, 1] * 10), Protocol(split="group"), 0)
    one = _grouped(n_groups=1)
    with pytest.raises(AlbenchInputError, match="has 1 group; needs 2 or more"):
        split_rows(one, Protocol(split="group"), 0)


def test_group_split_is_refused_before_any_work_without_groups():
    from albench.errors import AlbenchInputError
    from albench.grid import check_feasible

    exp = parse_config(
        {
            "protocol": {"split": "group"},
            "grid": {"datasets": ["iris"], "models": ["logistic_regression"], "strategies": ["random"]},
        }
    )
    with pytest.raises(AlbenchInputError, match="dataset 'iris' has no groups"):
        check_feasible(exp)


def test_published_split_tests_on_the_published_test_part():
    from albench.datasets.base import make_dataset
    from albench.errors import AlbenchInputError

    parts = np.array(["train"] * 8 + ["dev"] * 2 + ["test"] * 4)
    ds = make_dataset("pub", np.zeros((14, 1)), [0, 1] * 7, parts=parts)
    p = Protocol(split="published")
    train, test = split_rows(ds, p, 3)
    assert test.tolist() == [10, 11, 12, 13]
    assert sorted(train.tolist()) == list(range(10))  # dev joins the training part
    other = split_rows(ds, p, 4)
    assert np.array_equal(other[1], test) and not np.array_equal(other[0], train)  # only the order moves
    with pytest.raises(AlbenchInputError, match="has no published parts"):
        split_rows(_ds([0, 1] * 5), p, 0)
    no_test = make_dataset("pub", np.zeros((4, 1)), [0, 1, 0, 1], parts=["train", "train", "dev", "dev"])
    with pytest.raises(AlbenchInputError, match="has no part named 'test'"):
        split_rows(no_test, p, 0)


def test_default_splits_are_unchanged_by_the_new_options():
    # the stratified split of a dataset with groups ignores them (identical rows as without)
    ds = _grouped()
    plain = _ds(ds.y)
    a, b = split_rows(ds, Protocol(), 9), split_rows(plain, Protocol(), 9)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
