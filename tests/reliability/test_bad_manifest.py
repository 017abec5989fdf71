"""A manifest that is not JSON, ``{}``, or of another format version is refused by every
command with a one-line message (exit 2), and nothing is overwritten."""

from __future__ import annotations

import json

import pytest
from cli_helpers import run_cli
from probes import config_text

import albench
from albench.errors import AlbenchInputError
from albench.formats import RESULT_FORMAT_VERSION


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("manifest")
    config = root / "probe.toml"
    config.write_text(config_text('["random"]'))
    proc = run_cli("run", str(config), "--out", str(root / "res"), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    return config, root / "res" / "probe"


def _with_version(manifest: str) -> str:
    doc = json.loads(manifest)
    doc["format_version"] = 999
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda m: "{ not json", "not JSON"),
        (
            lambda m: "{}",
            "not a valid albench manifest (no 'format_version', 'experiment', 'config', 'cells')",
        ),
        (lambda m: "[1, 2]", "a JSON object is expected"),
        (_with_version, f"results format version 999, this albench reads version {RESULT_FORMAT_VERSION}"),
    ],
    ids=["not-json", "empty-object", "list", "version-999"],
)
def test_every_command_refuses_a_bad_manifest(results, tmp_path, damage, message):
    config, folder = results
    path = folder / "manifest.json"
    good = path.read_text()
    try:
        path.write_text(damage(good))
        bad = path.read_text()
        commands = [
            ("status", str(folder)),
            ("report", str(folder), "--out", str(tmp_path / "rep")),
            ("verify", str(folder)),
            ("run", str(config), "--out", str(folder.parent), "--no-progress"),
        ]
        for args in commands:
            proc = run_cli(*args)
            assert proc.returncode == 2, (args, proc.stderr)
            line = proc.stderr.strip().replace("\n", " ")
            assert message in line and str(path) in line, (args, line)
            assert len(proc.stderr.strip().splitlines()) <= 2  # one line (wrapped at most once)
            assert "Traceback" not in proc.stderr
        assert path.read_text() == bad  # the refusing run wrote nothing
        assert not (tmp_path / "rep").exists()
        with pytest.raises(AlbenchInputError, match="manifest|format version"):
            albench.load_results(folder)
    finally:
        path.write_text(good)
