"""Fixtures for the dataset tests: a private data directory and temporary cards."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from albench.datasets import cards
from albench.datasets.datadir import ENV_VAR, set_data_dir
from albench.registry import DATASETS, SUITES

ZHAN_ENV = ENV_VAR


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """An empty data directory set for this process; ``$ALBENCH_DATA`` unset."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.delenv(ENV_VAR, raising=False)
    set_data_dir(folder, "from the test")
    cards._cache.clear()
    yield folder
    set_data_dir(None)
    cards._cache.clear()


@pytest.fixture
def card_file(tmp_path):
    """Write a card TOML file, register it, and unregister its datasets and suites afterwards."""
    added: list[tuple[str, str]] = []

    def write(text: str, name: str = "cards.toml") -> list[str]:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        names = cards.register_cards(path, replace=True)
        added.extend(("d", n) for n in names)
        _, suites = cards.read_card_file(path)
        added.extend(("s", s) for s in suites)
        return names

    yield write
    for kind, name in added:
        (DATASETS if kind == "d" else SUITES)._entries.pop(name, None)
