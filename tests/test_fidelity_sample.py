"""Fidelity sample (default run): the zhan2021 example agrees with Lu et al. (TMLR 2025) on three sets.

``examples/zhan2021-svm.toml`` with random (the papers' "uniform") and margin on appendicitis,
ionosphere and wdbc at 20 repetitions (120 cells, about 95 CPU-seconds), through the CLI as a
user runs it. Checked against the published means of the shipped ``lu2025-binary`` reference:

* ``albench check --max-z 3.5`` passes (every group within 3.5 combined standard errors);
* per strategy, the inverse-variance weighted mean difference over the three sets, as a z
  score, is within :data:`MAX_POOLED_Z`. The sets' splits are independent, so these z are
  standard normal for a faithful replay; the two strategies of a set share their splits
  (common random numbers), which is why they are pooled apart.

Sized from the published standard deviations s (table of ``lu2025-binary``): with n = 20
runs of ours and 100 published, a group's standard error is s sqrt(1/20 + 1/100), and a
shift of 0.01 in every AUBC moves the pooled z of uniform by 4.05 and of margin by 4.92
(``test_the_sample_is_sized_to_catch_a_shift_of_0_01``). The run's test also applies that
shift, both ways, to the AUBCs the run produced and checks that the comparison then fails.
All checks share one test, so that pytest-xdist runs the cells once.

The AUBC (variant ``lu2025``, as the reference states) and the published numbers are read
here independently of albench's analysis code: from the stored rows, by the definition, and
from the reference file with ``tomllib``. The full replay (eight sets, 40 repetitions) stays
in ``tests/test_fidelity_slow.py`` (``tox -e fidelity``).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import REPO, run_cli

import albench

pytestmark = pytest.mark.data

SETS = ["appendicitis", "ionosphere", "wdbc"]
STRATEGIES = {"uniform": "random", "margin": "margin"}  # published name -> albench label
REPS = 20
MAX_POOLED_Z = 3.0
SHIFT = 0.01
REFERENCE = REPO / "albench" / "references" / "lu2025-binary.toml"


def published() -> dict[tuple[str, str], dict]:
    """(set, albench strategy) -> {"mean", "std", "n"} from the shipped reference file."""
    raw = tomllib.loads(REFERENCE.read_text(encoding="utf-8"))
    assert raw["metric"] == "accuracy" and raw["aubc_variant"] == "lu2025" and raw["std_ddof"] == 1
    return {
        (r["dataset"], STRATEGIES[r["strategy"]]): r
        for r in raw["result"]
        if r["dataset"] in SETS and r["strategy"] in STRATEGIES
    }


def lu2025_aubc(n_labeled: np.ndarray, accuracy: np.ndarray) -> float:
    """Lu et al.'s AUBC by its definition: trapezoids over rounds 1..L, divided by the labels
    from round 0 to round L (src/utils.py::AUBC; docs/reproducing.md)."""
    total = 0.0
    for t in range(1, len(accuracy) - 1):
        total += (n_labeled[t + 1] - n_labeled[t]) * (accuracy[t] + accuracy[t + 1]) / 2.0
    return total / (n_labeled[-1] - n_labeled[0])


def pooled_z(groups: dict[tuple[str, str], tuple[float, float, int]], strategy: str, shift: float = 0.0):
    """Inverse-variance weighted mean of (ours + shift - published) over the sets, as a z score.

    ``groups`` maps (set, strategy) to our (mean, std, n); the standard error of a group's
    difference is sqrt(s_ours^2 / n_ours + s_pub^2 / n_pub).
    """
    ref = published()
    num = den = 0.0
    for name in SETS:
        mean, std, n = groups[(name, strategy)]
        pub = ref[(name, strategy)]
        weight = 1.0 / (std**2 / n + pub["std"] ** 2 / pub["n"])
        num += weight * (mean + shift - pub["mean"])
        den += weight
    return num / math.sqrt(den)


def run_sample(data: Path, out: Path) -> tuple[Path, dict[tuple[str, str], tuple[float, float, int]]]:
    """Run the example on the sample; (results folder, {(set, strategy): (mean, std, n)})."""
    run = run_cli(
        "run",
        str(REPO / "examples" / "zhan2021-svm.toml"),
        "--reps",
        str(REPS),
        "--strategies",
        ",".join(STRATEGIES.values()),
        "--datasets",
        ",".join(f"zhan2021.{d}" for d in SETS),
        "--data-dir",
        str(data),
        "-j",
        "2",
        "--out",
        str(out),
        "--no-progress",
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    folder = out / "zhan2021-svm"
    df = albench.load_results(folder).sort_values(["cell_key", "round"])
    groups = {}
    for (dataset, strategy), rows in df.groupby(["dataset", "strategy"]):
        values = [
            lu2025_aubc(cell["n_labeled"].to_numpy(float), cell["accuracy"].to_numpy(float))
            for _, cell in rows.groupby("cell_key")
        ]
        groups[(dataset.removeprefix("zhan2021."), strategy)] = (
            float(np.mean(values)),
            float(np.std(values, ddof=1)),
            len(values),
        )
    return folder, groups


def test_the_sample_is_sized_to_catch_a_shift_of_0_01():
    """From the published standard deviations alone: a shift of 0.01 moves each pooled z by > 4."""
    ref = published()
    for strategy in STRATEGIES.values():
        weights = [
            1.0 / (ref[(d, strategy)]["std"] ** 2 * (1 / REPS + 1 / ref[(d, strategy)]["n"])) for d in SETS
        ]
        assert SHIFT * math.sqrt(sum(weights)) > MAX_POOLED_Z + 1.0, strategy


def test_sample_agrees_with_lu2025_and_would_catch_a_shift_of_0_01(zhan2021_data, tmp_path):
    """One test, so that pytest-xdist runs the 120 cells once."""
    folder, groups = run_sample(zhan2021_data, tmp_path / "results")
    assert sorted(groups) == sorted(published()) and {n for _, _, n in groups.values()} == {REPS}
    check = run_cli(
        "check", str(folder), "--reference", "lu2025-binary", "--max-z", "3.5", env={"COLUMNS": "200"}
    )
    print(check.stdout)  # the table: pytest -s shows it
    assert "6 group(s) compared" in check.stdout, check.stdout + check.stderr
    assert check.returncode == 0, check.stdout + check.stderr
    for strategy in STRATEGIES.values():
        z = pooled_z(groups, strategy)
        assert abs(z) <= MAX_POOLED_Z, f"{strategy}: pooled z {z:+.2f} over {', '.join(SETS)}"
    # the same AUBCs moved by +-0.01 fail the pooled check of both strategies
    for shift in (SHIFT, -SHIFT):
        shifted = {s: pooled_z(groups, s, shift) for s in STRATEGIES.values()}
        assert min(abs(z) for z in shifted.values()) > MAX_POOLED_Z, (shift, shifted)
