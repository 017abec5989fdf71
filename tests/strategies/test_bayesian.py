"""The posterior strategies and the network variants of BADGE, core-set and TypiClust."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cli_helpers import run_cli

from albench.errors import AlbenchInputError
from albench.models import build_model
from albench.registry import STRATEGIES
from albench.strategies import kernels
from albench.strategies.base import QueryContext, check_strategy_model
from albench.testing import BootstrapEnsemble

POSTERIOR_STRATEGIES = ("bald", "batchbald", "mean_std", "variation_ratios", "mc_entropy", "power_bald")


class TableNetwork:
    """A "fitted network" whose posterior samples and embeddings are fixed per row (X = row number)."""

    def __init__(self, samples: np.ndarray, embeddings: np.ndarray | None = None) -> None:
        self.samples = np.asarray(samples, dtype=np.float64)  # (T, n_rows, C)
        self.classes_ = np.arange(self.samples.shape[2])
        self.emb = embeddings
        self.calls: list[tuple[int, int]] = []

    def _rows(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X)[:, 0].astype(np.int64)

    def predict_proba_samples(self, X: np.ndarray, n_samples: int, random_state: int) -> np.ndarray:
        self.calls.append((n_samples, random_state))
        return self.samples[:, self._rows(X), :]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.samples[:, self._rows(X), :].mean(axis=0)

    def embed(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.emb, dtype=np.float64)[self._rows(X)]


def net_ctx(model, labeled, y_labeled, n_rows: int, n_classes: int = 2, X=None) -> QueryContext:
    X = np.arange(n_rows, dtype=np.float64)[:, None] if X is None else np.asarray(X, dtype=np.float64)
    labeled = np.asarray(labeled, dtype=np.int64)
    return QueryContext(
        X=X,
        labeled=labeled,
        y_labeled=np.asarray(y_labeled, dtype=np.int64),
        pool=np.setdiff1d(np.arange(n_rows), labeled),
        n_classes=n_classes,
        model=model,
        make_model=lambda: model,
        posterior_seed=123,
    )


# T = 4 samples; rows: 0 labeled; pool rows 1-4.
#   row 1: samples agree on 0.5/0.5     -> max entropy, no disagreement (BALD 0, mean STD 0)
#   row 2: certain, opposite per sample -> BALD ln 2, mean STD 0.5, variation ratio 1/2
#   row 3: certain and equal            -> everything 0
#   row 4: 0.7/0.3 then 0.3/0.7         -> BALD ln 2 - H(0.7, 0.3), mean STD 0.2
_S = np.array(
    [
        [[1.0, 0.0], [0.5, 0.5], [1.0, 0.0], [1.0, 0.0], [0.7, 0.3]],
        [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [1.0, 0.0], [0.3, 0.7]],
        [[1.0, 0.0], [0.5, 0.5], [1.0, 0.0], [1.0, 0.0], [0.7, 0.3]],
        [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [1.0, 0.0], [0.3, 0.7]],
    ]
)


@pytest.mark.parametrize(
    ("name", "first", "top2"),
    [
        ("bald", 2, [2, 4]),
        ("batchbald", 2, [2, 4]),
        ("mean_std", 2, [2, 4]),
        ("mc_entropy", None, [1, 2, 4]),  # rows 1, 2, 4 all have mean (0.5, 0.5): H = ln 2
        ("variation_ratios", None, [2, 4]),  # row 4 votes 0, 1, 0, 1 too: a tie at 1/2
    ],
)
def test_posterior_strategies_pick_by_hand(name: str, first: int | None, top2: list[int]) -> None:
    model = TableNetwork(_S)
    ctx = net_ctx(model, [0], [0], n_rows=5)
    strategy = STRATEGIES.get(name).obj(n_samples=4)
    out = strategy.query(ctx, 1, np.random.default_rng(0))
    if first is not None:
        assert out.tolist() == [first]
    else:
        assert out[0] in top2
    out2 = strategy.query(ctx, 2, np.random.default_rng(0)).tolist()
    assert set(out2) <= set(top2) and len(set(out2)) == 2
    assert model.calls[0] == (4, 123)  # n_samples and the round's posterior seed reach the model


def test_hand_scores_match_the_definitions() -> None:
    P = _S[:, 1:, :]
    h = -(0.7 * math.log(0.7) + 0.3 * math.log(0.3))
    np.testing.assert_allclose(kernels.bald_scores(P), [0, math.log(2), 0, math.log(2) - h], atol=1e-15)
    np.testing.assert_allclose(kernels.mean_std_scores(P), [0, 0.5, 0, 0.2], atol=1e-15)
    np.testing.assert_allclose(kernels.variation_ratios_scores(P), [0, 0.5, 0, 0.5])


def test_variation_ratio_ties_are_broken_like_every_top_k_strategy() -> None:
    ctx = net_ctx(TableNetwork(_S), [0], [0], n_rows=5)
    got = STRATEGIES.get("variation_ratios").obj(n_samples=4).query(ctx, 1, np.random.default_rng(7))
    scores = kernels.variation_ratios_scores(_S[:, ctx.pool, :])
    want = ctx.pool[kernels.select_top_k(scores, 1, np.random.default_rng(7))]
    assert got.tolist() == want.tolist()


def test_power_bald_is_stochastic_in_the_stream_and_large_beta_is_bald() -> None:
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3) * 0.5, size=(6, 40))
    model = TableNetwork(P)
    ctx = net_ctx(model, [0, 1], [0, 1], n_rows=40, n_classes=3)
    power = STRATEGIES.get("power_bald").obj(n_samples=6)
    draws = {tuple(power.query(ctx, 5, np.random.default_rng(s)).tolist()) for s in range(5)}
    assert len(draws) > 1  # different streams, different batches
    greedy = STRATEGIES.get("power_bald").obj(n_samples=6, beta=1e6).query(ctx, 5, np.random.default_rng(0))
    bald = STRATEGIES.get("bald").obj(n_samples=6).query(ctx, 5, np.random.default_rng(0))
    assert sorted(greedy.tolist()) == sorted(bald.tolist())


@pytest.mark.parametrize("name", POSTERIOR_STRATEGIES)
def test_a_model_without_posterior_is_rejected_before_work(name: str) -> None:
    est = build_model("logistic_regression", {}, 0)
    with pytest.raises(AlbenchInputError, match=rf"{name}.*posterior samples.*logistic_regression"):
        check_strategy_model(name, STRATEGIES.get(name).obj(), "logistic_regression", est)
    check_strategy_model(name, STRATEGIES.get(name).obj(), "ensemble", BootstrapEnsemble())


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("bald", {"n_samples": 1}, "n_samples"),
        ("batchbald", {"n_configurations": 0}, "n_configurations"),
        ("power_bald", {"beta": -1.0}, "beta"),
    ],
)
def test_bad_parameters_are_named(name: str, params: dict, field: str) -> None:
    with pytest.raises(AlbenchInputError, match=field):
        STRATEGIES.get(name).obj(**params).validate()


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        ('{ name = "bald", n_samples = 1 }', "n_samples = 1: must be an integer >= 2"),
    ],
)
def test_cli_rejects_bad_posterior_strategies_before_work(tmp_path, strategy: str, message: str) -> None:
    cfg = tmp_path / "exp.toml"
    cfg.write_text(
        'name = "x"\n[protocol]\nbudget = 4\ninitial_size = 6\n[grid]\ndatasets = ["iris"]\n'
        f'models = ["logistic_regression"]\nstrategies = [{strategy}]\n'
    )
    proc = run_cli("run", str(cfg), "--out", str(tmp_path / "r"), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in " ".join(proc.stderr.split()), proc.stderr
    assert not (tmp_path / "r" / "x").exists()


# --- networks: BADGE, core-set and TypiClust read the learned embeddings -----------------------


def _embedding_world(seed: int = 0, n: int = 40, C: int = 3, d: int = 5):
    rng = np.random.default_rng(seed)
    samples = rng.dirichlet(np.ones(C), size=(3, n))
    emb = rng.normal(size=(n, d))
    X = np.column_stack([np.arange(n, dtype=np.float64), rng.normal(size=(n, 2))])
    labeled = np.array([0, 1, 2, 3, 4, 5])
    return samples, emb, X, labeled


def test_network_badge_uses_last_layer_gradient_embeddings() -> None:
    samples, emb, X, labeled = _embedding_world()
    ctx = net_ctx(TableNetwork(samples, emb), labeled, [0, 1, 2, 0, 1, 2], n_rows=40, n_classes=3, X=X)
    got = STRATEGIES.get("badge").obj().query(ctx, 6, np.random.default_rng(3))
    # the definition, materialised: g_i = (p_i - onehot(argmax p_i)) kron h_i, k-means++ on g
    p = samples[:, ctx.pool, :].mean(axis=0)
    r = p - np.eye(3)[p.argmax(axis=1)]
    g = np.einsum("ic,id->icd", r, emb[ctx.pool]).reshape(len(ctx.pool), -1)
    rng = np.random.default_rng(3)
    first = kernels.select_top_k((g * g).sum(axis=1), 1, rng)[0]
    want = [first]
    d2 = ((g - g[first]) ** 2).sum(axis=1)
    for _ in range(5):
        w = d2.copy()
        w[want] = 0.0
        nxt = rng.choice(len(g), p=w / w.sum())
        want.append(nxt)
        d2 = np.minimum(d2, ((g - g[nxt]) ** 2).sum(axis=1))
    assert got.tolist() == ctx.pool[want].tolist()


def test_network_coreset_and_typiclust_equal_the_feature_versions_on_the_embeddings() -> None:
    samples, emb, X, labeled = _embedding_world(seed=1)
    net = net_ctx(TableNetwork(samples, emb), labeled, [0, 1, 2, 0, 1, 2], n_rows=40, n_classes=3, X=X)
    plain_model = _WithoutEmbed(TableNetwork(samples))
    feat = net_ctx(plain_model, labeled, [0, 1, 2, 0, 1, 2], n_rows=40, n_classes=3, X=emb)
    for name in ("coreset", "typiclust"):
        a = STRATEGIES.get(name).obj().query(net, 7, np.random.default_rng(5))
        b = STRATEGIES.get(name).obj().query(feat, 7, np.random.default_rng(5))
        assert a.tolist() == b.tolist(), name
    # and they differ from the same strategies on the raw features X
    raw = net_ctx(plain_model, labeled, [0, 1, 2, 0, 1, 2], n_rows=40, n_classes=3, X=X)
    c = STRATEGIES.get("coreset").obj().query(raw, 7, np.random.default_rng(5))
    assert c.tolist() != STRATEGIES.get("coreset").obj().query(net, 7, np.random.default_rng(5)).tolist()


class _WithoutEmbed:
    """A model wrapper that serves probabilities but no embeddings."""

    def __init__(self, model) -> None:
        self._m = model
        self.classes_ = model.classes_

    def predict_proba(self, X):
        return self._m.predict_proba(X)


def test_feature_path_unchanged_for_scikit_learn_models() -> None:
    """A model without ``embed``: BADGE on [x, 1], core-set on ctx.X, as before networks."""
    from ._helpers import make_ctx

    ctx = make_ctx(n_classes=3, n_samples=50, n_labeled=10, seed=4)
    got = STRATEGIES.get("badge").obj().query(ctx, 5, np.random.default_rng(1))
    residual = kernels.gradient_residuals(ctx.predict_proba())
    H = np.hstack([ctx.X[ctx.pool], np.ones((ctx.pool.shape[0], 1))])
    want = ctx.pool[kernels.gradient_embedding_kmeanspp(residual, H, 5, np.random.default_rng(1))]
    assert got.tolist() == want.tolist()
    core = STRATEGIES.get("coreset").obj().query(ctx, 5, np.random.default_rng(1))
    want_core = kernels.k_center_greedy(ctx.X[ctx.pool], ctx.X[ctx.labeled], 5, np.random.default_rng(1))
    assert core.tolist() == ctx.pool[want_core].tolist()
