"""What the charts, the report and the web pages show, read from the ledger as plain data.

Every function here reads; none writes. Figures come back as :class:`FigureRow` (one stated
number with its source); a cell (one partner, measure and period) stated by several outlets
becomes a :class:`ClaimCell` that says which outlets agree within rounding::

    >>> with Ledger.open(read_only=True) as ledger:                      # doctest: +SKIP
    ...     rows = read_figures(ledger, product="rare-earth-magnets", ending_in=Month(2025, 6))
    ...     [c.agreement for c in claim_view(rows)][:3]
    ['agree', 'one source', 'one source']

Series keep their gaps: a month no source states is absent, never interpolated.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import catalog, compiled
from ..ledger import MEASURE_WORDS, MEASURES, Ledger
from ..periods import Month, Period
from ..reconcile.intervals import Interval

__all__ = [
    "Claim",
    "ClaimCell",
    "EventMark",
    "FigureRow",
    "Point",
    "claim_view",
    "cumulative_points",
    "event_marks",
    "events",
    "products_summary",
    "read_figures",
    "reference",
    "series",
    "sources",
]

KIND_WORDS = {
    "export_control": "export control",
    "licence_easing": "licence easing",
    "sourcing_rule": "sourcing rule",
}


@dataclass(frozen=True)
class FigureRow:
    """One stated figure with the source that states it (a row of ``figures_v``)."""

    figure_id: str
    reporter: str
    partner: str
    partner_name: str
    product: str
    flow: str
    start: Month
    end: Month
    measure: str
    value: float
    unit: str
    stated: str
    resolution: float
    qualifier: str
    locator: str
    source_id: str
    source_kind: str
    authority: str
    authority_rank: int
    outlet: str
    original_publisher: str | None
    title: str
    url: str | None
    published: str | None

    @property
    def period(self) -> str:
        return str(Period(self.start, self.end))

    @property
    def interval(self) -> Interval:
        return Interval.of(self.value, resolution=self.resolution, qualifier=self.qualifier)

    @property
    def strength(self) -> tuple[int, float, bool, str]:
        # The brief's order: strongest authority, then most precise, then plain over qualified.
        return (self.authority_rank, self.resolution, self.qualifier != "exact", self.source_id)

    @property
    def measure_words(self) -> str:
        return MEASURE_WORDS.get(self.measure, self.measure)

    @property
    def value_text(self) -> str:
        """The value in the ledger's unit at the stated precision: ``8,360 t``, ``-52%``."""
        decimals = max(0, -math.floor(math.log10(self.resolution) + 1e-9))
        if self.unit == "%":
            return f"{self.value:+,.{decimals}f}%"
        if self.unit == "rank":
            return f"rank {self.value:.0f}"
        return f"{self.value:,.{decimals}f} {self.unit}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "figure_id": self.figure_id,
            "reporter": self.reporter,
            "partner": self.partner,
            "partner_name": self.partner_name,
            "product": self.product,
            "flow": self.flow,
            "period": self.period,
            "measure": self.measure,
            "value": self.value,
            "unit": self.unit,
            "stated": self.stated,
            "resolution": self.resolution,
            "qualifier": self.qualifier,
            "locator": self.locator,
            "source_id": self.source_id,
            "outlet": self.outlet,
            "original_publisher": self.original_publisher,
            "title": self.title,
            "url": self.url,
            "published": self.published,
            "authority": self.authority,
        }


def _partner_name(code: str) -> str:
    return "World" if code == "WLD" else catalog.partner_name(code)


def read_figures(
    ledger: Ledger,
    *,
    product: str,
    reporter: str = "CHN",
    flow: str = "export",
    partner: str | None = None,
    first: Month | None = None,
    last: Month | None = None,
    ending_in: Month | None = None,
) -> list[FigureRow]:
    """Figures of ``product`` whose period ends between ``first`` and ``last`` (or exactly in
    ``ending_in``), oldest first."""
    catalog.product(product)
    if ending_in is not None:
        first = last = ending_in
    found = compiled.rows(
        ledger,
        "render.figures",
        product=product,
        reporter=reporter,
        flow=flow,
        partner=partner,
        first=first.first_day if first is not None else None,
        last=last.first_day if last is not None else None,
    )
    rows = []
    for r in found:
        published = r["source_published"]
        rows.append(
            FigureRow(
                figure_id=r["figure_id"],
                reporter=r["reporter"],
                partner=r["partner"],
                partner_name=_partner_name(r["partner"]),
                product=r["product"],
                flow=r["flow"],
                start=Month.of(r["period_start"]),
                end=Month.of(r["period_end"]),
                measure=r["measure"],
                value=r["value"],
                unit=r["unit"],
                stated=r["stated"],
                resolution=r["resolution"],
                qualifier=r["qualifier"],
                locator=r["locator"],
                source_id=r["source_id"],
                source_kind=r["source_kind"],
                authority=r["authority"],
                authority_rank=r["authority_rank"] if r["authority_rank"] is not None else 99,
                outlet=r["outlet"],
                original_publisher=r["original_publisher"],
                title=r["source_title"],
                url=r["source_url"],
                published=str(published) if published is not None else None,
            )
        )
    return rows


@compiled.query(
    "render.figures",
    tables=(),
    order=("period_end", "period_start", "partner", "measure", "source_id", "figure_id"),
    product="string",
    reporter="string",
    flow="string",
    partner="string",
    first="date",
    last="date",
)
def _figures_query(ledger: Any, p: compiled.Params) -> Any:
    # As ledger.figures(product=..., reporter=..., partner=...) gives them (the vintage in
    # force); a NULL partner, first or last month leaves that side open.
    from ..releases import figures_in_force

    t = figures_in_force(ledger)
    t = t.filter((t.product == p.product) & (t.reporter == p.reporter) & (t.flow == p.flow))
    return t.filter(
        (p.partner.isnull() | (t.partner == p.partner))
        & (p.first.isnull() | (t.period_end >= p.first))
        & (p.last.isnull() | (t.period_end <= p.last))
    )


# -- cells and the claim view ------------------------------------------------------------------
def reference(rows: Sequence[FigureRow]) -> FigureRow:
    """The figure shown for a cell: the strongest source's, as the brief chooses it."""
    return min(rows, key=lambda r: r.strength)


@dataclass(frozen=True)
class Claim:
    """One outlet's statement of a cell, and whether it agrees with the reference figure."""

    figure: FigureRow
    reference: bool
    agrees: bool


@dataclass(frozen=True)
class ClaimCell:
    """Every statement of one cell (partner, measure, period) across outlets."""

    partner: str
    partner_name: str
    measure: str
    period: str
    claims: tuple[Claim, ...]

    @property
    def agreement(self) -> str:
        """``agree`` (several outlets, all within rounding), ``disagree``, or ``one source``."""
        if len({c.figure.source_id for c in self.claims}) < 2:
            return "one source"
        return "agree" if all(c.agrees for c in self.claims) else "disagree"

    @property
    def measure_words(self) -> str:
        return MEASURE_WORDS.get(self.measure, self.measure)

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "partner_name": self.partner_name,
            "measure": self.measure,
            "period": self.period,
            "agreement": self.agreement,
            "claims": [
                {
                    "outlet": c.figure.outlet,
                    "original_publisher": c.figure.original_publisher,
                    "source_id": c.figure.source_id,
                    "title": c.figure.title,
                    "url": c.figure.url,
                    "stated": c.figure.stated,
                    "value": c.figure.value,
                    "unit": c.figure.unit,
                    "qualifier": c.figure.qualifier,
                    "interval": [c.figure.interval.lo, c.figure.interval.hi],
                    "reference": c.reference,
                    "agrees": c.agrees,
                    "figure_id": c.figure.figure_id,
                }
                for c in self.claims
            ],
        }


def _cell_order(key: tuple[str, str, Month, Month]) -> tuple[bool, str, int, Month, Month]:
    partner, measure, start, end = key
    return (partner != "WLD", _partner_name(partner), MEASURES.index(measure), end, start)


def claim_view(rows: Iterable[FigureRow]) -> list[ClaimCell]:
    """Group figures into cells; in each, the reference figure first, then the others by
    strength, each marked as agreeing or not (their intervals meet the reference's)."""
    cells: dict[tuple[str, str, Month, Month], list[FigureRow]] = {}
    for r in rows:
        cells.setdefault((r.partner, r.measure, r.start, r.end), []).append(r)
    out = []
    for key in sorted(cells, key=_cell_order):
        group = sorted(cells[key], key=lambda r: r.strength)
        head = group[0]
        claims = tuple(
            Claim(r, reference=r is head, agrees=r.interval.meets(head.interval)) for r in group
        )
        partner, measure, start, end = key
        out.append(
            ClaimCell(partner, _partner_name(partner), measure, str(Period(start, end)), claims)
        )
    return out


# -- series -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """One month (or one cumulative span) of a series: the reference figure of its cell."""

    start: Month
    end: Month
    value: float
    unit: str
    stated: str
    outlets: tuple[str, ...]
    figure_ids: tuple[str, ...]
    conflict: bool

    @property
    def month(self) -> Month:
        return self.end

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": str(Period(self.start, self.end)),
            "value": self.value,
            "unit": self.unit,
            "stated": self.stated,
            "outlets": list(self.outlets),
            "conflict": self.conflict,
            "figure_ids": list(self.figure_ids),
        }


def _points(rows: Iterable[FigureRow], failed: Iterable[str]) -> list[Point]:
    failed = set(failed)
    cells: dict[tuple[Month, Month], list[FigureRow]] = {}
    for r in rows:
        cells.setdefault((r.start, r.end), []).append(r)
    points = []
    for (start, end), group in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        head = reference(group)
        ids = tuple(r.figure_id for r in group)
        disputed = any(not r.interval.meets(head.interval) for r in group)
        points.append(
            Point(
                start=start,
                end=end,
                value=head.value,
                unit=head.unit,
                stated=head.stated,
                outlets=tuple(dict.fromkeys(r.outlet for r in group)),
                figure_ids=ids,
                conflict=disputed or any(i in failed for i in ids),
            )
        )
    # One unit per series: a chart cannot put tonnes and kilograms on one axis.
    if points:
        unit = Counter(p.unit for p in points).most_common(1)[0][0]
        points = [p for p in points if p.unit == unit]
    return points


def series(
    rows: Iterable[FigureRow],
    *,
    partner: str,
    measure: str,
    window: Period,
    failed: Iterable[str] = (),
) -> list[Point]:
    """The monthly series of ``partner``'s ``measure`` within ``window``, one point per month
    that some source states (months nobody states are left out, not filled in)."""
    first, last = window.start, window.end
    return _points(
        (
            r
            for r in rows
            if r.partner == partner
            and r.measure == measure
            and r.start == r.end
            and first <= r.end <= last
        ),
        failed,
    )


def cumulative_points(
    rows: Iterable[FigureRow], *, partner: str, year: int, last: Month, failed: Iterable[str] = ()
) -> list[Point]:
    """Year-to-date totals of ``year`` (January to some month, up to ``last``) as stated."""
    return _points(
        (
            r
            for r in rows
            if r.partner == partner
            and r.measure == "cumulative"
            and r.start == Month(year, 1)
            and r.end.year == year
            and r.end <= last
        ),
        failed,
    )


# -- events -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventMark:
    """A policy event that names the product, placed at its effective date (or, when the
    event states none, its announcement)."""

    event_id: str
    date: dt.date
    announced: dt.date
    effective: dt.date | None
    jurisdiction: str
    kind: str
    instrument: str
    link: str
    summary: str
    source_url: str

    @property
    def label(self) -> str:
        """``Apr 4 CN export control``: short enough to sit beside its rule."""
        kind = KIND_WORDS.get(self.kind, self.kind.replace("_", " "))
        return f"{self.date:%b} {self.date.day} {self.jurisdiction} {kind}"

    @property
    def at_effective(self) -> bool:
        return self.effective is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "date": self.date.isoformat(),
            "date_announced": self.announced.isoformat(),
            "date_effective": self.effective.isoformat() if self.effective else None,
            "jurisdiction": self.jurisdiction,
            "kind": self.kind,
            "instrument": self.instrument,
            "link": self.link,
            "summary": self.summary,
            "source_url": self.source_url,
            "label": self.label,
        }


def events(ledger: Ledger, *, product: str | None = None) -> list[EventMark]:
    """Policy events, oldest first; with ``product``, those that name it (``link`` says how:
    code, term, group or all_goods), else every event (link empty)."""
    if product is not None:
        catalog.product(product)
        found = compiled.rows(ledger, "render.product_events", product=product)
    else:
        found = compiled.rows(ledger, "render.events")
    out = []
    for r in found:
        effective = r["date_effective"]
        out.append(
            EventMark(
                event_id=r["event_id"],
                date=effective or r["date_announced"],
                announced=r["date_announced"],
                effective=effective,
                jurisdiction=r["jurisdiction"],
                kind=r["kind"],
                instrument=r["instrument"],
                link=r.get("link") or "",
                summary=r["summary"],
                source_url=r["source_url"],
            )
        )
    return out


@compiled.query("render.events", tables=("events",), order=("date_announced", "event_id"))
def _events_query(tables: Any, p: compiled.Params) -> Any:
    return tables["events"]


@compiled.query(
    "render.product_events",
    tables=("events", "event_products"),
    order=("date_announced", "event_id"),
    product="string",
)
def _product_events_query(tables: Any, p: compiled.Params) -> Any:
    links = tables["event_products"]
    return tables["events"].join(links.filter(links.product == p.product), "event_id")


def event_marks(ledger: Ledger, *, product: str, window: Period) -> list[EventMark]:
    """Events that name ``product`` by code, term or group (not the measures on all goods)
    whose mark (effective date, else announcement) falls within ``window``."""
    first = window.start.first_day
    end = window.end.shift(1).first_day
    return [
        e
        for e in events(ledger, product=product)
        if e.link in ("code", "term", "group") and first <= e.date < end
    ]


# -- sources ----------------------------------------------------------------------------------
def sources(ledger: Ledger) -> list[dict[str, Any]]:
    """Every source with how many figures it states and for which products."""
    found = compiled.rows(ledger, "render.sources")
    out = []
    for r in found:
        r["figures"] = int(r["figures"] or 0)
        r["products"] = sorted(r["products"] or [])
        r["published"] = str(r["published"]) if r["published"] is not None else None
        out.append(r)
    return out


@compiled.query("render.sources", tables=("sources", "figures"), order=("outlet", "source_id"))
def _sources_query(tables: Any, p: compiled.Params) -> Any:
    s, f = tables["sources"], tables["figures"]
    counts = f.group_by("source_id").aggregate(
        figures=f.count(), products=f.product.collect(distinct=True)
    )
    return s.left_join(counts, "source_id").select(
        s.source_id,
        s.kind,
        s.authority,
        s.outlet,
        s.original_publisher,
        s.title,
        s.url,
        s.published,
        s.dataset,
        s.note,
        counts.figures,
        counts.products,
    )


def row_counts(ledger: Ledger, tables: Sequence[str]) -> dict[str, int]:
    """How many rows each of the ledger's ``tables`` holds."""
    counts = {}
    for name in tables:
        if name not in ("figures", "sources", "events", "event_products", "releases"):
            raise ValueError(f"no count of {name!r}")
        counts[name] = int(ledger.con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
    return counts


@compiled.query("render.products", tables=("figures",))
def _products_query(tables: Any, p: compiled.Params) -> Any:
    f = tables["figures"]
    return f.group_by("product").aggregate(figures=f.count(), sources=f.source_id.nunique())


def products_summary(ledger: Ledger) -> list[dict[str, Any]]:
    """Each catalog product that has figures: how many, from how many sources, and the
    months they cover (``periods``: months with a monthly figure, oldest first)."""
    counts = {r["product"]: r for r in compiled.rows(ledger, "render.products")}
    out = []
    for p in catalog.products().values():
        if p.id not in counts:
            continue
        periods = ledger.periods(p.id)
        out.append(
            {
                "product": p.id,
                "name": p.name,
                "tracked": p.tracked,
                "figures": int(counts[p.id]["figures"]),
                "sources": int(counts[p.id]["sources"]),
                "periods": periods,
                "latest": periods[-1] if periods else None,
            }
        )
    return out
