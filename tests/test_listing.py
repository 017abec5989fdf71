"""``albench list --format``: records, plain lines and JSON."""

from __future__ import annotations

import json

from cli_helpers import run_cli

from albench.listing import REQUIRED, component_records
from albench.registry import STRATEGIES


def test_records_hold_parameters_needs_and_references():
    records = {r["name"]: r for r in component_records("strategies")}
    assert set(STRATEGIES.names()) <= set(records)
    margin = records["margin"]
    assert margin["needs"] == sorted(STRATEGIES.get("margin").obj().needs)
    assert margin["reference"] == STRATEGIES.get("margin").reference and margin["origin"] is None
    cm = records["cluster_margin"]["parameters"]
    assert cm["margin_factor"] == STRATEGIES.get("cluster_margin").obj().margin_factor
    assert REQUIRED not in records["random"]["parameters"].values()


def test_json_and_plain_formats(tmp_path):
    proc = run_cli("list", "strategies", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    builtin = {e.name for e in STRATEGIES if e.origin is None}
    assert {r["name"] for r in data["strategies"]} >= builtin
    assert data["broken_plugins"] == []
    plain = run_cli("list", "models")  # piped: plain by default
    lines = plain.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["kind", "name", "status"]
    assert all(len(line.split("\t")) == 9 for line in lines)
    assert any(line.startswith("models\tlogistic_regression\tavailable") for line in lines)
    table = run_cli("list", "models", "--format", "table")
    assert "logistic_regression" in table.stdout and "\t" not in table.stdout
