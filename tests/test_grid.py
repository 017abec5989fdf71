import pytest

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import check_feasible, expand_grid, split_sizes


def exp_of(**kw):
    raw = {"repetitions": 2, "grid": {"datasets": ["iris"], "strategies": ["random", "margin"]}}
    raw.update(kw)
    return parse_config(raw)


def test_grid_size_and_unique_keys():
    exp = parse_config(
        {
            "repetitions": 3,
            "grid": {
                "datasets": ["iris", "wine"],
                "models": ["knn", "gaussian_nb"],
                "strategies": ["random", "margin"],
            },
        }
    )
    cells = expand_grid(exp)
    assert len(cells) == 2 * 2 * 2 * 3
    assert len({c.key for c in cells}) == len(cells)


def test_key_ignores_the_experiment_name_and_resolves_defaults():
    a = expand_grid(exp_of(name="one"))
    b = expand_grid(exp_of(name="two"))
    assert [c.key for c in a] == [c.key for c in b]
    explicit = parse_config(
        {
            "repetitions": 2,
            "grid": {
                "datasets": ["iris"],
                "models": [{"name": "logistic_regression", "label": "logistic_regression", "C": 1.0}],
                "strategies": ["random", "margin"],
            },
        }
    )
    assert [c.key for c in expand_grid(explicit)] == [c.key for c in a]


def test_key_changes_with_anything_that_changes_rows():
    base = {c.key for c in expand_grid(exp_of())}
    for change in (
        {"seed": 1},
        {"protocol": {"batch_size": 5}},
        {"protocol": {"standardize": "none"}},
        {
            "grid": {
                "datasets": ["iris"],
                "models": [{"name": "logistic_regression", "C": 0.5}],
                "strategies": ["random", "margin"],
            }
        },
    ):
        assert base.isdisjoint({c.key for c in expand_grid(exp_of(**change))}), change


def test_split_sizes_match_sklearn():
    from sklearn.model_selection import train_test_split

    for n, tf in [(150, 0.25), (101, 0.3), (10, 0.5), (569, 0.4)]:
        tr, te = train_test_split(list(range(n)), test_size=tf, random_state=0)
        assert split_sizes(n, tf) == (len(tr), len(te))


def test_feasible_reports_pool_and_rounds():
    info = check_feasible(exp_of(protocol={"budget": 25, "batch_size": 10, "initial_size": 12}))
    iris = info["iris"]
    assert (iris["n_train"], iris["n_test"], iris["pool"]) == (112, 38, 100)
    assert iris["budget"] == 25 and iris["rounds"] == 4


@pytest.mark.parametrize(
    ("protocol", "message"),
    [
        ({"budget": 500}, "protocol.budget = 500: larger than the pool of dataset 'iris' (92 samples"),
        ({"initial_size": 112}, "larger than the 112 training samples of dataset 'iris'"),
        ({"initial_size": 200}, "initial set of 200 labels"),
        ({"initial_per_class": 40}, "protocol.initial_per_class = 40"),
        ({"budget": 0.001}, "gives no label to spend"),
    ],
)
def test_infeasible_protocols_fail_before_work(protocol, message):
    with pytest.raises(AlbenchInputError) as exc:
        check_feasible(exp_of(protocol=protocol))
    assert message in str(exc.value)


def test_initial_size_smaller_than_class_count_is_rejected():
    exp = parse_config({"protocol": {"initial_size": 5}, "grid": {"datasets": ["digits"]}})
    with pytest.raises(AlbenchInputError, match="digits' has 10 classes"):
        check_feasible(exp)


def test_initial_size_that_rarely_holds_every_class_is_rejected():
    """10 labels from digits' 10 classes hold all ten only with probability ~10!/10**10 = 0.04 %."""
    exp = parse_config({"protocol": {"initial_size": 10}, "grid": {"datasets": ["digits"]}})
    with pytest.raises(AlbenchInputError) as exc:
        check_feasible(exp)
    message = str(exc.value)
    assert message.startswith("protocol.initial_size = 10: a random initial set of 10 labels from dataset")
    assert "would fail after 1000 re-draws" in message and "initial_size >= " in message
    suggested = int(message.split("initial_size >= ")[1].split()[0])
    # the suggestion is feasible: a grid with that initial size passes
    check_feasible(parse_config({"protocol": {"initial_size": suggested}, "grid": {"datasets": ["digits"]}}))
    # and the quick suite's 20 labels from digits stay accepted (P(all 10 classes) is about 21 %)
    check_feasible(parse_config({"protocol": {"initial_size": 20}, "grid": {"datasets": ["digits"]}}))


def test_class_too_small_for_a_split(tmp_path):
    from albench.datasets.base import make_dataset
    from albench.registry import DATASETS

    @DATASETS.register("one_lonely_sample", description="test only", source="test", replace=True)
    def lonely():
        return make_dataset("one_lonely_sample", [[i] for i in range(30)], [0] * 20 + [1] * 9 + [2])

    exp = parse_config(
        {"protocol": {"initial_size": 4, "budget": 2}, "grid": {"datasets": ["one_lonely_sample"]}}
    )
    with pytest.raises(AlbenchInputError, match="class 2 has 1 sample; a stratified split needs at least 2"):
        check_feasible(exp)


def test_strategy_needing_probabilities_is_rejected_for_a_model_without():
    exp = parse_config(
        {
            "protocol": {"budget": 10},
            "grid": {"datasets": ["iris"], "models": ["linear_svm"], "strategies": ["entropy"]},
        }
    )
    with pytest.raises(
        AlbenchInputError, match="strategy 'entropy' needs predict_proba, which model 'linear_svm'"
    ):
        check_feasible(exp)
    # margin falls back to decision values, so it is accepted
    ok = parse_config(
        {
            "protocol": {"budget": 10},
            "grid": {"datasets": ["iris"], "models": ["linear_svm"], "strategies": ["margin"]},
        }
    )
    check_feasible(ok)
