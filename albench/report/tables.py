"""Report tables: one model, rendered as HTML, Markdown, LaTeX (booktabs) and CSV.

A :class:`ReportTable` holds display cells (text, a numeric sort key, a bold flag) for the
human-facing formats and the raw numbers (``raw``) for CSV. Renderers escape every string.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class TCell:
    """One displayed cell."""

    text: str
    sort: float | str | None = None
    bold: bool = False


@dataclass
class ReportTable:
    """A table of the report.

    Attributes
    ----------
    name : str
        File stem of its CSV and LaTeX files (safe characters only).
    title, description : str
        Heading and one-paragraph explanation.
    columns : list of str
        Header.
    rows : list of list of TCell
        Displayed rows.
    raw : DataFrame
        The numbers behind the table, written as CSV.
    numeric : set of int
        Indices of right-aligned (numeric) columns.
    """

    name: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[TCell]]
    raw: pd.DataFrame
    numeric: set[int] = field(default_factory=set)


def fmt(value: float | None, digits: int = 3) -> str:
    """A float with ``digits`` decimals; ``-`` for NaN/None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def fmt_p(p: float | None) -> str:
    """A p-value: 3 significant digits, ``<0.001`` below 0.001."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3g}"


def num(value: float | None, digits: int = 3, bold: bool = False) -> TCell:
    """A numeric cell that sorts by its value (NaN sorts last)."""
    v = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    return TCell(fmt(v, digits), v, bold)


def txt(value: object, bold: bool = False) -> TCell:
    """A text cell."""
    return TCell(str(value), str(value), bold)


# ------------------------------------------------------------------------------------ HTML
def to_html(table: ReportTable, table_id: str) -> str:
    """A sortable ``<table>`` (sorting by the inline script of :mod:`albench.report.html`)."""
    e = html.escape
    head = "".join(
        f'<th scope="col"{" class=num" if i in table.numeric else ""} tabindex="0">{e(c)}</th>'
        for i, c in enumerate(table.columns)
    )
    body = []
    for row in table.rows:
        tds = []
        for i, c in enumerate(row):
            attrs = ""
            if c.sort is not None:
                attrs += f' data-sort="{e(str(c.sort))}"'
            if i in table.numeric:
                attrs += ' class="num"'
            content = f"<strong>{e(c.text)}</strong>" if c.bold else e(c.text)
            tds.append(f"<td{attrs}>{content}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return (
        f'<table class="sortable" id="{e(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


# -------------------------------------------------------------------------------- Markdown
_MD_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "*": "\\*",
        "_": "\\_",
        "`": "\\`",
        "[": "\\[",
        "]": "\\]",
        "#": "\\#",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        "\n": " ",
        "\r": " ",
    }
)


def md_escape(s: object) -> str:
    """Escape text for a Markdown paragraph or table cell (no raw HTML, no emphasis, no pipes)."""
    return str(s).translate(_MD_SPECIAL)


def to_markdown(table: ReportTable) -> str:
    """A GitHub-flavoured Markdown pipe table."""
    head = "| " + " | ".join(md_escape(c) for c in table.columns) + " |"
    sep = "|" + "|".join("---:" if i in table.numeric else ":---" for i in range(len(table.columns))) + "|"
    lines = [head, sep]
    for row in table.rows:
        cells = [f"**{md_escape(c.text)}**" if c.bold else md_escape(c.text) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- LaTeX
_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def tex_escape(s: object) -> str:
    """Escape LaTeX's special characters."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(s).replace("\n", " "))


def to_latex(table: ReportTable) -> str:
    """A booktabs ``tabular`` (needs ``\\usepackage{booktabs}``), best values in bold."""
    spec = "".join("r" if i in table.numeric else "l" for i in range(len(table.columns)))
    lines = [
        f"% {tex_escape(table.title)} -- generated by albench; needs \\usepackage{{booktabs}}",
        f"\\begin{{tabular}}{{{spec}}}",
        "\\toprule",
        " & ".join(tex_escape(c) for c in table.columns) + r" \\",
        "\\midrule",
    ]
    for row in table.rows:
        cells = [f"\\textbf{{{tex_escape(c.text)}}}" if c.bold else tex_escape(c.text) for c in row]
        lines.append(" & ".join(cells) + r" \\")
    lines += ["\\bottomrule", "\\end{tabular}", ""]
    return "\n".join(lines)


def write_table_files(table: ReportTable, directory: Path) -> dict[str, Path]:
    """Write ``<name>.csv`` (the raw numbers) and ``<name>.tex`` (booktabs) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, tex_path = directory / f"{table.name}.csv", directory / f"{table.name}.tex"
    table.raw.to_csv(csv_path, index=False)
    tex_path.write_text(to_latex(table), encoding="utf-8")
    return {"csv": csv_path, "tex": tex_path}
