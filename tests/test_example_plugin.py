"""examples/plugin-package: installed as a real package, its entry point feeds a grid."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cli_helpers import REPO, run_cli

pytest.importorskip("hatchling", reason="the test extra installs hatchling to build the example offline")

EXAMPLE = REPO / "examples" / "plugin-package"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The example package installed (no dependencies: albench is the one under test)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return target


def _env(site):
    return {"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}


def test_entry_point_components_are_listed_with_their_origin(site):
    proc = run_cli("list", "--format", "json", env=_env(site))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    origin = {"distribution": "albench-example-plugin", "version": "0.1.0"}
    found = {
        kind: next(r for r in data[kind] if r["name"] == name)
        for kind, name in (
            ("strategies", "example_uncertain_far"),
            ("datasets", "example_blobs"),
            ("models", "example_ridge"),
        )
    }
    assert all(r["origin"] == origin for r in found.values())
    assert found["strategies"]["parameters"] == {"beta": 1.0}


def test_grid_with_the_example_strategy_dataset_and_model(site, tmp_path):
    out = tmp_path / "res"
    proc = run_cli("run", str(EXAMPLE / "example.toml"), "--out", str(out), "--no-progress", env=_env(site))
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "example-plugin" / "manifest.json").read_text())
    eps = manifest["plugin_provenance"]["entry_points"]
    assert {"distribution": "albench-example-plugin", "version": "0.1.0"}.items() <= eps[0].items()
    # 2 datasets x 2 models x 3 strategies x 2 repetitions
    assert (
        len(manifest["cells"]) == 24 and len(list((out / "example-plugin" / "cells").glob("*.parquet"))) == 24
    )
    check = run_cli(
        "check-plugin", str(EXAMPLE / "src" / "albench_example_plugin" / "strategy.py"), env=_env(site)
    )
    # loaded twice (entry point and file) the names clash: check-plugin says so instead of passing
    assert check.returncode == 2 and "already registered" in check.stderr
