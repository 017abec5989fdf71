"""Generate docs/cli.md from the command line's own help (``python -m albench.docgen``).

The test suite regenerates the page and fails when it differs from the committed one, so the
CLI reference cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

HEADER = """# Command-line reference

Generated from the code by `python -m albench.docgen` (a test fails when this page and the
code differ; regenerate it after changing a command). Exit status of every command: 0 all
good, 1 some cells failed (or checks failed), 2 bad input (a one-line error, nothing written).
"""


def _help(args: list[str]) -> str:
    """What ``albench ARGS --help`` prints, 100 columns wide."""
    from click.testing import CliRunner

    from albench.cli import main

    result = CliRunner().invoke(main, [*args, "--help"], prog_name="albench", terminal_width=100)
    return result.output.rstrip()


def cli_reference() -> str:
    """The Markdown text of docs/cli.md: ``albench --help`` and each command's help."""
    from albench.cli import main

    parts = [HEADER, f"## albench\n\n```text\n{_help([])}\n```\n"]
    for name in sorted(main.commands):
        parts.append(f"## albench {name}\n\n```text\n{_help([name])}\n```\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Write docs/cli.md (or the path given)."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "docs" / "cli.md"
    target.write_text(cli_reference(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
