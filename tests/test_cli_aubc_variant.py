"""The run summary and the report show the AUBC variant the config names (``[report] aubc_variant``)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from cli_helpers import REPO, run_cli

from albench.analysis.reference import load_reference
from albench.config import parse_config, read_toml
from albench.store import load_results

CONFIG = """
name = "variant"
seed = 1
repetitions = 2

[protocol]
test_fraction = 0.3
initial_size = 6
batch_size = 3
budget = 9

[grid]
datasets = ["iris"]
models = ["logistic_regression"]
strategies = ["random"]

[report]
aubc_variant = "lu2025"
"""


def _lu2025_by_hand(x: np.ndarray, y: np.ndarray) -> float:
    """Lu et al.'s AUBC from its definition: trapezoids of rounds 1..L over the labels of 0..L."""
    area = sum((y[t] + y[t + 1]) / 2 * (x[t + 1] - x[t]) for t in range(1, len(x) - 1))
    return area / (x[-1] - x[0])


def test_summary_and_report_use_the_configured_variant(tmp_path):
    config = tmp_path / "variant.toml"
    config.write_text(CONFIG)
    proc = run_cli("run", str(config), "--out", str(tmp_path / "res"), "--no-progress", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "mean AUBC of accuracy (variant lu2025" in " ".join(proc.stdout.split())  # the title wraps
    df = load_results(tmp_path / "res" / "variant")
    per_cell = [
        _lu2025_by_hand(g["n_labeled"].to_numpy(float), g["accuracy"].to_numpy(float))
        for _, g in df.sort_values("round").groupby("repetition")
    ]
    row = next(line for line in proc.stdout.splitlines() if "iris" in line)
    shown = float(re.findall(r"\d\.\d{4}", row)[0])
    assert abs(shown - np.mean(per_cell)) <= 5e-5
    trapezoid = np.mean(
        [
            np.trapezoid(g["accuracy"], g["n_labeled"]) / 9
            for _, g in df.sort_values("round").groupby("repetition")
        ]
    )
    assert abs(trapezoid - np.mean(per_cell)) > 1e-3  # the two variants differ here: the test can tell

    report = run_cli(
        "report", str(tmp_path / "res" / "variant"), "--out", str(tmp_path / "rep"), cwd=tmp_path
    )
    assert report.returncode == 0, report.stderr
    assert "AUBC variant **lu2025**" in (tmp_path / "rep" / "variant" / "report.md").read_text()


def test_the_zhan2021_example_shows_the_variant_of_its_reference():
    path = Path(REPO, "examples", "zhan2021-svm.toml")
    exp = parse_config(read_toml(path), source=str(path), default_name="zhan2021-svm")
    assert set(load_reference("lu2025-binary").table["aubc_variant"]) == {exp.aubc_variant}
