"""--compare: a change only when significant and beyond the threshold; exit 1 on a slowdown."""

import json

import numpy as np
import pytest
from cli_helpers import run_cli

from albench.bench.compare import compare_runs
from albench.errors import AlbenchInputError


def _write(path, cases):
    """A pytest-benchmark-shaped JSON with raw round times per (case, n)."""
    benchmarks = []
    for (case, n), data in cases.items():
        data = list(map(float, data))
        q1, med, q3 = np.quantile(data, [0.25, 0.5, 0.75])
        benchmarks.append(
            {
                "name": f"{case}-{n}",
                "extra_info": {"case": case, "n": n, "complexity": "O(N)"},
                "stats": {
                    "median": med,
                    "q1": q1,
                    "q3": q3,
                    "min": min(data),
                    "iqr": q3 - q1,
                    "data": data,
                    "rounds": len(data),
                },
            }
        )
    path.write_text(json.dumps({"benchmarks": benchmarks, "machine_info": {}, "commit_info": {}}))
    return path


def _noisy(rng, center, size=30, spread=0.05):
    return center * (1 + spread * rng.standard_normal(size))


def test_slowdown_speedup_and_noise_are_told_apart(tmp_path):
    rng = np.random.default_rng(0)
    old = _write(
        tmp_path / "old.json",
        {
            ("a", 10): _noisy(rng, 1.0),
            ("b", 10): _noisy(rng, 1.0),
            ("c", 10): _noisy(rng, 1.0),
            ("d", 10): _noisy(rng, 1.0),
        },
    )
    new = _write(
        tmp_path / "new.json",
        {
            ("a", 10): _noisy(rng, 1.5),  # significantly slower, beyond 1.2
            ("b", 10): _noisy(rng, 0.5),  # significantly faster
            ("c", 10): _noisy(rng, 1.05),  # maybe significant, but within the threshold
            ("d", 10): _noisy(rng, 1.0, spread=0.5),  # noise
        },
    )
    verdicts = compare_runs(old, new, threshold=1.2).set_index("case")["verdict"].to_dict()
    assert verdicts == {"a": "slower", "b": "faster", "c": "same", "d": "same"}


def test_a_large_but_insignificant_difference_is_noise(tmp_path):
    old = _write(tmp_path / "old.json", {("a", 10): [1.0, 3.0, 0.5, 2.0]})
    new = _write(tmp_path / "new.json", {("a", 10): [1.5, 2.5, 0.8, 3.1]})  # medians 1.5 -> 2.0
    row = compare_runs(old, new, threshold=1.2).iloc[0]
    assert row["ratio"] == pytest.approx(2.0 / 1.5) and not row["significant"] and row["verdict"] == "same"


def test_bad_threshold_and_bad_files_are_input_errors(tmp_path):
    good = _write(tmp_path / "g.json", {("a", 10): [1.0, 1.1, 1.2]})
    with pytest.raises(AlbenchInputError, match="--threshold = 0.9"):
        compare_runs(good, good, threshold=0.9)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(AlbenchInputError, match="not a benchmark.json"):
        compare_runs(tmp_path / "bad.json", good)
    with pytest.raises(AlbenchInputError, match="no such file"):
        compare_runs(tmp_path / "missing.json", good)


def test_cli_exits_1_on_a_significant_slowdown_and_0_without(tmp_path):
    args = [
        "bench",
        "--sizes",
        "100,200",
        "-k",
        "select_top_k",
        "--max-time",
        "0.01",
        "--no-loop",
        "--no-strategies",
    ]
    first = run_cli(*args, "--out", str(tmp_path / "one"))
    assert first.returncode == 0, first.stderr
    data = json.loads((tmp_path / "one" / "benchmark.json").read_text())
    # an old run 10x faster than this one: this run is a significant slowdown
    for b in data["benchmarks"]:
        b["stats"]["data"] = [t / 10 for t in b["stats"]["data"]]
        for key in ("median", "q1", "q3"):
            b["stats"][key] /= 10
    (tmp_path / "fast.json").write_text(json.dumps(data))
    slow = run_cli(*args, "--out", str(tmp_path / "two"), "--compare", str(tmp_path / "fast.json"))
    assert slow.returncode == 1, slow.stdout + slow.stderr
    assert "significantly slower" in slow.stdout
    assert "Compared with" in (tmp_path / "two" / "bench.md").read_text()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--threshold", "1"], "--threshold = 1.0"),
        (["--max-time", "0"], "--max-time = 0.0"),
        (["--protocol-reps", "0"], "--protocol-reps = 0"),
        (["--compare", "nowhere.json"], "no such file"),
        (["--protocol", "no_such_set"], "no_such_set"),
    ],
)
def test_bad_bench_options_fail_before_timing(tmp_path, extra, message):
    proc = run_cli("bench", "--sizes", "100", "--out", str(tmp_path / "out"), *extra)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()
