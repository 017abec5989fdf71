"""ALBL, ``variant = "libact"``: libact's ActiveLearningByLearning with Exp4P, checked by hand.

The known answers are libact's formulas (``query_strategies/active_learning_by_learning.py``)
written out here: arm probabilities ``p = (1 - N p_min) w / sum(w) + p_min`` with
``p_min = sqrt(ln N / N / T)``; sample distribution ``q = sum_i p_i advice_i`` over the first
pool (the uniform arm spreads ``1 / n_first`` over it); reward
``r = sum_t [h(x_t) = y_t] / q_t / n / T`` (n = labeled + unlabeled); update
``w *= exp(p_min / 2 * (r advice(x) / q(x) + sqrt(ln(N / delta) / N / T) / p))``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from albench.components import build_instance
from albench.errors import AlbenchInputError

from ._helpers import table_ctx

X = np.arange(16, dtype=np.float64).reshape(8, 2)
PROBA = np.array(
    [
        [0.9, 0.05, 0.05],
        [0.05, 0.9, 0.05],
        [0.05, 0.05, 0.9],
        [0.5, 0.49, 0.01],  # margin's pick (smallest margin)
        [0.4, 0.3, 0.3],  # least confident's pick (smallest top probability)
        [0.8, 0.1, 0.1],
        [0.1, 0.7, 0.2],
        [0.2, 0.15, 0.65],
    ]
)
Y = np.array([0, 1, 2, 0, 1, 0, 0, 1])  # the model is right on 3, 5; wrong on 4, 6, 7
T, DELTA, N_ARMS, N_FIRST, N_TOTAL = 10, 0.1, 3, 5, 8
PARAMS = {"strategies": ["least_confident", "margin"], "variant": "libact", "horizon": T, "delta": DELTA}


def ctx_with(labeled: list[int]):
    return table_ctx(X, np.array(labeled), Y[labeled], proba=PROBA)


def advice_column(x: int, advice: tuple[int, int]) -> np.ndarray:
    """Column x of libact's query matrix: expert rows (one-hot advice), then the uniform row."""
    return np.array([float(advice[0] == x), float(advice[1] == x), 1.0 / N_FIRST])


def expert_advice(labeled: list[int]) -> tuple[int, int]:
    ctx = ctx_with(labeled)
    lc = build_instance("strategy", "least_confident", {}, "s").query(ctx, 1, np.random.default_rng(0))[0]
    m = build_instance("strategy", "margin", {}, "s").query(ctx, 1, np.random.default_rng(0))[0]
    return int(lc), int(m)


P_MIN = math.sqrt(math.log(N_ARMS) / N_ARMS / T)
BONUS = math.sqrt(math.log(N_ARMS / DELTA) / N_ARMS / T)


def test_first_update_by_hand() -> None:
    albl = build_instance("strategy", "albl", PARAMS, "s")
    labeled = [0, 1, 2]
    first = albl.query(ctx_with(labeled), 1, np.random.default_rng(5))[0]
    assert expert_advice(labeled) == (4, 3)
    # round 1: w = (1, 1, 1), so every arm has p = 1/3; q(4) = q(3) = 1/3 + 1/15, others 1/15
    q1 = {3: 1 / 3 + 1 / 15, 4: 1 / 3 + 1 / 15, 5: 1 / 15, 6: 1 / 15, 7: 1 / 15}[int(first)]
    (pos, inv_q, free), *_ = albl.__dict__["_bandit"]["draws"]
    assert (pos, free) == (first, False)
    assert inv_q == pytest.approx(1 / q1, rel=1e-12)
    # round 2 opens with the update for that draw: r = [h(x) = y] / q1 / 8 / 10
    labeled2 = labeled + [int(first)]
    albl.query(ctx_with(labeled2), 1, np.random.default_rng(6))
    r = float(PROBA[first].argmax() == Y[first]) / q1 / N_TOTAL / T
    col = advice_column(int(first), (4, 3))
    w1 = np.exp(P_MIN / 2 * (r * col / q1 + 3.0 * BONUS))
    state = albl.__dict__["_bandit"]
    n_free = sum(d[2] for d in state["draws"][1:])
    if n_free == 0:
        np.testing.assert_allclose(state["w"], w1, rtol=1e-12)
    # round 2's distribution uses w1: check the recorded q of round 2's first draw
    p = (1 - N_ARMS * P_MIN) * w1 / w1.sum() + P_MIN
    pos2 = state["draws"][1][0]
    q2 = p @ advice_column(pos2, expert_advice(labeled2))
    assert state["draws"][1][1] == pytest.approx(1 / q2, rel=1e-12)


def replay_by_hand(draws: list, rounds: list[list[int]]) -> np.ndarray:
    """libact's Exp4P over the recorded draws, from its formulas; returns w after the last update."""
    w = np.ones(N_ARMS)
    history: list[tuple[int, float]] = []  # (position, 1 / q)
    pending = None
    it = iter(draws)
    for labeled in rounds:
        adv = expert_advice(labeled)
        while True:
            if pending is not None:  # calc_reward_fn on the current labels, then the Exp4P step
                x, q_x, p_x, adv_x = pending
                reward = sum(iq * float(PROBA[pos].argmax() == Y[pos]) for pos, iq in history) / N_TOTAL / T
                w = w * np.exp(P_MIN / 2 * (reward * advice_column(x, adv_x) / q_x + BONUS / p_x))
                pending = None
            try:
                pos, inv_q, free = next(it)
            except StopIteration:
                raise AssertionError("fewer draws than rounds") from None
            p = (1 - N_ARMS * P_MIN) * w / w.sum() + P_MIN
            q = p @ advice_column(pos, adv)
            assert inv_q == pytest.approx(1 / q, rel=1e-12)
            assert free == (pos in labeled)
            history.append((pos, 1 / q))
            pending = (pos, q, p, adv)
            if not free:
                break  # the next round labels it, then updates
    assert next(it, None) is None, "draws left over"
    return w


def test_free_updates_and_weights_follow_libact_over_three_rounds() -> None:
    for seed in range(300):
        albl = build_instance("strategy", "albl", PARAMS, "s")
        rng = np.random.default_rng(seed)
        labeled = [0, 1, 2]
        rounds = []
        for _ in range(4):
            rounds.append(list(labeled))
            labeled = labeled + albl.query(ctx_with(labeled), 1, rng).tolist()
        draws = albl.__dict__["_bandit"]["draws"]
        if any(d[2] for d in draws):
            break
    else:
        raise AssertionError("no free update in 300 seeds")
    assert sum(not d[2] for d in draws) == 4
    w = replay_by_hand(draws, rounds)
    # the state holds w up to the last free update; the last pick's update waits for its label
    np.testing.assert_allclose(albl.__dict__["_bandit"]["w"], w, rtol=1e-10)


def test_horizon_pool_is_the_first_pool_size() -> None:
    a = build_instance("strategy", "albl", {**PARAMS, "horizon": "pool"}, "s")
    b = build_instance("strategy", "albl", {**PARAMS, "horizon": N_FIRST}, "s")
    seq = []
    for s in (a, b):
        labeled, rng = [0, 1, 2], np.random.default_rng(1)
        for _ in range(4):
            labeled = labeled + s.query(ctx_with(labeled), 1, rng).tolist()
        seq.append((labeled, s.__dict__["_bandit"]["w"]))
    assert seq[0][0] == seq[1][0]
    np.testing.assert_array_equal(seq[0][1], seq[1][1])


def test_without_uniform_arm_only_experts_are_drawn() -> None:
    albl = build_instance("strategy", "albl", {**PARAMS, "uniform_sampler": False}, "s")
    picks = {int(albl.query(ctx_with([0, 1, 2]), 1, np.random.default_rng(s))[0]) for s in range(40)}
    assert picks == {3, 4}


def test_default_variant_is_unchanged() -> None:
    params = {"strategies": ["least_confident", "margin"]}
    a = build_instance("strategy", "albl", params, "s")
    b = build_instance("strategy", "albl", {**params, "variant": "albench", "uniform_sampler": False}, "s")
    ctx = ctx_with([0, 1, 2])
    np.testing.assert_array_equal(
        a.query(ctx, 2, np.random.default_rng(3)), b.query(ctx, 2, np.random.default_rng(3))
    )


@pytest.mark.parametrize(
    ("param", "bad"), [("variant", "exp4"), ("horizon", "budget"), ("horizon", 0), ("uniform_sampler", "yes")]
)
def test_bad_parameters_are_named(param: str, bad: object) -> None:
    with pytest.raises(AlbenchInputError, match=param):
        build_instance("strategy", "albl", {**PARAMS, param: bad}, "s")
