"""Per-round fit time of the update policies (pytest-benchmark) on a 10,000-sample pool.

One round: a model already fitted on the labeled set learns a batch of 100 new labels, by
refit (fit a clone on all labels), warm start (continue from the last solution on all
labels) or incremental (``partial_fit`` on the batch only). Run with
``pytest tests/benchmarks/test_updates.py --benchmark-enable``; normal runs execute each
case once as a smoke test.
"""

import copy

import numpy as np
import pytest
from sklearn.datasets import make_classification

from albench.learner import Learner
from albench.models import build_model
from albench.updates import Incremental, Refit, WarmStart

POOL = 10_000
LABELED = 2_000
BATCH = 100
POLICIES = {"refit": Refit, "warm_start": WarmStart, "incremental": Incremental}
MODELS = {
    "sgd_classifier": {},
    "mlp": {"solver": "adam", "hidden_layer_sizes": [50], "max_iter": 200},
}


@pytest.fixture(scope="module")
def pool():
    X, y = make_classification(n_samples=POOL, n_features=20, n_informative=10, n_classes=3, random_state=0)
    return X, y


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("policy", list(POLICIES))
def test_round_fit_time(benchmark, pool, model, policy):
    X, y = pool
    order = np.random.default_rng(0).permutation(POOL)
    before, batch = order[:LABELED], order[LABELED : LABELED + BATCH]
    after = np.concatenate([before, batch])
    fitted = Learner(build_model(model, MODELS[model], random_state=0), POLICIES[policy](), n_classes=3)
    fitted.fit(0, X[before], y[before], X[before], y[before])

    def setup():
        return (copy.deepcopy(fitted),), {}

    def one_round(learner):
        return learner.fit(1, X[after], y[after], X[batch], y[batch])

    benchmark.group = f"update round, {model}, pool {POOL}, {LABELED} + {BATCH} labels"
    result = benchmark.pedantic(one_round, setup=setup, rounds=5, iterations=1)
    assert result.predict(X[:10]).shape == (10,)
