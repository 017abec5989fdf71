"""``albench check`` and ``report --reference`` with a "labels to reach a target" reference."""

from __future__ import annotations

import pytest
from cli_helpers import run_cli

from albench import load_results

CONFIG = """
name = "target"
seed = 5
repetitions = 3

[protocol]
test_fraction = 0.3
initial_size = 6
batch_size = 4
budget = 24

[grid]
datasets = ["iris"]
models = ["logistic_regression"]
strategies = ["random", "margin"]
"""


def _reference(path, rows, factor: float = 1.5) -> None:
    lines = [
        "format = 1",
        'kind = "labels_to_target"',
        'name = "self-target"',
        'metric = "accuracy"',
        'count = "total"',
        f"tolerance_factor = {factor}",
        'source = "this test"',
        'citation = "none"',
    ]
    for strategy, target, labels in rows:
        lines += ["[[result]]", 'dataset = "iris"', f'strategy = "{strategy}"', f"target = {target}"]
        lines += [f"labels = {labels}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("target")
    (tmp / "c.toml").write_text(CONFIG)
    proc = run_cli("run", str(tmp / "c.toml"), "--out", str(tmp / "res"), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    folder = tmp / "res" / "target"
    df = load_results(folder)
    # the answer, from the definition: the mean curve over repetitions, its first point >= target
    mean = df.groupby(["strategy", "n_labeled"])["accuracy"].mean()
    target = float(mean.loc["random"].iloc[2]) - 1e-9  # random's mean curve reaches it at its 3rd point
    first = {s: float(mean.loc[s][mean.loc[s] >= target].index[0]) for s in ("random", "margin")}
    return folder, target, first


def test_check_passes_on_its_own_counts_and_fails_outside_the_factor(results, tmp_path):
    folder, target, first = results
    ref = tmp_path / "ref.toml"
    _reference(ref, [(s, target, n) for s, n in first.items()])
    proc = run_cli("check", str(folder), "--reference", str(ref))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 group(s) x target(s) compared; 0 outside the tolerance" in " ".join(proc.stdout.split())
    _reference(ref, [("random", target, first["random"] * 3)])
    proc = run_cli("check", str(folder), "--reference", str(ref))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "fewer labels" in proc.stdout
    # a wider factor from the command line accepts it
    proc = run_cli("check", str(folder), "--reference", str(ref), "--max-factor", "3")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_says_when_the_curve_never_reaches_the_target(results, tmp_path):
    folder, _, _ = results
    ref = tmp_path / "ref.toml"
    _reference(ref, [("margin", 1.5, 10)])
    proc = run_cli("check", str(folder), "--reference", str(ref))
    assert proc.returncode == 1
    text = " ".join(proc.stdout.split())
    assert "margin: the mean curve never reaches accuracy >= 1.5 within the budget (30 labels" in text


def test_bad_factor_is_bad_input(results, tmp_path):
    folder, target, first = results
    ref = tmp_path / "ref.toml"
    _reference(ref, [("random", target, first["random"])])
    proc = run_cli("check", str(folder), "--reference", str(ref), "--max-factor", "0.5")
    assert proc.returncode == 2
    assert "--max-factor = 0.5: must be a number >= 1" in proc.stderr


def test_report_shows_the_target_table(results, tmp_path):
    folder, target, first = results
    ref = tmp_path / "ref.toml"
    _reference(ref, [(s, target, n) for s, n in first.items()])
    proc = run_cli("report", str(folder), "--out", str(tmp_path / "rep"), "--reference", str(ref))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    md = (tmp_path / "rep" / "target" / "report.md").read_text(encoding="utf-8")
    assert "Published reference" in md and "first reaches each target" in md
    assert md.count("consistent") >= 2
