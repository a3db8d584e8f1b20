"""Charts, the report and what they show: plain data read from the ledger, Vega-Lite charts
exported offline (SVG, PNG), and a self-contained HTML (or Markdown) report.

    >>> from mineralflow.render import write_report
    >>> with Ledger.open(read_only=True) as ledger:                      # doctest: +SKIP
    ...     write_report(ledger, product="rare-earth-magnets", period="2025-06",
    ...                  path="out/report-2025-06.html")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Altair and vl-convert (the charts) take seconds to import: each name is imported from its
# module when first used, so a page without charts never loads them.
_MODULES = {
    "charts": ("Chart", "change_chart", "cumulative_chart", "destinations_chart", "level_chart"),
    "conflicts": ("Conflict", "failed_figures", "find_conflicts"),
    "data": (
        "Claim",
        "ClaimCell",
        "EventMark",
        "FigureRow",
        "Point",
        "claim_view",
        "cumulative_points",
        "event_marks",
        "events",
        "read_figures",
        "series",
        "sources",
    ),
    "report": ("PartnerView", "Report", "build_partner_view", "build_report", "write_report"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
