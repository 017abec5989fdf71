"""Reports: figures, tables, a self-contained HTML page and a Markdown page of a results folder."""

from albench.report.build import build_report
from albench.report.data import ReportData

__all__ = ["ReportData", "build_report"]
