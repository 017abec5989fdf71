"""What a report shows: the data the builder fills and the HTML and Markdown renderers read.

It sits below both, so the renderers never import the builder (data flows one way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from albench.analysis.stats import FriedmanResult
from albench.report.gallery_render import Gallery
from albench.report.tables import ReportTable


@dataclass
class FigureItem:
    """One figure of the report: files on disk plus the PNG bytes for inlining."""

    name: str
    title: str
    caption: str
    png: Path | None
    svg: Path | None
    png_bytes: bytes
    section: str = "figures"


@dataclass
class ReportSection:
    """A section of its own after the tables (e.g. stopping criteria, query insight)."""

    id: str
    title: str
    intro: str
    notes: list[str] = field(default_factory=list)
    figures: list[FigureItem] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    #: the queried samples themselves (:mod:`albench.report.gallery`), shown after the figures
    gallery: Gallery | None = None


@dataclass
class FailedCell:
    """A cell whose last attempt failed."""

    key: str
    description: str
    error: str
    traceback: str
    time: str


@dataclass
class ReportData:
    """Everything the HTML and Markdown renderers show."""

    experiment: str
    results_dir: Path
    out_dir: Path
    metric: str
    variant: str
    target_fraction: float
    alpha: float
    manifest: dict
    n_cells: int
    done: list[str]
    failed: list[FailedCell]
    missing: list[str]
    strategies: list[str]
    datasets: list[str]
    figures: list[FigureItem] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    friedman: FriedmanResult | None = None
    generated: str = ""
    metrics_available: list[str] = field(default_factory=list)
    has_ceiling: bool = False
    sections: list[ReportSection] = field(default_factory=list)

    @property
    def all_figures(self) -> list[FigureItem]:
        """The figures of the main figure section and of every extra section, in page order."""
        return self.figures + [f for sec in self.sections for f in sec.figures]

    #: ours vs published (``albench report --reference``), or None
    reference: ReportTable | None = None

    @property
    def incomplete(self) -> bool:
        """Some cells of the grid are neither stored nor failed."""
        return bool(self.missing)

    def describe_cell(self, key: str) -> str:
        """``dataset / model / strategy / labeler / rep r`` from the manifest's cell index."""
        c = self.manifest.get("cell_index", {}).get(key, {})
        if not c:
            return key
        strategy = f"{c.get('strategy')}{' (oracle)' if c.get('oracle') else ''}"
        return (
            f"{c.get('dataset')} / {c.get('model')} / {strategy} / {c.get('labeler')} / "
            f"rep {c.get('repetition')}"
        )
