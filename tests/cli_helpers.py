"""Helpers shared by the test modules: a tiny config and running the CLI as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

TINY_TOML = """
name = "tiny"
seed = 7
repetitions = 2

[protocol]
test_fraction = 0.3
initial_size = 6
batch_size = 4
budget = 10

[grid]
datasets = ["iris", {name = "moons", n_samples = 120}]
models = ["logistic_regression"]
strategies = ["random", "margin", "entropy"]
"""


def run_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run ``python -m albench.cli`` in a subprocess, as a user would (killed after ``timeout`` s)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "albench.cli", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


#: libraries a light command must not import (``tests/test_cli_startup.py``)
HEAVY = ("sklearn", "scipy", "torch", "pandas", "pyarrow", "skactiveml", "joblib", "numba")

_PROBE = """
import runpy, sys
sys.argv = ["albench", *sys.argv[1:]]
try:
    runpy.run_module("albench.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("MODULES " + ",".join(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
sys.exit(code)
"""


def run_cli_modules(
    *args: str, cwd: Path | None = None, env: dict | None = None
) -> tuple[int, set[str], str]:
    """Run an ``albench`` command in a subprocess; its exit status, top-level modules, stdout."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in proc.stderr.splitlines() if line.startswith("MODULES ")]
    assert lines, proc.stderr
    return proc.returncode, set(lines[-1][len("MODULES ") :].split(",")), proc.stdout
