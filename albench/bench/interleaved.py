"""The uncertainty kernels against their floor and the peers, timed as interleaved repetitions.

pytest-benchmark times each case on its own, one after the other; on a shared machine the
memory bandwidth (and with it the floor, ``P.sum()``) drifts between cases by 20-40 %, so a
ratio of two such medians inherits that drift. Here every repetition times the floor and
every implementation on the same array back to back, and the ratio is taken within the
repetition; the table reports the median of those ratios and their quartiles. Small pools
time a batch of calls per measurement (at least :data:`MIN_TIMING_S`), so that a
microsecond-long call is not lost in the timer's and the scheduler's noise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from albench.bench.cases import KERNEL_CASES, KernelCase

#: seconds one measurement lasts at least (a batch of calls for small pools)
MIN_TIMING_S = 2e-3


def _calls_per_timing(func: Callable[[], object]) -> int:
    """How many calls make one measurement last :data:`MIN_TIMING_S` (one warm call first)."""
    t0 = time.perf_counter()
    func()
    once = time.perf_counter() - t0
    t0 = time.perf_counter()
    func()
    once = min(once, time.perf_counter() - t0)
    return max(1, int(np.ceil(MIN_TIMING_S / max(once, 1e-9))))


def _time_batch(func: Callable[[], object], calls: int) -> float:
    t0 = time.perf_counter()
    for _ in range(calls):
        func()
    return (time.perf_counter() - t0) / calls


def uncertainty_groups(cases: Sequence[KernelCase] = KERNEL_CASES) -> dict[str, list[KernelCase]]:
    """The uncertainty cases by floor: ``{floor name: [floor case, implementation cases...]}``."""
    by_name = {c.name: c for c in cases}
    groups: dict[str, list[KernelCase]] = {}
    for case in cases:
        if case.floor is not None and case.measure and case.floor in by_name:
            groups.setdefault(case.floor, [by_name[case.floor]]).append(case)
    return groups


def interleaved_floor_ratios(
    sizes: Sequence[int], repeats: int = 7, cases: Sequence[KernelCase] = KERNEL_CASES, seed: int = 12345
) -> pd.DataFrame:
    """Time every uncertainty implementation against its floor, interleaved.

    Parameters
    ----------
    sizes : sequence of int
        Pool sizes of the run; each group (class count and dtype) is timed at the smallest and
        the largest of them not above its ``max_n``.
    repeats : int, default=7
        Interleaved repetitions; in each, the floor and every implementation are timed once
        (a batch of calls when one call is shorter than :data:`MIN_TIMING_S`), in an order
        that rotates between repetitions.
    cases : sequence of KernelCase
        Where the groups come from (default: the bench's cases).
    seed : int
        Seed of the probability matrices (the pytest-benchmark suite's).

    Returns
    -------
    DataFrame
        One row per (measure, input, n, implementation) with the median ratio to the floor
        and its quartiles over the repetitions, and the median seconds per call.
    """
    if repeats < 1:
        raise ValueError(f"repeats = {repeats}: must be >= 1")
    rows = []
    for floor_name, group in uncertainty_groups(cases).items():
        floor = group[0]
        allowed = [int(s) for s in sizes if s <= floor.max_n]
        for n in sorted({min(allowed), max(allowed)} if allowed else set()):
            args = floor.make_args(n, np.random.default_rng(seed))
            funcs = [(case, (lambda c=case, a=args: c.run(*a))) for case in group]
            calls = [_calls_per_timing(f) for _, f in funcs]
            times = np.empty((repeats, len(funcs)))
            for rep in range(repeats):
                shift = rep % len(funcs)
                for j in [*range(shift, len(funcs)), *range(shift)]:
                    times[rep, j] = _time_batch(funcs[j][1], calls[j])
            ratios = times / times[:, [0]]
            for j, (case, _) in enumerate(funcs[1:], start=1):
                rows.append(
                    {
                        "measure": case.measure,
                        "input": floor_name.replace("floor: P.sum() ", ""),
                        "n": n,
                        "implementation": case.implementation,
                        "ratio": float(np.median(ratios[:, j])),
                        "ratio_q1": float(np.quantile(ratios[:, j], 0.25)),
                        "ratio_q3": float(np.quantile(ratios[:, j], 0.75)),
                        "median_s": float(np.median(times[:, j])),
                        "floor_median_s": float(np.median(times[:, 0])),
                        "calls_per_timing": calls[j],
                    }
                )
    return pd.DataFrame(rows)


def ratio_table(df: pd.DataFrame) -> pd.DataFrame:
    """The interleaved ratios as cells ``"2.10x [2.02-2.31]"``, one column per implementation."""
    if df.empty:
        return pd.DataFrame()
    cells = df.assign(
        cell=[f"{r.ratio:.2f}x [{r.ratio_q1:.2f}-{r.ratio_q3:.2f}]" for r in df.itertuples()]
    ).pivot(index=["measure", "input", "n"], columns="implementation", values="cell")
    first = [c for c in ("albench", "albench (numpy path)") if c in cells.columns]
    return cells[first + [c for c in cells.columns if c not in first]].fillna("-")


def interleaved_markdown(df: pd.DataFrame, repeats: int) -> str:
    """The Markdown section of :func:`interleaved_floor_ratios`."""
    table = ratio_table(df)
    lines = [
        "## Uncertainty score + top-k against the floor, interleaved",
        "",
        f"Each of {repeats} repetitions times `P.sum()` and every implementation on the same array "
        "back to back (rotating order; a batch of calls per measurement when a call is shorter "
        f"than {MIN_TIMING_S * 1e3:g} ms); the ratio is taken within the repetition. Median [q1-q3] "
        "of those ratios; lower is better.",
        "",
    ]
    if table.empty:
        return "\n".join([*lines, "No uncertainty case was timed.", ""])
    cols = list(table.columns)
    lines += ["| measure | input | N | " + " | ".join(cols) + " |", "|---|---|---:|" + "---:|" * len(cols)]
    for (measure, inp, n), r in table.iterrows():
        lines.append(f"| {measure} | {inp} | {n:,} | " + " | ".join(r[c] for c in cols) + " |")
    return "\n".join(lines) + "\n"
