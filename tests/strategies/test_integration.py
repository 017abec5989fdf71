"""The whole strategy library through ``albench run`` on a bundled dataset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import albench
from albench.models import build_model
from albench.registry import STRATEGIES
from albench.strategies.base import POSTERIOR, is_oracle, model_capabilities

REPO = Path(__file__).resolve().parents[2]


def _run_library(tmp_path: Path, names: list[str], model: str) -> None:
    """Run ``names`` on iris with ``model`` (a TOML value) for two rounds; check every row."""
    config = tmp_path / "library.toml"
    config.write_text(
        "\n".join(
            [
                'name = "library"',
                "seed = 3",
                "repetitions = 1",
                "[protocol]",
                "test_fraction = 0.3",
                "initial_size = 9",
                "batch_size = 5",
                "budget = 10",
                "[grid]",
                'datasets = ["iris"]',
                f"models = [{model}]",
                f"strategies = {json.dumps(names)}",
            ]
        )
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "albench.cli", "run", str(config), "-j", "2", "--out", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    df = albench.load_results(tmp_path / "out" / "library")
    assert sorted(df["strategy"].unique()) == names
    assert df.shape[0] == len(names) * 3  # rounds 0, 1, 2
    assert df.groupby("strategy")["round"].max().eq(2).all()
    queried = df[df["round"] < 2].groupby("strategy")["queried"].apply(lambda s: sum(len(q) for q in s))
    assert queried.eq(10).all()


def test_every_strategy_runs_through_the_cli(tmp_path: Path) -> None:
    """Every strategy a logistic regression can serve (all but the posterior ones), oracles aside:
    with its defaults the beam-search oracle plans the whole pool (tens of thousands of refits);
    it runs through the loop in tests/test_simulation.py and tests/report/test_build.py."""
    lr = model_capabilities(build_model("logistic_regression", {}, 0))
    names = [
        n
        for n in STRATEGIES.names()
        if STRATEGIES.get(n).obj().needs <= lr and not is_oracle(STRATEGIES.get(n).obj())
    ]
    oracles = [n for n in STRATEGIES.names() if is_oracle(STRATEGIES.get(n).obj())]
    assert len(names) >= len(STRATEGIES.names()) - 6 - len(oracles)  # the 6 posterior ones
    _run_library(tmp_path, names, '"logistic_regression"')


def test_posterior_and_embedding_strategies_run_on_a_network(tmp_path: Path) -> None:
    """The posterior strategies, and BADGE, core-set and TypiClust on a network's embeddings."""
    net = model_capabilities(build_model("torch_mlp", {}, 0))
    names = [n for n in STRATEGIES.names() if POSTERIOR in STRATEGIES.get(n).obj().needs]
    assert all(STRATEGIES.get(n).obj().needs <= net for n in names) and len(names) >= 6
    names += ["badge", "coreset", "typiclust"]
    _run_library(tmp_path, sorted(names), '{ name = "torch_mlp", hidden_sizes = [8], epochs = 3 }')


def test_cli_rejects_a_strategy_the_model_cannot_serve(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "albench.cli",
            "run",
            "--datasets",
            "iris",
            "--models",
            "linear_svm",
            "--strategies",
            "coreset,entropy",
            "--reps",
            "1",
            "--out",
            str(tmp_path / "out"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "'entropy'" in proc.stderr and "'linear_svm'" in proc.stderr and "predict_proba" in proc.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.parquet"))
