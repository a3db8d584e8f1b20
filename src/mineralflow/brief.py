"""The monthly brief: what the ledger says about one product in one month, with sources.

The brief composes its own sentences from the ledger's figures; every figure carries the
numbers of the sources that state it, and the source list resolves each number::

    >>> with Ledger.open(read_only=True) as ledger:          # doctest: +SKIP
    ...     print(build_brief(ledger, product="rare-earth-magnets", period="2025-06").to_markdown())

Every figure shown is the reconciler's best estimate for its cell (:func:`mineralflow.check`:
an official release first, then the figure that passes the most checks, then the most
precise, then the strongest source), citing every source whose
figure agrees within rounding; a figure that disagrees beyond rounding is shown beside it.
A figure the checks name as most likely wrong is marked ⚠, and the Checks section lists the
reconciler's checks for the month: every failed one with the figure it blames, and the
stated changes, totals and ranks that hold.

An official release (``mineralflow ingest``) is the strongest source, so its figure leads its
cell and the reconciler checks every other source's figure for that cell against it;
``as_of`` shows the official figures as published on a day. When importers report the same
flow, a mirror section sets their figures beside the exporter's (:mod:`mineralflow.mirror`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from . import analysis, catalog, compiled, engines
from .errors import NoData, UsageError
from .ledger import Ledger
from .mirror import MIRROR_NOTE
from .outlet_record import independence, independence_lines
from .periods import Month, Period, parse_date
from .reconcile import Reconciliation, reconcile, subject
from .reconcile.intervals import Interval

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from . import nowcast as nowcasting

# A brief on DuckDB whose product's reconciliation is stored runs compiled queries only
# (mineralflow.compiled): it imports neither Ibis nor pandas, which take longer to load than
# the whole brief takes to read.

__all__ = ["Brief", "MirrorLine", "build_brief"]

AGGREGATE_KINDS = ("world", "bloc", "region")
EVENT_WINDOW_MONTHS = 6


@dataclass(frozen=True)
class SourceRef:
    """One entry of the numbered source list."""

    number: int
    source_id: str
    outlet: str
    original_publisher: str | None
    title: str
    url: str | None
    published: str | None
    authority: str
    note: str | None

    def to_markdown(self) -> str:
        via = (
            f" ({self.original_publisher})"
            if self.original_publisher and self.original_publisher not in self.outlet
            else ""
        )
        when = f", {self.published}" if self.published else ""
        where = f" <{self.url}>" if self.url else f" (no URL: {self.note})" if self.note else ""
        return f'[{self.number}] {self.outlet}{via}: "{self.title}"{when}.{where}'


@dataclass(frozen=True)
class Stated:
    """A figure as the brief shows it, with the sources that state it."""

    measure: str
    value: float
    stated: str
    unit: str
    qualifier: str
    resolution: float
    sources: tuple[int, ...]  # the sources that state this figure, within their precision
    disagreeing: tuple[Stated, ...] = ()
    flagged: bool = False  # named most likely wrong by a failed check
    # Sources that agree within rounding but word it otherwise ("157%", "around 160%"), each
    # shown with its own wording: a number never stands after a figure its source does not state.
    worded: tuple[Stated, ...] = ()

    @property
    def interval(self) -> Interval:
        return Interval.of(self.value, resolution=self.resolution, qualifier=self.qualifier)

    def text(self) -> str:
        """``3,188 t``, ``+157.5%``, ``rank 2``, with its qualifier words."""
        decimals = max(0, -math.floor(math.log10(self.resolution) + 1e-9))
        if self.unit == "%":
            body = f"{self.value:+,.{decimals}f}%"
        elif self.unit == "rank":
            body = f"rank {self.value:.0f}"
        else:
            body = f"{self.value:,.{decimals}f} {self.unit}"
            if not _plain_number(self.stated):
                body += f" (stated as {self.stated})"
        if self.qualifier != "exact":
            body = f"{self.qualifier.replace('_', ' ')} {body}"
        return body

    def cited(self, suffix: str = "", *, bold: bool = False) -> str:
        """The figure, a suffix such as ``m/m``, its citations, and any disagreeing figure."""
        body = self.text() + (f" {suffix}" if suffix else "")
        text = f"{f'**{body}**' if bold else body} {_cite(self.sources)}{_mark(self.flagged)}"
        if self.worded:
            also = "; ".join(f"{w.text()} {_cite(w.sources)}" for w in self.worded)
            text += f" (also stated as {also})"
        for other in self.disagreeing:
            text += (
                f" (another source states {other.text()} {_cite(other.sources)}"
                f"{_mark(other.flagged)})"
            )
        return text


@dataclass(frozen=True)
class PartnerLine:
    """What the brief says about one partner (or the world, a bloc, a region) in the month."""

    partner: str
    name: str
    kind: str
    rank: int | None
    level: Stated | None
    change_mom: Stated | None
    change_yoy: Stated | None
    share_of_world: float | None


@dataclass(frozen=True)
class CumulativeLine:
    partner: str
    name: str
    period: str
    described: str
    total: Stated | None
    change_yoy: Stated | None


@dataclass(frozen=True)
class EventLine:
    event_id: str
    date_announced: str
    date_effective: str | None
    jurisdiction: str
    instrument: str
    kind: str
    link: str
    summary: str
    source: int


@dataclass(frozen=True)
class Check:
    """One of the reconciler's checks of a figure of the month against other figures."""

    kind: str  # a relation of mineralflow.reconcile.KINDS
    subject: str
    stated: str
    computed: str
    verdict: str  # consistent, inconsistent
    gap: float | None
    gap_unit: str  # "points" for changes, the level's unit for amounts
    sources: tuple[int, ...]
    suspect: str | None = None  # the figure most likely wrong, for a failed check
    why: str | None = None


@dataclass(frozen=True)
class MirrorLine:
    """The exporter's figure against the importer's own record of the same flow and month."""

    importer: str
    name: str
    members: int  # EU member states summed on the EU27 line; 1 otherwise
    exporter_kg: float
    importer_kg: float
    gap_pct: float
    exporter_source: int
    importer_source: int


@dataclass
class Brief:
    """The brief for one product and month; render it with :meth:`to_markdown` or
    :meth:`to_dict`."""

    product: str
    product_name: str
    scope_note: str
    reporter: str
    period: str
    world: PartnerLine | None
    destinations: list[PartnerLine]
    aggregates: list[PartnerLine]
    ranking: list[str]
    ranking_sources: tuple[int, ...]
    cumulative: list[CumulativeLine]
    events: list[EventLine]
    broad_events: int
    checks: list[Check]
    unverifiable: int = 0  # checks of the month a missing term leaves open
    unlisted: int = 0  # checks of the month that hold but are not listed (same cell, members)
    sources: list[SourceRef] = field(default_factory=list)
    analysis: analysis.Analysis | None = None
    mirror: list[MirrorLine] = field(default_factory=list)
    as_of: str | None = None  # official figures as published on this day (None: latest)
    # A model's estimate of the next month's world level: never a stated figure.
    nowcast: nowcasting.Nowcast | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): the same content as the Markdown, field by field."""
        data: dict[str, Any] = _plain(asdict(self))
        data["nowcast"] = self.nowcast.to_dict() if self.nowcast is not None else None
        data["independent"] = independence(self.sources, _world_numbers(self))
        return data

    def to_markdown(self) -> str:
        return _markdown(self)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _plain_number(text: str) -> bool:
    return text.replace(",", "").replace(".", "", 1).lstrip("+-").isdigit()


def _cite(numbers: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def _mark(flagged: bool) -> str:
    return " ⚠" if flagged else ""


def _num(x: float) -> str:
    """A bound as text: ``22,319``, ``1,341.075``, ``no limit`` for infinity."""
    if math.isinf(x):
        return "no limit"
    return f"{x:,.3f}".rstrip("0").rstrip(".")


def _pct(x: float) -> str:
    return f"{x:+.1f}%"


def _pct_range(lo: float, hi: float) -> str:
    """``+157.4% to +157.7%``, with as many decimals (up to three) as tell the ends apart."""
    for decimals in (1, 2, 3):
        a, b = f"{lo:+.{decimals}f}%", f"{hi:+.{decimals}f}%"
        if a != b:
            break
    return f"{a} to {b}"


@dataclass(frozen=True)
class _Row:
    """One figure with its source, as the brief reads it from the ledger."""

    figure_id: str
    source_id: str
    partner: str
    measure: str
    start: Month
    end: Month
    value: float
    unit: str
    stated: str
    resolution: float
    qualifier: str
    authority_rank: int
    outlet: str
    original_publisher: str | None
    source_title: str
    source_url: str | None
    source_published: dt.date | None
    authority: str
    source_note: str | None

    @property
    def interval(self) -> Interval:
        return Interval.of(self.value, resolution=self.resolution, qualifier=self.qualifier)

    def text(self) -> str:
        """The figure as stated, with its unit: ``1,346 t``, ``-1.6%``, ``rank 2``."""
        return Stated(
            self.measure, self.value, self.stated, self.unit, self.qualifier, self.resolution, ()
        ).text()

    @property
    def sort_key(self) -> tuple[int, float, bool, str]:
        # Strongest source first, then the most precise, then plain over qualified.
        return (self.authority_rank, self.resolution, self.qualifier != "exact", self.source_id)


class _Citations:
    """Numbers sources in the order the brief first cites them."""

    def __init__(self) -> None:
        self.refs: list[SourceRef] = []
        self._numbers: dict[str, int] = {}

    def number(self, r: _Row) -> int:
        if r.source_id not in self._numbers:
            self._numbers[r.source_id] = len(self.refs) + 1
            self.refs.append(
                SourceRef(
                    number=len(self.refs) + 1,
                    source_id=r.source_id,
                    outlet=r.outlet,
                    original_publisher=r.original_publisher,
                    title=r.source_title,
                    url=r.source_url,
                    published=str(r.source_published) if r.source_published else None,
                    authority=r.authority,
                    note=r.source_note,
                )
            )
        return self._numbers[r.source_id]

    def by_id(self, source_id: str, ledger: Ledger) -> int:
        """The number of a source known only by its id (cited by a computed figure)."""
        if source_id not in self._numbers:
            r = compiled.rows(ledger, "brief.source", source_id=source_id)[0]
            self._numbers[source_id] = len(self.refs) + 1
            self.refs.append(
                SourceRef(
                    number=len(self.refs) + 1,
                    source_id=source_id,
                    outlet=r["outlet"],
                    original_publisher=r["original_publisher"],
                    title=r["title"],
                    url=r["url"],
                    published=str(r["published"]) if r["published"] else None,
                    authority=r["authority"],
                    note=r["note"],
                )
            )
        return self._numbers[source_id]

    def event(self, event_id: str, url: str, instrument: str, announced: str) -> int:
        key = f"event:{event_id}"
        if key not in self._numbers:
            self._numbers[key] = len(self.refs) + 1
            outlet = url.split("//", 1)[-1].split("/", 1)[0].removeprefix("www.")
            self.refs.append(
                SourceRef(
                    number=len(self.refs) + 1,
                    source_id=key,
                    outlet=outlet,
                    original_publisher=None,
                    title=instrument,
                    url=url,
                    published=None,
                    authority="policy_source",
                    note=f"source of the policy event announced {announced}",
                )
            )
        return self._numbers[key]


class _Estimates:
    """The reconciler's best estimates for the brief's cells, as :class:`Stated` figures."""

    def __init__(
        self, best: pd.DataFrame | list[dict[str, Any]], rows: dict[str, _Row], cite: _Citations
    ) -> None:
        self.rows = rows
        self.cite = cite
        self.cells: dict[tuple[str, str, Month, Month], dict[str, Any]] = {
            (b["partner"], b["measure"], Month.of(b["period_start"]), Month.of(b["period_end"])): b
            for b in _records(best)
            if not b["derived"]
        }

    def stated(self, partner: str, measure: str, start: Month, end: Month) -> Stated | None:
        """The figure to show for one cell, citing every source that agrees with it."""
        b = self.cells.get((partner, measure, start, end))
        if b is None:
            return None
        flagged = set(b["flagged_figure_ids"])
        value, qualifier = float(b["value"]), str(b["qualifier"])
        agree = self._rows(b["figure_ids"])
        citing = [r for r in agree if _states(r, value, qualifier)]
        numbers = tuple(sorted({self.cite.number(r) for r in citing}))
        worded = [r for r in agree if r not in citing]
        return Stated(
            measure,
            value,
            str(b["stated"]),
            str(b["unit"]),
            qualifier,
            float(b["resolution"]),
            numbers,
            self._grouped(self._rows(b["disagreeing_figure_ids"]), flagged),
            flagged=bool(b["flagged"]),
            worded=self._grouped(worded, flagged),
        )

    def _grouped(self, rows: list[_Row], flagged: set[str]) -> tuple[Stated, ...]:
        """Figures as their sources word them, one per wording as printed, with its sources."""
        groups: dict[str, list[_Row]] = {}
        for r in rows:
            groups.setdefault(r.text(), []).append(r)
        return tuple(
            Stated(
                head.measure,
                head.value,
                head.stated,
                head.unit,
                head.qualifier,
                head.resolution,
                tuple(sorted({self.cite.number(r) for r in group})),
                flagged=any(r.figure_id in flagged for r in group),
            )
            for head, group in ((g[0], g) for g in groups.values())
        )

    def _rows(self, ids: Iterable[str]) -> list[_Row]:
        return sorted((self.rows[i] for i in ids if i in self.rows), key=lambda r: r.sort_key)


def _states(r: _Row, value: float, qualifier: str) -> bool:
    """Whether the figure ``r`` states ``value`` (with ``qualifier``) within its own precision:
    the same qualifier, and ``value`` rounded (half up) to ``r``'s last stated digit is ``r``'s
    value. 3,188 states 3,188.0 and 1,238 states 1,238.47; 157% does not state 157.5% (it
    rounds to 158), nor does "around 160%"."""
    if r.qualifier != qualifier:
        return False
    step = Decimal(repr(r.resolution))
    rounded = (Decimal(repr(value)) / step).to_integral_value(ROUND_HALF_UP) * step
    return rounded == Decimal(repr(r.value))


def _read_rows(
    ledger: Ledger,
    product: str,
    reporter: str,
    flow: str,
    month: Month,
    as_of: dt.date | None = None,
) -> list[_Row]:
    """The figures a brief for ``month`` can use: periods ending from a year before to then
    (official figures from the vintage in force, or as published on ``as_of``)."""
    first, last = month.shift(-12).first_day, month.first_day
    if as_of is None:
        found = compiled.rows(
            ledger,
            "brief.rows",
            product=product,
            reporter=reporter,
            flow=flow,
            first=first,
            last=last,
        )
    else:
        t = ledger.figures(product=product, reporter=reporter, as_of=as_of)
        found = _window_rows(ledger, t, flow, first, last).to_pyarrow().to_pylist()
    return [
        _Row(
            figure_id=r["figure_id"],
            source_id=r["source_id"],
            partner=r["partner"],
            measure=r["measure"],
            start=Month.of(r["period_start"]),
            end=Month.of(r["period_end"]),
            value=r["value"],
            unit=r["unit"],
            stated=r["stated"],
            resolution=r["resolution"],
            qualifier=r["qualifier"],
            authority_rank=r["authority_rank"],
            outlet=r["outlet"],
            original_publisher=r["original_publisher"],
            source_title=r["source_title"],
            source_url=r["source_url"],
            source_published=r["source_published"],
            authority=r["authority"],
            source_note=r["source_note"],
        )
        for r in found
    ]


def _window_rows(ledger: Any, t: ibis.Table, flow: Any, first: Any, last: Any) -> ibis.Table:
    """Figures ``t`` of ``flow`` whose period ends from ``first`` to ``last``, with their
    source's note."""
    t = t.filter((t.flow == flow) & (t.period_end >= first) & (t.period_end <= last))
    notes = ledger.table("sources").select("source_id", source_note="note")
    return t.join(notes, "source_id")


@compiled.query(
    "brief.rows",
    tables=(),
    product="string",
    reporter="string",
    flow="string",
    first="date",
    last="date",
)
def _rows_query(ledger: Any, p: compiled.Params) -> ibis.Table:
    # As ledger.figures(product=..., reporter=...) gives them (the vintage in force).
    from .releases import figures_in_force

    t = figures_in_force(ledger)
    t = t.filter(t.product == p.product)
    t = t.filter(t.reporter == p.reporter)
    t = t.order_by(["period_end", "period_start", "partner", "measure", "source_id"])
    return _window_rows(ledger, t, p.flow, p.first, p.last)


@compiled.query("brief.source", tables=("sources",), source_id="string")
def _source_query(tables: Any, p: compiled.Params) -> ibis.Table:
    t = tables["sources"]
    return t.filter(t.source_id == p.source_id)


@compiled.query(
    "brief.events",
    tables=("events", "event_products"),
    order=("date_announced", "event_id"),
    product="string",
    first="date",
    last="date",
)
def _events_query(tables: Any, p: compiled.Params) -> ibis.Table:
    e = tables["events"]
    links = tables["event_products"]
    t = e.join(links.filter(links.product == p.product), "event_id")
    first, last = p.first, p.last
    in_window = ((t.date_announced >= first) & (t.date_announced <= last)) | (
        t.date_effective.notnull() & (t.date_effective >= first) & (t.date_effective <= last)
    )
    return t.filter(in_window)


def build_brief(
    ledger: Ledger,
    *,
    product: str,
    period: str,
    reporter: str = "CHN",
    flow: str = "export",
    engine: str | Any = "duckdb",
    reconciliation: Reconciliation | None = None,
    as_of: str | dt.date | None = None,
) -> Brief:
    """Compose the brief for ``product`` in the month ``period`` (``YYYY-MM``).

    ``reconciliation`` is the product's :func:`~mineralflow.check` result when the caller
    already has it (a report builds one for its brief and its conflicts); otherwise the
    brief reconciles the product itself.

    Official figures come from the release in force; with ``as_of`` (a date), from the
    releases as published on that day (news figures are not filtered).

    Stated figures come from the ledger; computed ones (shares of the world total and the
    Analysis section) from :mod:`mineralflow.metrics`, run on ``engine`` (``duckdb`` or
    ``spark``, see :mod:`mineralflow.engines`). Both engines give the same brief.
    """
    prod = catalog.product(product)
    p = Period.parse(period)
    if not p.is_month:
        raise UsageError(f"a brief covers one month; got {period!r}, write it YYYY-MM")
    as_of = parse_date(as_of, option="--as-of")
    if as_of is not None and reconciliation is not None:
        raise UsageError("pass either as_of or a reconciliation, not both")
    month = p.end
    rows = _read_rows(ledger, product, reporter, flow, month, as_of)
    if not any(r.end == month for r in rows):
        raise NoData(f"{product} in {month}", ledger.periods(product))
    cite = _Citations()
    # The whole product, not only this month's window: a figure's verdict then depends on
    # everything the ledger holds, as `mineralflow check` judges it, whichever month is asked.
    # As published on a day: reconcile the figures known then (later releases left out).
    known = ledger if as_of is None else ledger.figures(as_of=as_of, revised=True)
    rec = reconciliation or reconcile(known, product=product)
    # Every cell the brief shows ends in the month (the month itself, or a total to it).
    best_rows = _rec_rows(rec, "best", reporter=reporter, flow=flow, period_end=month.first_day)
    estimates = _Estimates(best_rows, {r.figure_id: r for r in rows}, cite)

    def cell(partner: str, measure: str, m: Month = month) -> Stated | None:
        return estimates.stated(partner, measure, m, m)

    countries = catalog.countries()

    def kind(code: str) -> str:
        return countries[code].kind if code in countries else "country"

    # World first, so its sources take the first numbers.
    world_level = cell("WLD", "level")
    world = None
    if any(r.partner == "WLD" for r in rows):
        world = PartnerLine(
            "WLD",
            "World",
            "world",
            None,
            world_level,
            cell("WLD", "change_mom"),
            cell("WLD", "change_yoy"),
            None,
        )

    in_month = [r for r in rows if r.start == month and r.end == month]
    ranks = sorted((r for r in in_month if r.measure == "rank"), key=lambda r: r.sort_key)
    ranking: list[str] = []
    ranking_sources: tuple[int, ...] = ()
    if ranks:
        # One source's ranking, the strongest; other sources' ranks are checked, not mixed in.
        best = sorted(
            (r for r in ranks if r.source_id == ranks[0].source_id), key=lambda r: r.value
        )
        ranking = [r.partner for r in best]
        ranking_sources = (cite.number(best[0]),)
    rank_of = {code: i + 1 for i, code in enumerate(ranking)}

    # Computed figures come from the metrics, on the engine asked for: on DuckDB with the
    # reconciliation stored, as compiled queries over the levels kept in a temporary table;
    # otherwise the levels go to the engine (tables_for) and Ibis runs the metrics there.
    source: Ledger | dict[str, ibis.Table]
    if engine == "duckdb" and rec.stored:
        compiled.store(ledger, "analysis.levels", scope=product, reporter=reporter, flow=flow)
        source = ledger
    else:
        tables = engines.tables_for(ledger, engine)
        levels = analysis.levels_for(
            ledger, tables, product=product, reporter=reporter, flow=flow, rec=rec
        )
        source = {**tables, analysis.LEVELS: levels}
    # The next month's world level as a model estimates it from the months to this one
    # (statsmodels loads only when the estimate is not in the ledger's cache yet).
    from . import nowcast as nowcasting

    world_series = nowcasting.series_of(
        ledger,
        compiled.rows(source, "analysis.level_rows"),
        product=product,
        partner="WLD",
        reporter=reporter,
        flow=flow,
    )
    estimate = nowcasting.forecast(
        world_series.upto(month), month.shift(1), cache=nowcasting.cache_folder(ledger)
    )
    share_of = {
        r["partner"]: r["share_pct"]
        for r in compiled.rows(source, "analysis.shares", month=month.first_day)
        if r["share_pct"] is not None
    }

    lines: list[PartnerLine] = []
    for code in sorted({r.partner for r in in_month} - {"WLD"}):
        level = cell(code, "level")
        share = None
        if level is not None and code in share_of:
            share = round(share_of[code], 1)
        lines.append(
            PartnerLine(
                code,
                catalog.partner_name(code),
                kind(code),
                rank_of.get(code),
                level,
                cell(code, "change_mom"),
                cell(code, "change_yoy"),
                share,
            )
        )

    def order(line: PartnerLine) -> tuple[float, float, str]:
        return (line.rank or math.inf, -(line.level.value if line.level else -1), line.name)

    destinations = sorted((ln for ln in lines if ln.kind == "country"), key=order)
    aggregates = sorted((ln for ln in lines if ln.kind != "country"), key=order)

    cumulative: list[CumulativeLine] = []
    spans = sorted(
        {(r.partner, r.start) for r in rows if r.end == month and r.start < month},
        key=lambda ps: (ps[0] != "WLD", kind(ps[0]) != "country", ps[0], ps[1]),
    )
    for code, start in spans:
        span = Period(start, month)
        cumulative.append(
            CumulativeLine(
                code,
                "World" if code == "WLD" else catalog.partner_name(code),
                str(span),
                span.describe(),
                estimates.stated(code, "cumulative", start, month),
                estimates.stated(code, "cumulative_change_yoy", start, month),
            )
        )

    mine = {"reporter": reporter, "flow": flow, "product": product, "period_end": month.first_day}
    mc = _rec_rows(rec, "checks", **mine)
    checks = _checks(mc, _rec_rows(rec, "conflicts", **mine), estimates.rows, cite)
    unverifiable = sum(c["verdict"] == "unverifiable" for c in mc)
    unlisted = sum(c["verdict"] == "consistent" and c["kind"] not in _LISTED for c in mc)
    events, broad = _events(ledger, product, month, cite)
    mirror = _mirror(ledger, product, reporter, flow, month, as_of, cite)
    # The next month's world level as a model estimates it from the months to this one.
    if reconciliation is None:
        rec.close()
    computed = analysis.brief_analysis(
        source,
        month=month,
        events=events,
        cite=lambda source_id: cite.by_id(source_id, ledger),
    )
    return Brief(
        product=product,
        product_name=prod.name,
        scope_note=prod.scope_note,
        reporter=reporter,
        period=str(month),
        world=world,
        destinations=destinations,
        aggregates=aggregates,
        ranking=ranking,
        ranking_sources=ranking_sources,
        cumulative=cumulative,
        events=events,
        broad_events=broad,
        checks=checks,
        unverifiable=unverifiable,
        unlisted=unlisted,
        sources=cite.refs,
        analysis=computed,
        mirror=mirror,
        as_of=str(as_of) if as_of else None,
        nowcast=estimate,
    )


# Checks the brief lists one by one when they hold; the rest (figures against each other,
# members against their bloc or the world) are counted.
_LISTED = (
    "change_mom",
    "change_yoy",
    "cumulative_change_yoy",
    "cumulative_sum",
    "rank_order",
    "product_scope",
)


def _mirror(
    ledger: Ledger,
    product: str,
    reporter: str,
    flow: str,
    month: Month,
    as_of: dt.date | None,
    cite: _Citations,
) -> list[MirrorLine]:
    """The mirror lines for the month, when both the exporter and importers report it."""
    if flow != "export":
        return []
    if not ledger.con.execute("SELECT count(*) FROM releases").fetchone()[0]:
        return []  # no official releases, no flows: nothing to set side by side
    from .mirror import mirror
    from .releases import flows_in_force

    t = mirror(flows_in_force(ledger, as_of=as_of), product=product, exporter=reporter)
    t = t.filter((t.period == month.first_day) & (t.period_end == month.first_day))
    out = []
    for r in t.to_pyarrow().to_pylist():
        code = r["importer"]
        out.append(
            MirrorLine(
                importer=code,
                name=catalog.partner_name(code),
                members=r["members"],
                exporter_kg=r["exporter_kg"],
                importer_kg=r["importer_kg"],
                gap_pct=round(r["gap_pct"], 1),
                exporter_source=cite.by_id(r["exporter_release"], ledger),
                importer_source=cite.by_id(r["importer_release"], ledger),
            )
        )
    return out


def _checks(
    checks: pd.DataFrame | list[dict[str, Any]],
    conflicts: pd.DataFrame | list[dict[str, Any]],
    rows: dict[str, _Row],
    cite: _Citations,
) -> list[Check]:
    """The reconciler's checks of the month, as the brief words them: every failed check,
    and the listed kinds that hold. Two sources stating the same figure give the same
    line once, citing both."""
    blamed = {c["check_id"]: c for c in _records(conflicts)}
    out: dict[tuple[str, str, str, str], Check] = {}
    for c in _records(checks):
        if c["verdict"] == "unverifiable":
            continue
        head = rows.get(c["figure_id"])
        terms = [rows[i] for i in c["figure_ids"] if i in rows and i != c["figure_id"]]
        official = _official_side(c, head, terms)
        if c["verdict"] == "consistent" and c["kind"] not in _LISTED and official is None:
            continue
        if official is not None:
            # Another source's figure for a cell an official release states: always listed.
            news = next(r for r in (head, *terms) if r is not None and r is not official)
            subject = f"{_name(c['partner'])} {official.measure}, {c['period']}, " + (
                "against the official release"
            )
            stated = f"{news.outlet} states {news.text()}"
            computed = f"the official release states {official.text()}"
        else:
            subject, stated, computed = _words(c, head, terms)
        conflict = blamed.get(c["check_id"])
        gap = c["gap"]
        sources = {cite.number(r) for r in ([head, *terms] if head else terms)}
        key = (subject, stated, computed, c["verdict"])
        if key in out:
            sources |= set(out[key].sources)
        out[key] = Check(
            kind=c["kind"],
            subject=subject,
            stated=stated,
            computed=computed,
            verdict=c["verdict"],
            gap=None if gap is None else round(float(gap), 2),  # None: a year shift
            gap_unit=c["unit"],
            sources=tuple(sorted(sources)),
            suspect=conflict["suspect"] if conflict is not None else None,
            why=conflict["why"] if conflict is not None else None,
        )
    return list(out.values())


def _official_side(c: dict[str, Any], head: _Row | None, terms: list[_Row]) -> _Row | None:
    """In a same-cell check of an official figure against another source's, the official
    one; None for every other check."""
    if c["kind"] != "same_cell":
        return None
    sides = [r for r in (head, *terms) if r is not None]
    official = [r for r in sides if r.authority == "official"]
    return official[0] if len(official) == 1 and len(sides) == 2 else None


def _name(code: str) -> str:
    return "World" if code == "WLD" else catalog.partner_name(code)


def _words(c: dict[str, Any], head: _Row | None, terms: list[_Row]) -> tuple[str, str, str]:
    """(subject, what is stated, what the other figures allow) of one check, in words."""
    name, period = _name(c["partner"]), c["period"]
    stated = f"stated {head.text()}" if head else "stated"
    unit = "%" if c["unit"] == "points" else f" {c['unit']}"
    lo, hi = c["computed_lo"], c["computed_hi"]
    if lo is None:
        allowed = ""
    elif unit == "%":
        allowed = _pct_range(lo, hi)
    elif math.isinf(hi):
        allowed = f"at least {_num(lo)}{unit}"
    else:
        allowed = f"{_num(lo)} to {_num(hi)}{unit}"

    cells: dict[tuple[str, Month, Month, str], list[str]] = {}
    for r in terms:
        texts = cells.setdefault((r.partner, r.start, r.end, r.measure), [])
        if r.text() not in texts:
            texts.append(r.text())
    by_time = sorted(cells.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0]))

    def listed(with_partner: bool = False) -> str:
        return " and ".join(
            f"{' / '.join(texts)} ({_name(p) + ' ' if with_partner else ''}{Period(s, e)})"
            for (p, s, e, _), texts in by_time
        )

    kind = c["kind"]
    measure = head.measure if head else ""
    about = subject(kind, c["partner"], period, measure)
    if kind in ("change_mom", "change_yoy"):
        return about, stated, f"the levels {listed()} give {allowed}"
    if kind == "cumulative_change_yoy":
        return about, stated, f"the totals {listed()} give {allowed}"
    if kind == "cumulative_sum":
        return about, stated, f"{listed()} add up to {allowed}"
    if kind == "rank_order":
        ranks = [r for r in terms if r.measure == "rank"]
        levels = {p: " / ".join(texts) for (p, _, _, m), texts in by_time if m == "level"}
        other = next((p for p in levels if p != c["partner"]), "")
        mine = levels.get(c["partner"], "")
        theirs = levels.get(other, "")
        if ranks:
            about = f"{name} ranked above {_name(other)}, {period}"
            stated = f"ranks {head.stated if head else '?'} and {ranks[0].stated}"
        else:
            about = f"{name} ranked, {_name(other)} not, {period}"
            stated = f"rank {head.stated if head else '?'}"
        return about, stated, f"levels {mine} and {theirs}"
    if kind == "same_cell":
        return about, stated, f"another source states {listed()}"
    if kind == "part_of":
        return about, stated, f"{listed(True)}: at most {_num(hi)}{unit}"
    if kind == "parts_sum":
        return about, stated, f"{listed(True)} add up to {allowed}"
    if kind == "product_scope":
        return about, stated, f"{listed()}: {allowed}"
    # year_shift
    fits = f" ({listed()} add up to {allowed})" if terms and allowed else ""
    return about, stated, f"{c['note']}{fits}"


def _rec_rows(rec: Reconciliation, name: str, **equal: Any) -> list[dict[str, Any]]:
    """The reconciliation's ``checks``, ``conflicts`` or ``best`` as :func:`_records`, only
    the rows whose columns have the values ``equal`` gives (a period_end: its month)."""
    found = rec.rows(name, **equal)
    if found is not None:
        return found

    def keep(r: dict[str, Any]) -> bool:
        return all(
            Month.of(r[k]) == Month.of(v) if k == "period_end" else r[k] == v
            for k, v in equal.items()
        )

    return [r for r in _records(getattr(rec, name)) if keep(r)]


def _records(df: pd.DataFrame | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as dicts, missing numbers as None and arrays as lists."""
    if isinstance(df, list):
        return df
    out = []
    for row in df.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if hasattr(value, "tolist") and not isinstance(value, str):
                value = value.tolist()
            elif isinstance(value, float) and math.isnan(value):
                value = None
            clean[str(key)] = value
        out.append(clean)
    return out


def _events(
    ledger: Ledger, product: str, month: Month, cite: _Citations
) -> tuple[list[EventLine], int]:
    first = month.shift(1 - EVENT_WINDOW_MONTHS).first_day
    last = month.shift(1).first_day - dt.timedelta(days=1)
    lines: list[EventLine] = []
    broad = 0
    for r in compiled.rows(ledger, "brief.events", product=product, first=first, last=last):
        if r["link"] == "all_goods":
            broad += 1
            continue
        announced = str(r["date_announced"])
        effective = r["date_effective"]
        lines.append(
            EventLine(
                event_id=r["event_id"],
                date_announced=announced,
                date_effective=str(effective) if effective else None,
                jurisdiction=r["jurisdiction"],
                instrument=r["instrument"],
                kind=r["kind"],
                link=r["link"],
                summary=r["summary"],
                source=cite.event(r["event_id"], r["source_url"], r["instrument"], announced),
            )
        )
    return lines, broad


def _describe_nowcast(n: nowcasting.Nowcast) -> str:
    from . import nowcast as nowcasting

    return nowcasting.describe(n)


def _world_numbers(b: Brief) -> list[int]:
    """The sources that state the world level within rounding (cited and worded)."""
    level = b.world.level if b.world is not None else None
    if level is None:
        return []
    return sorted(set(level.sources) | {n for w in level.worded for n in w.sources})


# -- Markdown ---------------------------------------------------------------------------------
_JURISDICTION = {"CN": "China", "US": "United States", "US-CN": "United States and China"}
_LINK_WORDS = {"code": "by customs code", "term": "by name", "group": "as part of its group"}


def _changes(line: PartnerLine) -> str:
    parts = []
    if line.change_mom is not None:
        parts.append(line.change_mom.cited("m/m"))
    if line.change_yoy is not None:
        parts.append(line.change_yoy.cited("y/y"))
    return ", ".join(parts)


def _partner_sentence(line: PartnerLine) -> str:
    bits = []
    if line.level is not None:
        bits.append(line.level.cited(bold=True))
    changes = _changes(line)
    if changes:
        bits.append(changes)
    if line.share_of_world is not None:
        bits.append(f"{line.share_of_world:.1f}% of the world total")
    if line.rank is not None:
        bits.append(f"rank {line.rank}")
    return "; ".join(bits) if bits else "ranked, no tonnage stated"


def _markdown(b: Brief) -> str:
    month = Month.parse(b.period)
    reporter = catalog.partner_name(b.reporter)
    out = [
        f"# {b.product_name}: {reporter}'s exports, {month.name}",
        "",
        f"_{b.scope_note}_",
        "",
        "Figures as the sources state them; [n] points to the numbered source list. "
        "m/m: change from the previous month; y/y: change from the same month a year earlier."
        + (
            f" Official figures as published on {b.as_of} (later revisions left out)."
            if b.as_of
            else ""
        ),
        "",
        "## World",
        "",
    ]
    if b.world is not None and (b.world.level or b.world.change_mom or b.world.change_yoy):
        w = b.world
        sentence = f"{reporter} exported "
        sentence += f"{w.level.cited(bold=True)} " if w.level else "an unstated tonnage "
        sentence += f"of {b.product_name.lower()} in {month.name}"
        changes = _changes(w)
        out.append(sentence + (f": {changes}." if changes else "."))
        world_sources, _ = independence_lines(b.sources, _world_numbers(b))
        if world_sources:
            out += ["", world_sources]
    else:
        out.append(f"No world total is stated for {month.name}.")
    out += ["", "## Destinations", ""]
    if b.ranking:
        names = [catalog.partner_name(c) for c in b.ranking]
        out.append(
            f"Top destinations in {month.name}, in descending order {_cite(b.ranking_sources)}: "
            + ", ".join(names)
            + ". "
            + f"{names[0]} was the largest destination."
        )
        out.append("")
    if b.destinations:
        for line in b.destinations:
            out.append(f"- {line.name}: {_partner_sentence(line)}.")
    else:
        out.append("No destination is stated for this month.")
    if b.aggregates:
        out += ["", "Blocs and regions (as the sources define them):", ""]
        for line in b.aggregates:
            out.append(f"- {line.name}: {_partner_sentence(line)}.")
    if b.cumulative:
        out += ["", "## Year to date and other totals", ""]
        for cum in b.cumulative:
            bits = []
            if cum.total is not None:
                bits.append(cum.total.cited(bold=True))
            if cum.change_yoy is not None:
                bits.append(cum.change_yoy.cited("y/y"))
            subject = (
                "exports to the world"
                if cum.partner == "WLD"
                else f"exports to {catalog.with_article(cum.name)}"
            )
            out.append(f"- In {cum.described} ({cum.period}), {subject}: {', '.join(bits)}.")
    first = month.shift(1 - EVENT_WINDOW_MONTHS)
    out += ["", f"## Policy events, {first.name} to {month.name}", ""]
    if b.events:
        for ev in b.events:
            when = ev.date_announced
            if ev.date_effective and ev.date_effective != ev.date_announced:
                when += f" (effective {ev.date_effective})"
            out.append(
                f"- {when}, {_JURISDICTION.get(ev.jurisdiction, ev.jurisdiction)}: "
                f"{ev.instrument} ({ev.kind.replace('_', ' ')}; names the product "
                f"{_LINK_WORDS[ev.link]}) {_cite([ev.source])}. {ev.summary}"
            )
    else:
        out.append("No policy event in the ledger names this product in these six months.")
    if b.broad_events:
        out += [
            "",
            f"Also in these months: {b.broad_events} measures on all goods (general tariffs "
            "and their suspensions); `mineralflow events` lists them.",
        ]
    bad = [c for c in b.checks if c.verdict != "consistent"]
    if b.mirror:
        out += ["", "## Mirror: what the importers report", ""]
        out.append(
            f"{reporter}'s exports as its customs state them, against each importer's own record "
            f"of imports from {reporter} in {month.name} (quantities; importer minus exporter):"
        )
        out.append("")
        for m in b.mirror:
            if m.importer == "EU27":
                who, says = f"EU members on both sides ({m.members})", "they report"
            else:
                who, says = m.name, f"{m.name} reports"
            out.append(
                f"- {who}: {reporter} reports {m.exporter_kg / 1000:,.3f} t "
                f"{_cite([m.exporter_source])}; {says} {m.importer_kg / 1000:,.3f} t "
                f"{_cite([m.importer_source])}: {_pct(m.gap_pct)}."
            )
        out += ["", f"_{MIRROR_NOTE}_"]
    out += ["", "## Checks", ""]
    out.append(
        f"The reconciler's checks of this month's figures against the figures they relate: "
        f"{len(bad)} failed; {len(b.checks) - len(bad)} listed below hold within rounding"
        + (
            f", and {b.unlisted} more (figures against each other, members against their "
            "bloc, region or the world)"
            if b.unlisted
            else ""
        )
        + (
            f"; {b.unverifiable} could not be checked (a term is missing)."
            if b.unverifiable
            else "."
        )
        + (" ⚠ marks a figure a failed check names as most likely wrong." if bad else "")
    )
    out.append("")
    for c in sorted(b.checks, key=lambda c: c.verdict == "consistent"):
        if c.verdict == "consistent":
            out.append(f"- {c.subject}: {c.stated}; {c.computed}: consistent {_cite(c.sources)}.")
        else:
            off = f" (off by {c.gap:g} {c.gap_unit})" if c.gap is not None else ""
            blame = f"Most likely wrong: {c.suspect}, which {c.why}" if c.suspect else c.why or ""
            out.append(
                f"- **Disagreement**, {c.subject}: {c.stated}, but {c.computed}{off} "
                f"{_cite(c.sources)}. {blame[0].upper()}{blame[1:]}."
            )
    if b.analysis is not None:
        out += ["", *analysis.to_markdown(b.analysis)]
    if b.nowcast is not None:
        out += ["", "## Nowcast: an estimate, not a stated figure", ""]
        out.append(
            _describe_nowcast(b.nowcast)
            + " Its record against the naive forecasts: `mineralflow nowcast --backtest`."
        )
    out += ["", "## Sources", ""]
    out += [s.to_markdown() for s in b.sources]
    _, copies = independence_lines(b.sources, _world_numbers(b))
    if copies:
        out += ["", copies]
    return "\n".join(out) + "\n"
