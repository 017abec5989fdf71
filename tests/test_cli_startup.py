"""Light commands import only what they use (issue 23): no scikit-learn, SciPy, torch, pandas.

Each command runs in a fresh interpreter; the test reads ``sys.modules`` after it. A stale
``albench/component_index.json`` makes ``list`` import the components (correct, but slow):
regenerate it with ``python -m albench.component_index_build``.
"""

from __future__ import annotations

import json

import pytest
from cli_helpers import HEAVY, run_cli_modules

from albench.listing import load_index


def _results_folder(tmp_path):
    """A results folder with one stored cell, written through the store (as a run writes it)."""
    import pandas as pd

    from albench.formats import RESULT_FORMAT_VERSION
    from albench.store import ResultStore

    root = tmp_path / "res"
    store = ResultStore(root)
    rows = {"dataset": "iris", "model": "m", "strategy": "random", "labeler": "oracle", "repetition": 0}
    rows = pd.DataFrame(
        {**rows, "cell_key": "k1", "round": [0, 1], "n_labeled": [4, 8], "accuracy": [0.5, 0.7]}
    )
    store.write_cell("k1", rows)
    store.write_manifest(
        {"format_version": RESULT_FORMAT_VERSION, "experiment": "light", "config": {}, "cells": ["k1", "k2"]}
    )
    return root


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("run", "--help"),
        ("report", "--help"),
        ("check", "--help"),
        ("describe", "--help"),
        ("migrate", "--help"),
        ("bench", "--help"),
    ],
)
def test_help_imports_nothing_heavy(args):
    code, modules, out = run_cli_modules(*args)
    assert code == 0 and out
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_status_reads_checksums_without_pandas(tmp_path):
    root = _results_folder(tmp_path)
    code, modules, out = run_cli_modules("status", str(root))
    assert code == 1  # k2 is missing
    assert "done    1" in out and "missing 1" in out
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


@pytest.mark.parametrize(
    "kind", ["models", "strategies", "labelers", "metrics", "suites", "stopping", "updates", "rebalancing"]
)
def test_list_from_the_index_imports_no_component(kind):
    assert load_index() is not None, (
        "albench/component_index.json is stale: python -m albench.component_index_build"
    )
    code, modules, out = run_cli_modules("list", kind, "--format", "json")
    assert code == 0
    assert json.loads(out)[kind]
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_check_imports_no_scikit_learn_nor_scipy(tmp_path):
    root = _results_folder(tmp_path)
    code, modules, _ = run_cli_modules("check", str(root), "--reference", "lu2025-binary")
    assert code == 2  # these results are not in the reference: a clear error, after reading them
    assert "pandas" in modules  # it reads the results
    assert not modules & {"sklearn", "scipy", "torch", "skactiveml"}


def test_run_summary_backends_match_the_runner():
    from albench.cli.run import BACKENDS
    from albench.runner import BACKENDS as RUNNER_BACKENDS

    assert BACKENDS == RUNNER_BACKENDS
