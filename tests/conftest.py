"""Shared fixtures: tiny experiments that run in seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import TINY_TOML


@pytest.fixture
def tiny_config(tmp_path: Path) -> Path:
    """A TOML config of 2 datasets x 1 model x 3 strategies x 2 repetitions."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML)
    return path
