import pytest

from albench.config import Protocol, apply_overrides, load_config, parse_config
from albench.errors import AlbenchInputError


def cfg(**protocol):
    return {"grid": {"datasets": ["iris"]}, "protocol": protocol}


def test_defaults_are_filled():
    exp = parse_config({"grid": {"datasets": ["iris"]}})
    assert exp.seed == 0 and exp.repetitions == 5
    assert exp.protocol == Protocol()
    assert [s.name for s in exp.strategies] == ["random", "least_confident", "margin", "entropy"]
    assert [m.name for m in exp.models] == ["logistic_regression"]
    assert [lab.name for lab in exp.labelers] == ["oracle"]


@pytest.mark.parametrize(
    ("protocol", "message"),
    [
        ({"batch_size": 0}, "protocol.batch_size = 0: must be an integer >= 1"),
        ({"batch_size": -3}, "protocol.batch_size = -3: must be an integer >= 1"),
        ({"batch_size": 2.5}, "protocol.batch_size = 2.5: must be an integer >= 1"),
        ({"test_fraction": 0}, "protocol.test_fraction = 0: must be a number strictly between 0 and 1"),
        ({"test_fraction": 1.0}, "protocol.test_fraction = 1.0"),
        ({"test_fraction": -0.2}, "protocol.test_fraction = -0.2"),
        ({"budget": 0}, "protocol.budget = 0: must be a positive integer"),
        ({"budget": 1.5}, "protocol.budget = 1.5"),
        ({"budget": "all"}, "protocol.budget = 'all'"),
        ({"budget": True}, "protocol.budget = True"),
        ({"initial_size": 1}, "protocol.initial_size = 1: must be an integer >= 2"),
        ({"initial_per_class": 0}, "protocol.initial_per_class = 0"),
        ({"initial_size": 5, "initial_per_class": 2}, "either initial_size"),
        (
            {"metrics": ["acuracy"]},
            "protocol.metrics[0] = 'acuracy': unknown metric. Did you mean 'accuracy'?",
        ),
        ({"metrics": []}, "protocol.metrics = []"),
        ({"standardize": "yes"}, "protocol.standardize = 'yes': allowed: train, labeled, none"),
        ({"batchsize": 3}, "unknown key 'batchsize' in [protocol]; allowed keys: test_fraction"),
    ],
)
def test_bad_protocol_values_name_field_value_and_rule(protocol, message):
    with pytest.raises(AlbenchInputError) as exc:
        parse_config(cfg(**protocol))
    assert message in str(exc.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"grid": {"datasets": ["iriss"]}},
            "grid.datasets[0] = 'iriss': unknown dataset. Did you mean 'iris'?",
        ),
        ({"grid": {"datasets": ["iris"], "models": ["logreg"]}}, "grid.models[0] = 'logreg': unknown model"),
        ({"grid": {"datasets": ["iris"], "strategies": ["margn"]}}, "Did you mean 'margin'?"),
        (
            {"grid": {"datasets": ["iris"], "labelers": ["human"]}},
            "grid.labelers[0] = 'human': unknown labeler",
        ),
        (
            {"grid": {"datasets": ["iris"]}, "seeed": 1},
            "unknown key 'seeed' in the top level; allowed keys: name, seed",
        ),
        ({"grid": {"datasets": ["iris"], "strategy": ["x"]}}, "unknown key 'strategy' in [grid]"),
        ({"grid": {"datasets": ["iris"]}, "repetitions": 0}, "repetitions = 0: must be an integer >= 1"),
        ({"grid": {"datasets": ["iris"]}, "seed": -1}, "seed = -1: must be an integer >= 0"),
        ({"grid": {"datasets": ["iris"]}, "name": "a b/c"}, "name = 'a b/c'"),
        ({"grid": {"datasets": []}}, "grid.datasets = []"),
        ({"grid": {"datasets": [{"n_samples": 3}]}}, "needs a string 'name' key"),
        ({"grid": {"datasets": [{"name": "moons", "size": 3}]}}, "dataset 'moons' has no parameter 'size'"),
        ({"grid": {"datasets": ["iris", "iris"]}}, "'iris' appears twice"),
        ({"grid": {}}, "grid.datasets is missing"),
        ({"grid": {"datasets": ["iris"], "models": [{"name": "knn", "n_neighbors": 0}]}}, "grid.models[0]"),
        (
            {"grid": {"datasets": ["iris"], "labelers": [{"name": "noisy", "noise_rate": 2}]}},
            "noise_rate = 2",
        ),
        ({"suite": "nope"}, "suite = 'nope': unknown suite"),
    ],
)
def test_bad_config_values(raw, message):
    with pytest.raises(AlbenchInputError) as exc:
        parse_config(raw)
    assert message in str(exc.value)


def test_budget_forms():
    p = parse_config(cfg(budget=30)).protocol
    assert p.budget_for(100) == 30
    p = parse_config(cfg(budget=0.25)).protocol
    assert p.budget_for(100) == 25
    p = parse_config(cfg(budget="pool")).protocol
    assert p.budget_for(87) == 87


def test_components_with_parameters_get_distinct_labels():
    exp = parse_config(
        {
            "grid": {
                "datasets": [
                    {"name": "moons", "noise": 0.1},
                    {"name": "moons", "noise": 0.3},
                    {"name": "moons", "label": "easy moons"},
                ]
            }
        }
    )
    assert [d.label for d in exp.datasets] == ["moons(noise=0.1)", "moons(noise=0.3)", "easy moons"]
    assert exp.datasets[0].resolved == {"n_samples": 500, "noise": 0.1, "random_state": 0}


def test_query_model_on_a_strategy():
    exp = parse_config(
        {"grid": {"datasets": ["iris"], "strategies": [{"name": "margin", "query_model": "knn"}]}}
    )
    s = exp.strategies[0]
    assert s.extra["query_model"].name == "knn"
    assert s.label == "margin(query_model=knn)"


def test_to_dict_round_trips_to_the_same_cells():
    from albench.grid import expand_grid

    exp = parse_config(
        {
            "seed": 4,
            "repetitions": 2,
            "protocol": {"initial_per_class": 2, "budget": 0.5},
            "grid": {
                "datasets": [{"name": "moons", "noise": 0.3}],
                "models": [{"name": "knn", "n_neighbors": 3}],
                "strategies": ["random", {"name": "margin", "query_model": "gaussian_nb"}],
                "labelers": [{"name": "noisy", "noise_rate": 0.2}],
            },
        }
    )
    again = parse_config(exp.to_dict())
    assert [c.key for c in expand_grid(exp)] == [c.key for c in expand_grid(again)]


def test_load_config_file_errors(tmp_path):
    with pytest.raises(AlbenchInputError, match="not found"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = 'x'\n[protocol\nbatch_size = 2\n")
    with pytest.raises(AlbenchInputError, match="not valid TOML"):
        load_config(bad)


def test_overrides_replace_axes_and_suite():
    raw = {"suite": "quick", "grid": {"models": ["knn"]}, "repetitions": 3}
    out = apply_overrides(raw, {"datasets": ["wine"], "repetitions": 1, "seed": 9})
    assert "suite" not in out and out["grid"]["datasets"] == ["wine"]
    assert out["repetitions"] == 1 and out["seed"] == 9 and out["grid"]["models"] == ["knn"]
    assert raw["repetitions"] == 3  # the input is not modified


def test_overrides_replace_the_labeler_update_and_rebalancing_axes():
    raw = {"grid": {"datasets": ["iris"], "labelers": ["oracle"], "updates": ["refit"]}}
    out = apply_overrides(raw, {"labelers": ["noisy", "oracle"], "updates": ["incremental"]})
    assert out["grid"]["labelers"] == ["noisy", "oracle"] and out["grid"]["updates"] == ["incremental"]
    out = apply_overrides(raw, {"rebalancing": ["class_weight"]})
    assert out["grid"]["rebalancing"] == ["class_weight"] and out["grid"]["labelers"] == ["oracle"]
    exp = parse_config(apply_overrides(raw, {"labelers": ["noisy"], "models": ["sgd_classifier"]}))
    assert [lab.name for lab in exp.labelers] == ["noisy"]


def test_unknown_labeler_parameter_is_named():
    with pytest.raises(AlbenchInputError, match="labeler 'oracle' has no parameter 'foo'"):
        parse_config({"grid": {"datasets": ["iris"], "labelers": [{"name": "oracle", "foo": 1}]}})


@pytest.mark.parametrize(
    ("protocol", "message"),
    [
        ({"budget_unit": "euros"}, "protocol.budget_unit = 'euros': allowed: labels, cost"),
        ({"budget_unit": "cost", "budget": "pool"}, 'with budget_unit = "cost" it must be a positive amount'),
        ({"budget_unit": "cost", "budget": -2.0}, "protocol.budget = -2.0"),
    ],
)
def test_bad_budget_unit(protocol, message):
    with pytest.raises(AlbenchInputError, match=message):
        parse_config(cfg(**protocol))


def test_cost_budget_may_exceed_one_and_the_default_unit_stays_out_of_the_key():
    exp = parse_config(cfg(budget=250.5, budget_unit="cost"))
    assert exp.protocol.budget == 250.5 and exp.protocol.budget_for(10) == 250.5
    assert exp.protocol.identity()["budget_unit"] == "cost"
    assert "budget_unit" not in parse_config(cfg(budget=25)).protocol.identity()


def test_update_and_rebalancing_axes_round_trip():
    raw = {
        "grid": {
            "datasets": ["iris"],
            "models": ["sgd_classifier"],
            "updates": ["refit", {"name": "incremental", "n_passes": 3}],
            "rebalancing": ["none", "random_over"],
        }
    }
    exp = parse_config(raw)
    assert [u.label for u in exp.updates] == ["refit", "incremental(n_passes=3)"]
    assert [r.name for r in exp.rebalancing] == ["none", "random_over"]
    again = parse_config(exp.to_dict())
    assert [u.identity() for u in again.updates] == [u.identity() for u in exp.updates]
    assert [r.identity() for r in again.rebalancing] == [r.identity() for r in exp.rebalancing]
    assert "updates" not in parse_config({"grid": {"datasets": ["iris"]}}).to_dict()["grid"]


def test_an_axis_override_selects_the_configs_entries_by_label():
    raw = {
        "grid": {
            "datasets": ["iris"],
            "models": ["logistic_regression"],
            "strategies": [
                "random",
                {"name": "entropy", "label": "us", "query_model": {"name": "logistic_regression", "C": 0.1}},
                {"name": "random", "label": "vr"},
            ],
        }
    }
    out = apply_overrides(raw, {"strategies": ["us", "margin", "vr"]})
    assert out["grid"]["strategies"] == [raw["grid"]["strategies"][1], "margin", raw["grid"]["strategies"][2]]
    exp = parse_config(out)
    assert [s.label for s in exp.strategies] == ["us", "margin", "vr"]
    assert exp.strategies[0].extra["query_model"].params == {"C": 0.1}
    # a name the config does not label is a registered strategy with its defaults
    assert apply_overrides(raw, {"strategies": ["entropy"]})["grid"]["strategies"] == ["entropy"]
