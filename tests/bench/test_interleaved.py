import numpy as np
import pytest

from albench.bench import interleaved as I
from albench.bench.cases import KernelCase


class FakeClock:
    """``perf_counter`` that advances only when a fake kernel runs (its cost in seconds)."""

    def __init__(self):
        self.now = 0.0
        self.log = []

    def __call__(self):
        return self.now

    def kernel(self, name, cost):
        def run(P):
            self.now += cost(P.shape[0]) if callable(cost) else cost
            self.log.append(name)
            return P[:, 0]

        return run


def _make(n, rng):
    return (np.ones((n, 3)),)


def _cases(clock, max_n=10**9):
    floor = "floor: P.sum() [C=3, float64]"

    def impl(name, per_sample):
        run = clock.kernel(name, lambda n: per_sample * n)
        return KernelCase(
            f"m + top-1 {name}",
            run,
            _make,
            "O(N C)",
            max_n=max_n,
            floor=floor,
            implementation=name,
            measure="m",
        )

    return [
        KernelCase(floor, clock.kernel("floor", lambda n: 1e-6 * n), _make, "O(N C)", max_n=max_n),
        impl("albench", 3e-6),
        impl("peer", 5e-6),
        KernelCase("other kernel", clock.kernel("other", 1.0), _make, "O(N)"),
    ]


def test_ratios_are_taken_within_each_repetition(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(I.time, "perf_counter", clock)
    df = I.interleaved_floor_ratios([10, 100, 10_000], repeats=4, cases=_cases(clock))
    # smallest and largest size only; the kernel without a floor is not timed
    assert sorted(df["n"].unique()) == [10, 10_000]
    assert "other" not in clock.log
    got = df.set_index(["implementation", "n"])
    for n in (10, 10_000):
        assert got.loc[("albench", n), "ratio"] == pytest.approx(3.0)
        assert got.loc[("peer", n), "ratio"] == pytest.approx(5.0)
        assert got.loc[("peer", n), "median_s"] == pytest.approx(5e-6 * n)
    # a call of 10 us is batched up to MIN_TIMING_S; one of 10 ms is timed alone
    assert got.loc[("albench", 10), "calls_per_timing"] == int(np.ceil(I.MIN_TIMING_S / 3e-5))
    assert got.loc[("albench", 10_000), "calls_per_timing"] == 1


def test_order_rotates_between_repetitions(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(I.time, "perf_counter", clock)
    I.interleaved_floor_ratios([10_000], repeats=3, cases=_cases(clock)[:3])
    timed = clock.log[6:]  # after two calibration calls each
    assert timed == ["floor", "albench", "peer", "albench", "peer", "floor", "peer", "floor", "albench"]


def test_sizes_above_a_groups_limit_are_left_out(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(I.time, "perf_counter", clock)
    df = I.interleaved_floor_ratios([10, 1000, 10**6], repeats=1, cases=_cases(clock, max_n=1000))
    assert sorted(df["n"].unique()) == [10, 1000]
    assert I.interleaved_floor_ratios([10**6], repeats=1, cases=_cases(clock, max_n=1000)).empty


def test_markdown_shows_median_and_quartiles(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(I.time, "perf_counter", clock)
    df = I.interleaved_floor_ratios([1000], repeats=2, cases=_cases(clock))
    md = I.interleaved_markdown(df, 2)
    assert "| m | [C=3, float64] | 1,000 | 3.00x [3.00-3.00] | 5.00x [5.00-5.00] |" in md
    assert "No uncertainty case" in I.interleaved_markdown(df.iloc[:0], 2)


def test_bad_repeats_is_an_error():
    with pytest.raises(ValueError, match="repeats = 0"):
        I.interleaved_floor_ratios([10], repeats=0)


def test_real_cases_give_each_implementation_its_time_over_the_floor():
    """The bench's own cases (one input group, to stay fast): every implementation of every
    uncertainty measure is timed, and with one repetition its ratio is its own time over the
    floor's time (no claim about speed: that is what ``albench bench`` measures)."""
    from albench.bench.cases import KERNEL_CASES

    group = "[C=10, float64]"
    cases = [
        c for c in KERNEL_CASES if c.name.endswith(group) and (c.floor is None or c.floor.endswith(group))
    ]
    wanted = {(c.measure, c.implementation) for c in cases if c.floor is not None}
    assert {i for _, i in wanted} >= {"albench", "albench (numpy path)"}
    df = I.interleaved_floor_ratios([300], repeats=1, cases=cases)
    assert set(df["measure"]) == {"least_confident", "margin", "ratio", "entropy"}
    assert set(zip(df["measure"], df["implementation"], strict=True)) == wanted and len(df) == len(wanted)
    assert (df["n"] == 300).all() and (df["input"] == group).all()
    assert np.isfinite(df["median_s"]).all() and (df["floor_median_s"] > 0).all()
    np.testing.assert_allclose(df["ratio"], df["median_s"] / df["floor_median_s"], rtol=1e-12)
    assert (df["ratio_q1"] == df["ratio"]).all() and (df["ratio_q3"] == df["ratio"]).all()


def test_ratio_is_the_median_of_per_repetition_ratios_not_a_ratio_of_medians(monkeypatch):
    """Noise that hits kernels unevenly (a load burst during one timing): the median of the
    per-repetition ratios stays at the true 3x, a ratio of the two medians would say 15x."""
    clock = FakeClock()
    monkeypatch.setattr(I.time, "perf_counter", clock)
    # seconds per repetition (5 repetitions), as each timing would measure them
    measured = {
        "floor": [1.0, 1.0, 1.0, 5.0, 5.0],
        "albench": [3.0, 3.0, 15.0, 15.0, 15.0],
        "peer": [5.0] * 5,
    }
    timed = []

    def fake_time_batch(func, calls):
        func()
        name = clock.log[-1]
        rep = sum(1 for n in timed if n == name)
        timed.append(name)
        return measured[name][rep]

    monkeypatch.setattr(I, "_time_batch", fake_time_batch)
    monkeypatch.setattr(I, "_calls_per_timing", lambda f: 1)
    df = I.interleaved_floor_ratios([10], repeats=5, cases=_cases(clock)[:3])
    got = df.set_index("implementation")
    # per repetition: 3, 3, 15, 3, 3 -> median 3 (a ratio of medians: 15 / 1 = 15)
    assert got.loc["albench", "ratio"] == pytest.approx(3.0)
    assert got.loc["albench", "median_s"] / got.loc["albench", "floor_median_s"] == pytest.approx(15.0)
    assert got.loc["peer", "ratio"] == pytest.approx(5.0)  # 5, 5, 5, 1, 1 -> 5
