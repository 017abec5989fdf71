"""The budget: affordable pool, batch size, the prefix that fits, spending."""

import numpy as np
import pytest

from albench.budget import Budget


def test_label_budget_asks_for_what_is_left():
    b = Budget(10, "labels")
    pool = np.arange(20)
    ones = np.ones(20)
    assert b.batch_size(4, ones) == 4
    b.spend(np.ones(8))
    assert b.remaining == 2 and b.batch_size(4, ones) == 2
    assert b.batch_size(4, np.full(20, 3.0)) == 0  # a vote of 3 no longer fits
    assert b.affordable(pool, np.full(20, 3.0)).shape[0] == 0


def test_cost_budget_takes_the_longest_affordable_prefix():
    b = Budget(10.0, "cost")
    chosen = np.array([7, 3, 9, 1])
    prices = np.array([4.0, 5.0, 2.0, 1.0])
    assert b.take(chosen, prices).tolist() == [7, 3]  # 4 + 5 = 9 <= 10, + 2 > 10
    assert b.take(chosen[:2], prices[:2]).tolist() == [7, 3]
    pool = np.arange(4)
    assert b.affordable(pool, np.array([11.0, 10.0, 3.0, 12.0])).tolist() == [1, 2]
    assert b.batch_size(10, np.array([10.0, 3.0])) == 2  # at most floor(10 / 3) = 3, at most 2 affordable


def test_free_queries_are_refused():
    with pytest.raises(ValueError, match="prices must be positive"):
        Budget(5, "cost").batch_size(3, np.array([0.0, 1.0]))
