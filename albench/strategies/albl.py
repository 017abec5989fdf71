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
    check_float,
    check_int,
    check_strategy_model,
    random_state_from,
)
from albench.strategies.committee import model_entry

DEFAULT_STRATEGIES = ("margin", "coreset", "graph_density")


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
    horizon : int, default 100
        EXP4.P's T, the number of draws the bound is tuned for.
    delta : float, default 0.1
        EXP4.P's confidence parameter, in (0, 1).

    Notes
    -----
    Cost: the sum of the experts' query costs, plus O(b N) per batch of b for the mixture
    (advice is one point per expert) and O(T) predictions per round for the reward.
    """

    def __init__(
        self,
        strategies: list | tuple = DEFAULT_STRATEGIES,
        exploration: float = 0.1,
        horizon: int = 100,
        delta: float = 0.1,
    ) -> None:
        self.strategies = strategies
        self.exploration = exploration
        self.horizon = horizon
        self.delta = delta

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
        check_int("horizon", self.horizon, minimum=1)
        check_float("delta", self.delta, low=0.0, high=1.0, low_open=True, high_open=True)

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

    def _update(self, ctx: QueryContext, state: dict) -> None:
        if not state["pending"]:
            return
        r = self._reward(ctx, state)
        n_experts = state["log_w"].shape[0]
        for hit, advice_q, q_chosen, K in state["pending"]:
            p_min = self.exploration / K
            bonus = math.sqrt(math.log(n_experts / self.delta) / (K * self.horizon))
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

    def query(self, ctx: QueryContext, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        state = self._state(ctx)
        self._update(ctx, state)
        k = min(batch_size, ctx.pool.shape[0])
        advice = []
        for expert, own in zip(state["experts"], state["own_models"], strict=True):
            expert_rng = np.random.default_rng(rng.integers(2**63))
            advice.append(np.asarray(expert.query(self._expert_ctx(ctx, own, rng), k, expert_rng)))
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
