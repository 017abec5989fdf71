"""Transcribe the published summary table of Lu et al. (TMLR 2025) into [[result]] entries.

Maintainer tool, not part of the package: it reads ``results/README.md`` of
ariapoy/active-learning-benchmark at a commit from a local clone (``git show``), parses the
first table (mean(standard deviation) per data set and strategy, with rank superscripts
¹²³ that are dropped), and prints the ``[[result]]`` tables of ``albench/references/
lu2025-binary.toml``. Cells "too long (time)" and "error" have no published number and are
left out; the script lists them on stderr. ``n`` is the number of runs behind each cell: the
repository's ``results/analysis.ipynb`` keeps the first 100 aligned runs on the 20 small sets
and the first 10 on the six large ones (n >= 2000) for every strategy.

Usage::

    git clone https://github.com/ariapoy/active-learning-benchmark /tmp/alb
    python tools/lu2025_table.py /tmp/alb ec5321f846c956607d55b696a2307bc5eacc2e54 > results.toml
"""

from __future__ import annotations

import re
import subprocess
import sys

#: The six sets with n >= 2000 (10 runs each in the published summary).
LARGE = ("spambase", "banana", "phoneme", "ringnorm", "twonorm", "phishing")
CELL = re.compile(r"^([0-9.]+)[¹²³]?\(([0-9.]+)[¹²³]?\)$")
NO_NUMBER = ("too long (time)", "error")


def parse_table(text: str) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Rows ``{dataset, strategy, mean, std, n}`` of the first Markdown table, and the cells
    without a number as ``(dataset, strategy, text)``.

    Raises
    ------
    ValueError
        A cell that is neither ``mean(std)`` nor one of :data:`NO_NUMBER`, naming its line.
    """
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| data"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    rows, missing = [], []
    for lineno, line in enumerate(lines[start + 2 :], start=start + 3):
        if not line.startswith("|"):
            break
        # the file's last row runs into the next heading ("...|# Usefulness"): cut at the
        # row's closing bar
        row = line[: line.rindex("|") + 1]
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) != len(header):
            raise ValueError(f"README.md line {lineno}: {len(cells)} cells, the header has {len(header)}")
        dataset = cells[0]
        for strategy, cell in zip(header[1:], cells[1:], strict=True):
            if cell in NO_NUMBER:
                missing.append((dataset, strategy, cell))
                continue
            match = CELL.match(cell)
            if not match:
                raise ValueError(f"README.md line {lineno}: {dataset} x {strategy}: cannot read {cell!r}")
            rows.append(
                {
                    "dataset": dataset,
                    "strategy": strategy,
                    "mean": float(match.group(1)),
                    "std": float(match.group(2)),
                    "n": 10 if dataset in LARGE else 100,
                }
            )
    return rows, missing


def to_toml(rows: list[dict]) -> str:
    """The ``[[result]]`` tables, one per row, in table order."""
    parts = []
    for r in rows:
        parts.append(
            f'[[result]]\ndataset = "{r["dataset"]}"\nstrategy = "{r["strategy"]}"\n'
            f"mean = {r['mean']!r}\nstd = {r['std']!r}\nn = {r['n']}\n"
        )
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    clone, commit = argv[1], argv[2]
    text = subprocess.run(
        ["git", "-C", clone, "show", f"{commit}:results/README.md"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows, missing = parse_table(text)
    for dataset, strategy, cell in missing:
        print(f"left out: {dataset} x {strategy}: {cell}", file=sys.stderr)
    print(to_toml(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
