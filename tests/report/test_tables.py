"""Table renderers escape everything and produce booktabs LaTeX."""

import pandas as pd

from albench.report.tables import (
    ReportTable,
    TCell,
    md_escape,
    num,
    tex_escape,
    to_html,
    to_latex,
    to_markdown,
)


def _table() -> ReportTable:
    return ReportTable(
        "t",
        "A & B",
        "desc",
        ["name", "value"],
        [[TCell('<b>"x"</b> | _y_'), num(0.12345, 3, bold=True)], [TCell("plain"), num(float("nan"))]],
        pd.DataFrame({"name": ["a"], "value": [1.0]}),
        numeric={1},
    )


def test_html_escapes_and_sort_keys():
    out = to_html(_table(), "id1")
    assert "<b>" not in out and "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in out
    assert 'data-sort="0.12345"' in out and "<strong>0.123</strong>" in out
    assert '<td class="num">-</td>' in out  # NaN: no sort key, shown as "-"


def test_markdown_escapes_pipes_and_html():
    out = to_markdown(_table())
    lines = out.splitlines()
    assert lines[1] == "|:---|---:|"
    assert "\\|" in lines[2] and "&lt;b&gt;" in lines[2] and "\\_y\\_" in lines[2]
    assert "**0.123**" in lines[2]
    assert md_escape("a\nb") == "a b"


def test_latex_booktabs():
    out = to_latex(_table())
    assert "\\begin{tabular}{lr}" in out
    assert out.index("\\toprule") < out.index("\\midrule") < out.index("\\bottomrule")
    assert "\\textbf{0.123}" in out
    assert tex_escape("50% of $x_1$ & {y}~^\\") == (
        "50\\% of \\$x\\_1\\$ \\& \\{y\\}\\textasciitilde{}\\textasciicircum{}\\textbackslash{}"
    )
