"""Every registered strategy's ``query`` timed over a ladder of pool sizes: what pool it can afford.

The query model is a logistic regression fitted on 100 labeled samples of a seeded synthetic
problem (``d`` features, ``n_classes`` classes), so what is timed is the strategy: scoring,
refits it asks for, selection. One call per size (a round queries once); the ladder stops
for a strategy once a call exceeds the budget or the next size would, extrapolating linearly.
A strategy that fails is reported with the reason instead of a time.

A strategy that needs posterior samples (BALD, BatchBALD, ...) queries instead
:class:`albench.testing.BootstrapEnsemble` (10 bootstrap logistic regressions on the same
labeled samples: ``T = 10`` posterior samples), the model-free stand-in for a network's
MC-dropout posterior; its prediction time is part of what is timed, as a network's would be.

An oracle strategy (one that reads ground truth: the beam-search oracle ``bso``) gets the
problem's true labels and a test part of 200 samples drawn like the rest, and is timed with
the parameters of :data:`BENCH_PARAMS`: with its defaults, ``bso`` plans the whole pool at the
first round, which no per-round budget can show.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from albench.components import build_instance
from albench.registry import STRATEGIES
from albench.strategies.base import POSTERIOR, QueryContext, is_oracle, oracle_fields
from albench.testing import BootstrapEnsemble

#: seconds per round under which a pool size counts as affordable
BUDGET_S = 1.0
#: parameters a strategy is timed with instead of its defaults, and why (shown under the table)
BENCH_PARAMS: dict[str, tuple[dict, str]] = {
    "bso": (
        {"num_beam": 1, "horizon": 1},
        "bso is timed with num_beam=1, horizon=1 (one look-ahead refit per pool sample and batch "
        "slot); with its defaults it plans the whole pool at the first round, about num_beam x n / 2 "
        "times that work, and replays the plan at no cost afterwards",
    )
}


def _context(
    n: int,
    d: int,
    n_classes: int,
    labeled: int = 100,
    posterior: bool = False,
    oracle: frozenset = frozenset(),
) -> QueryContext:
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=2.0, size=(n_classes, d))
    y = rng.integers(0, n_classes, n + labeled)
    X = centers[y] + rng.normal(size=(n + labeled, d))
    y_test = rng.integers(0, n_classes, 200)
    X_test = centers[y_test] + rng.normal(size=(200, d))
    lab = np.arange(labeled)
    y[:n_classes] = np.arange(n_classes)  # every class among the labeled
    if posterior:
        model = BootstrapEnsemble(n_members=10, random_state=0).fit(X[lab], y[lab])
    else:
        model = LogisticRegression(max_iter=200).fit(X[lab], y[lab])
    return QueryContext(
        X=X,
        labeled=lab,
        y_labeled=y[lab],
        pool=np.arange(labeled, n + labeled),
        n_classes=n_classes,
        model=model,
        make_model=lambda: clone(model),
        **oracle_fields(oracle, y, X_test, y_test),
    )


def strategy_times(
    sizes: tuple[int, ...], batch_size: int = 10, d: int = 20, n_classes: int = 5, budget_s: float = BUDGET_S
) -> tuple[dict[str, dict[int, float]], dict[str, str]]:
    """``{strategy: {n: seconds}}`` for one query of ``batch_size`` on pools of ``n``, and failures.

    Sizes a strategy was not timed at (beyond its budget) are absent from its dict.
    """
    times: dict[str, dict[int, float]] = {}
    failed: dict[str, str] = {}
    contexts = {}
    with threadpool_limits(1):
        for name in sorted(STRATEGIES.names()):
            times[name] = {}
            for n in sorted(sizes):
                done = times[name]
                if done:
                    last_n = max(done)
                    if done[last_n] > budget_s or done[last_n] * n / last_n > 5 * budget_s:
                        break
                try:
                    params = BENCH_PARAMS.get(name, ({}, ""))[0]
                    strategy = build_instance("strategy", name, params, "strategy")
                    posterior = POSTERIOR in getattr(strategy, "needs", ())
                    oracle = frozenset(strategy.needs) if is_oracle(strategy) else frozenset()
                    if (n, posterior, oracle) not in contexts:
                        contexts[n, posterior, oracle] = _context(
                            n, d, n_classes, posterior=posterior, oracle=oracle
                        )
                    ctx = contexts[n, posterior, oracle]
                    ctx = QueryContext(
                        **{f: getattr(ctx, f) for f in ctx.__dataclass_fields__ if f != "_cache"}
                    )
                    t0 = time.perf_counter()
                    strategy.query(ctx, batch_size, np.random.default_rng(0))
                    done[n] = time.perf_counter() - t0
                except Exception as exc:  # noqa: BLE001 - reported, never fatal
                    failed[name] = f"{type(exc).__name__}: {exc}"
                    break
    return times, failed


def affordable_pool_size(times: dict[int, float], budget_s: float = BUDGET_S) -> int | None:
    """Largest timed pool size whose query took under ``budget_s`` (None if none did)."""
    ok = [n for n, t in times.items() if t < budget_s]
    return max(ok) if ok else None


def strategies_markdown(times: dict[str, dict[int, float]], failed: dict[str, str], sizes) -> str:
    """Markdown: seconds per query at each size and the affordable pool size per strategy."""
    sizes = sorted(sizes)
    lines = [
        "## Strategies: one query of 10, and the affordable pool size",
        "",
        f"Affordable: the largest pool size timed under {BUDGET_S:g} s per round (logistic regression "
        "query model, 20 features, 5 classes). '-': not timed (the previous size already exceeded "
        "the budget).",
        "",
        "| strategy | " + " | ".join(f"{n:,}" for n in sizes) + " | affordable N |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for name, t in times.items():
        if name in failed:
            lines.append(f"| {name} | failed: {failed[name][:80]} |" + " |" * len(sizes))
            continue
        cells = " | ".join(f"{t[n]:.3f} s" if n in t else "-" for n in sizes)
        best = affordable_pool_size(t)
        lines.append(f"| {name} | {cells} | {'-' if best is None else f'{best:,}'} |")
    notes = [why for name, (_, why) in BENCH_PARAMS.items() if name in times]
    if notes:
        lines += ["", *(f"Note: {why}." for why in notes)]
    return "\n".join(lines) + "\n"
