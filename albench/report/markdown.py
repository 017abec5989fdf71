"""``report.md``: the report for a code-hosting site, with the figures as files beside it."""

from __future__ import annotations

import json

from albench.report.data import ReportData, ReportSection
from albench.report.gallery_render import gallery_markdown
from albench.report.html import banners
from albench.report.tables import md_escape, to_markdown


def _figure_markdown(f) -> list[str]:
    out = [f"### {md_escape(f.title)}", ""]
    first = f.png or f.svg
    if first is not None:
        out += [f"![{md_escape(f.title)}](figures/{first.name})", ""]
    svg = f" ([SVG](figures/{f.svg.name}))" if f.svg is not None and f.png is not None else ""
    return [*out, f"{md_escape(f.caption)}{svg}", ""]


def section_markdown(sec: ReportSection) -> list[str]:
    """Lines of one extra section (stopping criteria, query insight)."""
    out = [f"## {md_escape(sec.title)}", "", md_escape(sec.intro), ""]
    out += [f"- {md_escape(n)}" for n in sec.notes]
    if sec.notes:
        out.append("")
    for f in sec.figures:
        out += _figure_markdown(f)
    if sec.gallery is not None:
        out += gallery_markdown(sec.gallery)
    for t in sec.tables:
        out += [
            f"### {md_escape(t.title)}",
            "",
            md_escape(t.description),
            "",
            to_markdown(t),
            "",
            f"CSV: [tables/{t.name}.csv](tables/{t.name}.csv), LaTeX: "
            f"[tables/{t.name}.tex](tables/{t.name}.tex)",
            "",
        ]
    return out


def render_markdown(data: ReportData) -> str:
    """The report as GitHub-flavoured Markdown (figures referenced as ``figures/<name>.png``)."""
    m = data.manifest
    out = [f"# albench report: {md_escape(data.experiment)}", ""]
    out.append(
        f"Metric **{md_escape(data.metric)}**, AUBC variant **{md_escape(data.variant)}**; "
        f"{len(data.done)} of {data.n_cells} cells stored, {len(data.failed)} failed, "
        f"{len(data.missing)} missing. "
        f"Results from {md_escape(m.get('created', '?'))} (updated {md_escape(m.get('updated', '?'))}); "
        f"report generated {md_escape(data.generated)}."
    )
    out.append("")
    for cls, msg in banners(data):
        out += [f"> **{'Warning' if cls == 'warn' else 'Failed cells'}:** {md_escape(msg)}", ""]
    for n in data.notes:
        out.append(f"- {md_escape(n)}")
    if data.notes:
        out.append("")
    out += ["## Figures", ""]
    if not data.figures:
        out += ["No figures: no stored results.", ""]
    for f in data.figures:
        out += [f"### {md_escape(f.title)}", ""]
        first = f.png or f.svg
        if first is not None:
            out += [f"![{md_escape(f.title)}](figures/{first.name})", ""]
        svg = f" ([SVG](figures/{f.svg.name}))" if f.svg is not None and f.png is not None else ""
        out += [f"{md_escape(f.caption)}{svg}", ""]
    out += ["## Tables", ""]
    for t in data.tables:
        out += [
            f"### {md_escape(t.title)}",
            "",
            md_escape(t.description),
            "",
            to_markdown(t),
            "",
            f"CSV: [tables/{t.name}.csv](tables/{t.name}.csv), "
            f"LaTeX: [tables/{t.name}.tex](tables/{t.name}.tex)",
            "",
        ]
    for sec in data.sections:
        out += section_markdown(sec)
    if data.reference is not None:
        t = data.reference
        out += ["## Published reference", "", f"### {md_escape(t.title)}", "", md_escape(t.description), ""]
        out += [to_markdown(t), "", f"CSV: [tables/{t.name}.csv](tables/{t.name}.csv)", ""]
    if data.failed:
        out += [f"## Failed cells ({len(data.failed)})", ""]
        out += ["| key | cell | error |", "|:---|:---|:---|"]
        for fc in data.failed:
            out.append(f"| {md_escape(fc.key)} | {md_escape(fc.description)} | {md_escape(fc.error)} |")
        out.append("")
    if data.missing:
        out += [f"## Missing cells ({len(data.missing)})", ""]
        out += [f"- {md_escape(k)}: {md_escape(data.describe_cell(k))}" for k in data.missing[:200]]
        if len(data.missing) > 200:
            out.append(f"- ... and {len(data.missing) - 200} more")
        out.append("")
    out += ["## Config", "", "````json", json.dumps(m.get("config", {}), indent=2, default=str), "````", ""]
    out += ["## Environment", "", "| name | value |", "|:---|:---|"]
    for k, v in sorted(m.get("machine", {}).items()) + sorted(m.get("versions", {}).items()):
        out.append(f"| {md_escape(k)} | {md_escape(v)} |")
    out.append("")
    return "\n".join(out)
