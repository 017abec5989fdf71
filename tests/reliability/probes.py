"""Helpers of the fault probes: a plugin strategy that misbehaves on demand, small configs,
and running and watching the CLI from outside (subprocesses, signals, /proc)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli_helpers import REPO

MISBEHAVE = """
import ctypes
import os
import sys
import time

from albench import register_strategy
from albench.strategies.base import Strategy


@register_strategy("misbehave", description="misbehaves on purpose (reliability tests)")
class Misbehave(Strategy):
    def __init__(self, how="sleep", seconds=1.0):
        self.how = how
        self.seconds = seconds

    def query(self, ctx, batch_size, rng):
        if self.how == "sleep":
            time.sleep(self.seconds)
        elif self.how == "hang":
            while True:
                time.sleep(0.5)
        elif self.how == "sys_exit":
            sys.exit(3)
        elif self.how == "os_exit":
            os._exit(5)
        elif self.how == "segfault":
            ctypes.string_at(0)
        return ctx.pool[:batch_size]
"""


def config_text(strategies: str, repetitions: int = 1, extra: str = "") -> str:
    """A one-dataset config (iris, 3 rounds) with the given ``strategies`` TOML list."""
    return f"""
name = "probe"
seed = 3
repetitions = {repetitions}
{extra}

[protocol]
test_fraction = 0.3
initial_size = 6
batch_size = 4
budget = 8

[grid]
datasets = ["iris"]
models = ["logistic_regression"]
strategies = {strategies}
"""


def cli_env(**extra: str) -> dict:
    """The environment of a CLI subprocess that imports this checkout."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.update(extra)
    return env


def start_cli(*args: str, cwd: Path | None = None, env: dict | None = None, **popen) -> subprocess.Popen:
    """Start ``python -m albench.cli ARGS`` without waiting (its own session, output piped)."""
    return subprocess.Popen(
        [sys.executable, "-m", "albench.cli", *args],
        cwd=cwd,
        env=cli_env(**(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,
    )


def children(pid: int) -> set[int]:
    """PIDs of the live processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(predicate, timeout: float, interval: float = 0.1) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def stored_cells(results: Path) -> list[Path]:
    """Cell files stored under a results folder."""
    return sorted((results / "cells").glob("*.parquet"))


def kill_tree(proc: subprocess.Popen) -> None:
    """Clean up after a test: kill a CLI process's whole session."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)
