"""Every registered strategy has a known-answer test besides the shared conformance template."""

from __future__ import annotations

from pathlib import Path

from albench.registry import STRATEGIES

HERE = Path(__file__).resolve().parent
SHARED = {"test_conformance.py", "test_integration.py", "test_docs.py", "test_coverage.py", "test_kernels.py"}


def test_every_strategy_has_a_known_answer_test() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in HERE.glob("test_*.py") if p.name not in SHARED)
    missing = [n for n in STRATEGIES.names() if f'"{n}"' not in text]
    assert not missing, f"write a known-answer test for {missing}"
