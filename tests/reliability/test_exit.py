"""A cell that exits its worker (``sys.exit``, ``os._exit``) is a failed record with the
reason, the rest of the grid is stored, and the exit status says cells failed."""

from __future__ import annotations

import json

import pytest
from cli_helpers import run_cli
from probes import stored_cells

STRATEGIES = '[{{name = "misbehave", how = "{how}", label = "bad"}}, "random"]'


def _failures(results):
    return [json.loads(p.read_text()) for p in sorted((results / "failed").glob("*.json"))]


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("sys_exit", "SystemExit: 3"),
        ("os_exit", "the worker exited with status 5"),
    ],
)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_cell_that_exits_is_recorded_as_failed(make_config, plugin, tmp_path, how, reason, jobs):
    config = make_config(STRATEGIES.format(how=how))
    out = tmp_path / "res"
    proc = run_cli(
        "run", str(config), "--plugin", str(plugin), "-j", jobs, "--out", str(out), "--no-progress"
    )
    assert proc.returncode == 1, proc.stderr
    assert "1 cell(s) failed" in proc.stdout
    (failure,) = _failures(out / "probe")
    assert reason in failure["traceback"] and "/ bad /" in failure["cell"]
    assert len(stored_cells(out / "probe")) == 1  # the random cell
    status = run_cli("status", str(out / "probe"))
    assert status.returncode == 1 and "failed  1" in status.stdout and "done    1" in status.stdout


def test_retries_give_a_dead_worker_more_attempts_and_say_so(make_config, plugin, tmp_path):
    config = make_config(STRATEGIES.format(how="os_exit"))
    out = tmp_path / "res"
    args = ("--plugin", str(plugin), "--out", str(out), "--no-progress", "--retries", "2")
    proc = run_cli("run", str(config), *args)
    assert proc.returncode == 1, proc.stderr
    (failure,) = _failures(out / "probe")
    assert "after 3 attempts" in failure["traceback"]


def test_bad_retries_and_timeout_values_are_refused(make_config, tmp_path):
    config = make_config('["random"]')
    for flags, field in [(("--retries", "-1"), "--retries"), (("--cell-timeout", "0"), "--cell-timeout")]:
        proc = run_cli("run", str(config), "--out", str(tmp_path / "res"), *flags)
        assert proc.returncode == 2 and field in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "res").exists()
    bad = make_config('["random"]', extra="cell_timeout = -3", name="bad.toml")
    proc = run_cli("run", str(bad), "--out", str(tmp_path / "res"))
    assert proc.returncode == 2 and "cell_timeout = -3" in proc.stderr
    assert not (tmp_path / "res").exists()
