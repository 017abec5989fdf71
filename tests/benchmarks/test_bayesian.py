"""Timings of the posterior kernels against the memory floor and against baal's heuristics.

Side by side on the same posterior array (T = 20 MC-dropout samples, K = 10 classes, as Gal
et al.): the floor ``P.sum()`` over the ``(T, N, K)`` array (one read of it), albench's
kernels, and baal's ``BALD`` / ``BatchBALD`` heuristics (only where baal is installed;
they take ``[N, K, T]``, prepared outside the timing). BatchBALD on a pool of 2,000 (the
pool subset Gal et al. and baal score) with the same number of sampled configurations as
baal's default (``num_draw = 500`` per posterior sample, M = 10,000). Normal runs execute each
case once (``--benchmark-disable``) and skip the slow ones; time them all with
``pytest tests/benchmarks/test_bayesian.py --benchmark-enable -m "slow or not slow"``.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from albench.strategies import kernels

T, K = 20, 10
BALD_N = (10_000, pytest.param(100_000, marks=pytest.mark.slow))
BATCH_N, BATCH_K, DRAWS = 2_000, 10, 500


def _posterior(n: int, seed: int = 12345) -> np.ndarray:
    logits = np.random.default_rng(seed).normal(scale=2.0, size=(T, n, K))
    e = np.exp(logits - logits.max(axis=2, keepdims=True))
    return e / e.sum(axis=2, keepdims=True)


#: baal (in the extra albench[bench]; it brings Jupyter) is timed where it is installed; the
#: suite's default environment leaves it out rather than skip under CI
IMPLS = ["floor", "albench"] + (["baal"] if importlib.util.find_spec("baal") else [])


def _baal():
    import baal.active.heuristics

    return baal.active.heuristics


@pytest.mark.parametrize("n", BALD_N)
@pytest.mark.parametrize("impl", IMPLS)
def test_bald(benchmark, impl: str, n: int) -> None:
    P = _posterior(n)
    benchmark.group = f"bald T={T} K={K} N={n}"
    benchmark.extra_info.update({"impl": impl, "n": n})
    if impl == "floor":
        out = benchmark(P.sum)
        assert np.isfinite(out)
        return
    if impl == "albench":
        out = benchmark(kernels.bald_scores, P)
    else:
        heuristic = _baal().BALD()
        P_baal = np.ascontiguousarray(P.transpose(1, 2, 0))  # [N, K, T]
        out = benchmark(heuristic.compute_score, P_baal)
        np.testing.assert_allclose(np.maximum(out, 0.0), kernels.bald_scores(P), atol=1e-12)
    assert out.shape == (n,)


@pytest.mark.slow  # seconds per call: timed by tox -e bench, not in the normal test run
@pytest.mark.parametrize("impl", IMPLS)
def test_batchbald(benchmark, impl: str) -> None:
    P = _posterior(BATCH_N)
    benchmark.group = f"batchbald T={T} K={K} N={BATCH_N} batch={BATCH_K} M={T * DRAWS}"
    benchmark.extra_info.update({"impl": impl, "n": BATCH_N})
    if impl == "floor":
        assert np.isfinite(benchmark(P.sum))
        return
    if impl == "albench":

        def run():
            return kernels.batchbald_select(P, BATCH_K, np.random.default_rng(0), n_configurations=T * DRAWS)

        out = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
        assert len(set(out.tolist())) == BATCH_K
    else:
        heuristic = _baal().BatchBALD(num_samples=BATCH_K, num_draw=DRAWS)
        P_baal = np.ascontiguousarray(P.transpose(1, 2, 0))
        out = benchmark.pedantic(heuristic.compute_score, (P_baal,), rounds=3, iterations=1, warmup_rounds=0)
        assert out.shape == (BATCH_N,)
