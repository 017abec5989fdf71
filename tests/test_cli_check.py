"""``albench check`` and ``albench report --reference``: exit 0 within --max-z, 1 beyond, 2 on bad input."""

from __future__ import annotations

import pytest
from cli_helpers import run_cli

from albench import load_results
from albench.analysis.aubc import aubc_per_cell


def _reference(path, groups, shift: float, std: float = 0.05) -> None:
    """A reference file of (dataset, strategy, mean) with every mean moved by ``shift``."""
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
            f"mean = {mean + shift!r}",
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
    cells = aubc_per_cell(load_results(folder), "accuracy", "trapezoid")
    groups = cells.groupby(["dataset", "strategy"])["aubc"].mean().to_dict()
    return folder, groups


def test_check_passes_on_its_own_means(results, tmp_path):
    folder, groups = results
    ref = tmp_path / "ref.toml"
    _reference(ref, groups, 0.0)
    proc = run_cli("check", str(folder), "--reference", str(ref), "--max-z", "3.5")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(groups)} group(s) compared" in proc.stdout
    assert "0 beyond |z| > 3.5" in proc.stdout


def test_check_fails_beyond_max_z(results, tmp_path):
    folder, groups = results
    ref = tmp_path / "ref.toml"
    # published 0.5 lower with std 0: z = 0.5 / (s / sqrt(3)); an AUBC in [0, 1] has s <= 0.58,
    # so z >= 1.5 > 0.5 in every group
    _reference(ref, groups, -0.5, std=0.0)
    proc = run_cli("check", str(folder), "--reference", str(ref), "--max-z", "0.5")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "higher" in proc.stdout


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
    _reference(ref, groups, 0.0)
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
