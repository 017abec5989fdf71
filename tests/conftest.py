"""Shared fixtures (tiny experiments that run in seconds) and the CI rule: no silent skips.

Under ``$CI`` (any non-empty value, as ``.ci/run`` sets it) a skipped test is reported as a
failure: CI installs every optional dependency (scikit-activeml, Ray, Dask, numba, torch,
chromium) and has the real data, so a skip there means a test that should have run did not.
The only skips CI accepts are listed in :data:`CI_ALLOWED_SKIPS`, each with its reason (the
CHANGELOG lists them too). ``pytest -rs`` shows every skip of a local run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import REPO, TINY_TOML

from albench.datasets.datadir import ENV_VAR as DATA_ENV_VAR

#: Whether the suite runs under CI (the convention of the data and browser tests).
CI = bool(os.environ.get("CI"))

# Ray binds every process of a local instance to the loopback address only when it thinks no
# cluster is possible: ``ray.init(_node_ip_address="127.0.0.1")`` is turned into the host's
# reachable address (ray._private.services.resolve_ip_for_localhost, Ray 2.60). Set before
# any test imports ray; test_runner.py checks the addresses.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

#: Skip reasons CI accepts (a substring of the reason -> why that skip is right in CI).
CI_ALLOWED_SKIPS: dict[str, str] = {
    "has a GPU": "tests of the no-GPU error message; on a machine with a GPU there is no such error to test",
}


def _skip_reason(longrepr) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _ci_refuses(report) -> str | None:
    """The failure message for a skip CI does not accept, or None."""
    if not (CI and report.skipped) or hasattr(report, "wasxfail"):
        return None
    reason = _skip_reason(report.longrepr)
    if any(allowed in reason for allowed in CI_ALLOWED_SKIPS):
        return None
    return (
        f"skipped under $CI ({reason}): CI installs every optional dependency and has the data, "
        "so this test must run there; fix the environment (.ci/run, the test extra), or list the "
        "skip with its reason in tests/conftest.py CI_ALLOWED_SKIPS and CHANGELOG.md"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    message = _ci_refuses(report)
    if message is not None:
        report.outcome = "failed"
        report.longrepr = message
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    message = _ci_refuses(report)  # a module-level importorskip skips the whole file
    if message is not None:
        report.outcome = "failed"
        report.longrepr = message
    return report


@pytest.fixture
def tiny_config(tmp_path: Path) -> Path:
    """A TOML config of 2 datasets x 1 model x 3 strategies x 2 repetitions."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML)
    return path


def zhan2021_dir() -> Path | None:
    """The zhan2021 data folder: ``$ALBENCH_DATA`` or ``<repo>/../shared/data/zhan2021`` (or a
    ``zhan2021/`` folder inside either), None when neither holds the files."""
    candidates = [Path(os.environ[DATA_ENV_VAR])] if os.environ.get(DATA_ENV_VAR) else []
    candidates.append(REPO.parent / "shared" / "data" / "zhan2021")
    for folder in candidates:
        for sub in (folder, folder / "zhan2021"):
            if (sub / "sonar-svmstyle.txt").is_file():
                return sub
    return None


@pytest.fixture(scope="session")
def zhan2021_data() -> Path:
    """The zhan2021 data folder; the test skips without it (a failure under ``$CI``)."""
    folder = zhan2021_dir()
    if folder is None:
        pytest.skip(f"zhan2021 data not found (set ${DATA_ENV_VAR})")
    return folder
