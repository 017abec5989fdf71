"""Gal, Islam & Ghahramani (ICML 2017) replayed: examples/gal2017-mnist.toml against the shipped
``gal2017-mnist`` (Table 1) and ``gal2017-mnist-code`` (the published code's stored curves)
references (acquired labels to reach 10 % and 5 % test error).

Slow (a full cell is about 50 minutes of one core): ``tox -e gal``. Knobs:
``ALBENCH_GAL_REPS`` (default 3), ``ALBENCH_GAL_STRATEGIES`` (default ``random,bald``),
``ALBENCH_GAL_BUDGET`` (default the example's 980), ``ALBENCH_GAL_JOBS`` (default 2),
``ALBENCH_GAL_OUT`` (a results parent folder to keep and resume). The data folder holds
``mnist10k/``: ``$ALBENCH_DATA``, its parent, or ``<repo>/../shared/data``. The last
measured outcome is in docs/reproducing.md ("What a reduced replay gave").
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.data]

REPO = Path(__file__).resolve().parents[1]


def _data_dir() -> Path | None:
    candidates = []
    if os.environ.get("ALBENCH_DATA"):
        env = Path(os.environ["ALBENCH_DATA"])
        candidates += [env, env.parent]
    candidates.append(REPO.parent / "shared" / "data")
    return next((c for c in candidates if (c / "mnist10k").is_dir()), None)


def test_gal2017_example_matches_the_published_curves(tmp_path):
    data = _data_dir()
    if data is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Gal replay: no folder holding mnist10k/ found")
        pytest.skip("no folder holding mnist10k/ (set $ALBENCH_DATA)")
    out = Path(os.environ.get("ALBENCH_GAL_OUT", tmp_path / "results"))
    args = [
        "run",
        str(REPO / "examples" / "gal2017-mnist.toml"),
        "--reps",
        os.environ.get("ALBENCH_GAL_REPS", "3"),
        "--strategies",
        os.environ.get("ALBENCH_GAL_STRATEGIES", "random,bald"),
        "--data-dir",
        str(data),
        "-j",
        os.environ.get("ALBENCH_GAL_JOBS", "2"),
        "--out",
        str(out),
        "--no-progress",
    ]
    if os.environ.get("ALBENCH_GAL_BUDGET"):
        args += ["--set", f"protocol.budget={os.environ['ALBENCH_GAL_BUDGET']}"]
    run = run_cli(*args, env={"COLUMNS": "200"}, timeout=12 * 3600)
    assert run.returncode == 0, run.stdout + run.stderr
    table_1 = _check(out, "gal2017-mnist")
    code_curves = _check(out, "gal2017-mnist-code")
    # The replay must agree with the curves the published code stored (its BALD needs about
    # twice Table 1's labels to reach 10 % error; docs/reproducing.md). Table 1 is compared
    # and shown beside it; its verdict is the one docs/reproducing.md reports.
    print(table_1.stdout, code_curves.stdout)  # pytest -s shows both tables
    assert code_curves.returncode == 0, code_curves.stdout + code_curves.stderr


def _check(out: Path, reference: str):
    check = run_cli("check", str(out / "gal2017-mnist"), "--reference", reference, env={"COLUMNS": "200"})
    assert "group(s) x target(s) compared" in check.stdout, check.stdout + check.stderr
    return check
