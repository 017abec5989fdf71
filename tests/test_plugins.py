"""Plugins: provenance in cell keys and the manifest, verify loading them, broken plugins."""

from __future__ import annotations

import json
import shutil
from importlib import metadata

import pytest
from cli_helpers import run_cli

import albench.plugins as plugins
from albench.components import ComponentSpec
from albench.config import parse_config
from albench.errors import AlbenchInputError
from albench.grid import expand_grid
from albench.registry import BROKEN_PLUGINS, STRATEGIES, Registry, registering_from

CONFIG = """
name = "prov"
seed = 3
repetitions = 2

[protocol]
test_fraction = 0.3
initial_size = 6
batch_size = 4
budget = 8

[grid]
datasets = ["iris"]
models = ["logistic_regression"]
strategies = ["random", "lowest_positions"]
"""

PLUGIN_V1 = """
from albench import register_strategy
from albench.strategies.base import Strategy


@register_strategy("lowest_positions", description="the lowest positions of the pool")
class LowestPositions(Strategy):
    def query(self, ctx, batch_size, rng):
        return ctx.pool[:batch_size]
"""

PLUGIN_V2 = PLUGIN_V1.replace("ctx.pool[:batch_size]", "ctx.pool[::-1][:batch_size]")


def _manifest(folder):
    return json.loads((folder / "manifest.json").read_text())


def test_editing_a_plugin_file_reruns_exactly_its_cells_and_verify_loads_it(tmp_path):
    config = tmp_path / "prov.toml"
    config.write_text(CONFIG)
    plugin = tmp_path / "my_strategy.py"
    plugin.write_text(PLUGIN_V1)
    out = tmp_path / "res"
    args = ("run", str(config), "--plugin", str(plugin), "--out", str(out), "--no-progress")
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    man1 = _manifest(out / "prov")
    recorded = man1["plugin_provenance"]["files"]
    assert recorded == [{"path": str(plugin.resolve()), "sha256": plugins.file_sha256(plugin)}]

    plugin.write_text(PLUGIN_V2)
    second = run_cli(*args)
    assert second.returncode == 0, second.stderr
    # 2 repetitions: the random cells are kept, the plugin's two cells run again
    assert "ran 2 cell(s), skipped 2" in second.stderr
    man2 = _manifest(out / "prov")
    assert man2["plugin_provenance"]["files"][0]["sha256"] == plugins.file_sha256(plugin)
    index1, index2 = man1["cell_index"], man2["cell_index"]
    random1 = {k for k, c in index1.items() if c["strategy"] == "random"}
    random2 = {k for k, c in index2.items() if c["strategy"] == "random"}
    plugin1 = set(index1) - random1
    plugin2 = set(index2) - random2
    assert random1 == random2 and len(plugin1) == 2 and not plugin1 & plugin2

    # verify loads the recorded plugin by itself (no --plugin) and -j works
    verify = run_cli("verify", str(out / "prov"), "--sample", "4", "-j", "2")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "4 of 4 re-run cell(s) identical" in verify.stdout

    # the file moved: verify names it and says how to pass it
    moved = tmp_path / "elsewhere.py"
    shutil.move(plugin, moved)
    missing = run_cli("verify", str(out / "prov"))
    assert missing.returncode == 2
    assert "my_strategy.py" in missing.stderr and "missing" in missing.stderr
    assert "--plugin" in missing.stderr
    again = run_cli("verify", str(out / "prov"), "--sample", "4", "--plugin", str(moved))
    assert again.returncode == 0 and "4 of 4" in again.stdout, again.stdout + again.stderr

    # a copy of another version is refused, naming the change
    moved.write_text(PLUGIN_V1)
    shutil.copy(moved, plugin)
    changed = run_cli("verify", str(out / "prov"))
    assert changed.returncode == 2 and "changed since the run" in changed.stderr


def test_builtin_components_carry_no_origin_and_plugin_ones_do():
    exp = parse_config(
        {
            "grid": {"datasets": ["iris"], "models": ["logistic_regression"], "strategies": ["margin"]},
            "protocol": {"budget": 10},
        }
    )
    for cell in expand_grid(exp):
        for part in ("dataset", "model", "strategy", "labeler"):
            assert "origin" not in cell.spec()[part]

    class Dummy:
        needs = frozenset()

        def query(self, ctx, batch_size, rng):  # pragma: no cover - never run
            return ctx.pool[:batch_size]

    with registering_from({"sha256": "ab" * 32}):
        STRATEGIES.add("_prov_dummy", Dummy, description="test")
    try:
        spec = ComponentSpec("strategy", "_prov_dummy", {}, {}, "_prov_dummy")
        assert spec.identity()["origin"] == {"sha256": "ab" * 32}
        # the key changes with the origin alone
        STRATEGIES.add("_prov_dummy", Dummy, description="test", origin={"sha256": "cd" * 32}, replace=True)
        assert spec.identity()["origin"] == {"sha256": "cd" * 32}
    finally:
        STRATEGIES._entries.pop("_prov_dummy")


def test_registering_from_sets_and_restores_the_origin():
    reg = Registry("widget")
    with registering_from({"distribution": "pkg", "version": "1.0"}):
        a = reg.add("a", object(), description="a")
    b = reg.add("b", object(), description="b")
    assert a.origin == {"distribution": "pkg", "version": "1.0"} and b.origin is None


def test_syntax_error_plugin_is_listed_as_unavailable_with_file_and_line(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(PLUGIN_V1)
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\ndef broken(:\n")
    proc = run_cli("list", "strategies", "--plugin", str(bad), "--plugin", str(good), "--format", "plain")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.startswith("strategies\tlowest_positions\tavailable") for line in lines)
    broken = [line for line in lines if line.startswith("plugins\tbad.py\tunavailable")]
    assert len(broken) == 1 and f"{bad.resolve()}:2" in broken[0] and "SyntaxError" in broken[0]
    # a run given the broken file fails up front, naming file and line, and writes nothing
    config = tmp_path / "prov.toml"
    config.write_text(CONFIG)
    run = run_cli("run", str(config), "--plugin", str(bad), "--out", str(tmp_path / "res"))
    assert run.returncode == 2 and "bad.py" in run.stderr and ":2:" in run.stderr
    assert not (tmp_path / "res").exists()


def test_runtime_error_in_plugin_names_its_line(tmp_path):
    bad = tmp_path / "raises.py"
    bad.write_text("import math\n\nmath.sqrt(-1)\n")
    with pytest.raises(AlbenchInputError, match=r"raises\.py:3: ValueError: math domain error"):
        plugins.load_plugin_file(bad)
    BROKEN_PLUGINS.pop("raises.py", None)


class _FakeDist:
    def __init__(self, name, version):
        self.metadata = {"Name": name}
        self.version = version


class _FakeEntryPoint:
    def __init__(self, name, value, target, dist):
        self.name, self.value, self._target, self.dist = name, value, target, dist

    def load(self):
        return self._target()


def test_broken_entry_point_is_recorded_once_not_as_a_row_of_every_registry(monkeypatch):
    def good_target():
        def register():
            STRATEGIES.add("_ep_strategy", _EpStrategy, description="from an entry point")

        return register

    def bad_target():
        raise ImportError("No module named 'gpu_lib'")

    eps = [
        _FakeEntryPoint("good", "good_pkg:register", good_target, _FakeDist("good-pkg", "1.2.3")),
        _FakeEntryPoint("bad", "bad_pkg", bad_target, _FakeDist("bad-pkg", "0.1")),
    ]
    monkeypatch.setattr(plugins, "_entry_points_loaded", False)
    monkeypatch.setattr(plugins, "_loaded_entry_points", {})
    monkeypatch.setattr(metadata, "entry_points", lambda group: eps)
    try:
        plugins.load_entry_points()
        assert STRATEGIES.get("_ep_strategy").origin == {"distribution": "good-pkg", "version": "1.2.3"}
        assert "entry point bad" in BROKEN_PLUGINS
        assert "gpu_lib" in BROKEN_PLUGINS["entry point bad"]
        assert "bad" not in STRATEGIES.unavailable
        # a config naming an unknown component hears about the broken plugin
        with pytest.raises(AlbenchInputError, match="plugins that failed to load: entry point bad"):
            STRATEGIES.get("gpu_strategy")
        prov = plugins.provenance(())
        assert prov["entry_points"] == [
            {
                "entry_point": "good",
                "value": "good_pkg:register",
                "distribution": "good-pkg",
                "version": "1.2.3",
            }
        ]
        # verify asks for the recorded package version
        with pytest.raises(AlbenchInputError, match="pip install 'good-pkg==1.2.3'"):
            plugins.load_recorded({"plugin_provenance": prov})
    finally:
        STRATEGIES._entries.pop("_ep_strategy", None)
        BROKEN_PLUGINS.pop("entry point bad", None)


class _EpStrategy:
    needs = frozenset()

    def query(self, ctx, batch_size, rng):  # pragma: no cover - never run
        return ctx.pool[:batch_size]


def test_needs_typo_fails_at_registration_listing_allowed_values():
    class Typo:
        needs = frozenset({"probability"})

        def query(self, ctx, batch_size, rng):  # pragma: no cover - never run
            return ctx.pool[:batch_size]

    with pytest.raises(AlbenchInputError) as exc:
        STRATEGIES.add("_typo", Typo, description="typo")
    msg = str(exc.value)
    assert "'probability'" in msg and "'proba' (PROBA)" in msg and "'decision' (DECISION)" in msg
    assert "_typo" not in STRATEGIES

    class NotASet:
        needs = "proba"

        def query(self, ctx, batch_size, rng):  # pragma: no cover - never run
            return ctx.pool[:batch_size]

    with pytest.raises(AlbenchInputError, match="must be a set of strings"):
        STRATEGIES.add("_not_a_set", NotASet, description="str")
