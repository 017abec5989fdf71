"""Small real results folders, produced by the runner, with hostile names in the labels."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from albench.config import parse_config
from albench.runner import run_experiment
from albench.store import ResultStore

NASTY_DATASET = '<script>alert("ds")</script> "iris" & \'q\''
NASTY_STRATEGY = "<img src=x onerror=alert(1)>m$x$\"'<script>"
FAILED_TRACEBACK = (
    'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n'
    'ValueError: exploded on <script>alert("tb")</script>\n'
)


def tiny_config(name: str = "tiny") -> dict:
    """2 datasets x 1 model x 3 strategies x 2 repetitions, budget 20: a couple of seconds."""
    return {
        "name": name,
        "seed": 0,
        "repetitions": 2,
        "protocol": {"test_fraction": 0.25, "initial_size": 12, "batch_size": 10, "budget": 20},
        "grid": {
            "datasets": [{"name": "iris", "label": NASTY_DATASET}, "wine"],
            "models": ["logistic_regression"],
            "strategies": ["random", {"name": "margin", "label": NASTY_STRATEGY}, "entropy"],
        },
    }


@pytest.fixture(scope="session")
def tiny_results(tmp_path_factory) -> Path:
    """A complete results folder (12 cells)."""
    out = tmp_path_factory.mktemp("results")
    exp = parse_config(tiny_config(), source="<test>")
    summary = run_experiment(exp, out=out, n_jobs=1, backend="sequential")
    assert not summary.failed
    return summary.results_dir


@pytest.fixture()
def incomplete_results(tiny_results, tmp_path) -> Path:
    """The tiny results with 3 cells never run (absent, not failed)."""
    root = tmp_path / "tiny"
    shutil.copytree(tiny_results, root)
    store = ResultStore(root)
    for key in sorted(store.stored_keys())[:3]:
        store.remove_cell(key)
    return root


@pytest.fixture()
def failed_results(tiny_results, tmp_path) -> Path:
    """The tiny results with 2 cells failed (traceback stored)."""
    root = tmp_path / "tiny"
    shutil.copytree(tiny_results, root)
    store = ResultStore(root)
    for key in sorted(store.stored_keys())[:2]:
        store.remove_cell(key)
        store.write_failure(
            key, {"key": key, "cell": f"cell {key}", "traceback": FAILED_TRACEBACK, "time": "t"}
        )
    return root
