"""The stopping and query-insight sections: shown in HTML and Markdown, figures as PNG and SVG."""

from __future__ import annotations

import pytest

from albench.report import build_report
from tests.report.conftest import STOPPING_CRITERIA


@pytest.fixture(scope="module")
def stopping_report(stopping_results, tmp_path_factory):
    return build_report(stopping_results, out=tmp_path_factory.mktemp("stopping-report"), n_boot=50)


@pytest.fixture(scope="module")
def plain_report(tiny_results, tmp_path_factory):
    return build_report(
        tiny_results, out=tmp_path_factory.mktemp("plain-report"), n_boot=50, figure_formats=("png",)
    )


def sections(report):
    return {s.id: s for s in report.sections}


def test_without_stop_columns_the_stopping_section_is_only_a_note(plain_report):
    sec = sections(plain_report)["stopping"]
    assert sec.figures == [] and sec.tables == []
    assert "record no stopping criteria" in sec.notes[0]
    page = (plain_report.out_dir / "index.html").read_text(encoding="utf-8")
    assert '<section id="stopping">' in page and "record no stopping criteria" in page
    md = (plain_report.out_dir / "report.md").read_text(encoding="utf-8")
    assert "## Stopping criteria" in md and "record no stopping criteria" in md


def test_insight_section_works_on_results_without_stop_columns(plain_report):
    sec = sections(plain_report)["insight"]
    names = [f.name for f in sec.figures]
    assert {"insight_overlap", "insight_class_mix", "insight_geometry"} <= set(names)
    assert sum(n.startswith("insight_pca_") for n in names) == 2  # one per dataset
    pca_titles = [f.title for f in sec.figures if f.name.startswith("insight_pca_")]
    assert all("labeler" not in t for t in pca_titles)  # a single labeler is not named
    assert [t.name for t in sec.tables] == ["insight_means", "insight_claims"]
    claims = sec.tables[1].raw
    # 3 strategies: 3 pairs per metric; 2 repetitions x 2 datasets = 4 blocks, never significant
    assert (claims.groupby("metric").size() == 3).all()
    assert set(claims["claim"]) == {"no difference shown"}
    page = (plain_report.out_dir / "index.html").read_text(encoding="utf-8")
    assert '<section id="insight">' in page and 'href="#insight"' in page
    for n in names:
        assert (plain_report.out_dir / "figures" / f"{n}.png").is_file()
    assert (plain_report.out_dir / "tables" / "insight_claims.csv").is_file()


def test_stopping_section_with_recorded_criteria(stopping_report):
    sec = sections(stopping_report)["stopping"]
    assert [f.name for f in sec.figures] == [
        "stopping_points",
        "stopping_on_cost",
        "stopping_critical_difference",
    ]
    table = sec.tables[0]
    assert set(table.raw["criterion"]) == set(STOPPING_CRITERIA)
    # the full-budget baseline stops at the full budget, with zero distance to it
    fb = table.raw.set_index("criterion").loc["fixed_budget"]
    assert fb["metric_at_stop"] == pytest.approx(fb["metric_full"])
    assert fb["fired_share"] == 1.0
    assert any("Closest to the cost-optimal point" in n for n in sec.notes)
    for f in sec.figures:
        assert f.png.is_file() and f.svg.is_file()
        assert f.svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    md = (stopping_report.out_dir / "report.md").read_text(encoding="utf-8")
    assert "![Where the criteria stop](figures/stopping_points.png)" in md
    assert "tables/stopping_criteria.csv" in md
    assert (stopping_report.out_dir / "tables" / "stopping_criteria.tex").is_file()


def test_cli_cost_flags_reach_the_stopping_section(stopping_results, tmp_path):
    """``albench report --label-cost/--misclassification-cost/--lifetime`` set the cost score."""
    import pandas as pd
    from click.testing import CliRunner

    from albench.cli import main

    runner = CliRunner()

    def excess(out, *flags):
        res = runner.invoke(main, ["report", str(stopping_results), "--out", str(out), *flags])
        assert res.exit_code == 0, res.output
        folder = out / stopping_results.name
        table = pd.read_csv(folder / "tables" / "stopping_criteria.csv")
        return (folder / "report.md").read_text(encoding="utf-8"), table

    md_default, default = excess(tmp_path / "default")
    assert "label\\_cost = 1, misclassification\\_cost = 1, lifetime = 10000 predictions" in md_default
    md_costly, costly = excess(tmp_path / "costly", "--label-cost", "7", "--lifetime", "500")
    assert "label\\_cost = 7, misclassification\\_cost = 1, lifetime = 500 predictions" in md_costly
    assert not default.equals(costly)
    res = runner.invoke(main, ["report", str(stopping_results), "--out", str(tmp_path), "--lifetime", "-3"])
    assert res.exit_code == 2 and "--lifetime" in res.output


def test_each_labelers_first_queries_figure_names_the_labeler(tmp_path):
    from albench.config import parse_config
    from albench.runner import run_experiment

    raw = {
        "name": "two-labelers",
        "seed": 0,
        "repetitions": 1,
        "protocol": {"test_fraction": 0.25, "initial_size": 12, "batch_size": 10, "budget": 20},
        "grid": {
            "datasets": ["iris"],
            "models": ["logistic_regression"],
            "strategies": ["random", "margin"],
            "labelers": ["oracle", {"name": "noisy", "noise_rate": 0.2}],
        },
    }
    summary = run_experiment(parse_config(raw, source="<test>"), out=tmp_path, n_jobs=1, backend="sequential")
    report = build_report(summary.results_dir, out=tmp_path / "report", n_boot=20, figure_formats=("png",))
    titles = sorted(f.title for f in sections(report)["insight"].figures if f.name.startswith("insight_pca_"))
    assert len(titles) == 2 and len(set(titles)) == 2
    assert titles[0].startswith("First queries in 2-D: iris, labeler ")
