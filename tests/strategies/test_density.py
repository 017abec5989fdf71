"""Density-weighted strategies prefer representative samples."""

from __future__ import annotations

import numpy as np

from albench.components import build_instance

from ._helpers import table_ctx

# row 0 labeled; rows 1-4 a tight group pointing along +x; row 5 an outlier along +y
X = np.array([[-1.0, -1.0], [1.0, 0.0], [1.0, 0.05], [1.0, -0.05], [1.0, 0.1], [0.0, 1.0]])


def _proba(outlier_p: float) -> np.ndarray:
    p = np.tile([0.7, 0.3], (6, 1))
    p[5] = [outlier_p, 1 - outlier_p]
    return p


def test_information_density_equals_its_definition() -> None:
    ctx = table_ctx(X, [0], [0], proba=_proba(0.55))
    pool = X[1:]
    cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)  # noqa: E731
    density = np.array([np.mean([(1 + cos(a, b)) / 2 for b in pool]) for a in pool])
    p = ctx.predict_proba()
    u = -(p * np.log(p)).sum(1) / np.log(2)
    for beta in (0.0, 1.0, 20.0):
        s = build_instance("strategy", "information_density", {"beta": beta}, "s")
        expected = ctx.pool[np.argmax(u * density**beta)]
        assert s.query(ctx, 1, np.random.default_rng(0))[0] == expected
    # the outlier is more uncertain: plain uncertainty takes it, a strong density weight does not
    s0 = build_instance("strategy", "information_density", {"beta": 0.0}, "s")
    s20 = build_instance("strategy", "information_density", {"beta": 20.0}, "s")
    assert s0.query(ctx, 1, np.random.default_rng(0))[0] == 5
    assert s20.query(ctx, 1, np.random.default_rng(0))[0] != 5


def test_information_density_rbf_prefers_the_group() -> None:
    ctx = table_ctx(X, [0], [0], proba=_proba(0.7))  # equal uncertainty everywhere
    s = build_instance("strategy", "information_density", {"similarity": "rbf", "gamma": 1.0}, "s")
    assert s.query(ctx, 1, np.random.default_rng(0))[0] in (1, 2, 3)  # group centre, not the edge
    assert 5 not in s.query(ctx, 4, np.random.default_rng(0)).tolist()


def test_dwus_prefers_the_dense_group_at_equal_uncertainty() -> None:
    rng = np.random.default_rng(0)
    group = rng.normal(0, 0.1, size=(30, 2))
    Xd = np.vstack([[[5.0, 5.0]], group, [[3.0, -3.0]]])
    proba = np.tile([0.6, 0.4], (Xd.shape[0], 1))
    ctx = table_ctx(Xd, [0], [0], proba=proba)
    s = build_instance("strategy", "dwus", {"n_components": 2}, "s")
    out = s.query(ctx, 5, np.random.default_rng(0))
    assert Xd.shape[0] - 1 not in out.tolist()
    # and a clearly more uncertain sample of similar density wins
    proba[7] = [0.5, 0.5]
    ctx = table_ctx(Xd, [0], [0], proba=proba)
    assert s.query(ctx, 1, np.random.default_rng(0))[0] == 7


def test_graph_density_spreads_a_batch_over_dense_regions() -> None:
    rng = np.random.default_rng(1)
    A = rng.normal(0, 0.05, size=(6, 2))
    B = rng.normal(0, 0.05, size=(6, 2)) + [5, 0]
    Xg = np.vstack([[[20.0, 20.0]], A, B, [[10.0, 10.0]]])
    ctx = table_ctx(Xg, [0], [0], proba=np.tile([0.5, 0.5], (Xg.shape[0], 1)))
    s = build_instance("strategy", "graph_density", {"n_neighbors": 3}, "s")
    out = s.query(ctx, 2, np.random.default_rng(0)).tolist()
    assert sum(1 <= i <= 6 for i in out) == 1 and sum(7 <= i <= 12 for i in out) == 1
    # a labeled member of A damps its neighbours: a single query now goes to B
    ctx = table_ctx(Xg, [0, 1], [0, 1], proba=np.tile([0.5, 0.5], (Xg.shape[0], 1)))
    assert 7 <= s.query(ctx, 1, np.random.default_rng(0))[0] <= 12
