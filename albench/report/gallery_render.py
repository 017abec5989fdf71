"""The "What each strategy queried" gallery: what it holds, rendered as HTML and Markdown.

:mod:`albench.report.gallery` fills a :class:`Gallery` from a results folder (it loads the
data); this module only shows it, so the renderers never load data. Everything that comes
from the data (texts, labels, file names) and every name (dataset, strategy) is escaped here:
``html.escape`` for the page, :func:`albench.report.tables.md_escape` for Markdown. Images go
into the page as ``data:`` URIs (the page stays self-contained) and beside ``report.md`` as
files under ``figures/gallery/``.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field

from albench.report.tables import md_escape

#: Folder of the thumbnail files, relative to the report folder.
GALLERY_DIR = "figures/gallery"


@dataclass
class GalleryItem:
    """One queried sample.

    Attributes
    ----------
    batch : int
        The batch that held it: 1 = the first one queried (by the model of round 0).
    row : int
        Its row number in the dataset as loaded (what the ``queried`` column stores).
    label : str
        Its true label, as written in the data.
    text : str, optional
        Text datasets: the snippet (whitespace collapsed, truncated; not escaped).
    png : bytes, optional
        Images: the thumbnail; recordings: the spectrogram. PNG bytes.
    name : str, optional
        Recordings (and any dataset whose rows have names): the file name.
    file : str, optional
        Where the PNG was written, relative to the report folder (set when written).
    """

    batch: int
    row: int
    label: str
    text: str | None = None
    png: bytes | None = None
    name: str | None = None
    file: str | None = None


@dataclass
class GalleryStrip:
    """The first queried samples of one strategy."""

    strategy: str
    items: list[GalleryItem] = field(default_factory=list)


@dataclass
class GalleryPanel:
    """One dataset: the same repetition, labeler and model for every strategy."""

    dataset: str
    modality: str
    repetition: int
    labeler: str
    model: str
    strips: list[GalleryStrip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Gallery:
    """Every dataset's panel, and what could not be shown (one message each)."""

    panels: list[GalleryPanel] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def n_images(self) -> int:
        """Thumbnails and spectrograms in the gallery."""
        return sum(it.png is not None for p in self.panels for s in p.strips for it in s.items)


def _heading(p: GalleryPanel) -> str:
    return f"{p.dataset} ({p.modality}): repetition {p.repetition}, model {p.model}, labeler {p.labeler}"


def gallery_html(g: Gallery) -> str:
    """The gallery's HTML (inside its report section): tiles of images, tables of texts."""
    e = html.escape
    out: list[str] = []
    if g.notes:
        out.append("<ul class=notes>" + "".join(f"<li>{e(n)}</li>" for n in g.notes) + "</ul>")
    for p in g.panels:
        out.append(f'<div class="gallery-panel"><h3>{e(_heading(p))}</h3>')
        if p.notes:
            out.append("<ul class=notes>" + "".join(f"<li>{e(n)}</li>" for n in p.notes) + "</ul>")
        for s in p.strips:
            out.append(f"<h4>{e(s.strategy)}</h4>")
            if not s.items:
                out.append("<p class=desc>No queries stored.</p>")
            elif any(it.text is not None for it in s.items):
                rows = "".join(
                    f"<tr><td class=num>{it.batch}</td><td class=num>{it.row}</td>"
                    f"<td><b>{e(it.label)}</b></td><td>{e(it.text or '')}</td></tr>"
                    for it in s.items
                )
                out.append(
                    '<div class="tablewrap"><table class="gallery-text"><thead><tr><th>batch</th>'
                    f"<th>row</th><th>true label</th><th>text</th></tr></thead><tbody>{rows}</tbody>"
                    "</table></div>"
                )
            else:
                tiles = []
                for it in s.items:
                    img = ""
                    if it.png is not None:
                        b64 = base64.b64encode(it.png).decode("ascii")
                        img = f'<img src="data:image/png;base64,{b64}" alt="{e(it.label)}">'
                    name = f"<br><span class=files>{e(it.name)}</span>" if it.name else ""
                    tiles.append(
                        f'<figure class="thumb {e(p.modality)}">{img}'
                        f"<figcaption><b>{e(it.label)}</b> · batch {it.batch} · row {it.row}{name}"
                        "</figcaption></figure>"
                    )
                out.append('<div class="gallery">' + "".join(tiles) + "</div>")
        out.append("</div>")
    return "".join(out)


def gallery_markdown(g: Gallery) -> list[str]:
    """The gallery's Markdown lines: a table per strategy (images as files under ``figures/gallery``)."""
    out: list[str] = [f"- {md_escape(n)}" for n in g.notes]
    if g.notes:
        out.append("")
    for p in g.panels:
        out += [f"### {md_escape(_heading(p))}", ""]
        out += [f"- {md_escape(n)}" for n in p.notes]
        if p.notes:
            out.append("")
        for s in p.strips:
            out += [f"#### {md_escape(s.strategy)}", ""]
            if not s.items:
                out += ["No queries stored.", ""]
                continue
            texts = any(it.text is not None for it in s.items)
            named = any(it.name for it in s.items)
            head = ["batch", "row", "true label", "text" if texts else "sample"] + (["file"] if named else [])
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "|".join(["---:", "---:", ":---", ":---"] + ([":---"] if named else [])) + "|")
            for it in s.items:
                if texts:
                    sample = md_escape(it.text or "")
                elif it.file:  # a file name albench made (safe characters only)
                    sample = f"![{md_escape(it.label)}]({it.file})"
                else:
                    sample = "-"
                cells = [str(it.batch), str(it.row), md_escape(it.label), sample]
                if named:
                    cells.append(md_escape(it.name or ""))
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
    return out


__all__ = [
    "GALLERY_DIR",
    "Gallery",
    "GalleryItem",
    "GalleryPanel",
    "GalleryStrip",
    "gallery_html",
    "gallery_markdown",
]
