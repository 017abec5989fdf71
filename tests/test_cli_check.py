"""``albench check`` and ``albench report --reference``: exit 0 within --max-z, 1 beyond, 2 on bad input."""

from __future__ import annotations

import math
import statistics

import pytest
from cli_helpers import run_cli

from albench import load_results


def _reference(path, groups, shift: float | dict = 0.0, std: float = 0.05) -> None:
    """A reference file of (dataset, strategy, mean) with every mean moved by ``shift`` (one
    number, or one per group)."""
    lines = [
        "format = 1",
        'name = "self"',
        'metric = "accuracy"',
        'aubc_variant = "trapezoid"',
        'source = "this test"',
        'citation = "none"',
    ]
    for (dataset, strategy), mean in groups.items():
        lines += [
            "[[result]]",
            f'dataset = "{dataset}"',
            f'strategy = "{strategy}"',
            f"mean = {mean + (shift[(dataset, strategy)] if isinstance(shift, dict) else shift)!r}",
            f"std = {std}",
            "n = 50",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from cli_helpers import TINY_TOML

    tmp = tmp_path_factory.mktemp("check")
    config = tmp / "tiny.toml"
    config.write_text(TINY_TOML.replace("repetitions = 2", "repetitions = 3"))
    proc = run_cli("run", str(config), "--out", str(tmp / "res"), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    folder = tmp / "res" / "tiny"
    return folder, _hand_aubcs(folder)


def _hand_aubcs(folder) -> dict[tuple[str, str], list[float]]:
    """(dataset, strategy) -> per-cell AUBC (variant trapezoid, round 0 included), by hand from the rows."""
    out: dict[tuple[str, str], list[float]] = {}
    for (dataset, strategy, _), cell in load_results(folder).groupby(["dataset", "strategy", "cell_key"]):
        cell = cell.sort_values("round")
        x, y = cell["n_labeled"].tolist(), cell["accuracy"].tolist()
        area = sum((x[i + 1] - x[i]) * (y[i] + y[i + 1]) / 2 for i in range(len(x) - 1))
        out.setdefault((dataset, strategy), []).append(area / (x[-1] - x[0]))
    return out


def _means(groups) -> dict[tuple[str, str], float]:
    return {key: statistics.fmean(values) for key, values in groups.items()}


def test_check_passes_on_its_own_means(results, tmp_path):
    folder, groups = results
    ref = tmp_path / "ref.toml"
    _reference(ref, _means(groups), 0.0)
    proc = run_cli("check", str(folder), "--reference", str(ref), "--max-z", "3.5")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(groups)} group(s) compared" in proc.stdout
    assert "0 beyond |z| > 3.5" in proc.stdout


def test_check_fails_beyond_max_z(results, tmp_path):
    folder, groups = results
    ref = tmp_path / "ref.toml"
    # published 0.5 lower with std 0: z = 0.5 / (s / sqrt(3)); an AUBC in [0, 1] has s <= 0.58,
    # so z >= 1.5 > 0.5 in every group
    _reference(ref, _means(groups), -0.5, std=0.0)
    proc = run_cli("check", str(folder), "--reference", str(ref), "--max-z", "0.5")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "higher" in proc.stdout


def test_check_z_is_the_two_sample_z_of_the_means(results, tmp_path):
    """Published means placed at known z from ours (std and n by hand): the table shows those
    z, and --max-z separates them."""
    folder, groups = results
    targets = dict(zip(sorted(groups), [2.0, -1.0, 0.5, -0.25, 1.25, -2.75], strict=False))
    pub_std, pub_n = 0.05, 50
    shift = {}
    for key, values in groups.items():
        se = math.sqrt(statistics.stdev(values) ** 2 / len(values) + pub_std**2 / pub_n)
        shift[key] = -targets[key] * se  # published = ours - z se
    ref = tmp_path / "ref.toml"
    _reference(ref, _means(groups), shift, std=pub_std)
    wide = {"COLUMNS": "250"}
    proc = run_cli("check", str(folder), "--reference", str(ref), "--max-z", "3.0", env=wide)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for (dataset, strategy), z in targets.items():
        row = [
            line for line in proc.stdout.splitlines() if f" {dataset} " in line and f" {strategy} " in line
        ]
        assert len(row) == 1 and f"{z:+.2f}" in row[0], (dataset, strategy, z, proc.stdout)
    assert f"mean signed z {statistics.fmean(targets.values()):+.2f}" in proc.stdout, proc.stdout
    beyond = run_cli("check", str(folder), "--reference", str(ref), "--max-z", "1.5", env=wide)
    assert beyond.returncode == 1, beyond.stdout + beyond.stderr
    assert "2 beyond |z| > 1.5" in beyond.stdout  # 2.0 and -2.75
    assert beyond.stdout.count("higher") == 1 and beyond.stdout.count("lower") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reference", "no-such-thing"], "no such file, nor a shipped reference"),
        (["--reference", "lu2025-binary"], "no dataset x strategy of the results is in it"),
        (["--reference", "lu2025-binary", "--max-z", "0"], "--max-z = 0.0: must be a positive number"),
    ],
)
def test_check_bad_input_exits_2(results, args, message):
    folder, _ = results
    proc = run_cli("check", str(folder), *args)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_check_missing_results_folder(tmp_path):
    proc = run_cli("check", str(tmp_path / "nope"), "--reference", "lu2025-binary")
    assert proc.returncode == 2 and "not found" in proc.stderr


def test_report_reference_section_and_bad_reference_writes_nothing(results, tmp_path):
    folder, groups = results
    ref = tmp_path / "ref.toml"
    _reference(ref, _means(groups), 0.0)
    out = tmp_path / "reports"
    proc = run_cli("report", str(folder), "--out", str(out), "--reference", str(ref))
    assert proc.returncode == 0, proc.stderr
    md = (out / "tiny" / "report.md").read_text()
    assert "## Published reference" in md
    assert (out / "tiny" / "tables" / "reference.csv").is_file()
    assert 'id="reference"' in (out / "tiny" / "index.html").read_text()
    bad_out = tmp_path / "bad"
    proc = run_cli(
        "report", str(folder), "--out", str(bad_out), "--reference", str(tmp_path / "missing.toml")
    )
    assert proc.returncode == 2 and "no such file" in proc.stderr
    assert not bad_out.exists()
