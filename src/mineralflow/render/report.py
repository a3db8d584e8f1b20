"""The report: one product and month as a self-contained HTML file (or Markdown with PNGs).

:func:`build_report` gathers everything the report shows from the ledger: the brief, the
charts, every figure that ends in the month with its source, the conflicts, and the claim
view (each cell with every outlet that states it). :func:`write_report` writes it::

    >>> with Ledger.open(read_only=True) as ledger:                      # doctest: +SKIP
    ...     write_report(ledger, product="rare-earth-magnets", period="2025-06",
    ...                  path="out/report-2025-06.html")
    [PosixPath('out/report-2025-06.html')]

The HTML holds its CSS and its charts (inline SVG) and makes no request when opened; a
Content-Security-Policy forbids scripts. Text from sources (titles, outlets, figures as
stated) is escaped by Jinja's autoescape, and links go only to http(s) URLs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import catalog
from ..brief import Brief, build_brief
from ..errors import UsageError
from ..ledger import Ledger
from ..outlet_record import OutletReport, outlet_record
from ..periods import Month, Period
from ..reconcile import Reconciliation, reconcile
from .charts import Chart, change_chart, cumulative_chart, destinations_chart, level_chart
from .conflicts import Conflict, failed_figures, find_conflicts
from .data import (
    ClaimCell,
    EventMark,
    FigureRow,
    claim_view,
    cumulative_points,
    event_marks,
    read_figures,
    series,
)
from .html import markdown_environment, page_environment

__all__ = [
    "PartnerView",
    "Report",
    "build_partner_view",
    "build_report",
    "write_report",
]

WINDOW_MONTHS = 24
PARTNER_CHARTS = 3
FORMATS = ("html", "md")


def _window(last: Month) -> Period:
    """The months a report's series show: the two years to its month."""
    return Period(last.shift(1 - WINDOW_MONTHS), last)


def _conflicts_in(
    ledger: Ledger, product: str, window: Period, rec: Reconciliation
) -> list[Conflict]:
    months = [m for m in ledger.periods(product) if window.start <= Month.parse(m) <= window.end]
    return find_conflicts(ledger, product=product, months=months, reconciliation=rec)


@dataclass
class Report:
    """Everything the report (and the web page of a product and month) shows."""

    product: catalog.Product
    month: Month
    window: Period
    brief: Brief
    figures: list[FigureRow]
    claims: list[ClaimCell]
    conflicts: list[Conflict]
    events: list[EventMark]
    charts: list[Chart]
    failed: set[str] = field(default_factory=set)
    outlets: OutletReport | None = None  # the record of the outlets the brief cites
    generated: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    )

    @property
    def title(self) -> str:
        reporter = catalog.partner_name(self.brief.reporter)
        return f"{self.product.name}: {reporter}'s exports, {self.month.name}"

    def to_dict(self) -> dict[str, Any]:
        """The report's data (the web page's JSON twin): no charts' pixels, their data."""
        return {
            "product": self.product.id,
            "product_name": self.product.name,
            "period": str(self.month),
            "window": str(self.window),
            "brief": self.brief.to_dict(),
            "conflicts": [c.to_dict() for c in self.conflicts],
            "claims": [c.to_dict() for c in self.claims],
            "figures": [
                {**f.to_dict(), "conflict": f.figure_id in self.failed} for f in self.figures
            ],
            "events": [e.to_dict() for e in self.events],
            "charts": [{"key": c.key, "title": c.title, "caption": c.caption} for c in self.charts],
            "outlets": self.outlets.to_dict() if self.outlets is not None else None,
        }

    def to_html(self) -> str:
        """The self-contained HTML report."""
        env = page_environment()
        return env.get_template("report.html").render(report=self, partner_url=None)

    def to_markdown(self, images: dict[str, str] | None = None) -> str:
        """The report in Markdown; ``images`` maps chart keys to the image files to link."""
        env = markdown_environment()
        return env.get_template("report.md").render(report=self, images=images or {})


def build_report(
    ledger: Ledger, *, product: str, period: str, reporter: str = "CHN", flow: str = "export"
) -> Report:
    """Gather the report for ``product`` in the month ``period`` (``YYYY-MM``)."""
    prod = catalog.product(product)
    p = Period.parse(period)
    if not p.is_month:
        raise UsageError(f"a report covers one month; got {period!r}, write it YYYY-MM")
    month = p.end
    window = _window(month)
    # One reconciliation for the brief and the conflicts: it is the expensive step.
    with reconcile(ledger, product=product) as rec:
        brief = build_brief(
            ledger,
            product=product,
            period=str(month),
            reporter=reporter,
            flow=flow,
            reconciliation=rec,
        )
        conflicts = _conflicts_in(ledger, product, window, rec)
        cited = {
            s.outlet for s in brief.sources if s.authority not in ("official", "policy_source")
        }
        outlets = outlet_record(ledger, product=product, reconciliation=rec, outlets=sorted(cited))
    rows = read_figures(
        ledger, product=product, reporter=reporter, flow=flow, first=window.start, last=month
    )
    failed = failed_figures(conflicts)
    marks = event_marks(ledger, product=product, window=window)
    in_month = [r for r in rows if r.end == month]
    charts = _month_charts(brief, rows, marks, window, month, failed)
    return Report(
        product=prod,
        month=month,
        window=window,
        brief=brief,
        figures=in_month,
        claims=claim_view(in_month),
        conflicts=[c for c in conflicts if c.period == str(month)],
        events=marks,
        charts=charts,
        failed=failed,
        outlets=outlets,
    )


def _month_charts(
    brief: Brief,
    rows: list[FigureRow],
    marks: list[EventMark],
    window: Period,
    month: Month,
    failed: set[str],
) -> list[Chart]:
    product = brief.product_name
    reporter = catalog.partner_name(brief.reporter)
    charts: list[Chart] = []
    world = series(rows, partner="WLD", measure="level", window=window, failed=failed)
    if world:
        charts.append(
            level_chart(
                key="world",
                title=f"{reporter}'s exports of {product.lower()} to the world, by month",
                points=world,
                events=marks,
                window=window,
                highlight=month,
            )
        )
    yoy = series(rows, partner="WLD", measure="change_yoy", window=window, failed=failed)
    if yoy:
        charts.append(
            change_chart(
                key="world-yoy",
                title=f"{reporter}'s exports to the world: change from a year earlier",
                points=yoy,
                window=window,
            )
        )
    this_year = cumulative_points(rows, partner="WLD", year=month.year, last=month, failed=failed)
    last_year = cumulative_points(
        rows, partner="WLD", year=month.year - 1, last=month, failed=failed
    )
    if this_year or last_year:
        charts.append(
            cumulative_chart(
                key="cumulative",
                title=f"{reporter}'s exports to the world, year to date: "
                f"{month.year} against {month.year - 1}",
                this_year=this_year,
                last_year=last_year,
                year=month.year,
            )
        )
    bars = []
    for line in brief.destinations:
        level = series(
            rows, partner=line.partner, measure="level", window=Period.month(month), failed=failed
        )
        if level:
            bars.append((line.name, level[0], line.share_of_world))
    unrated = [ln.name for ln in brief.destinations if ln.level is None and ln.rank is not None]
    if bars:
        charts.append(
            destinations_chart(
                key="destinations",
                title=f"Destinations of {reporter}'s exports of {product.lower()}, {month.name}",
                bars=bars,
                unrated=unrated,
            )
        )
    drawn = 0
    for line in brief.destinations:
        if drawn == PARTNER_CHARTS:
            break
        points = series(rows, partner=line.partner, measure="level", window=window, failed=failed)
        if len(points) >= 2:
            drawn += 1
            charts.append(
                level_chart(
                    key=f"partner-{line.partner}",
                    title=f"{reporter}'s exports to {line.name}, by month",
                    points=points,
                    events=marks,
                    window=window,
                    highlight=month,
                )
            )
    return charts


@dataclass
class PartnerView:
    """One partner's figures for a product over every month the ledger holds."""

    product: catalog.Product
    partner: str
    partner_name: str
    window: Period
    figures: list[FigureRow]
    claims: list[ClaimCell]
    conflicts: list[Conflict]
    charts: list[Chart]
    failed: set[str]
    periods: list[str]

    def to_dict(self) -> dict[str, Any]:
        level = series(
            self.figures,
            partner=self.partner,
            measure="level",
            window=self.window,
            failed=self.failed,
        )
        return {
            "product": self.product.id,
            "product_name": self.product.name,
            "partner": self.partner,
            "partner_name": self.partner_name,
            "window": str(self.window),
            "level_series": [p.to_dict() for p in level],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "claims": [c.to_dict() for c in self.claims],
            "figures": [
                {**f.to_dict(), "conflict": f.figure_id in self.failed} for f in self.figures
            ],
            "charts": [{"key": c.key, "title": c.title, "caption": c.caption} for c in self.charts],
        }


def build_partner_view(
    ledger: Ledger, *, product: str, partner: str, reporter: str = "CHN", flow: str = "export"
) -> PartnerView:
    """Gather one partner's series, figures and conflicts for ``product``."""
    prod = catalog.product(product)
    months = ledger.periods(product)
    rows = read_figures(ledger, product=product, reporter=reporter, flow=flow, partner=partner)
    name = "World" if partner == "WLD" else catalog.partner_name(partner)
    every = [Month.parse(m) for m in months] + [r.end for r in rows]
    window = Period(min(every), max(every)) if every else Period.month(Month(2000, 1))
    conflicts = [
        c
        for c in find_conflicts(ledger, product=product, reporter=reporter, flow=flow)
        if {r.figure_id for r in rows} & set(c.figure_ids)
    ]
    failed = failed_figures(conflicts)
    marks = event_marks(ledger, product=product, window=window)
    charts: list[Chart] = []
    level = series(rows, partner=partner, measure="level", window=window, failed=failed)
    if level:
        charts.append(
            level_chart(
                key=f"partner-{partner}",
                title=f"{catalog.partner_name(reporter)}'s exports to {name}, by month",
                points=level,
                events=marks,
                window=window,
            )
        )
    yoy = series(rows, partner=partner, measure="change_yoy", window=window, failed=failed)
    if yoy:
        charts.append(
            change_chart(
                key=f"partner-{partner}-yoy",
                title=f"{catalog.partner_name(reporter)}'s exports to {name}: "
                "change from a year earlier",
                points=yoy,
                window=window,
            )
        )
    return PartnerView(
        product=prod,
        partner=partner,
        partner_name=name,
        window=window,
        figures=rows,
        claims=claim_view(rows),
        conflicts=conflicts,
        charts=charts,
        failed=failed,
        periods=sorted({str(r.end) for r in rows}),
    )


def write_report(
    ledger: Ledger,
    *,
    product: str,
    period: str,
    path: Path | str,
    format: str = "html",
) -> list[Path]:
    """Write the report to ``path``; ``format="md"`` also writes one PNG per chart beside it
    (``<stem>-<chart>.png``). Returns the files written, the report first."""
    if format not in FORMATS:
        raise UsageError(f"unknown report format {format!r}; use one of: {', '.join(FORMATS)}")
    report = build_report(ledger, product=product, period=period)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if format == "html":
        out.write_text(report.to_html(), encoding="utf-8")
        return [out]
    written = [out]
    images = {}
    for chart in report.charts:
        png = out.with_name(f"{out.stem}-{chart.key}.png")
        png.write_bytes(chart.png())
        images[chart.key] = png.name
        written.append(png)
    out.write_text(report.to_markdown(images), encoding="utf-8")
    return written
