"""Small real results folders, produced by the runner, with hostile names in the labels."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from albench.config import parse_config
from albench.report import build_report
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


def _copy(tiny_results: Path, tmp_path_factory, label: str) -> tuple[Path, ResultStore]:
    root = tmp_path_factory.mktemp(label) / "tiny"
    shutil.copytree(tiny_results, root)
    return root, ResultStore(root)


@pytest.fixture(scope="session")
def incomplete_results(tiny_results, tmp_path_factory) -> Path:
    """The tiny results with 3 cells never run (absent, not failed)."""
    root, store = _copy(tiny_results, tmp_path_factory, "incomplete")
    for key in sorted(store.stored_keys())[:3]:
        store.remove_cell(key)
    return root


@pytest.fixture(scope="session")
def failed_results(tiny_results, tmp_path_factory) -> Path:
    """The tiny results with 2 cells failed (traceback stored)."""
    root, store = _copy(tiny_results, tmp_path_factory, "failed")
    for key in sorted(store.stored_keys())[:2]:
        store.remove_cell(key)
        store.write_failure(
            key, {"key": key, "cell": f"cell {key}", "traceback": FAILED_TRACEBACK, "time": "t"}
        )
    return root


@pytest.fixture(scope="session")
def failed_report(failed_results, tmp_path_factory):
    """The report of ``failed_results`` (PNG files only, to keep the tests quick)."""
    return build_report(
        failed_results, out=tmp_path_factory.mktemp("failed-report"), n_boot=50, figure_formats=("png",)
    )


STOPPING_CRITERIA = [
    "stabilizing_predictions",
    "predicted_change_f",
    "classification_change",
    "overall_uncertainty",
    "max_uncertainty",
    "min_expected_error",
    "fixed_budget",
]


@pytest.fixture(scope="session")
def stopping_results(tiny_results, tmp_path_factory) -> Path:
    """The tiny results with every built-in stopping criterion recorded (replayed from the stored rows)."""
    from albench.stopping_replay import replay_results

    return replay_results(tiny_results, STOPPING_CRITERIA, tmp_path_factory.mktemp("stopping"))
