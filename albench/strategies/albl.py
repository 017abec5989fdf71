"""Active learning by learning (Hsu & Lin 2015): a bandit over other strategies."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from sklearn.base import clone

from albench.components import build_instance
from albench.errors import AlbenchInputError
from albench.models import build_model
from albench.registry import STRATEGIES
from albench.strategies.base import (
    FEATURES,
    LABELED,
    QueryContext,
    Strategy,
    check_choice,
    check_float,
    check_int,
    check_strategy_model,
    random_state_from,
)
from albench.strategies.committee import model_entry

DEFAULT_STRATEGIES = ("margin", "coreset", "graph_density")
#: ``albench``: batch draws with the exploration floor on samples (below); ``libact``: libact's
#: ``ActiveLearningByLearning`` with its ``Exp4P`` step by step.
ALBL_VARIANTS = ("albench", "libact")


@STRATEGIES.register(
    "albl",
    description="Active learning by learning: EXP4.P bandit over a list of strategies",
    reference="Hsu & Lin, AAAI 2015",
)
class ALBL(Strategy):
    """Learn online which strategy to follow, rewarded by importance-weighted test accuracy.

    Each listed strategy is an expert whose advice is its own batch, in ranking order. Every
    batch slot is drawn from the EXP4.P mixture (Beygelzimer et al. 2011)
    ``q(x) = (1 - K p_min) sum_i w_i xi_i(x) / sum_i w_i + p_min`` over the K remaining pool
    samples, where ``xi_i`` puts all mass on expert i's best not-yet-picked sample and
    ``p_min = exploration / K``. When the next round starts, the model refitted on the new
    labels is scored by the importance-weighted accuracy of Hsu & Lin,
    ``r = (1 / (n T)) sum_t [h(x_t) = y_t] / q_t(x_t)`` over every sample ALBL has queried
    (n: the first pool's size, T: the number of draws), and each draw of the last batch
    updates the experts' weights with the EXP4.P rule
    ``w_i *= exp(p_min / 2 * (r xi_i(x) / q(x) + (1 / q(a_i)) sqrt(ln(N / delta) / (K T_h))))``
    (a_i: expert i's advice, N experts, ``T_h = horizon``).

    The bandit state lives on the instance across the rounds of one cell; it is reset whenever
    the labeled set is not the previous one plus the previous batch (a new cell).

    Parameters
    ----------
    strategies : list of strategy names or tables, default ("margin", "coreset", "graph_density")
        The experts, e.g. ``["least_confident", {name = "qbc_kl", n_members = 3}]``; ALBL itself
        is not allowed. The strategy needs whatever its experts need. A table may carry the
        expert's own ``query_model`` (a model name or table, e.g. ``{name = "least_confident",
        query_model = {name = "logistic_regression", C = 0.01}}``): that model is fitted on the
        labeled set each round (its ``random_state`` drawn from the strategy's stream) and the
        expert sees it instead of ALBL's query model, as libact's ALBL gives each sub-strategy
        its own model. ALBL's query model then only scores the reward.
    exploration : float, default 0.1
        ``K p_min``, the probability mass spread uniformly over the pool, in (0, 1).
    horizon : int or "pool", default 100
        EXP4.P's T, the number of draws the bound is tuned for; ``"pool"``: the size of the
        first pool (what Lu et al.'s code passes as libact's ``T``: the budget, the whole pool).
    delta : float, default 0.1
        EXP4.P's confidence parameter, in (0, 1).
    variant : {"albench", "libact"}, default "albench"
        ``"libact"``: libact's ``ActiveLearningByLearning`` (``query_strategies/
        active_learning_by_learning.py``, the ``albl`` column of Lu et al., TMLR 2025) step by
        step. The arms are the experts plus, with ``uniform_sampler``, a uniform arm over the
        *first* pool; arm probabilities ``p = (1 - N p_min) w / sum(w) + p_min`` with
        ``p_min = sqrt(ln N / N / T)`` (the floor is on the N arms; ``exploration`` is unused);
        the sample distribution is ``q = sum_i p_i advice_i`` over the first pool. A draw of an
        already labeled sample is a free update (recorded with weight ``1 / q``, weights
        updated, drawn again). The reward is ``sum_t [h(x_t) = y_t] / q_t / (n T)`` over every
        draw so far, n the size of the training part (labeled and unlabeled), h ALBL's query
        model refitted on the labeled set; after each draw
        ``w *= exp(p_min / 2 * (r advice(x) / q(x) + sqrt(ln(N / delta) / N / T) / p))``.
        Experts' advice is computed once per round (libact asks them again after a free
        update, with the same labeled set). With a batch of b > 1 (libact queries one at a
        time) the b slots are drawn from the round's distribution, redrawing samples already
        in the batch, and their updates wait for the labels.
    uniform_sampler : bool, default True
        With ``variant = "libact"``: add libact's uniform arm (unused otherwise).

    Notes
    -----
    Cost: the sum of the experts' query costs, plus O(b N) per batch of b for the mixture
    (advice is one point per expert) and O(T) predictions per round for the reward.
    """

    def __init__(
        self,
        strategies: list | tuple = DEFAULT_STRATEGIES,
        exploration: float = 0.1,
        horizon: int | str = 100,
        delta: float = 0.1,
        variant: str = "albench",
        uniform_sampler: bool = True,
    ) -> None:
        self.strategies = strategies
        self.exploration = exploration
        self.horizon = horizon
        self.delta = delta
        self.variant = variant
        self.uniform_sampler = uniform_sampler

    def _expert_entries(self) -> list[tuple[Strategy, tuple[str, dict] | None]]:
        """Each expert with its own query model's ``(name, params)``, or None."""
        if not isinstance(self.strategies, (list, tuple)) or not self.strategies:
            raise AlbenchInputError(
                f"strategies = {self.strategies!r}: must be a non-empty list of strategy names or tables"
            )
        experts = []
        for i, entry in enumerate(self.strategies):
            name, params = model_entry(entry, f"strategies[{i}]")
            if name == "albl":
                raise AlbenchInputError(f"strategies[{i}] = 'albl': ALBL cannot be its own expert")
            own = None
            if "query_model" in params:
                params = dict(params)
                own = model_entry(params.pop("query_model"), f"strategies[{i}].query_model")
            expert = build_instance("strategy", name, params, f"strategies[{i}]")
            if own is not None:
                est = build_model(own[0], own[1], random_state=0, field=f"strategies[{i}].query_model")
                check_strategy_model(f"strategies[{i}] ({name})", expert, own[0], est)
            experts.append((expert, own))
        return experts

    def _experts(self) -> list[Strategy]:
        return [e for e, _ in self._expert_entries()]

    @property
    def needs(self) -> frozenset[str]:  # type: ignore[override]
        try:
            entries = self._expert_entries()
        except AlbenchInputError:
            return frozenset()
        needs: set[str] = set()
        for expert, own in entries:
            needs |= {FEATURES, LABELED} if own is not None else set(expert.needs)
        return frozenset(needs)

    def validate(self) -> None:
        self._experts()
        check_float("exploration", self.exploration, low=0.0, high=1.0, low_open=True, high_open=True)
        if isinstance(self.horizon, str):
            check_choice("horizon", self.horizon, ("pool",))
        else:
            check_int("horizon", self.horizon, minimum=1)
        check_float("delta", self.delta, low=0.0, high=1.0, low_open=True, high_open=True)
        check_choice("variant", self.variant, ALBL_VARIANTS)
        if not isinstance(self.uniform_sampler, (bool, np.bool_)):
            raise AlbenchInputError(f"uniform_sampler = {self.uniform_sampler!r}: must be true or false")

    def _state(self, ctx: QueryContext) -> dict:
        state = self.__dict__.get("_bandit")
        labeled = set(np.asarray(ctx.labeled).tolist())
        if (
            state is None
            or state["n_labeled"] + len(state["last_batch"]) != len(labeled)
            or not set(state["last_batch"]).issubset(labeled)
        ):
            entries = self._expert_entries()
            experts = [e for e, _ in entries]
            state = {
                "experts": experts,
                "own_models": [own for _, own in entries],
                "log_w": np.zeros(len(experts)),
                "n_first_pool": int(ctx.pool.shape[0]),
                "queried": [],  # (position, q)
                "pending": [],  # per draw of the last batch: (hit, advice_q, q_chosen, K)
                "last_batch": [],
                "n_labeled": len(labeled),
            }
            self.__dict__["_bandit"] = state
        return state

    def _reward(self, ctx: QueryContext, state: dict) -> float:
        pos = np.array([p for p, _ in state["queried"]], dtype=np.int64)
        q = np.array([q for _, q in state["queried"]])
        order = np.argsort(ctx.labeled)
        y = np.asarray(ctx.y_labeled)[order[np.searchsorted(ctx.labeled, pos, sorter=order)]]
        hit = np.asarray(ctx.model.predict(ctx.X[pos])) == y
        return float((hit / q).sum() / (state["n_first_pool"] * pos.shape[0]))

    def _horizon(self, state: dict) -> int:
        return state["n_first_pool"] if self.horizon == "pool" else int(self.horizon)

    def _update(self, ctx: QueryContext, state: dict) -> None:
        if not state["pending"]:
            return
        r = self._reward(ctx, state)
        n_experts = state["log_w"].shape[0]
        for hit, advice_q, q_chosen, K in state["pending"]:
            p_min = self.exploration / K
            bonus = math.sqrt(math.log(n_experts / self.delta) / (K * self._horizon(state)))
            y_hat = np.where(hit, r / q_chosen, 0.0)
            state["log_w"] += p_min / 2.0 * (y_hat + bonus / advice_q)
        state["log_w"] -= state["log_w"].max()
        state["pending"] = []

    @staticmethod
    def _expert_ctx(
        ctx: QueryContext, own: tuple[str, dict] | None, rng: np.random.Generator
    ) -> QueryContext:
        """The context an expert sees: ALBL's, or the same with its own query model fitted."""
        if own is None:
            return ctx
        template = build_model(own[0], own[1], random_state=random_state_from(rng))
        model = clone(template).fit(ctx.X[ctx.labeled], ctx.y_labeled)
        return dataclasses.replace(ctx, model=model, make_model=lambda: clone(template), _cache={})

    def _advice(self, ctx: QueryContext, state: dict, k: int, rng: np.random.Generator) -> list[np.ndarray]:
        advice = []
        for expert, own in zip(state["experts"], state["own_models"], strict=True):
            expert_rng = np.random.default_rng(rng.integers(2**63))
            advice.append(np.asarray(expert.query(self._expert_ctx(ctx, own, rng), k, expert_rng)))
        return advice

    def _libact_state(self, ctx: QueryContext, state: dict) -> dict:
        if "first_pool" not in state:
            n_arms = len(state["experts"]) + bool(self.uniform_sampler)
            state["first_pool"] = np.asarray(ctx.pool, dtype=np.int64).copy()
            state["w"] = np.ones(n_arms)
            state["draws"] = []  # per draw: (position, 1 / q, free update?)
            state["pending_libact"] = []  # draws whose update waits for a reward: (column, q)
        return state

    def _libact_reward(self, ctx: QueryContext, state: dict) -> float:
        """libact's ``calc_reward_fn``: importance-weighted accuracy over every draw so far."""
        pos = np.array([d[0] for d in state["draws"]], dtype=np.int64)
        weight = np.array([d[1] for d in state["draws"]])
        order = np.argsort(ctx.labeled)
        y = np.asarray(ctx.y_labeled)[order[np.searchsorted(ctx.labeled, pos, sorter=order)]]
        hit = np.asarray(ctx.model.predict(ctx.X[pos])) == y
        reward = 0.0
        for w_i, h in zip(weight.tolist(), hit.tolist(), strict=True):  # libact's summation order
            reward += w_i * h
        return reward / ctx.X.shape[0] / self._horizon(state)

    def _libact_arm_probabilities(self, state: dict) -> tuple[np.ndarray, float]:
        n_arms = state["w"].shape[0]
        p_min = float(np.sqrt(np.log(n_arms) / n_arms / self._horizon(state)))
        return (1 - n_arms * p_min) * state["w"] / np.sum(state["w"]) + p_min, p_min

    def _libact_update(self, ctx: QueryContext, state: dict) -> None:
        """Exp4P's weight update for each pending draw, with the reward of the current model."""
        if not state["pending_libact"]:
            return
        n_arms = state["w"].shape[0]
        bonus = np.sqrt(np.log(n_arms / self.delta) / n_arms / self._horizon(state))
        for column, q_ask, p in state["pending_libact"]:
            reward = self._libact_reward(ctx, state)
            rhat = reward * column / q_ask
            _, p_min = self._libact_arm_probabilities(state)
            state["w"] = state["w"] * np.exp(p_min / 2 * (rhat + (1 / p) * bonus))
        top = state["w"].max()
        if top > 1e100:  # rescaling leaves the arm probabilities unchanged
            state["w"] = state["w"] / top
        state["pending_libact"] = []

    def _query_libact(self, ctx: QueryContext, k: int, rng: np.random.Generator) -> np.ndarray:
        state = self._libact_state(ctx, self._state(ctx))
        self._libact_update(ctx, state)
        first = state["first_pool"]
        n_first = first.shape[0]
        slot_of = np.full(ctx.X.shape[0], -1, dtype=np.int64)
        slot_of[first] = np.arange(n_first)
        in_pool = np.zeros(ctx.X.shape[0], dtype=bool)
        in_pool[ctx.pool] = True
        labeled = np.zeros(ctx.X.shape[0], dtype=bool)
        labeled[ctx.labeled] = True
        advice = self._advice(ctx, state, k, rng)
        pointers = [0] * len(advice)
        chosen: list[int] = []
        taken = np.zeros(ctx.X.shape[0], dtype=bool)
        for _ in range(k):
            query = np.zeros((state["w"].shape[0], n_first))
            if self.uniform_sampler:
                query[-1, :] = 1.0 / n_first
            for i, adv in enumerate(advice):
                while taken[adv[pointers[i]]]:
                    pointers[i] += 1
                query[i, slot_of[adv[pointers[i]]]] = 1.0
            while True:
                p, _ = self._libact_arm_probabilities(state)
                q = np.dot(p, query)
                j = int(rng.choice(n_first, p=q))
                pos = int(first[j])
                if in_pool[pos] and not taken[pos]:
                    chosen.append(pos)
                    taken[pos] = True
                    state["draws"].append((pos, 1.0 / q[j], False))
                    state["pending_libact"].append((query[:, j].copy(), q[j], p))
                    break
                if labeled[pos]:  # a free update: its label is known
                    state["draws"].append((pos, 1.0 / q[j], True))
                    state["pending_libact"].append((query[:, j].copy(), q[j], p))
                    self._libact_update(ctx, state)
                # else: already in this batch (or outside the scored pool): draw again
        out = np.array(chosen, dtype=np.int64)
        state["last_batch"] = out.tolist()
        state["n_labeled"] = int(ctx.labeled.shape[0])
        return out

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        k = min(batch_size, ctx.pool.shape[0])
        if self.variant == "libact":
            return self._query_libact(ctx, k, rng)
        state = self._state(ctx)
        self._update(ctx, state)
        advice = self._advice(ctx, state, k, rng)
        w = np.exp(state["log_w"])
        w = w / w.sum()
        index_of = np.full(ctx.X.shape[0], -1, dtype=np.int64)
        index_of[ctx.pool] = np.arange(ctx.pool.shape[0])
        remaining = np.ones(ctx.pool.shape[0], dtype=bool)
        pointers = [0] * len(advice)
        chosen = np.empty(k, dtype=np.int64)
        for t in range(k):
            K = int(remaining.sum())
            p_min = self.exploration / K
            advised = []
            for i, adv in enumerate(advice):
                while not remaining[index_of[adv[pointers[i]]]]:
                    pointers[i] += 1
                advised.append(index_of[adv[pointers[i]]])
            advised_arr = np.array(advised)
            q = np.where(remaining, p_min, 0.0)
            np.add.at(q, advised_arr, (1.0 - self.exploration) * w)
            j = rng.choice(q.shape[0], p=q / q.sum())
            chosen[t] = ctx.pool[j]
            state["queried"].append((int(ctx.pool[j]), float(q[j])))
            state["pending"].append((advised_arr == j, q[advised_arr], float(q[j]), K))
            remaining[j] = False
        state["last_batch"] = chosen.tolist()
        state["n_labeled"] = int(ctx.labeled.shape[0])
        return chosen
