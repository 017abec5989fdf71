"""Run the kernel benchmark suite with pytest-benchmark and turn its JSON into a report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from albench.errors import AlbenchInputError


def run_suite(out: Path, sizes: tuple[int, ...], max_time: float = 0.5, select: str | None = None) -> Path:
    """Run :mod:`albench.bench.suite` under pytest-benchmark; return the JSON file it wrote.

    ``max_time`` is pytest-benchmark's time budget per case (seconds, at least 3 rounds);
    ``select`` a ``-k`` expression choosing cases. The raw round times are kept in the JSON
    (for ``--compare``).

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
        f"--benchmark-max-time={max_time}",
        "--benchmark-save-data",
        "--benchmark-columns=min,median,iqr,rounds",
        "-o",
        "addopts=",
        "--rootdir",
        str(Path(suite_file).parent),
    ]
    if select:
        args += ["-k", select]
    # pytest-benchmark disables itself inside an xdist worker (it reads PYTEST_XDIST_WORKER):
    # the suite runs in this process on its own, so that variable is hidden for its duration
    saved = {key: os.environ.get(key) for key in ("ALBENCH_BENCH_SIZES", "PYTEST_XDIST_WORKER")}
    os.environ["ALBENCH_BENCH_SIZES"] = ",".join(map(str, sizes))
    os.environ.pop("PYTEST_XDIST_WORKER", None)
    try:
        code = pytest.main([*args, "-p", "no:xdist"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
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
                "floor": b["extra_info"].get("floor"),
                "implementation": b["extra_info"].get("implementation", "albench"),
                "measure": b["extra_info"].get("measure", ""),
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


def floor_ratios(df: pd.DataFrame) -> pd.DataFrame:
    """Uncertainty cases as multiples of their floor (``P.sum()`` on the same array, same run).

    Returns
    -------
    DataFrame
        One row per (measure, shape and dtype, n), one column per implementation (albench,
        its NumPy path, each installed peer), values = median time / floor median time.
    """
    if "floor" not in df.columns:
        return pd.DataFrame()
    floors = df.set_index(["case", "n"])["median_s"]
    rows = df[df["floor"].notna() & (df["measure"] != "")].copy()
    if rows.empty:
        return pd.DataFrame()
    rows["ratio"] = [r.median_s / floors.get((r.floor, r.n), np.nan) for r in rows.itertuples()]
    rows["input"] = rows["floor"].str.replace("floor: P.sum() ", "", regex=False)
    table = rows.pivot_table(index=["measure", "input", "n"], columns="implementation", values="ratio")
    cols = [c for c in ("albench", "albench (numpy path)") if c in table.columns]
    return table[cols + [c for c in table.columns if c not in cols]]


def scaling_exponent(df: pd.DataFrame) -> pd.Series:
    """Per case, the least-squares slope of log(median time) against log(n), three largest sizes.

    About 1 for a linear kernel; clearly above 1 means super-linear growth. NaN with fewer
    than two sizes.
    """
    out = {}
    for case, g in df.groupby("case"):
        g = g.sort_values("n").tail(3)
        if len(g) < 2:
            out[case] = float("nan")
            continue
        x, y = np.log(g["n"].to_numpy(float)), np.log(g["median_s"].to_numpy(float))
        out[case] = float(np.polyfit(x, y, 1)[0])
    return pd.Series(out, name="exponent")


def plot_scaling(df: pd.DataFrame, out: Path) -> list[Path]:
    """Log-log plot of median time against pool size, one line per case; PNG and SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 6))
    if "implementation" in df.columns:  # albench's own kernels and the floor; peers are in the tables
        df = df[df["implementation"].isin(["albench", "floor"])]
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


def write_markdown(
    df: pd.DataFrame, exponents: pd.Series, meta: dict, out: Path, sections: list[str] | None = None
) -> Path:
    """``bench.md``: the machine, the ratios to the floor, the timings, the scaling exponents.

    ``sections`` are further Markdown blocks (loop, protocol, comparison) appended in order.
    """
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
    ]
    ratios = floor_ratios(df)
    if not ratios.empty:
        cols = list(ratios.columns)
        lines += [
            "## Uncertainty score + top-k, as multiples of the floor",
            "",
            "Floor: `P.sum()` over the same probability matrix in the same run. Lower is better.",
            "",
            "| measure | input | N | " + " | ".join(cols) + " |",
            "|---|---|---:|" + "---:|" * len(cols),
        ]
        for (measure, inp, n), r in ratios.iterrows():
            cells = " | ".join("-" if pd.isna(r[c]) else f"{r[c]:.2f}x" for c in cols)
            lines.append(f"| {measure} | {inp} | {n:,} | {cells} |")
        lines.append("")
    lines += [
        "## All timings",
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
        "Scaling exponent (least-squares slope of log time over log N, three largest N; 1 = linear):",
        "",
    ]
    lines += [f"- {case}: {exp:.2f}" for case, exp in exponents.items()]
    for section in sections or []:
        lines += ["", section.rstrip()]
    path = out / "bench.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def comparison_markdown(title: str, summary: dict, reference: str, note: str = "") -> str:
    """A Markdown table of interleaved timings: median seconds and the ratio to ``reference``."""
    lines = [f"## {title}", ""]
    if note:
        lines += [note, ""]
    lines += [f"| variant | median s | ratio to {reference} (median [q1-q3]) |", "|---|---:|---:|"]
    for name, r in summary.items():
        lines.append(
            f"| {name} | {r['median_s']:.3f} | {r['ratio']:.2f}x [{r['ratio_q1']:.2f}-{r['ratio_q3']:.2f}] |"
        )
    return "\n".join(lines) + "\n"


def changes_markdown(changes: pd.DataFrame, old: str, threshold: float) -> str:
    """The ``--compare`` summary: counts of slower / faster / same and the changed cases."""
    counts = changes["verdict"].value_counts()
    lines = [
        f"## Compared with {old}",
        "",
        f"{counts.get('slower', 0)} slower, {counts.get('faster', 0)} faster, {counts.get('same', 0)} "
        f"unchanged (a change: significant and beyond {threshold:g}x).",
        "",
    ]
    changed = changes[changes["verdict"] != "same"]
    if not changed.empty:
        lines += ["| case | N | old | new | ratio | verdict |", "|---|---:|---:|---:|---:|---|"]
        for r in changed.itertuples():
            lines.append(
                f"| {r.case} | {r.n:,} | {r.old_s * 1e3:.3f} ms | {r.new_s * 1e3:.3f} ms | {r.ratio:.2f}x | "
                f"{r.verdict} |"
            )
    return "\n".join(lines) + "\n"
