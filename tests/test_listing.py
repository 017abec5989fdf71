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


def test_oracle_strategies_are_marked_in_records_plain_lines_and_the_table():
    records = {r["name"]: r for r in component_records("strategies")}
    assert records["bso"]["oracle"] is True and "oracle_labels" in records["bso"]["needs"]
    assert not any(
        r.get("oracle") for name, r in records.items() if name != "bso" and r["status"] == "available"
    )
    plain = run_cli("list", "strategies", "--format", "plain").stdout.splitlines()
    bso = next(line.split("\t") for line in plain if line.startswith("strategies\tbso\t"))
    assert len(bso) == 9 and bso[2] == "available" and bso[6].startswith("(oracle) ")
    margin = next(line.split("\t") for line in plain if line.startswith("strategies\tmargin\t"))
    assert "(oracle)" not in "\t".join(margin)
    table = run_cli("list", "strategies", "--format", "table", env={"COLUMNS": "400"}).stdout
    assert "bso (oracle)" in table and "margin (oracle)" not in table
