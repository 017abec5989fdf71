"""Built-in suites: named, ready-to-run experiment configs."""

from __future__ import annotations

from albench.registry import SUITES

SUITES.add(
    "quick",
    {
        "name": "quick",
        "seed": 0,
        "repetitions": 5,
        "protocol": {"test_fraction": 0.25, "initial_size": 20, "batch_size": 10, "budget": 80},
        "datasets": ["iris", "wine", "breast_cancer", "digits"],
        "grid": {
            "models": ["logistic_regression", "gaussian_nb"],
            "strategies": ["random", "least_confident", "margin", "entropy"],
        },
    },
    description="Bundled data (iris, wine, breast_cancer, digits) x logistic regression, "
    "naive Bayes x 4 strategies x 5 repetitions; about a minute on 2 cores",
)


def suite_as_config(name: str) -> dict:
    """A suite as a config dict that :func:`albench.config.parse_config` accepts."""
    suite = dict(SUITES.get(name, field="--suite").obj)
    datasets = suite.pop("datasets")
    grid = dict(suite.get("grid", {}))
    grid["datasets"] = list(datasets)
    suite["grid"] = grid
    return suite
