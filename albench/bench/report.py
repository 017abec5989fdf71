"""Run the kernel benchmark suite with pytest-benchmark and turn its JSON into a report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from albench.errors import AlbenchInputError


def run_suite(out: Path, sizes: tuple[int, ...], rounds: int | None = None) -> Path:
    """Run :mod:`albench.bench.suite` under pytest-benchmark; return the JSON file it wrote.

    Raises
    ------
    AlbenchInputError
        When pytest or pytest-benchmark is not installed.
    """
    try:
        import pytest
        import pytest_benchmark  # noqa: F401
    except ImportError:
        raise AlbenchInputError(
            "albench bench needs pytest and pytest-benchmark: pip install 'albench[bench]'"
        ) from None
    import importlib.util

    # locate the suite without importing it: its parametrisation reads the sizes at import time
    suite_file = importlib.util.find_spec("albench.bench.suite").origin
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "benchmark.json"
    args = [
        suite_file,
        "-q",
        "-p",
        "no:cacheprovider",
        "--benchmark-only",
        "--benchmark-enable",
        f"--benchmark-json={json_path}",
        "--benchmark-min-rounds=3",
        "--benchmark-max-time=0.5",
        "--benchmark-columns=min,median,iqr,rounds",
        "-o",
        "addopts=",
        "--rootdir",
        str(Path(suite_file).parent),
    ]
    old = os.environ.get("ALBENCH_BENCH_SIZES")
    os.environ["ALBENCH_BENCH_SIZES"] = ",".join(map(str, sizes))
    try:
        code = pytest.main(args)
    finally:
        if old is None:
            os.environ.pop("ALBENCH_BENCH_SIZES", None)
        else:
            os.environ["ALBENCH_BENCH_SIZES"] = old
    if code != 0 or not json_path.is_file():
        raise RuntimeError(f"the benchmark suite failed (pytest exit status {int(code)})")
    return json_path


def load_benchmarks(json_path: Path) -> tuple[pd.DataFrame, dict]:
    """Tidy timings (case, n, min/median/iqr seconds, rounds) and the machine/commit info."""
    data = json.loads(Path(json_path).read_text())
    rows = []
    for b in data["benchmarks"]:
        s = b["stats"]
        rows.append(
            {
                "case": b["extra_info"]["case"],
                "complexity": b["extra_info"]["complexity"],
                "n": int(b["extra_info"]["n"]),
                "min_s": s["min"],
                "median_s": s["median"],
                "iqr_s": s["iqr"],
                "rounds": s["rounds"],
            }
        )
    df = pd.DataFrame(rows).sort_values(["case", "n"]).reset_index(drop=True)
    df["ns_per_sample"] = df["median_s"] / df["n"] * 1e9
    meta = {
        "machine": data.get("machine_info", {}),
        "commit": data.get("commit_info", {}),
        "datetime": data.get("datetime"),
    }
    return df, meta


def scaling_exponent(df: pd.DataFrame) -> pd.Series:
    """Per case, the slope of log(median time) against log(n) over the two largest sizes.

    About 1 for a linear kernel; clearly above 1 means super-linear growth.
    """
    out = {}
    for case, g in df.groupby("case"):
        g = g.sort_values("n").tail(2)
        if len(g) < 2:
            out[case] = float("nan")
            continue
        x, y = np.log(g["n"].to_numpy(float)), np.log(g["median_s"].to_numpy(float))
        out[case] = float((y[1] - y[0]) / (x[1] - x[0]))
    return pd.Series(out, name="exponent")


def plot_scaling(df: pd.DataFrame, out: Path) -> list[Path]:
    """Log-log plot of median time against pool size, one line per case; PNG and SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for case, g in df.groupby("case"):
        ax.errorbar(g["n"], g["median_s"], yerr=g["iqr_s"] / 2, marker="o", label=case, capsize=2)
    n = np.array(sorted(df["n"].unique()), dtype=float)
    ref = df["median_s"].min() * n / n[0]
    ax.plot(n, ref, "k--", lw=0.8, label="O(N) reference")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="pool size N",
        ylabel="median time per call (s)",
        title="Scoring kernels: time against pool size",
    )
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    paths = [out / "scaling.png", out / "scaling.svg"]
    for p in paths:
        fig.savefig(p, dpi=120)
    plt.close(fig)
    return paths


def write_markdown(df: pd.DataFrame, exponents: pd.Series, meta: dict, out: Path) -> Path:
    """``bench.md``: the machine, the table of timings and the scaling exponents."""
    m = meta.get("machine", {})
    c = meta.get("commit", {})
    cpu = m.get("cpu", {}).get("brand_raw", m.get("processor", "?"))
    lines = [
        "# albench kernel timings",
        "",
        f"Run {meta.get('datetime')} on {m.get('node', '?')} ({cpu}, Python {m.get('python_version', '?')}), "
        f"commit {c.get('id', 'unknown')}{' (dirty)' if c.get('dirty') else ''}.",
        "Times are medians over rounds; the machine may be shared, so compare ratios, not absolutes.",
        "",
        "![scaling](scaling.png)",
        "",
        "| kernel | expected | N | median | IQR | ns / sample |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in df.itertuples():
        lines.append(
            f"| {r.case} | {r.complexity} | {r.n:,} | {r.median_s * 1e3:.3f} ms | {r.iqr_s * 1e3:.3f} ms | "
            f"{r.ns_per_sample:.1f} |"
        )
    lines += [
        "",
        "Scaling exponent (slope of log time over log N between the two largest N; 1 = linear):",
        "",
    ]
    lines += [f"- {case}: {exp:.2f}" for case, exp in exponents.items()]
    path = out / "bench.md"
    path.write_text("\n".join(lines) + "\n")
    return path
