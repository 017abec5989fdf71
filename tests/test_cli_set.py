"""``albench run --set KEY=VALUE``: any config field from the command line, validated like the file."""

from __future__ import annotations

import tomllib

import pytest
from cli_helpers import TINY_TOML, run_cli

from albench.cli.overrides import apply_settings, parse_setting, parse_value
from albench.config import parse_config


def test_values_are_toml_or_bare_strings():
    assert parse_value("300") == 300 and parse_value("0.5") == 0.5 and parse_value("true") is True
    assert parse_value('["iris", "wine"]') == ["iris", "wine"]
    assert parse_value('{name = "rbf_svm", C = 10.0}') == {"name": "rbf_svm", "C": 10.0}
    assert parse_value("pool") == "pool" and parse_value("labeled") == "labeled"
    assert parse_setting("protocol.budget=pool") == ("protocol.budget", "pool")


def test_a_setting_gives_the_experiment_the_edited_file_gives():
    raw = tomllib.loads(TINY_TOML)
    settings = [
        parse_setting("protocol.budget=8"),
        parse_setting('grid.models=["logistic_regression", {name = "rbf_svm", C = 10.0}]'),
        parse_setting("grid.strategies=random"),
        parse_setting("report.aubc_variant=lu2025"),
    ]
    edited = TINY_TOML.replace("budget = 10", "budget = 8")
    edited = edited.replace(
        'models = ["logistic_regression"]', 'models = ["logistic_regression", {name = "rbf_svm", C = 10.0}]'
    )
    edited = edited.replace('strategies = ["random", "margin", "entropy"]', 'strategies = ["random"]')
    edited += '\n[report]\naubc_variant = "lu2025"\n'
    by_set = parse_config(apply_settings(raw, settings), source="<set>", default_name="tiny")
    by_file = parse_config(tomllib.loads(edited), source="<file>", default_name="tiny")
    assert by_set.to_dict() == by_file.to_dict()
    assert by_set.protocol.budget == 8 and by_set.aubc_variant == "lu2025"
    assert raw == tomllib.loads(TINY_TOML)  # the input is not changed


def test_grid_datasets_replaces_a_suite_as_the_flag_does():
    raw = {"suite": "quick", "grid": {"models": ["logistic_regression"]}}
    out = apply_settings(raw, [parse_setting("grid.datasets=iris")])
    assert "suite" not in out and out["grid"]["datasets"] == ["iris"]


@pytest.mark.parametrize(
    "setting, message",
    [
        ("protocol.bugdet=300", "unknown key 'bugdet' in [protocol]; allowed keys: "),
        ("protocol.budget=-3", "protocol.budget = -3: must be"),
        ("report.aubc_variant=simpson", "report.aubc_variant = 'simpson': allowed: lu2025, trapezoid"),
        ("colour=red", "unknown key 'colour' in the top level; allowed keys: "),
        ("seed.x=1", "seed is not a table"),
        ("protocol.budget", "give KEY=VALUE"),
        ("grid.models=not_a_model", "not_a_model"),
    ],
)
def test_bad_settings_exit_2_naming_the_field_and_write_nothing(tiny_config, tmp_path, setting, message):
    out = tmp_path / "out"
    proc = run_cli("run", str(tiny_config), "--set", setting, "--out", str(out), "--no-progress")
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_a_config_less_grid_of_ones_own_never_lands_in_quick(tmp_path):
    proc = run_cli("run", "--set", "grid.datasets=iris", "--set", "protocol.budget=20", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("experiment iris:") and "budget 20" in proc.stdout
