"""Expected error reduction (Roy & McCallum 2001) and variance reduction (Schein & Ungar 2007)."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from albench.errors import AlbenchInputError
from albench.registry import STRATEGIES
from albench.strategies import kernels
from albench.strategies.base import (
    FEATURES,
    PROBA,
    REFIT,
    QueryContext,
    Strategy,
    check_choice,
    check_float,
    check_int,
    expand_proba,
)

UPDATES = ("refit", "newton")


def with_intercept(X: np.ndarray) -> np.ndarray:
    """``[X, 1]``: features with a constant column for the intercept."""
    return np.hstack([X, np.ones((X.shape[0], 1))])


def ridge_for(model, reg: float | None) -> float:
    """``reg``, else ``1 / C`` of a model with an L2 penalty parameter ``C`` (scikit-learn), else 1."""
    if reg is not None:
        return float(reg)
    C = getattr(model, "C", None)
    if isinstance(C, (int, float)) and not isinstance(C, bool) and C > 0:
        return 1.0 / float(C)
    return 1.0


def _candidates(pool: np.ndarray, n_candidates: int | None, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices into ``pool`` of a uniform random subsample of ``max(n_candidates, k)`` (None: all)."""
    if n_candidates is None or max(n_candidates, k) >= pool.shape[0]:
        return np.arange(pool.shape[0])
    return np.sort(rng.choice(pool.shape[0], size=max(n_candidates, k), replace=False))


class _ExpectedErrorReduction(Strategy):
    """Expected error reduction; subclasses fix the loss.

    Parameters
    ----------
    n_candidates : int or None, default 50
        Score a uniform random subsample of this many pool samples (Roy & McCallum subsample
        candidates too); None scores the whole pool. At least ``batch_size`` candidates are
        scored, and the batch is the top ``batch_size`` of them.
    update : {"refit", "newton"}, default "refit"
        How the model "after labeling (x, y)" is obtained. ``refit``: the query model is
        refitted on L + {(x, y)}, exactly as in the paper (C * K fits; any model). ``newton``:
        one Newton step of a softmax-linear model in the features (plus an intercept) from the
        current probabilities, with the labeled-set Fisher information plus ``1 / C`` of the
        model (else 1) as Hessian: an influence-function approximation of the refit for
        (multinomial) logistic regression, a plug-in for other models, fully vectorised over
        candidates, labels and pool (:func:`~albench.strategies.kernels.newton_future_proba`),
        with no refit at all.
    exclude_candidate : bool, default False
        Leave the candidate itself out of the pool the future loss is taken over (its label is
        then known: loss 0), as ALiPy's ``QueryExpectedErrorReduction`` sums the loss over the
        pool without the candidate. False averages over the whole pool (the behaviour before
        this option). Every candidate leaves out one sample, so the ranking is that of ALiPy's
        sum.
    """

    _loss = "zero_one"

    def __init__(
        self, n_candidates: int | None = 50, update: str = "refit", exclude_candidate: bool = False
    ) -> None:
        self.n_candidates = n_candidates
        self.update = update
        self.exclude_candidate = exclude_candidate

    @property
    def needs(self) -> frozenset[str]:  # type: ignore[override]
        return frozenset({PROBA, FEATURES}) if self.update == "newton" else frozenset({PROBA, REFIT})

    def validate(self) -> None:
        if self.n_candidates is not None:
            check_int("n_candidates", self.n_candidates, minimum=1)
        check_choice("update", self.update, UPDATES)
        if not isinstance(self.exclude_candidate, (bool, np.bool_)):
            raise AlbenchInputError(f"exclude_candidate = {self.exclude_candidate!r}: must be true or false")

    def _leave_out_candidates(self, ctx: QueryContext, candidates: np.ndarray, future: np.ndarray) -> None:
        """Give each candidate, in its own future, its label with certainty (loss 0), in place."""
        if not self.exclude_candidate:
            return
        where = np.full(ctx.X.shape[0], -1, dtype=np.int64)
        where[ctx.pool] = np.arange(ctx.pool.shape[0])
        K = future.shape[1]
        for c, pos in enumerate(candidates):
            j = where[pos]
            if j >= 0:
                future[c, :, j, :] = np.eye(K)

    def scores(self, ctx: QueryContext, candidates: np.ndarray) -> np.ndarray:
        """Minus the expected pool loss after labeling each candidate (positions into ``ctx.X``)."""
        if self.update == "newton":
            return self._newton_scores(ctx, candidates)
        proba = ctx.predict_proba(candidates)
        X_pool = ctx.X[ctx.pool]
        X_l, y_l = ctx.X[ctx.labeled], np.asarray(ctx.y_labeled)
        K = ctx.n_classes
        future = np.zeros((candidates.shape[0], K, X_pool.shape[0], K))
        # one refit per (candidate, label): the model's work, not numpy's; the loss over the pool
        # and the expectation over labels are vectorised in the kernel. The refits are tiny, so
        # BLAS threads only cost synchronisation: run them single-threaded.
        with threadpool_limits(limits=1):
            for c, pos in enumerate(candidates):
                X_aug = np.vstack([X_l, ctx.X[pos : pos + 1]])
                for y in np.flatnonzero(proba[c] > 0):
                    model = ctx.make_model().fit(X_aug, np.append(y_l, y))
                    future[c, y] = expand_proba(model.predict_proba(X_pool), model.classes_, K)
        self._leave_out_candidates(ctx, candidates, future)
        return kernels.expected_error_scores(proba, future, self._loss)

    def _newton_scores(self, ctx: QueryContext, candidates: np.ndarray) -> np.ndarray:
        K = ctx.n_classes
        H = kernels.fisher_information(with_intercept(ctx.X[ctx.labeled]), ctx.predict_proba(ctx.labeled))
        H[np.diag_indices_from(H)] += ridge_for(ctx.model, None)
        H_inv = np.linalg.inv(H)
        H_inv = (H_inv + H_inv.T) / 2
        p_pool, X_pool = ctx.predict_proba(), with_intercept(ctx.X[ctx.pool])
        p_cand, X_cand = ctx.predict_proba(candidates), with_intercept(ctx.X[candidates])
        chunk = max(1, 2**22 // max(1, K * K * X_pool.shape[0]))
        out = np.empty(candidates.shape[0])
        for s in range(0, candidates.shape[0], chunk):
            future = kernels.newton_future_proba(
                p_pool, X_pool, p_cand[s : s + chunk], X_cand[s : s + chunk], H_inv
            )
            self._leave_out_candidates(ctx, candidates[s : s + chunk], future)
            out[s : s + chunk] = kernels.expected_error_scores(p_cand[s : s + chunk], future, self._loss)
        return out

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        cand = _candidates(ctx.pool, self.n_candidates, batch_size, rng)
        return ctx.pool[cand[kernels.select_top_k(self.scores(ctx, ctx.pool[cand]), batch_size, rng)]]


@STRATEGIES.register(
    "eer_zero_one",
    description="Expected error reduction, 0/1 loss on the pool (retrains per candidate and label)",
    reference="Roy & McCallum, ICML 2001",
)
class EERZeroOne(_ExpectedErrorReduction):
    """Query the candidates whose label, in expectation, most lowers the pool's 0/1 loss.

    For each candidate x and label y, the query model is refitted on L + {(x, y)}; the
    expected loss is ``sum_y p(y|x) mean_u (1 - max_k p'(k|u))`` over the pool U.
    Cost: ``C * K`` refits (C candidates, K classes) plus O(C K |U| K) vectorised scoring and
    O(C K |U| K) memory. With ``update="newton"`` no refit: O((K d)^3 + C K (K d)^2 + C K^2 |U| d)
    vectorised, in candidate chunks of bounded memory.
    """

    _loss = "zero_one"


@STRATEGIES.register(
    "eer_log",
    description="Expected error reduction, log loss (expected entropy) on the pool",
    reference="Roy & McCallum, ICML 2001",
)
class EERLog(_ExpectedErrorReduction):
    """Query the candidates whose label, in expectation, most lowers the pool's log loss.

    As :class:`EERZeroOne` with the per-sample loss the entropy of ``p'(. | u)`` (the expected
    log loss under the retrained model's own beliefs). Same cost.
    """

    _loss = "log"


@STRATEGIES.register(
    "variance_reduction",
    description="Variance reduction for logistic regression (Fisher information, A-optimality)",
    reference="Schein & Ungar, Machine Learning 2007; Zhang & Oles, ICML 2000",
)
class VarianceReduction(Strategy):
    """Query the samples that most reduce the expected output variance over the pool.

    Treats the query model as a multinomial logistic model with parameters ``W`` (one row per
    class, plus an intercept). With ``F_L`` the Fisher information of the labeled set (plus a
    ridge ``reg * I``, the Hessian of an L2-penalised fit) and ``F_U`` that of the pool, both at
    the model's current probabilities, a candidate x is scored by the drop
    ``tr(F_U F_L^{-1}) - tr(F_U (F_L + S_x kron x x^T)^{-1})``, computed in closed form (Woodbury)
    for all candidates at once by :func:`~albench.strategies.kernels.variance_reduction_scores`.
    With models other than logistic regression their probabilities are used as a plug-in.

    Parameters
    ----------
    reg : float or None, default None
        Ridge added to ``F_L``; None takes ``1 / C`` from the query model when it has a ``C``
        (scikit-learn's LogisticRegression penalty), else 1.
    n_candidates : int or None, default None
        Score a random subsample of the pool of this size, at least ``batch_size`` (None: all).

    Notes
    -----
    Cost with n pool samples, m labeled, d features and K classes: O((n + m) K^2 d^2) for the
    two information matrices, O((K d)^3) for one inverse, O(C K^2 d^2 + C K^3) for the
    candidates; memory O((K d)^2 + chunk * K^2 d).
    """

    needs = frozenset({PROBA, FEATURES})

    def __init__(self, reg: float | None = None, n_candidates: int | None = None) -> None:
        self.reg = reg
        self.n_candidates = n_candidates

    def validate(self) -> None:
        if self.reg is not None:
            check_float("reg", self.reg, low=0.0, low_open=True)
        if self.n_candidates is not None:
            check_int("n_candidates", self.n_candidates, minimum=1)

    def scores(self, ctx: QueryContext, candidates: np.ndarray) -> np.ndarray:
        """Variance reduction of each candidate (positions into ``ctx.X``)."""

        def aug(rows: np.ndarray) -> np.ndarray:
            return with_intercept(ctx.X[rows])

        p_l = ctx.predict_proba(ctx.labeled)
        p_u = ctx.predict_proba()
        X_u = aug(ctx.pool)
        F_l = kernels.fisher_information(aug(ctx.labeled), p_l)
        F_l[np.diag_indices_from(F_l)] += ridge_for(ctx.model, self.reg)
        F_u = kernels.fisher_information(X_u, p_u)
        if not np.all(np.isfinite(F_l)):
            raise AlbenchInputError("variance_reduction: non-finite Fisher information (check the features)")
        return kernels.variance_reduction_scores(aug(candidates), ctx.predict_proba(candidates), F_l, F_u)

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        cand = _candidates(ctx.pool, self.n_candidates, batch_size, rng)
        return ctx.pool[cand[kernels.select_top_k(self.scores(ctx, ctx.pool[cand]), batch_size, rng)]]
