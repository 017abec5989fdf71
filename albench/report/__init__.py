"""Reports: figures, tables, a self-contained HTML page and a Markdown page of a results folder."""

from albench.report.build import ReportData, build_report

__all__ = ["ReportData", "build_report"]
