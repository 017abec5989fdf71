"""Strategy timings: every registered strategy is timed or reported failed; affordable N by definition."""

from albench.bench.strategies import affordable_pool_size, strategies_markdown, strategy_times
from albench.registry import STRATEGIES


def test_affordable_pool_size_is_the_largest_size_under_the_budget():
    assert affordable_pool_size({100: 0.01, 1000: 0.5, 10000: 3.0}) == 1000
    assert affordable_pool_size({100: 2.0}) is None
    assert affordable_pool_size({100: 0.2, 1000: 1.0}, budget_s=1.0) == 100  # "under": strictly


def test_every_strategy_is_timed_on_a_small_ladder():
    times, failed = strategy_times((60, 120), batch_size=5, budget_s=60.0)
    assert set(times) == set(STRATEGIES.names())
    assert failed == {}
    assert all(set(t) == {60, 120} and all(v > 0 for v in t.values()) for t in times.values())
    md = strategies_markdown(times, failed, (60, 120))
    assert all(f"| {name} |" in md for name in times)


def test_the_ladder_stops_once_over_budget():
    times, _ = strategy_times((60, 120, 240), batch_size=5, budget_s=0.0)
    assert all(list(t) == [60] for t in times.values())  # every call exceeds a zero budget
