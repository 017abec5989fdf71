"""The maintainer tool that transcribes the published summary table (tools/lu2025_table.py)."""

import importlib.util

import pytest
from cli_helpers import REPO

_spec = importlib.util.spec_from_file_location("lu2025_table", REPO / "tools" / "lu2025_table.py")
lu2025_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lu2025_table)

TABLE = """# Benchmark

Mean(Standard Deviation) ...

| data   | uniform        | margin          | bso             |
|:-------|:---------------|:----------------|:----------------|
| sonar  | 0.7463(0.0379) | 0.7762¹(0.0313³) | 0.884(0.0284)   |
| banana | 0.8926(0.0038) | error           | too long (time) |# Usefulness of query strategies

| qs | sonar |
"""


def test_cells_ranks_and_missing_numbers():
    rows, missing = lu2025_table.parse_table(TABLE)
    assert rows == [
        {"dataset": "sonar", "strategy": "uniform", "mean": 0.7463, "std": 0.0379, "n": 100},
        {"dataset": "sonar", "strategy": "margin", "mean": 0.7762, "std": 0.0313, "n": 100},
        {"dataset": "sonar", "strategy": "bso", "mean": 0.884, "std": 0.0284, "n": 100},
        {"dataset": "banana", "strategy": "uniform", "mean": 0.8926, "std": 0.0038, "n": 10},
    ]
    assert missing == [("banana", "margin", "error"), ("banana", "bso", "too long (time)")]
    toml = lu2025_table.to_toml(rows[:1])
    assert (
        toml == '[[result]]\ndataset = "sonar"\nstrategy = "uniform"\nmean = 0.7463\nstd = 0.0379\nn = 100\n'
    )


def test_an_unreadable_cell_names_its_line():
    bad = TABLE.replace("0.884(0.0284)", "0.884 +- 0.03")
    with pytest.raises(ValueError, match=r"line 7: sonar x bso: cannot read '0.884 \+- 0.03'"):
        lu2025_table.parse_table(bad)
