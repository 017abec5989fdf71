"""US-NC of Lu et al. (TMLR 2025) is albench's ``entropy`` with a logistic-regression query model.

"NC" is *non-compatible*, not non-calibrated: the query model differs from the evaluation
model (the repository's README calls margin on the SVM itself "compatible uncertainty sampling
(US-C)"). The published column ("us-zhan", src/config.py of ariapoy/active-learning-benchmark at
the table's commit 198ce75d): ``SelectModelBuilder("us-zhan")`` is
``LogisticRegression(C=0.1)`` (lbfgs, max_iter=100), which has ``predict_proba``, so src/main.py
wraps it in libact's ``SklearnProbaAdapter``; ``UncertaintySampling(method="entropy")`` retrains
it on the labeled entries and queries the argmax over the unlabeled entries of
``sum(-p * log p)`` of its (logistic, not Platt-calibrated) probabilities; the evaluation model is
``SVC(kernel="rbf", gamma="auto", C=1.0)``. In albench:

    models = [{ name = "rbf_svm", gamma = "auto" }]
    strategies = [{ name = "entropy",
                    query_model = { name = "logistic_regression", C = 0.1, max_iter = 100 } }]

On binary data ``least_confident`` and ``margin`` rank the pool exactly as entropy does (all three
are decreasing functions of ``max p``), so they replay it too.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from albench.components import build_instance
from albench.config import parse_config
from albench.grid import check_feasible, expand_grid
from albench.models import build_model
from albench.simulation import run_cell

from ._helpers import ctx_from

US_NC_QUERY_MODEL = {"name": "logistic_regression", "C": 0.1, "max_iter": 100}


def _libact_us_entropy_pick(X: np.ndarray, y: np.ndarray, labeled: np.ndarray, pool: np.ndarray) -> int:
    """libact's UncertaintySampling(method="entropy") on SklearnProbaAdapter(LR(C=0.1)), by its definition."""
    lr = LogisticRegression(C=0.1, tol=1e-4, solver="lbfgs", max_iter=100, random_state=6211)
    lr.fit(X[labeled], y[labeled])
    p = lr.predict_proba(X[pool])
    score = np.sum(-p * np.log(p), axis=1)
    assert np.sum(score == score.max()) == 1  # no tie: libact's and albench's tie-breaks differ
    return int(pool[np.argmax(score)])


def test_us_nc_is_entropy_on_logistic_regression_c_01_round_for_round() -> None:
    X, y = make_classification(
        n_samples=90, n_features=6, n_informative=4, n_redundant=0, flip_y=0.05, random_state=3
    )
    X = StandardScaler().fit_transform(X)
    rng = np.random.default_rng(0)
    labeled = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), 5, replace=False) for c in (0, 1)]))
    query_model = build_model(US_NC_QUERY_MODEL["name"], {"C": 0.1, "max_iter": 100}, 0)
    strategies = {n: build_instance("strategy", n, {}, "s") for n in ("entropy", "least_confident", "margin")}
    for _ in range(20):  # libact_al: train on the labeled entries, query one, label it, repeat
        pool = np.setdiff1d(np.arange(X.shape[0]), labeled)
        expected = _libact_us_entropy_pick(X, y, labeled, pool)
        ctx = ctx_from(X, y, labeled, model=query_model)
        for name, strategy in strategies.items():
            got = strategy.query(ctx, 1, np.random.default_rng(1))
            assert got.tolist() == [expected], name
        labeled = np.sort(np.append(labeled, expected))


def _cells(models, strategies):
    exp = parse_config(
        {
            "name": "us-nc",
            "repetitions": 1,
            "protocol": {"test_fraction": 0.4, "initial_size": 20, "batch_size": 1, "budget": 12},
            "grid": {"datasets": ["breast_cancer"], "models": models, "strategies": strategies},
        }
    )
    check_feasible(exp)
    return list(expand_grid(exp))


def test_us_nc_configuration_queries_with_the_logistic_regression_and_scores_the_svm() -> None:
    (us_nc,) = _cells(
        [{"name": "rbf_svm", "gamma": "auto"}], [{"name": "entropy", "query_model": US_NC_QUERY_MODEL}]
    )
    (lr_only,) = _cells([US_NC_QUERY_MODEL], ["entropy"])
    (us_c,) = _cells([{"name": "rbf_svm", "gamma": "auto"}], ["margin"])
    rows, lr_rows, c_rows = run_cell(us_nc), run_cell(lr_only), run_cell(us_c)
    # the queries are those of the logistic regression (same split and initial set) ...
    assert rows["queried"].tolist() == lr_rows["queried"].tolist()
    assert set(rows["query_model"]) == {"logistic_regression(C=0.1, max_iter=100)"}
    # ... the metrics are the SVM's: round 0 (no query yet) is US-C's round 0, not the LR's
    assert rows.loc[0, "accuracy"] == c_rows.loc[0, "accuracy"]
    assert rows["log_loss"].isna().all() and not lr_rows["log_loss"].isna().any()
