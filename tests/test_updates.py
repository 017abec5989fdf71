"""Update policies: refit, warm start, incremental; where incremental equals refit; bad combinations."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import SGDClassifier

from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import check_feasible, expand_grid
from albench.learner import Learner
from albench.simulation import TIMING_COLUMNS, cell_seeds, run_cell
from albench.updates import Incremental, WarmStart, fit_iterations

SAME = ["cell_key", "model", "update", "update_params", "fit_iterations", *TIMING_COLUMNS]


def experiment(
    models, updates, strategies=("margin", "entropy"), standardize="train", reps=1, dataset="iris", **protocol
):
    return parse_config(
        {
            "seed": 21,
            "repetitions": reps,
            "protocol": {
                "test_fraction": 0.3,
                "initial_size": 9,
                "batch_size": 5,
                "budget": 40,
                "standardize": standardize,
                **protocol,
            },
            "grid": {
                "datasets": [dataset],
                "models": models,
                "strategies": list(strategies),
                "updates": updates,
            },
        }
    )


@pytest.mark.parametrize(
    "model, standardize, dataset",
    [
        ("multinomial_nb", "none", "iris"),  # class counts simply add up
        # exact running means and variances (continuous features: no zero variance without smoothing)
        (
            {"name": "gaussian_nb", "var_smoothing": 0.0},
            "train",
            {"name": "make_classification", "n_classes": 3},
        ),
    ],
)
def test_incremental_equals_refit_where_the_update_is_exact(model, standardize, dataset):
    exp = experiment([model], ["refit", "incremental"], standardize=standardize, reps=2, dataset=dataset)
    cells = expand_grid(exp)
    for strat in ("margin", "entropy"):
        for rep in (0, 1):
            refit, incremental = (
                run_cell(c) for c in cells if c.strategy.name == strat and c.repetition == rep
            )
            assert refit["queried"].tolist() == incremental["queried"].tolist()
            assert np.allclose(refit["log_loss"], incremental["log_loss"], rtol=1e-9, atol=1e-12)
            assert refit["accuracy"].tolist() == incremental["accuracy"].tolist()


def test_gaussian_nb_incremental_differs_from_refit_by_its_smoothing():
    # var_smoothing * (largest variance of the *batch*) is what partial_fit adds, not of all labels
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 3)), np.repeat([0, 1, 2], 20)
    from sklearn.naive_bayes import GaussianNB

    refit = GaussianNB().fit(X, y)
    inc = Learner(GaussianNB(), Incremental(), n_classes=3)
    inc.fit(0, X[:30], y[:30], X[:30], y[:30])
    inc.fit(1, X, y, X[30:], y[30:])
    assert np.allclose(refit.theta_, inc.model.theta_)
    assert not np.allclose(refit.var_, inc.model.var_, rtol=1e-12, atol=0)
    assert refit.epsilon_ != inc.model.epsilon_


def test_warm_start_continues_and_forests_grow():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(80, 4)), rng.integers(0, 2, 80)
    forest = Learner(
        RandomForestClassifier(n_estimators=5, random_state=0), WarmStart(add_estimators=3), n_classes=2
    )
    first = forest.fit(0, X[:40], y[:40], X[:40], y[:40])
    trees = list(first.estimators_)
    second = forest.fit(1, X, y, X[40:], y[40:])
    assert second is first and len(second.estimators_) == 8
    assert all(a is b for a, b in zip(trees, second.estimators_[:5], strict=True))  # old trees kept
    sgd = Learner(SGDClassifier(random_state=0), WarmStart(), n_classes=2)
    coef0 = sgd.fit(0, X[:40], y[:40], X[:40], y[:40]).coef_.copy()
    cold = SGDClassifier(random_state=0).fit(X, y)
    warm = sgd.fit(1, X, y, X[40:], y[40:])
    assert not np.allclose(warm.coef_, cold.coef_)  # started from coef0, not from zero
    assert not np.allclose(warm.coef_, coef0)


def test_incremental_passes_over_the_new_batch_only():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(50, 3)), rng.integers(0, 3, 50)
    from sklearn.naive_bayes import MultinomialNB

    X = np.abs(X)
    inc = Learner(MultinomialNB(), Incremental(n_passes=2), n_classes=3)
    inc.fit(0, X[:20], y[:20], X[:20], y[:20])
    inc.fit(1, X, y, X[20:], y[20:])
    # two passes over each part: every sample counted twice
    assert np.allclose(inc.model.class_count_, 2 * np.bincount(y, minlength=3))


def test_rows_record_fit_iterations_where_exposed():
    exp = experiment(["sgd_classifier", "random_forest"], ["refit"], strategies=["random"])
    sgd, forest = (run_cell(c) for c in expand_grid(exp))
    assert (sgd["fit_iterations"] >= 1).all()
    assert forest["fit_iterations"].isna().all()
    assert np.isnan(fit_iterations(object()))


def test_default_update_keeps_the_cell_key_and_others_change_it():
    default = expand_grid(experiment(["logistic_regression"], ["refit"]))
    absent = expand_grid(
        parse_config(
            {
                **experiment(["logistic_regression"], ["refit"]).raw,
                "grid": {"datasets": ["iris"], "strategies": ["margin", "entropy"]},
            }
        )
    )
    assert [c.key for c in default] == [c.key for c in absent]
    assert "update" not in default[0].spec()
    warm = expand_grid(experiment(["logistic_regression"], ["warm_start"]))
    assert warm[0].key != default[0].key and warm[0].spec()["update"]["name"] == "warm_start"
    assert cell_seeds(warm[0]).model == cell_seeds(default[0]).model  # updates enter no seed
    assert warm[0].learner_label == "logistic_regression [warm_start]"


@pytest.mark.parametrize(
    "model, update, message",
    [
        (
            "random_forest",
            "incremental",
            "update 'incremental' cannot be used with model 'random_forest' "
            "(RandomForestClassifier): it has no partial_fit; models that support it: gaussian_nb, mlp",
        ),
        (
            "knn",
            "warm_start",
            "update 'warm_start' cannot be used with model 'knn' (KNeighborsClassifier): "
            "it has no warm_start parameter; models that support it: gradient_boosting",
        ),
        (
            {"name": "mlp", "solver": "lbfgs"},
            "incremental",
            "its solver is 'lbfgs' (use solver 'sgd' or 'adam')",
        ),
        ({"name": "logistic_regression", "solver": "liblinear"}, "warm_start", "liblinear solver ignores"),
        ("multinomial_nb", "refit", "MultinomialNB) needs non-negative features"),
    ],
)
def test_combinations_the_estimator_cannot_do_fail_before_work(model, update, message):
    with pytest.raises(AlbenchInputError) as err:
        check_feasible(experiment([model], [update]))
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"name": "incremental", "n_passes": 0}, "n_passes"),
        ({"name": "warm_start", "add_estimators": 1.5}, "add_estimators"),
        ("sometimes", "'sometimes': unknown update"),
        ({"name": "refit", "often": 1}, "has no parameter 'often'"),
    ],
)
def test_bad_update_entries(entry, message):
    with pytest.raises(AlbenchInputError, match=message):
        experiment(["logistic_regression"], [entry])
