"""Fidelity: the zhan2021 example, replayed, matches the means Lu et al. (TMLR 2025) publish.

Runs ``examples/zhan2021-svm.toml`` on the eight small binary sets with random (the papers'
"uniform") and margin, then ``albench check`` against the shipped ``lu2025-binary``
reference: every one of the 16 mean AUBCs (variant ``lu2025``, as the reference states) must
lie within 3.5 combined standard errors of the published mean.

Slow (640 cells at 40 repetitions: about 20 minutes on 2 idle cores, 35 measured on a shared,
loaded machine): ``tox -e fidelity``. Knobs:
``ALBENCH_FIDELITY_REPS`` (default 40), ``ALBENCH_FIDELITY_JOBS`` (default 2) and
``ALBENCH_FIDELITY_OUT`` (a results parent folder to keep; stored cells are reused, as
``albench run`` resumes). The data folder is ``$ALBENCH_DATA`` or ``<repo>/../shared/data/zhan2021``
(fixture ``zhan2021_data`` of conftest.py); without it the test skips, except under CI
(``$CI`` set), where it fails. The default run checks a sample of the same comparison
(``tests/test_fidelity_sample.py``: three sets, 20 repetitions, sized to catch a shift of 0.01).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.data]

REPO = Path(__file__).resolve().parents[1]
EIGHT = ["appendicitis", "ex8b", "haberman", "heart", "ionosphere", "parkinsons", "sonar", "wdbc"]


def test_zhan2021_example_matches_lu2025(zhan2021_data, tmp_path):
    data = zhan2021_data
    reps = os.environ.get("ALBENCH_FIDELITY_REPS", "40")
    jobs = os.environ.get("ALBENCH_FIDELITY_JOBS", "2")
    out = Path(os.environ.get("ALBENCH_FIDELITY_OUT", tmp_path / "results"))
    run = run_cli(
        "run",
        str(REPO / "examples" / "zhan2021-svm.toml"),
        "--reps",
        reps,
        "--strategies",
        "random,margin",
        "--datasets",
        ",".join(f"zhan2021.{d}" for d in EIGHT),
        "--data-dir",
        str(data),
        "-j",
        jobs,
        "--out",
        str(out),
        "--no-progress",
        env={"COLUMNS": "200"},
        timeout=4 * 3600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    check = run_cli("check", str(out / "zhan2021-svm"), "--reference", "lu2025-binary", "--max-z", "3.5")
    print(check.stdout)  # the 16-row table: pytest -s shows it
    assert "16 group(s) compared" in check.stdout, check.stdout + check.stderr
    assert check.returncode == 0, check.stdout + check.stderr
