"""One conformance template, parametrised over every registered strategy.

A strategy registered later is picked up automatically; it must also declare, in
``BAD_VALUES``, an invalid value for each of its parameters (the test fails otherwise).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from albench.components import build_instance
from albench.errors import AlbenchInputError
from albench.models import build_model
from albench.registry import STRATEGIES
from albench.strategies.base import EMBEDDINGS, POSTERIOR, check_strategy_model, is_oracle, model_capabilities
from albench.testing import BootstrapEnsemble

from ._helpers import make_ctx

NAMES = STRATEGIES.names()

#: Parameters that keep the expensive strategies fast in these tests.
FAST = {
    "eer_zero_one": {"n_candidates": 6},
    "eer_log": {"n_candidates": 6},
    "albl": {"strategies": ["margin", "coreset", "random"]},
    "qbc_kl": {"n_members": 3},
    "qbc_vote_entropy": {"n_members": 3},
    "bso": {"num_beam": 1, "horizon": 2},
}

#: One invalid value per parameter of every strategy.
BAD_VALUES: dict[str, dict[str, object]] = {
    "albl": {
        "strategies": ["albl"],
        "exploration": 1.5,
        "horizon": 0,
        "delta": 0.0,
        "variant": "exp4",
        "uniform_sampler": "yes",
    },
    "cluster_margin": {"margin_factor": 0.5, "linkage": "median", "distance_threshold": -1.0},
    "dwus": {
        "n_components": 0,
        "covariance_type": "banana",
        "uncertainty": "vibes",
        "variant": "libact",
        "sigma": 0.0,
        "max_iter": 0,
        "C": -1.0,
        "n_init": 0,
        "density_variance": 0.0,
    },
    "eer_log": {"n_candidates": 0, "update": "exact", "exclude_candidate": "yes"},
    "eer_zero_one": {"n_candidates": -3, "update": None, "exclude_candidate": 1},
    "graph_density": {
        "n_neighbors": 0,
        "gamma": -1.0,
        "metric": "cosine",
        "weight": "flat",
        "damping": "none",
    },
    "hierarchical": {"linkage": "median", "beta": 0.5, "max_dense": 1, "variant": "dasgupta"},
    "informative_diverse": {"n_clusters": 0},
    "information_density": {
        "uncertainty": "vibes",
        "beta": -1.0,
        "similarity": "jaccard",
        "gamma": 0.0,
        "n_reference": 0,
    },
    "qbc_kl": {
        "n_members": 1,
        "models": ["logistic_regression", "linear_svm"],
        "seed": -1,
        "bootstrap": "bag",
    },
    "qbc_vote_entropy": {
        "n_members": 0,
        "models": ["no_such_model", "gaussian_nb"],
        "seed": 1.5,
        "bootstrap": True,
    },
    "ranked_batch": {"uncertainty": "vibes"},
    "typiclust": {"n_neighbors": 0, "max_clusters": 0, "min_cluster_size": 0},
    "bald": {"n_samples": 1},
    "bso": {"num_beam": 0, "look_at": "dev", "horizon": 0},
    "mc_entropy": {"n_samples": "20"},
    "mean_std": {"n_samples": 0},
    "variation_ratios": {"n_samples": 1.5},
    "batchbald": {"n_samples": 1, "n_configurations": 0},
    "power_bald": {"n_samples": 1, "beta": 0.0},
    "variance_reduction": {"reg": 0.0, "n_candidates": 0},
    "bmdr": {
        "beta": 0.0,
        "gamma": -1.0,
        "rho": 0.0,
        "kernel": "sigmoid",
        "gamma_ker": 0.0,
        "degree": 1.5,
        "coef0": "1",
        "batch_constraint": 1,
    },
    "spal": {
        "mu": 0.0,
        "gamma": 0.0,
        "rho": -1.0,
        "lambda_init": 0.0,
        "kernel": "chi2",
        "gamma_ker": -2.0,
        "degree": 0,
        "coef0": float("inf"),
        "batch_constraint": "no",
    },
    "quire": {"lambda_": 0.0, "kernel": "sigmoid", "gamma": 0.0, "degree": 0, "coef0": float("nan")},
    "hintsvm": {
        "cl": 0.0,
        "ch": -1.0,
        "p": 1.5,
        "kernel": "sigmoid",
        "gamma": "big",
        "degree": 0,
        "coef0": float("nan"),
        "epsilon": -0.1,
        "hint_loss": "soft",
        "reset_after_first_query": "yes",
    },
}


#: Parameter settings that take a different code path; they run through the batch contract too.
VARIANTS = [
    ("eer_zero_one", {"update": "newton", "n_candidates": None}),
    ("eer_log", {"update": "newton"}),
    ("eer_log", {"exclude_candidate": True, "n_candidates": 5}),
    ("qbc_kl", {"models": ["logistic_regression", "gaussian_nb", {"name": "knn", "n_neighbors": 3}]}),
    ("qbc_vote_entropy", {"models": ["linear_svm", "gaussian_nb"], "seed": 3}),
    ("qbc_vote_entropy", {"models": ["logistic_regression", "lda", "gaussian_nb"], "bootstrap": "uniform"}),
    ("qbc_kl", {"n_members": 3, "bootstrap": "uniform"}),
    ("information_density", {"similarity": "rbf", "n_reference": 10, "uncertainty": "margin"}),
    ("dwus", {"covariance_type": "full", "n_components": 2}),
    ("dwus", {"variant": "pre_clustering", "n_components": 3, "max_iter": 20}),
    (
        "graph_density",
        {"metric": "manhattan", "weight": "exponential", "gamma": "n_features", "damping": "picks"},
    ),
    ("cluster_margin", {"distance_threshold": 0.5, "linkage": "ward"}),
    ("hierarchical", {"max_dense": 10, "linkage": "average"}),
    ("informative_diverse", {"n_clusters": 5}),
    ("hierarchical", {"variant": "google"}),
    ("variance_reduction", {"n_candidates": 5, "reg": 0.1}),
    ("ranked_batch", {"uncertainty": "entropy"}),
    ("albl", {"strategies": ["entropy", {"name": "qbc_vote_entropy", "n_members": 2}, "hierarchical"]}),
    (
        "albl",
        {
            "strategies": [
                {"name": "least_confident", "query_model": {"name": "logistic_regression", "C": 0.01}}
            ]
        },
    ),
    ("albl", {"strategies": ["margin", "coreset"], "variant": "libact", "horizon": "pool"}),
    ("batchbald", {"n_configurations": 2}),
    ("power_bald", {"beta": 50.0, "n_samples": 3}),
    ("quire", {"kernel": "poly", "degree": 2, "gamma": 0.5, "coef0": 0.5, "lambda_": 0.1}),
    ("quire", {"kernel": "linear"}),
    ("bmdr", {"kernel": "poly", "degree": 2, "gamma_ker": 0.5, "batch_constraint": False}),
    ("spal", {"batch_constraint": True, "kernel": "linear", "lambda_init": 1.0}),
    ("bso", {"look_at": "train", "num_beam": 2, "horizon": 1}),
    ("hintsvm", {"kernel": "rbf", "gamma": "scale", "hint_loss": "squared", "reset_after_first_query": True}),
]


def model_for(name: str) -> str | BootstrapEnsemble:
    """The query model of a strategy's tests: logistic regression, or an ensemble (no torch) when
    the strategy reads posterior samples or embeddings, or Gaussian naive Bayes (refits in well
    under a millisecond) for an oracle, which refits the model hundreds of times per query."""
    needs = STRATEGIES.get(name).obj().needs
    if {POSTERIOR, EMBEDDINGS} & needs:
        return BootstrapEnsemble(random_state=0)
    return "gaussian_nb" if is_oracle(needs) else "logistic_regression"


def make(name: str, **params):
    return build_instance("strategy", name, {**FAST.get(name, {}), **params}, "strategy")


def ctx_for(strategy, **kwargs):
    """``make_ctx``, with the ground truth an oracle strategy declares (nothing for the others)."""
    return make_ctx(**kwargs, needs=strategy.needs)


def check_batch(out: np.ndarray, ctx, k: int) -> None:
    out = np.asarray(out)
    assert out.ndim == 1 and np.issubdtype(out.dtype, np.integer)
    assert out.shape[0] == k
    assert np.unique(out).shape[0] == k, "duplicate indices"
    assert np.isin(out, ctx.pool).all(), "index outside the pool"
    assert not np.isin(out, ctx.labeled).any(), "labeled index returned"


@pytest.mark.parametrize("n_classes", [2, 7])
@pytest.mark.parametrize("name", NAMES)
def test_batch_contract_and_determinism(name: str, n_classes: int) -> None:
    strategy = make(name)
    ctx = ctx_for(
        strategy, n_classes=n_classes, n_samples=70, n_labeled=14, seed=n_classes, model=model_for(name)
    )
    out = strategy.query(ctx, 6, np.random.default_rng(11))
    check_batch(out, ctx, 6)
    again = clone(strategy).query(ctx, 6, np.random.default_rng(11))
    np.testing.assert_array_equal(out, again)
    # the same instance asked twice (stateful strategies must not leak state between cells)
    np.testing.assert_array_equal(out, strategy.query(ctx, 6, np.random.default_rng(11)))


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(VARIANTS)])
def test_parameter_variants_keep_the_contract(name: str, params: dict, n_classes: int) -> None:
    strategy = make(name, **params)
    ctx = ctx_for(strategy, n_classes=n_classes, n_samples=60, n_labeled=12, seed=7, model=model_for(name))
    out = strategy.query(ctx, 6, np.random.default_rng(2))
    check_batch(out, ctx, 6)
    np.testing.assert_array_equal(out, clone(strategy).query(ctx, 6, np.random.default_rng(2)))
    small = ctx_for(strategy, n_classes=n_classes, n_samples=30, n_labeled=27, seed=7, model=model_for(name))
    check_batch(make(name, **params).query(small, 5, np.random.default_rng(0)), small, 3)


@pytest.mark.parametrize("name", NAMES)
def test_pool_smaller_than_batch(name: str) -> None:
    ctx = ctx_for(make(name), n_classes=3, n_samples=30, n_labeled=26, seed=1, model=model_for(name))
    assert ctx.pool.shape[0] == 4
    out = make(name).query(ctx, 10, np.random.default_rng(0))
    check_batch(out, ctx, 4)


@pytest.mark.parametrize("name", NAMES)
def test_batch_of_one_and_whole_pool(name: str) -> None:
    ctx = ctx_for(make(name), n_classes=3, n_samples=40, n_labeled=10, seed=2, model=model_for(name))
    check_batch(make(name).query(ctx, 1, np.random.default_rng(0)), ctx, 1)
    n = ctx.pool.shape[0]
    check_batch(make(name).query(ctx, n, np.random.default_rng(0)), ctx, n)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_parameter_is_named(name: str) -> None:
    with pytest.raises(AlbenchInputError, match="bogus_param"):
        build_instance("strategy", name, {"bogus_param": 1}, "grid.strategies[0]")


@pytest.mark.parametrize("name", NAMES)
def test_every_parameter_rejects_a_bad_value(name: str) -> None:
    params = STRATEGIES.get(name).obj().get_params(deep=False)
    declared = BAD_VALUES.get(name, {})
    assert set(params) == set(declared), f"declare a bad value for every parameter of {name!r} in BAD_VALUES"
    for param, bad in declared.items():
        with pytest.raises(AlbenchInputError, match=param):
            build_instance("strategy", name, {param: bad}, "grid.strategies[0]")


@pytest.mark.parametrize("name", NAMES)
def test_defaults_validate_and_needs_are_known(name: str) -> None:
    strategy = STRATEGIES.get(name).obj()
    strategy.validate()
    entry = STRATEGIES.get(name)
    assert entry.reference, f"{name} has no reference"
    model = model_for(name)
    est = build_model(model, {}, 0) if isinstance(model, str) else model
    assert strategy.needs <= model_capabilities(est)


@pytest.mark.parametrize("model", ["linear_svm", "gaussian_nb"])
@pytest.mark.parametrize("name", NAMES)
def test_compatible_models_work_and_incompatible_are_rejected(name: str, model: str) -> None:
    strategy = make(name)
    est = build_model(model, {}, 0)
    if strategy.needs <= model_capabilities(est):
        check_strategy_model(name, strategy, model, est)
        ctx = ctx_for(strategy, n_classes=3, n_samples=50, n_labeled=12, model=model, seed=3)
        check_batch(strategy.query(ctx, 5, np.random.default_rng(0)), ctx, 5)
    else:
        with pytest.raises(AlbenchInputError) as info:
            check_strategy_model(name, strategy, model, est)
        assert name in str(info.value) and model in str(info.value)


def test_entropy_with_a_model_lacking_probabilities_is_rejected_at_config_time() -> None:
    from albench.config import parse_config
    from albench.grid import check_feasible

    exp = parse_config(
        {
            "protocol": {"budget": 30},
            "grid": {
                "datasets": ["iris"],
                "models": ["linear_svm"],
                "strategies": ["entropy"],
            },
        }
    )
    with pytest.raises(AlbenchInputError, match=r"entropy.*predict_proba.*linear_svm"):
        check_feasible(exp)


def test_decision_only_strategies_accept_svm_and_qbc_list_needs_nothing_from_it() -> None:
    est = build_model("linear_svm", {}, 0)
    for name in (
        "decision_margin",
        "margin",
        "cluster_margin",
        "coreset",
        "hierarchical",
        "informative_diverse",
        "margin_cluster_mean",
    ):
        check_strategy_model(name, make(name), "linear_svm", est)
    qbc = make("qbc_kl", models=["logistic_regression", "gaussian_nb"])
    check_strategy_model("qbc_kl", qbc, "linear_svm", est)
    with pytest.raises(AlbenchInputError, match="qbc_kl"):
        check_strategy_model("qbc_kl", make("qbc_kl"), "linear_svm", est)
