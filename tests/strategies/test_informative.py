"""InfoDiv (informative_diverse) and MCM (margin_cluster_mean): known answers and the batch-1 identities."""

from __future__ import annotations

import numpy as np
import pytest

from albench.components import build_instance
from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import check_feasible, expand_grid
from albench.models import build_model
from albench.simulation import run_cell

from ._helpers import make_ctx, table_ctx


def _make(name: str, **params):
    return build_instance("strategy", name, params, "strategy")


def _query(name: str, ctx, k: int, seed: int = 0, **params) -> list[int]:
    return sorted(_make(name, **params).query(ctx, k, np.random.default_rng(seed)).tolist())


# ---------------------------------------------------------------- informative_diverse (InfoDiv)
# rows 0-5: group A near x = 0 (6 of 8 rows); rows 6-7: group B near x = 10 (2 of 8 rows).
# Rows 0 and 6 are labeled. |f| rises along group A; the one pool sample of B is far from the
# boundary. k-means with 2 clusters separates the groups whatever its seed (gap 9.5, spread 0.5).
X_INFO = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 10.0, 10.1])
F_INFO = np.array([2.0, 0.1, 0.2, 0.3, 0.4, 0.5, -2.0, -0.9])


def _info_ctx(decision=F_INFO, proba=None):
    return table_ctx(X_INFO, [0, 6], [0, 1], decision=decision, proba=proba, n_classes=2)


def test_informative_diverse_keeps_the_cluster_shares_by_hand() -> None:
    # shares 6/8 and 2/8 of a batch of 4: at most ceil(3) = 3 from A and ceil(1) = 1 from B.
    # Ranked by |f|: rows 1, 2, 3 (A) are admitted, 4 and 5 wait behind A's quota, 7 (B) enters.
    ctx = _info_ctx()
    for seed in range(5):
        assert _query("informative_diverse", ctx, 4, seed) == [1, 2, 3, 7]
    assert _query("margin", ctx, 4) == [1, 2, 3, 4]
    # one cluster: no constraint, margin's batch
    assert _query("informative_diverse", ctx, 4, n_clusters=1) == [1, 2, 3, 4]


def test_informative_diverse_with_batch_one_is_margin_by_hand() -> None:
    # the best-ranked sample's cluster holds none of the batch yet, and 0 < its share
    ctx = _info_ctx()
    for seed in range(5):
        assert _query("informative_diverse", ctx, 1, seed) == [1] == _query("margin", ctx, 1, seed)


def test_informative_diverse_reads_decision_values_before_probabilities() -> None:
    # probabilities that make row 5 the most uncertain: Google's code takes decision_function first
    proba = np.tile([0.9, 0.1], (8, 1))
    proba[5] = [0.5, 0.5]
    assert _query("informative_diverse", _info_ctx(proba=proba), 1) == [1]
    # a model without decision values: the probability margin
    assert _query("informative_diverse", _info_ctx(decision=None, proba=proba), 1) == [5]


@pytest.mark.parametrize(("model", "params"), [("rbf_svm", {"gamma": "auto"}), ("logistic_regression", {})])
def test_informative_diverse_picks_what_margin_picks_at_batch_one_on_binary_data(model, params) -> None:
    est = build_model(model, params, 0)
    for seed in range(6):
        ctx = make_ctx(n_classes=2, n_samples=120, n_labeled=20, seed=seed, n_features=6, model=est)
        for strategy_seed in range(3):
            ours = _query("informative_diverse", ctx, 1, strategy_seed)
            assert ours == _query("margin", ctx, 1, strategy_seed)


def _cells(strategies, budget=25):
    exp = parse_config(
        {
            "name": "infodiv",
            "repetitions": 1,
            "protocol": {"test_fraction": 0.4, "initial_size": 20, "batch_size": 1, "budget": budget},
            "grid": {
                "datasets": ["breast_cancer"],
                "models": [{"name": "rbf_svm", "gamma": "auto"}],
                "strategies": strategies,
            },
        }
    )
    check_feasible(exp)
    return {c.strategy.label: c for c in expand_grid(exp)}


def test_informative_diverse_replays_margin_round_for_round() -> None:
    # the published InfoDiv column equals the margin column: the same queries, the same curve
    cells = _cells(["informative_diverse", "margin"])
    info, margin = run_cell(cells["informative_diverse"]), run_cell(cells["margin"])
    assert info["queried"].tolist() == margin["queried"].tolist()
    np.testing.assert_array_equal(info["accuracy"].to_numpy(), margin["accuracy"].to_numpy())


# ---------------------------------------------------------------- margin_cluster_mean (MCM)
def _ring(center, r=1.0):
    a = np.arange(8) * np.pi / 4
    return np.column_stack([center[0] + r * np.cos(a), center[1] + r * np.sin(a)])


def _mcm_ctx(labeled_abs=(0.5, 0.8), two_groups=False):
    """Labeled rows 0, 1; pool: a ring of 8 around (5, 5) and its centre (row 10) inside the
    labeled margin (the smallest |f| on a ring point, row 2), plus two rows outside it. With
    ``two_groups`` a second ring (rows 13-20) and its centre (row 21) around (-5, -5), inside too."""
    rows = [[0.0, 10.0], [10.0, 0.0]]
    f = [labeled_abs[0], -labeled_abs[1]]
    rows += _ring((5.0, 5.0)).tolist()
    f += [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]
    rows += [[5.0, 5.0]]
    f += [0.3]
    rows += [[20.0, 20.0], [-20.0, 20.0]]
    f += [0.9, -0.6]
    if two_groups:
        rows += _ring((-5.0, -5.0)).tolist()
        f += [-0.06, -0.11, -0.16, -0.21, -0.26, -0.31, -0.36, -0.41]
        rows += [[-5.0, -5.0]]
        f += [-0.33]
    return table_ctx(np.array(rows), [0, 1], [0, 1], decision=np.array(f), n_classes=2)


def test_margin_cluster_mean_takes_the_sample_nearest_the_mean_inside_the_margin() -> None:
    # inside the margin (|f| < 0.5): the ring and its centre; their mean is the centre, row 10
    ctx = _mcm_ctx()
    for seed in range(5):
        assert _query("margin_cluster_mean", ctx, 1, seed) == [10]
    assert _query("margin", ctx, 1) == [2]  # the smallest |f|


def test_margin_cluster_mean_is_margin_when_nothing_is_inside_the_margin() -> None:
    # the labeled set's smallest |f| is 0.01: no pool sample is closer to the boundary
    ctx = _mcm_ctx(labeled_abs=(0.01, 0.8))
    for seed in range(3):
        assert _query("margin_cluster_mean", ctx, 1, seed) == [2] == _query("margin", ctx, 1, seed)
    # and fewer inside than the batch: margin's batch
    ctx = _mcm_ctx(labeled_abs=(0.12, 0.8))  # rows 2 (0.05) and 3 (0.1) inside, batch of 3
    assert _query("margin_cluster_mean", ctx, 3) == [2, 3, 4] == _query("margin", ctx, 3)


def test_margin_cluster_mean_one_sample_per_cluster() -> None:
    # two groups inside the margin, batch of 2: the centre of each (rows 10 and 21)
    ctx = _mcm_ctx(two_groups=True)
    for seed in range(5):
        assert _query("margin_cluster_mean", ctx, 2, seed) == [10, 21]
    assert _query("margin", ctx, 2) == [2, 13]


def test_margin_cluster_mean_margin_per_class_on_decision_columns() -> None:
    # 3 classes: row 3 is below the labeled minimum of class 2 only (0.2 < 0.3); rows 4, 5 nowhere
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    f = np.array(
        [
            [1.0, 0.5, 0.3],
            [0.6, 1.0, 0.9],
            [0.8, 0.7, 0.4],
            [0.9, 0.8, 0.2],
            [0.9, 0.9, 0.95],
            [2.0, 1.0, 0.5],
        ]
    )
    ctx = table_ctx(X, [0, 1, 2], [0, 1, 2], decision=f, n_classes=3)
    assert _query("margin_cluster_mean", ctx, 1) == [3]
    # margin (gap of the two largest decision values) takes row 4 (0.95 - 0.9 = 0.05)
    assert _query("margin", ctx, 1) == [4]


# ---------------------------------------------------------------- both: seeding and parameters
@pytest.mark.parametrize("name", ["informative_diverse", "margin_cluster_mean"])
def test_same_seed_same_picks_and_no_global_state(name: str) -> None:
    ctx = make_ctx(n_classes=3, n_samples=150, n_labeled=15, seed=4, n_features=5)
    picks = []
    for global_seed in (0, 1):
        np.random.seed(global_seed)  # noqa: NPY002 - the legacy global state must not matter
        picks.append(_query(name, ctx, 6, seed=7))
    assert picks[0] == picks[1]
    assert len(set(picks[0])) == 6


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True])
def test_informative_diverse_rejects_bad_n_clusters(bad) -> None:
    with pytest.raises(AlbenchInputError, match="n_clusters"):
        build_instance("strategy", "informative_diverse", {"n_clusters": bad}, "grid.strategies[0]")


def test_margin_cluster_mean_has_no_parameters() -> None:
    assert _make("margin_cluster_mean").get_params() == {}
    with pytest.raises(AlbenchInputError, match="n_clusters"):
        build_instance("strategy", "margin_cluster_mean", {"n_clusters": 2}, "grid.strategies[0]")
