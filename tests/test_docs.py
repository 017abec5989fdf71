"""Every example in docs/ runs, and the references cannot drift from the code.

Conventions of the pages (invisible in rendered Markdown):

- ``<!-- file: NAME -->`` before a fenced block: the block is that file; it is written into
  the page's working folder for the following blocks, which use it (a ``test_*.py`` file is
  run with pytest at once).
- ``<!-- needs: MODULE -->`` before a block: run only when MODULE can be imported.
- ``bash`` blocks run line by line in the page's working folder (``albench`` is the CLI of
  this checkout) and must exit 0; ``python`` blocks run in a fresh interpreter there;
  ``toml`` blocks are validated as what they are (an experiment config, checked against the
  data as ``albench run`` does before any work; a dataset card file; an entry-point table).
  ``text``, ``json`` and unlabelled blocks are output or synopses, not examples.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from cli_helpers import REPO

DOCS = REPO / "docs"
PAGES = sorted(p.name for p in DOCS.glob("*.md"))
BLOCK = re.compile(
    r"(?:<!--\s*(?P<tag>file|needs|example):?\s*(?P<arg>[^>]*?)\s*-->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```",
    re.S,
)


def blocks(page: str) -> list[dict]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [m.groupdict() for m in BLOCK.finditer(text)]


def _env(tmp: Path) -> dict:
    bin_dir = tmp / ".bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "albench"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m albench.cli "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "ALBENCH_DATA"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp), str(REPO), env.get("PYTHONPATH", "")])
    return env


def _check_toml(body: str, tmp: Path) -> None:
    from albench.config import parse_config
    from albench.datasets.cards import read_card_file
    from albench.datasets.datadir import set_data_dir
    from albench.grid import check_feasible
    from albench.plugins import ENTRY_POINT_GROUP
    from albench.registry import STRATEGIES

    raw = tomllib.loads(body)
    if "project" in raw:  # an entry-point table
        assert ENTRY_POINT_GROUP in raw["project"]["entry-points"]
        return
    if "result" in raw and "format" in raw:  # a reference file of published results
        from albench.analysis.reference import load_reference

        path = tmp / "reference.toml"
        path.write_text(body)
        assert load_reference(str(path))
        return
    if "dataset" in raw or "defaults" in raw or "suites" in raw:  # a card file
        path = tmp / "cards.toml"
        path.write_text(body)
        cards, _ = read_card_file(path)
        assert cards
        return
    if not {"grid", "protocol", "name", "suite"} & set(raw):  # grid entries without their table
        raw = {"grid": raw}
    if "suite" not in raw:
        raw.setdefault("grid", {}).setdefault("datasets", ["iris"])
    # a fragment about the grid or a few protocol keys: a small budget unless it sets one
    raw.setdefault("protocol", {}).setdefault("budget", 20)
    set_data_dir(tmp, "docs test")
    before = set(STRATEGIES.names())
    try:
        exp = parse_config(raw, source="docs")
        assert check_feasible(exp)
    finally:  # names resolved through a prefix (skactiveml.) must not leak into other tests
        for name in set(STRATEGIES.names()) - before:
            STRATEGIES._entries.pop(name)


def _run_page(page: str, tmp: Path) -> list[tuple[str, str]]:
    """Run a page's examples in order; return (what ran, its output) pairs."""
    env = _env(tmp)
    ran = []
    for b in blocks(page):
        lang, body, tag, arg = b["lang"], b["body"], b["tag"], b["arg"]
        if tag == "needs" and importlib.util.find_spec(arg) is None:
            continue
        if tag == "file":
            (tmp / arg).write_text(body)
            if arg.startswith("test_") and arg.endswith(".py"):
                proc = subprocess.run(
                    [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", arg],
                    cwd=tmp,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert proc.returncode == 0, f"{page}: {arg}\n{proc.stdout}{proc.stderr}"
            ran.append((f"file {arg}", ""))
            continue
        if lang == "python":
            proc = subprocess.run(
                [sys.executable, "-c", body], cwd=tmp, env=env, capture_output=True, text=True, timeout=300
            )
            assert proc.returncode == 0, f"{page}: python block failed\n{body}\n{proc.stderr}"
            ran.append(("python", proc.stdout))
        elif lang == "toml":
            _check_toml(body, tmp)
            ran.append(("toml", ""))
        elif lang == "bash":
            for line in body.splitlines():
                line = line.split("  #")[0].strip()
                if not line or line.startswith("#") or line.startswith("pip ") or line.startswith("tox"):
                    continue
                proc = subprocess.run(
                    ["bash", "-c", line], cwd=tmp, env=env, capture_output=True, text=True, timeout=600
                )
                assert proc.returncode == 0, (
                    f"{page}: `{line}` exited {proc.returncode}\n{proc.stdout}{proc.stderr}"
                )
                ran.append((line, proc.stdout + proc.stderr))
    return ran


@pytest.mark.parametrize("page", [p for p in PAGES if p != "plugins.md"])
def test_every_example_of_the_page_runs(page, tmp_path):
    # pages whose examples are reference text or timing runs (albench bench is run by tests/bench)
    assert _run_page(page, tmp_path) or page in ("design.md", "report.md", "cli.md", "bench.md")


def test_the_plugin_walkthrough_reruns_exactly_the_edited_plugins_cells(tmp_path):
    """docs/plugins.md, run as written; what it says the re-run prints is what it prints."""
    ran = _run_page("plugins.md", tmp_path)
    lines = [line for line, _ in ran]
    edit = next(i for i, line in enumerate(lines) if line.startswith("sed -i"))
    rerun_output = ran[edit + 1][1]
    assert lines[edit + 1].startswith("albench run mine.toml")
    assert "ran 2 cell(s), skipped 6" in rerun_output, rerun_output
    assert "ran 2 cell(s), skipped 6" in (DOCS / "plugins.md").read_text()

    manifest = json.loads((tmp_path / "results" / "mine" / "manifest.json").read_text())
    index = manifest["cell_index"]
    assert sum(c["strategy"] == "least_sure" for c in index.values()) == 2
    stored = {p.stem for p in (tmp_path / "results" / "mine" / "cells").glob("*.parquet")}
    # the 8 cells of the current grid + the 2 of the first version of least_sure
    assert len(stored) == 10 and set(index) <= stored


def test_cli_reference_is_generated_from_the_code():
    proc = subprocess.run(
        [sys.executable, "-m", "albench.docgen", "/dev/stdout"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    generated = proc.stdout.rsplit("wrote /dev/stdout", 1)[0]
    committed = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert generated == committed, "docs/cli.md is stale: run python -m albench.docgen"


def test_config_reference_names_every_key_the_parser_accepts():
    from albench.config import GRID_KEYS, PROTOCOL_KEYS, STRATEGY_EXTRA_KEYS, TOP_KEYS

    text = (DOCS / "config.md").read_text(encoding="utf-8")
    for key in (*TOP_KEYS, *PROTOCOL_KEYS, *GRID_KEYS, *STRATEGY_EXTRA_KEYS):
        assert re.search(rf"\b{key}\b", text), f"docs/config.md does not mention {key!r}"


def test_plugin_guide_lists_exactly_the_allowed_needs():
    from albench.strategies.base import _CONSTANT_NAMES, CAPABILITIES

    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    listed = set(re.findall(r'`([A-Z_]+)`\s+=\s+`"([a-z_]+)"`', text))
    assert listed == {(_CONSTANT_NAMES[v], v) for v in CAPABILITIES}


def test_quickstart_and_plugin_guide_are_linked_from_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for page in ("docs/quickstart.md", "docs/plugins.md", "docs/concepts.md", "docs/cli.md"):
        assert page in readme


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv .venv")]
    assert len(commands) == 2, commands  # 1. install and run; 2. install and test
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci_lines
