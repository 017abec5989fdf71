"""docs/strategies.md describes every registered strategy."""

from __future__ import annotations

from pathlib import Path

from albench.registry import STRATEGIES

DOC = Path(__file__).resolve().parents[2] / "docs" / "strategies.md"


def _builtin_names() -> list[str]:
    """Registered strategies, without those a prefix resolved on use (``skactiveml.<name>``,
    registered once another test asked for them): docs/strategies.md lists the prefix."""
    prefixes = tuple(STRATEGIES.prefixes)
    return [name for name in STRATEGIES.names() if not name.startswith(prefixes)]


def test_every_strategy_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in _builtin_names() if f"| `{name}` |" not in text]
    assert not missing, f"add {missing} to docs/strategies.md"


def test_documented_parameters_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in _builtin_names():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        for param in STRATEGIES.get(name).obj().get_params(deep=False):
            assert f"`{param}=" in row, f"docs row of {name!r} lacks parameter {param!r}"
