"""Measure the harness on a grid of many cheap cells (not collected by pytest; run by hand).

``python tests/benchmarks/harness_load.py --cells 10000 -j 2 --out /tmp/load``

Runs the grid once, then again with every cell stored (the resume), and prints wall time,
the cells' own compute (as the workers time it), the harness overhead per cell, the main
process's CPU time per cell and its peak memory (RUSAGE_SELF: the workers are not counted).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time

from albench.config import parse_config
from albench.runner import run_experiment


def _experiment(cells: int):
    return parse_config(
        {
            "name": "load",
            "repetitions": cells // 2,
            "protocol": {"test_fraction": 0.3, "initial_size": 6, "batch_size": 4, "budget": 4},
            "grid": {"datasets": ["iris"], "models": ["gaussian_nb"], "strategies": ["random", "margin"]},
        }
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=10_000)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--out", default="/tmp/albench-load")
    parser.add_argument("--backend", default="local", help="local (default) or loky, to compare")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    exp = _experiment(args.cells)
    for label in ("first run", "resume (all stored)"):
        cpu0, wall0 = _cpu(), time.perf_counter()
        summary = run_experiment(
            exp,
            out=args.out,
            n_jobs=args.jobs,
            backend=args.backend,
            isolate=True,
        )
        wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
        n = max(summary.ran, 1)
        print(f"{label}: {summary.ran} ran, {summary.skipped} skipped, {len(summary.failed)} failed")
        print(f"  wall {wall:.1f} s; main-process CPU {cpu:.1f} s")
        if summary.ran:
            own = summary.compute_seconds
            overhead = (wall - own / args.jobs) / n
            print(f"  cells' and ceilings' own compute {own:.1f} s ({own / n * 1e3:.1f} ms per cell)")
            print(f"  harness overhead per cell, (wall - compute / jobs) / cells: {overhead * 1e3:.2f} ms")
            print(f"  main-process CPU per cell: {cpu / n * 1e3:.2f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the main process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
