"""The report's files, escaping, incomplete and failed experiments, the CLI."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from albench.cli import main
from albench.errors import AlbenchInputError
from albench.report import build, build_report
from albench.store import ResultStore

from .conftest import NASTY_DATASET, NASTY_STRATEGY


@pytest.fixture(scope="module")
def report(tiny_results, tmp_path_factory):
    return build_report(tiny_results, out=tmp_path_factory.mktemp("reports"), n_boot=200)


def test_files_written(report):
    out = report.out_dir
    assert out.name == "tiny"
    assert (out / "index.html").is_file() and (out / "report.md").is_file()
    names = {f.name for f in report.figures}
    assert {"aubc_heatmap", "critical_difference", "rank_distribution", "query_time"} <= names
    assert sum(n.startswith("learning_curves_") for n in names) == 2
    for f in report.all_figures:
        assert f.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f.svg.read_text().lstrip().startswith("<?xml")
    md = (out / "report.md").read_text()
    for link in re.findall(r"\]\((figures/[^)]+|tables/[^)]+)\)", md):
        assert (out / link).is_file(), link
    tables = {t.name for t in report.tables}
    assert {"ranking", "aubc_mean", "summary", "paired_tests", "friedman", "nemenyi"} <= tables
    for t in tables:
        assert not pd.read_csv(out / "tables" / f"{t}.csv").empty
        tex = (out / "tables" / f"{t}.tex").read_text()
        assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex


def test_html_self_contained(report):
    page = (report.out_dir / "index.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, re.I)
    assert "@import" not in page and "url(" not in page
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]*)"', page)
    assert len(srcs) == len(report.all_figures) and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "Content-Security-Policy" in page
    assert 'class="sortable"' in page


def test_names_escaped_everywhere(report):
    page = (report.out_dir / "index.html").read_text()
    # exactly one script element: ours
    assert len(re.findall(r"<script", page, re.I)) == 1
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;ds&quot;)&lt;/script&gt;" in page
    md = (report.out_dir / "report.md").read_text()
    prose, _, config = md.partition("````json")  # the config is a fenced code block: shown literally
    assert "<script" not in prose and "<img" not in prose
    assert "&lt;script&gt;" in prose
    assert "````" in config and "<script" not in config.split("````")[1].replace("<script>alert", "")
    tex = (report.out_dir / "tables" / "summary.tex").read_text()
    assert "\\textless{}script\\textgreater{}" in tex and "m\\$x\\$" in tex
    csv = pd.read_csv(report.out_dir / "tables" / "summary.csv")
    assert {NASTY_DATASET, "wine"} == set(csv["dataset"]) and NASTY_STRATEGY in set(csv["strategy"])
    # file names of figures never carry user text unsanitised
    for f in report.all_figures:
        assert re.fullmatch(r"[A-Za-z0-9._-]+", f.png.name)


def test_complete_report_has_no_banner(report):
    page = (report.out_dir / "index.html").read_text()
    assert "Incomplete experiment" not in page and 'class="banner' not in page
    assert report.done and not report.missing and not report.failed


def test_incomplete_experiment(incomplete_results, tmp_path):
    data = build_report(incomplete_results, out=tmp_path, n_boot=50, figure_formats=())
    assert data.incomplete and len(data.missing) == 3
    page = (data.out_dir / "index.html").read_text()
    assert "Incomplete experiment: 3 of 12 cells have no result" in page
    assert 'id="missing"' in page
    assert "Incomplete experiment" in (data.out_dir / "report.md").read_text()


def test_failed_cells(failed_report):
    data = failed_report
    assert len(data.failed) == 2 and not data.missing
    page = (data.out_dir / "index.html").read_text()
    assert "2 of 12 cells failed" in page and 'id="failed"' in page
    assert "ValueError: exploded on &lt;script&gt;alert(&quot;tb&quot;)&lt;/script&gt;" in page
    assert len(re.findall(r"<script", page, re.I)) == 1
    prose = (data.out_dir / "report.md").read_text().partition("````json")[0]
    assert "## Failed cells (2)" in prose and "<script" not in prose


def test_nothing_stored_yet(tiny_results, tmp_path):
    root = tmp_path / "tiny"
    shutil.copytree(tiny_results, root)
    store = ResultStore(root)
    for key in store.stored_keys():
        store.remove_cell(key)
    data = build_report(root, out=tmp_path / "r")
    assert data.incomplete and not data.figures
    assert "Incomplete experiment: 12 of 12" in (data.out_dir / "index.html").read_text()


def test_ceiling_line_and_labels_to_target(tiny_results, tmp_path, monkeypatch):
    df = pd.read_parquet(next((tiny_results / "cells").glob("*.parquet")))
    assert not df.empty
    rows = [
        {"dataset": d, "model": "logistic_regression", "repetition": r, "n_labeled": 100, "accuracy": 0.9}
        for d in (NASTY_DATASET, "wine")
        for r in (0, 1)
    ]
    monkeypatch.setattr(build, "load_ceiling", lambda path: pd.DataFrame(rows))
    data = build_report(tiny_results, out=tmp_path, n_boot=50, figure_formats=())
    assert data.has_ceiling
    assert "ceiling" in {t.name for t in data.tables}
    assert "full-data ceiling" in data.figures[0].caption
    summary = pd.read_csv(data.out_dir / "tables" / "summary.csv")
    assert summary["reached"].sum() > 0


def test_stored_ceiling_reaches_the_report(tiny_results, tmp_path):
    from albench.store import load_ceiling

    ceiling = load_ceiling(tiny_results)
    assert len(ceiling) == 2 * 1 * 2  # datasets x models x repetitions
    data = build_report(tiny_results, out=tmp_path, n_boot=50, figure_formats=())
    assert data.has_ceiling
    table = pd.read_csv(data.out_dir / "tables" / "ceiling.csv")
    wine = table[table.iloc[:, 0] == "wine"]
    assert not wine.empty
    expected = ceiling[ceiling["dataset"] == "wine"]["accuracy"].mean()
    assert any(abs(v - expected) < 1e-3 for v in wine.select_dtypes("number").to_numpy().ravel())


def test_metric_and_variant_choices(tiny_results, tmp_path):
    metric, variant = "log_loss", "zhan2021"
    data = build_report(tiny_results, out=tmp_path, metric=metric, aubc_variant=variant, figure_formats=())
    assert data.metric == metric and data.variant == variant
    assert f"<b>{metric}</b>" in (data.out_dir / "index.html").read_text()


def test_bad_input(tiny_results, tmp_path):
    with pytest.raises(AlbenchInputError, match="available: accuracy, balanced_accuracy, f1_macro, log_loss"):
        build_report(tiny_results, out=tmp_path, metric="auc")
    with pytest.raises(AlbenchInputError, match="known: .*trapezoid"):
        build_report(tiny_results, out=tmp_path, aubc_variant="simpson")
    with pytest.raises(AlbenchInputError, match="not found"):
        build_report(tmp_path / "nope", out=tmp_path)
    with pytest.raises(AlbenchInputError, match="not an albench results folder"):
        build_report(tmp_path, out=tmp_path)


def test_cli_report(tiny_results, tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["report", str(tiny_results), "--out", str(tmp_path), "--metric", "accuracy"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "tiny" / "index.html").is_file()
    res = runner.invoke(main, ["report", str(tiny_results), "--out", str(tmp_path), "--metric", "auc"])
    assert res.exit_code == 2
    assert "available: accuracy" in res.output
    res = runner.invoke(main, ["report", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "not found" in res.output


def test_cli_run_report(tmp_path, monkeypatch):
    import json

    cfg = tmp_path / "mini.toml"
    cfg.write_text(
        'name = "mini"\nrepetitions = 1\n[protocol]\ninitial_size = 12\nbatch_size = 10\nbudget = 10\n'
        '[grid]\ndatasets = ["iris"]\nmodels = ["gaussian_nb"]\n'
        'strategies = ["random", "margin", "entropy"]\n'
    )
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["run", str(cfg), "--out", "res", "--report", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "reports" / "mini" / "index.html").is_file()
    assert json.loads((tmp_path / "res" / "mini" / "manifest.json").read_text())["experiment"] == "mini"


def test_a_single_strategy_has_a_report(tmp_path):
    """One strategy alone has nothing to pair with: the report says so instead of failing."""
    from albench.config import parse_config
    from albench.runner import run_experiment

    from .conftest import tiny_config

    raw = tiny_config("alone")
    raw["grid"] = {"datasets": ["iris"], "models": ["logistic_regression"], "strategies": ["margin"]}
    summary = run_experiment(parse_config(raw, source="<test>"), out=tmp_path, n_jobs=1, backend="sequential")
    data = build_report(summary.results_dir, out=tmp_path / "r", n_boot=50, figure_formats=())
    assert data.strategies == ["margin"] and not data.incomplete
    markdown = (data.out_dir / "report.md").read_text()
    assert "No strategy named 'random'" in markdown
    assert "| iris | logistic\\_regression | oracle | margin | 2 |" in markdown


def test_oracle_strategies_are_marked_wherever_the_report_names_them(tmp_path):
    """An oracle strategy (reads ground truth) is recorded as such in the manifest and shown marked."""
    import json

    from albench.config import parse_config
    from albench.runner import run_experiment

    from .conftest import tiny_config

    raw = tiny_config("oracles")
    raw["protocol"] = {"test_fraction": 0.25, "initial_size": 12, "batch_size": 2, "budget": 4}
    raw["grid"] = {
        "datasets": ["iris"],
        "models": ["gaussian_nb"],
        "strategies": ["random", {"name": "bso", "num_beam": 1, "horizon": 2}],
    }
    summary = run_experiment(parse_config(raw, source="<test>"), out=tmp_path, n_jobs=1, backend="sequential")
    manifest = json.loads((summary.results_dir / "manifest.json").read_text())
    flags = {v["strategy"]: v.get("oracle", False) for v in manifest["cell_index"].values()}
    oracle_label = "bso(horizon=2, num_beam=1)"
    assert flags == {"random": False, oracle_label: True}
    data = build_report(summary.results_dir, out=tmp_path / "r", n_boot=50, figure_formats=())
    marked = f"{oracle_label} (oracle)"
    assert set(data.strategies) == {"random", marked}
    markdown = (data.out_dir / "report.md").read_text()
    assert "(oracle)" in markdown and "upper references" in markdown
    # every table row naming the oracle names it marked
    rows = [line for line in markdown.splitlines() if line.startswith("|") and "bso" in line]
    assert rows and all("(oracle)" in line for line in rows)
    html = (data.out_dir / "index.html").read_text()
    assert "(oracle)" in html
