"""Oracle strategies: upper references that read ground truth no active learner has.

They declare :data:`~albench.strategies.base.ORACLE_LABELS` (the true labels of the pool) and
maybe :data:`~albench.strategies.base.ORACLE_TEST` (the test part) in their ``needs``; only
then does the loop put that ground truth into their context, and ``albench list`` and the
report mark them "(oracle)".
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from albench.registry import STRATEGIES
from albench.strategies.base import (
    FEATURES,
    LABELED,
    ORACLE_LABELS,
    ORACLE_TEST,
    REFIT,
    QueryContext,
    Strategy,
    check_choice,
    check_int,
)

LOOK_AT = ("test", "train")


def top_width(scores: np.ndarray, width: int) -> np.ndarray:
    """Indices of the ``width`` best ``scores``, in the order ``np.argpartition`` leaves them.

    The published beam search keeps ``np.argpartition(scores, -width)[-width:]``: not sorted,
    and its tie-breaking decides which sequence is replayed, so the same call is made here.
    """
    return np.argpartition(np.asarray(scores, dtype=np.float64), -width)[-width:]


@STRATEGIES.register(
    "bso",
    description=(
        "Beam-search oracle (reads the true labels of the pool, and of the test set by default): "
        "plans the whole label sequence at the first round, then replays it"
    ),
    reference="Lu et al., TMLR 2025 (src/algo/bso.py of ariapoy/active-learning-benchmark)",
)
class BeamSearchOracle(Strategy):
    """Beam-search oracle (BSO): the label sequence a beam search with the true labels finds.

    An upper reference, not an active learning strategy: it reads the true labels of every
    pool sample and, with ``look_at="test"`` (the published setting), the test set.

    Follows ``BSO`` of the published benchmark (Lu et al., "Re-benchmarking Pool-Based Active
    Learning for Binary Classification", TMLR 2025; code ``src/algo/bso.py``, run by
    ``src/run-reproduce-bso.sh`` as ``main.py --tool bso --qs_name bso-zhan --lookDtst lookDtst``,
    ``num_beam = 5`` from ``src/config.py``). At the first query, with L the labeled set and U
    the pool, in pool order:

    1. every candidate x of U is scored by the accuracy of the query model refitted on
       L + {x} (the revealed labels of L, the true label of x) on the look-at set; the
       ``min(num_beam, gap)`` best one-sample sequences are kept, in the order
       ``np.argpartition(scores, -width)[-width:]`` leaves them (``gap``: samples still to plan);
    2. while the kept sequences are shorter than the plan: every kept sequence s, in order,
       is extended by each remaining x (model refitted on L + s + {x}) and keeps its
       ``width = min(num_beam, gap)`` best extensions; of all these, the ``width`` best (same
       argpartition rule) become the kept sequences. A sequence's score is the accuracy after
       its last sample only;
    3. the plan is the first kept sequence (``gap`` has shrunk to 1, so it is the best one).

    Then every query returns the next ``batch_size`` samples of the plan; the published run
    replays the same sequence, one label per round. The plan is made again from the current
    state whenever the labeled set is not the one the plan leads to (a new cell, a labeler
    refusal) or its next samples are not all in ``ctx.pool`` (``protocol.pool_subsample``).

    Parameters
    ----------
    num_beam : int, default 5
        Beam width (published ``num_beam = 5``, ``QueryStrategyBuilder('bso-zhan')``).
    look_at : {"test", "train"}, default "test"
        The set a sequence's accuracy is measured on. ``"test"``: the test part with its true
        labels (published ``--lookDtst lookDtst``, the value ``run-reproduce-bso.sh`` uses:
        "look at D_tst"). ``"train"``: the whole training part, labeled set and pool, with
        their true labels (any other ``--lookDtst`` value; ``lookDtst=False`` scores
        ``idx_trn``). Needs :data:`~albench.strategies.base.ORACLE_TEST` only for ``"test"``.
    horizon : int or None, default None
        Samples to plan at once; None plans until the pool is exhausted (published: the search
        runs until every training sample is labeled). A smaller horizon plans that many (at
        least ``batch_size``), replays them, and plans again: a cheaper, shorter-sighted oracle.

    Notes
    -----
    The refits use ``ctx.make_model()`` (the query model's parameters and random_state; the
    published code refits the same ``SVC``), with the training rows in sequence order (L in
    ``ctx.labeled`` order, then the sequence), as the published code does. With an exact
    labeler the labels of L are the true ones, as in the published code; with a noisy one the
    plan refits on the answers revealed for L and the true labels of the candidates.

    Cost of one plan over a pool of n with beam width B: about ``B n^2 / 2`` refits, each
    followed by a prediction of the look-at set (published: one BSO run per seed with a
    25,920 s timeout). The replayed rounds cost nothing. Use the ``rbf_svm_gram`` model to
    reuse the RBF kernel across refits.
    """

    def __init__(self, num_beam: int = 5, look_at: str = "test", horizon: int | None = None) -> None:
        self.num_beam = num_beam
        self.look_at = look_at
        self.horizon = horizon

    @property
    def needs(self) -> frozenset[str]:  # type: ignore[override]
        needs = {REFIT, FEATURES, LABELED, ORACLE_LABELS}
        if self.look_at == "test":
            needs.add(ORACLE_TEST)
        return frozenset(needs)

    def validate(self) -> None:
        check_int("num_beam", self.num_beam, minimum=1)
        check_choice("look_at", self.look_at, LOOK_AT)
        if self.horizon is not None:
            check_int("horizon", self.horizon, minimum=1)

    def plan(self, ctx: QueryContext, length: int) -> np.ndarray:
        """The beam search's sequence of ``length`` positions taken from ``ctx.pool``."""
        pool = np.asarray(ctx.pool, dtype=np.int64)
        X_l, y_l = ctx.X[ctx.labeled], np.asarray(ctx.y_labeled, dtype=np.int64)
        X_u, y_u = ctx.X[pool], ctx.true_labels(pool)
        if self.look_at == "test":
            X_eval, y_eval = ctx.test_part()
        else:
            X_eval, y_eval = ctx.X, ctx.true_labels(np.arange(ctx.X.shape[0]))

        def score(seq: list[int]) -> float:
            model = ctx.make_model().fit(np.vstack([X_l, X_u[seq]]), np.concatenate([y_l, y_u[seq]]))
            return float(np.mean(np.asarray(model.predict(X_eval)) == y_eval))

        def extensions(seq: list[int], width: int) -> tuple[list[list[int]], list[float]]:
            free = np.ones(pool.shape[0], dtype=bool)
            free[seq] = False
            candidates = np.flatnonzero(free).tolist()
            scores = [score([*seq, c]) for c in candidates]
            keep = top_width(np.array(scores), width)
            return [[*seq, candidates[i]] for i in keep], [scores[i] for i in keep]

        with threadpool_limits(limits=1):  # tiny refits: BLAS threads only cost synchronisation
            beams, _ = extensions([], min(self.num_beam, length))
            while len(beams[0]) < length:
                width = min(self.num_beam, length - len(beams[0]))
                grown: list[list[int]] = []
                grown_scores: list[float] = []
                for seq in beams:
                    s, sc = extensions(seq, width)
                    grown += s
                    grown_scores += sc
                beams = [grown[i] for i in top_width(np.array(grown_scores), width)]
        return pool[beams[0]]

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        k = min(batch_size, ctx.pool.shape[0])
        state = self.__dict__.get("_plan")
        if state is not None:
            done = state["sequence"][: state["used"]]
            following = state["sequence"][state["used"] : state["used"] + k]
            expected = np.sort(np.concatenate([state["start"], done]))
            if not (
                state["n_rows"] == ctx.X.shape[0]
                and following.shape[0] == k
                and np.array_equal(np.sort(ctx.labeled), expected)
                and np.isin(following, ctx.pool).all()
            ):
                state = None
        if state is None:
            n = ctx.pool.shape[0]
            length = n if self.horizon is None else min(n, max(self.horizon, k))
            state = {
                "start": np.sort(np.asarray(ctx.labeled, dtype=np.int64)),
                "sequence": self.plan(ctx, length),
                "used": 0,
                "n_rows": ctx.X.shape[0],
            }
            self.__dict__["_plan"] = state
        out = state["sequence"][state["used"] : state["used"] + k]
        state["used"] += k
        return out
