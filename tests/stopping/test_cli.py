"""`albench list stopping` and bad stopping configs on the command line."""

from __future__ import annotations

import pytest

from albench.registry import STOPPING
from tests.cli_helpers import TINY_TOML, run_cli


def test_list_stopping_shows_every_criterion_with_its_reference():
    proc = run_cli("list", "stopping")
    assert proc.returncode == 0, proc.stderr
    for name in STOPPING.names():
        assert name in proc.stdout
    for author in ("Bloodgood", "Altschuler", "Zhu", "Pullar-Strecker"):
        assert author in proc.stdout


@pytest.mark.parametrize(
    ("stopping", "message"),
    [
        ('["stabilizing_prediction"]', "Did you mean 'stabilizing_predictions'?"),
        ('[{name = "fixed_budget", budget = 5}]', "has no parameter 'budget'; its parameters are: labels"),
        (
            '[{name = "overall_uncertainty", threshold = -0.1}]',
            "threshold = -0.1: must be a number in [0.0, 1.0]",
        ),
    ],
)
def test_bad_stopping_config_exits_2_with_one_line_and_writes_nothing(tmp_path, stopping, message):
    path = tmp_path / "bad.toml"
    path.write_text(TINY_TOML.replace("budget = 10", f"budget = 10\nstopping = {stopping}"))
    out = tmp_path / "res"
    proc = run_cli("run", str(path), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()
