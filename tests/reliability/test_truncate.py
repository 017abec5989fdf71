"""A half-truncated cell file: ``status`` lists it as damaged with its path, ``report`` and
``load_results`` leave it out with a warning (an error under ``--strict``), and the next
``run`` recomputes it, says so, and stores the same rows as before."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from cli_helpers import run_cli
from probes import stored_cells

import albench
from albench.simulation import TIMING_COLUMNS
from albench.store import DamagedCellWarning, DamagedResultsError


def damage_and_check_every_reader(results, victim, tmp_path) -> pd.DataFrame:
    """The checks shared by the truncation and bit-flip probes; returns the rows re-read."""
    status = run_cli("status", str(results))
    assert status.returncode == 1
    assert "damaged 1" in status.stdout and str(victim) in status.stdout.replace("\n", "")
    report = run_cli("report", str(results), "--out", str(tmp_path / "rep"))
    assert report.returncode == 0, report.stderr
    assert "warning:" in report.stderr and victim.name in report.stderr.replace("\n", "")
    strict = run_cli("report", str(results), "--out", str(tmp_path / "rep2"), "--strict")
    assert strict.returncode == 1 and victim.name in strict.stderr.replace("\n", "")
    assert len(strict.stderr.strip().splitlines()) == 1 or "--strict" in strict.stderr
    with pytest.warns(DamagedCellWarning, match=victim.stem):
        partial = albench.load_results(results)
    with pytest.raises(DamagedResultsError, match=victim.stem):
        albench.load_results(results, strict=True)
    return partial


def test_truncated_cell_is_damaged_skipped_and_recomputed(tiny_config, tmp_path):
    out = tmp_path / "res"
    assert run_cli("run", str(tiny_config), "--out", str(out), "--no-progress").returncode == 0
    results = out / "tiny"
    before = albench.load_results(results).drop(columns=list(TIMING_COLUMNS))
    victim = stored_cells(results)[2]
    os.truncate(victim, victim.stat().st_size // 2)
    partial = damage_and_check_every_reader(results, victim, tmp_path)
    assert victim.stem not in set(partial["cell_key"]) and len(partial) == len(before) - 4
    verify = run_cli("verify", str(results), "--sample", "12")
    assert verify.returncode == 1 and "DAMAGED" in verify.stdout
    rerun = run_cli("run", str(tiny_config), "--out", str(out), "--no-progress")
    assert rerun.returncode == 0, rerun.stderr
    assert "1 stored cell(s) fail their checksum" in rerun.stderr and "recomputed" in rerun.stderr
    assert "11 cell(s) already stored" in rerun.stderr
    after = albench.load_results(results).drop(columns=list(TIMING_COLUMNS))
    pd.testing.assert_frame_equal(before, after, check_exact=True)
    assert run_cli("status", str(results)).returncode == 0
