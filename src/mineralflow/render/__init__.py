"""Charts, the report and what they show: plain data read from the ledger, Vega-Lite charts
exported offline (SVG, PNG), and a self-contained HTML (or Markdown) report.

    >>> from mineralflow.render import write_report
    >>> with Ledger.open(read_only=True) as ledger:                      # doctest: +SKIP
    ...     write_report(ledger, product="rare-earth-magnets", period="2025-06",
    ...                  path="out/report-2025-06.html")
"""

from __future__ import annotations

from .charts import Chart, change_chart, cumulative_chart, destinations_chart, level_chart
from .conflicts import Conflict, failed_figures, find_conflicts
from .data import (
    Claim,
    ClaimCell,
    EventMark,
    FigureRow,
    Point,
    claim_view,
    cumulative_points,
    event_marks,
    events,
    read_figures,
    series,
    sources,
)
from .report import PartnerView, Report, build_partner_view, build_report, write_report

__all__ = [
    "Chart",
    "Claim",
    "ClaimCell",
    "Conflict",
    "EventMark",
    "FigureRow",
    "PartnerView",
    "Point",
    "Report",
    "build_partner_view",
    "build_report",
    "change_chart",
    "claim_view",
    "cumulative_chart",
    "cumulative_points",
    "destinations_chart",
    "event_marks",
    "events",
    "failed_figures",
    "find_conflicts",
    "level_chart",
    "read_figures",
    "series",
    "sources",
    "write_report",
]
