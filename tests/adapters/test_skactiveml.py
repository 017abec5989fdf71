"""The scikit-activeml adapter: the peer's strategies under the "skactiveml." prefix.

Tests needing scikit-activeml skip when it is missing; ``tox -e skactiveml`` installs it.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from albench.components import ComponentSpec, build_instance
from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.registry import STRATEGIES
from albench.runner import run_experiment
from albench.store import load_results
from albench.strategies import kernels
from albench.strategies.base import FEATURES, LABELED, PROBA, REFIT
from albench.testing import check_strategy, make_context, make_problem


@pytest.fixture(autouse=True)
def _forget_resolved_names():
    """Names resolved here must not leak into other tests' view of the registry."""
    yield
    for name in [n for n in STRATEGIES.names() if n.startswith("skactiveml.")]:
        STRATEGIES._entries.pop(name)


def test_missing_package_gives_the_install_hint(monkeypatch):
    from albench.adapters import skactiveml as adapter

    monkeypatch.setitem(sys.modules, "skactiveml", None)
    monkeypatch.setitem(sys.modules, "skactiveml.pool", None)
    with pytest.raises(AlbenchInputError, match=r"pip install 'albench\[skactiveml\]'"):
        adapter.peer_classes()


PAIRS = [("least_confident", "least_confident"), ("margin", "margin_sampling"), ("entropy", "entropy")]


@pytest.mark.parametrize(("ours", "method"), PAIRS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_albench_uncertainty_and_the_peer_pick_the_same_samples_without_ties(ours, method, seed):
    pytest.importorskip("skactiveml")
    X, y = make_problem(seed, n_samples=200)
    rng = np.random.default_rng(seed)
    labeled = np.sort(
        np.concatenate([rng.choice(np.flatnonzero(y == c), 3, replace=False) for c in range(3)])
    )
    ctx = make_context(X, y, labeled, frozenset({PROBA, REFIT, FEATURES, LABELED}))
    k = 10
    # no ties at the cut: the k-th and (k+1)-th scores differ (computed independently here)
    measure = {"least_confident": "least_confident", "margin": "margin", "entropy": "entropy"}[ours]
    scores = np.sort(kernels.uncertainty_measure(ctx.predict_proba(), measure))[::-1]
    assert scores[k - 1] > scores[k]
    mine = build_instance("strategy", ours, {}, "s").query(ctx, k, np.random.default_rng(0))
    peer = build_instance("strategy", "skactiveml.UncertaintySampling", {"method": method}, "s")
    theirs = peer.query(ctx, k, np.random.default_rng(1))
    assert sorted(mine.tolist()) == sorted(theirs.tolist())


@pytest.mark.parametrize("name", ["UncertaintySampling", "RandomSampling", "CoreSet"])
def test_adapted_strategies_pass_the_conformance_kit(name):
    pytest.importorskip("skactiveml")
    check_strategy(STRATEGIES.get(f"skactiveml.{name}").obj)


def test_parameters_are_the_peers_and_bad_ones_are_named():
    pytest.importorskip("skactiveml")
    entry = STRATEGIES.get("skactiveml.UncertaintySampling")
    assert entry.origin["distribution"] == "scikit-activeml"
    params = entry.obj().get_params()
    assert params == {"method": "least_confident", "cost_matrix": None}
    with pytest.raises(AlbenchInputError, match="has no parameter 'methd'"):
        build_instance("strategy", "skactiveml.UncertaintySampling", {"methd": "entropy"}, "s")
    with pytest.raises(AlbenchInputError) as exc:
        STRATEGIES.get("skactiveml.Nope")
    assert "skactiveml.UncertaintySampling" in str(exc.value)
    spec = ComponentSpec("strategy", "skactiveml.UncertaintySampling", {}, params, "u")
    assert spec.identity()["origin"] == entry.origin


def test_same_cells_albench_margin_and_peer_margin_query_the_same_rows(tmp_path):
    pytest.importorskip("skactiveml")
    exp = parse_config(
        {
            "name": "peer",
            "repetitions": 2,
            "protocol": {"initial_size": 6, "batch_size": 3, "budget": 12},
            "grid": {
                "datasets": ["iris", "wine"],
                "models": ["logistic_regression"],
                "strategies": [
                    "margin",
                    {"name": "skactiveml.UncertaintySampling", "method": "margin_sampling", "label": "peer"},
                ],
            },
        }
    )
    summary = run_experiment(exp, out=tmp_path)
    assert not summary.failed
    df = load_results(tmp_path / "peer")
    cols = ["dataset", "repetition", "round"]
    ours = df[df.strategy == "margin"].sort_values(cols).reset_index(drop=True)
    peer = df[df.strategy == "peer"].sort_values(cols).reset_index(drop=True)
    assert len(ours) == len(peer) == 2 * 2 * 5
    differ = [
        (r.dataset, r.repetition, r.round)
        for r, a, b in zip(ours.itertuples(), ours["queried"], peer["queried"], strict=True)
        if sorted(a) != sorted(b)
    ]
    # same split, same initial set, same model: every round queries the same rows (no ties here)
    assert differ == []
    assert np.allclose(ours["accuracy"], peer["accuracy"])
