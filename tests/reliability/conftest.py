"""Fixtures of the fault probes (see probes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from probes import MISBEHAVE, config_text


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    """The ``misbehave`` plugin file."""
    path = tmp_path / "misbehave.py"
    path.write_text(MISBEHAVE)
    return path


@pytest.fixture
def make_config(tmp_path: Path):
    """Write a config file; returns its path."""

    def make(strategies: str, repetitions: int = 1, extra: str = "", name: str = "probe.toml") -> Path:
        path = tmp_path / name
        path.write_text(config_text(strategies, repetitions, extra))
        return path

    return make
