"""The self-contained HTML report: one file, figures inline, no external fetches.

Everything user-provided (experiment, dataset, model and strategy names, config values,
tracebacks) goes through :func:`html.escape`. A Content-Security-Policy meta tag forbids any
fetch other than inline ``data:`` images, so a stray URL cannot leak out of the page. Tables
sort by a click on their header (a few lines of inline JavaScript).
"""

from __future__ import annotations

import base64
import html
import json

from albench.report.data import ReportData, ReportSection
from albench.report.gallery_render import gallery_html
from albench.report.tables import to_html

_CSS = """
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --warn: #fff4e5; --warnline: #f0a030;
        --bad: #fdecea; --badline: #d93025; --accent: #1a5fb4; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0 auto; padding: 1.2rem 2rem 4rem; max-width: 1400px; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid var(--line); }
h3 { margin: 1.6rem 0 .4rem; } .meta { color: var(--muted); margin: 0; }
.banner { padding: .7rem 1rem; border-left: 5px solid; margin: .8rem 0; border-radius: 3px; }
.banner.warn { background: var(--warn); border-color: var(--warnline); }
.banner.bad { background: var(--bad); border-color: var(--badline); }
nav ul { columns: 3; list-style: none; padding: 0; } nav a { color: var(--accent); }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); max-width: 70rem; }
.tablewrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f5f7; position: sticky; top: 0; }
table.sortable th { cursor: pointer; user-select: none; white-space: nowrap; }
table.sortable th::after { content: " \\2195"; color: #aaa; font-size: .8em; }
table.sortable th[aria-sort=ascending]::after { content: " \\2191"; color: var(--fg); }
table.sortable th[aria-sort=descending]::after { content: " \\2193"; color: var(--fg); }
.num { text-align: right; } .desc { color: var(--muted); max-width: 70rem; }
.files { font-size: .85em; color: var(--muted); }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; border: 1px solid var(--line); font-size: 12px; }
details { margin: .3rem 0; } summary { cursor: pointer; }
.counts td:first-child { font-weight: 600; }
.gallery { display: flex; flex-wrap: wrap; gap: .5rem; margin: .3rem 0 1rem; }
figure.thumb { margin: 0; width: 7.5rem; font-size: .78em; color: var(--muted); overflow-wrap: anywhere; }
figure.thumb.audio { width: 11rem; }
figure.thumb img { display: block; border: 1px solid var(--line); image-rendering: pixelated; }
figure.thumb.image img { width: 56px; height: auto; } figure.thumb.audio img { width: 160px; height: 48px; }
table.gallery-text td:last-child { max-width: 60rem; }
"""

_JS = """
(function () {
  function val(td) {
    var s = td.getAttribute('data-sort');
    if (s === null) { s = td.textContent; }
    s = s.trim();
    if (s === '' || s === '-' || s === 'nan' || s === 'None') { return { missing: true }; }
    var n = Number(s);
    return isFinite(n) ? { num: n } : { str: s };
  }
  function cmp(a, b, asc) {
    if (a.missing || b.missing) { return (a.missing ? 1 : 0) - (b.missing ? 1 : 0); }
    var d;
    if (a.num !== undefined && b.num !== undefined) { d = a.num - b.num; }
    else {
      var sa = String(a.num !== undefined ? a.num : a.str), sb = String(b.num !== undefined ? b.num : b.str);
      d = sa.localeCompare(sb);
    }
    return asc ? d : -d;
  }
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (table) {
    var ths = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, col) {
      function sort() {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(ths, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var keyed = rows.map(function (r) { return [val(r.cells[col]), r]; });
        keyed.sort(function (x, y) { return cmp(x[0], y[0], asc); });
        keyed.forEach(function (k) { body.appendChild(k[1]); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
      });
    });
  });
})();
"""

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def _kv_table(pairs: list[tuple[str, object]], table_id: str) -> str:
    e = html.escape
    rows = "".join(f"<tr><td>{e(str(k))}</td><td>{e(str(v))}</td></tr>" for k, v in pairs)
    return (
        f'<table class="sortable" id="{table_id}"><thead><tr><th>name</th><th>value</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def banners(data: ReportData) -> list[tuple[str, str]]:
    """(css class, plain text) of the warnings shown at the top of the report."""
    out = []
    if data.incomplete:
        out.append(
            (
                "warn",
                f"Incomplete experiment: {len(data.missing)} of {data.n_cells} cells have no result yet "
                f"(neither stored nor failed). Figures and statistics use the {len(data.done)} stored "
                f"cell(s) only. Resume with: albench run <config> (stored cells are skipped).",
            )
        )
    if data.failed:
        out.append(
            (
                "bad",
                f"{len(data.failed)} of {data.n_cells} cells failed; they are left out of every figure and "
                "statistic. Their errors are listed under 'Failed cells'.",
            )
        )
    return out


def _figure_html(f) -> str:
    e = html.escape
    b64 = base64.b64encode(f.png_bytes).decode("ascii")
    return (
        f'<figure id="fig-{e(f.name)}"><h3>{e(f.title)}</h3>'
        f'<img src="data:image/png;base64,{b64}" alt="{e(f.title)}">'
        f'<figcaption>{e(f.caption)} <span class="files">Files: '
        f"{e(', '.join('figures/' + p.name for p in (f.png, f.svg) if p is not None) or '-')}"
        "</span></figcaption></figure>"
    )


def section_html(sec: ReportSection, index: int) -> str:
    """One extra section (stopping criteria, query insight): intro, notes, figures, tables."""
    e = html.escape
    out = [f'<section id="{e(sec.id)}"><h2>{e(sec.title)}</h2><p class="desc">{e(sec.intro)}</p>']
    if sec.notes:
        out.append("<ul class=notes>" + "".join(f"<li>{e(n)}</li>" for n in sec.notes) + "</ul>")
    out.extend(_figure_html(f) for f in sec.figures)
    if sec.gallery is not None:
        out.append(gallery_html(sec.gallery))
    for t in sec.tables:
        out.append(
            f'<h3 id="table-{e(t.name)}">{e(t.title)}</h3><p class="desc">{e(t.description)}</p>'
            f'<div class="tablewrap">{to_html(t, f"s{index}-{t.name}")}</div>'
            f'<p class="files">Files: tables/{e(t.name)}.csv, tables/{e(t.name)}.tex</p>'
        )
    out.append("</section>")
    return "".join(out)


def render_html(data: ReportData) -> str:
    """The report as one HTML document (a string)."""
    e = html.escape
    m = data.manifest
    parts: list[str] = []
    title = f"albench report: {data.experiment}"
    version = m.get("versions", {}).get("albench", "?")
    commit = m.get("machine", {}).get("git_commit")
    if commit:
        version = f"{version}, commit {commit}"
    parts.append(f"<header><h1>{e(title)}</h1>")
    parts.append(
        f'<p class="meta">metric <b>{e(data.metric)}</b> · AUBC variant <b>{e(data.variant)}</b> · '
        f"{len(data.done)} of {data.n_cells} cells stored · results from {e(str(m.get('created', '?')))} "
        f"(updated {e(str(m.get('updated', '?')))}) · report generated {e(data.generated)} · "
        f"results made with albench {e(str(version))}</p></header>"
    )
    for cls, msg in banners(data):
        parts.append(f'<div class="banner {cls}" role="alert">{e(msg)}</div>')

    toc = [("status", "Cells"), ("figures", "Figures"), ("tables", "Tables")]
    toc[-1:-1] = [(sec.id, sec.title) for sec in data.sections]
    if data.reference is not None:
        toc.append(("reference", "Published reference"))
    if data.failed:
        toc.append(("failed", "Failed cells"))
    if data.missing:
        toc.append(("missing", "Missing cells"))
    toc += [("config", "Config"), ("environment", "Environment")]
    parts.append("<nav><ul>" + "".join(f'<li><a href="#{a}">{e(t)}</a></li>' for a, t in toc) + "</ul></nav>")

    # status
    parts.append('<section id="status"><h2>Cells</h2>')
    counts = [("stored", len(data.done)), ("failed", len(data.failed)), ("missing", len(data.missing))]
    parts.append(
        '<table class="counts"><tbody>'
        + "".join(f"<tr><td>{k}</td><td class=num>{v}</td></tr>" for k, v in counts)
        + f"<tr><td>total</td><td class=num>{data.n_cells}</td></tr></tbody></table>"
    )
    parts.append(
        f"<p>Datasets: {e(', '.join(data.datasets) or '-')}. "
        f"Strategies: {e(', '.join(data.strategies) or '-')}. "
        f"Metrics recorded: {e(', '.join(data.metrics_available) or '-')} (this report: "
        f"<code>--metric {e(data.metric)}</code>).</p>"
    )
    if data.notes:
        parts.append("<ul class=notes>" + "".join(f"<li>{e(n)}</li>" for n in data.notes) + "</ul>")
    parts.append("</section>")

    # figures
    parts.append('<section id="figures"><h2>Figures</h2>')
    if not data.figures:
        parts.append("<p>No figures: no stored results.</p>")
    for f in data.figures:
        b64 = base64.b64encode(f.png_bytes).decode("ascii")
        parts.append(
            f'<figure id="fig-{e(f.name)}"><h3>{e(f.title)}</h3>'
            f'<img src="data:image/png;base64,{b64}" alt="{e(f.title)}">'
            f'<figcaption>{e(f.caption)} <span class="files">Files: '
            f"{e(', '.join('figures/' + p.name for p in (f.png, f.svg) if p is not None) or '-')}"
            "</span></figcaption></figure>"
        )
    parts.append("</section>")

    # tables
    parts.append('<section id="tables"><h2>Tables</h2><p class=desc>Click a column header to sort.</p>')
    if not data.tables:
        parts.append("<p>No tables: no stored results.</p>")
    for i, t in enumerate(data.tables):
        parts.append(
            f'<h3 id="table-{e(t.name)}">{e(t.title)}</h3><p class="desc">{e(t.description)}</p>'
            f'<div class="tablewrap">{to_html(t, f"t{i}-{t.name}")}</div>'
            f'<p class="files">Files: tables/{e(t.name)}.csv, tables/{e(t.name)}.tex</p>'
        )
    parts.append("</section>")

    parts.extend(section_html(sec, i) for i, sec in enumerate(data.sections))
    if data.reference is not None:
        t = data.reference
        parts.append(
            f'<section id="reference"><h2>Published reference</h2><h3>{e(t.title)}</h3>'
            f'<p class="desc">{e(t.description)}</p>'
            f'<div class="tablewrap">{to_html(t, "t-reference")}</div>'
            f'<p class="files">Files: tables/{e(t.name)}.csv, tables/{e(t.name)}.tex</p></section>'
        )

    # failed and missing cells
    if data.failed:
        parts.append(f'<section id="failed"><h2>Failed cells ({len(data.failed)})</h2>')
        rows = "".join(
            f"<tr><td><code>{e(fc.key)}</code></td><td>{e(fc.description)}</td><td>{e(fc.error)}</td>"
            f"<td>{e(fc.time)}</td></tr>"
            for fc in data.failed
        )
        parts.append(
            '<div class="tablewrap"><table class="sortable" id="failed-cells"><thead><tr>'
            f"<th>key</th><th>cell</th><th>error</th><th>time</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )
        for fc in data.failed:
            parts.append(
                f"<details><summary>traceback of {e(fc.description)}</summary>"
                f"<pre>{e(fc.traceback)}</pre></details>"
            )
        parts.append("</section>")
    if data.missing:
        items = "".join(f"<li><code>{e(k)}</code> {e(data.describe_cell(k))}</li>" for k in data.missing)
        parts.append(
            f'<section id="missing"><h2>Missing cells ({len(data.missing)})</h2>'
            "<details><summary>cells of the grid with no result yet</summary>"
            f"<ul>{items}</ul></details></section>"
        )

    # config and environment
    parts.append('<section id="config"><h2>Config</h2>')
    parts.append(
        f"<p>Source: <code>{e(str(m.get('config_source', '?')))}</code>; results folder "
        f"<code>{e(str(data.results_dir))}</code>.</p>"
    )
    parts.append(f"<pre>{e(json.dumps(m.get('config', {}), indent=2, default=str))}</pre></section>")
    parts.append('<section id="environment"><h2>Environment</h2>')
    parts.append("<h3>Machine</h3>" + _kv_table(sorted(m.get("machine", {}).items()), "env-machine"))
    parts.append(
        "<h3>Package versions</h3>" + _kv_table(sorted(m.get("versions", {}).items()), "env-versions")
    )
    parts.append(
        "<h3>Results</h3>"
        + _kv_table(
            [
                ("format_version", m.get("format_version")),
                ("created", m.get("created")),
                ("updated", m.get("updated")),
            ],
            "env-results",
        )
    )
    parts.append("</section>")

    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<link rel="icon" href="data:,">'
        f"<title>{e(title)}</title><style>{_CSS}</style></head>\n<body>\n"
    )
    return head + "\n".join(parts) + f"\n<script>{_JS}</script>\n</body></html>\n"
