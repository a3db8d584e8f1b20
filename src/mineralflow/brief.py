"""The monthly brief: what the ledger says about one product in one month, with sources.

The brief composes its own sentences from the ledger's figures; every figure carries the
numbers of the sources that state it, and the source list resolves each number::

    >>> with Ledger.open(read_only=True) as ledger:          # doctest: +SKIP
    ...     print(build_brief(ledger, product="rare-earth-magnets", period="2025-06").to_markdown())

Where several sources state the same cell, the brief shows the figure of the strongest
source (official > wire > trade press > blog > AI summary; then the most precise) and cites
every source whose figure agrees within rounding; a figure that disagrees beyond rounding is
shown beside it. Where the ledger has both levels and a stated change, the brief checks the
change against the levels and says when they disagree beyond rounding.

An official release (``mineralflow ingest``) is the strongest source, so its figure leads its
cell and every other source's level for that cell is checked against it; ``as_of`` shows the
official figures as published on a day. When importers report the same flow, a mirror
section sets their figures beside the exporter's (:mod:`mineralflow.mirror`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from . import catalog
from .errors import NoData, UsageError
from .ledger import Ledger
from .periods import Month, Period
from .reconcile.intervals import Interval, change_between

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
    sources: tuple[int, ...]
    disagreeing: tuple[Stated, ...] = ()

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
        text = f"{f'**{body}**' if bold else body} {_cite(self.sources)}"
        for other in self.disagreeing:
            text += f" (another source states {other.text()} {_cite(other.sources)})"
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
    """A stated figure checked against other figures (levels against a stated change...)."""

    subject: str
    stated: str
    computed: str
    verdict: str  # consistent, inconsistent
    gap: float
    gap_unit: str  # "points" for changes, the level's unit for ranks
    sources: tuple[int, ...]


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
    sources: list[SourceRef] = field(default_factory=list)
    mirror: list[MirrorLine] = field(default_factory=list)
    as_of: str | None = None  # official figures as published on this day (None: latest)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): the same content as the Markdown, field by field."""
        data: dict[str, Any] = _plain(asdict(self))
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


def _pct(x: float) -> str:
    return f"{x:+.1f}%"


@dataclass(frozen=True)
class _Row:
    """One figure with its source, as the brief reads it from the ledger."""

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

    def source(self, ledger: Ledger, source_id: str) -> int:
        """Cite a source by id (a release the brief uses outside the figures)."""
        if source_id not in self._numbers:
            t = ledger.table("sources")
            r = t.filter(t.source_id == source_id).to_pyarrow().to_pylist()[0]
            published = r["published"]
            self._numbers[source_id] = len(self.refs) + 1
            self.refs.append(
                SourceRef(
                    number=len(self.refs) + 1,
                    source_id=source_id,
                    outlet=r["outlet"],
                    original_publisher=r["original_publisher"],
                    title=r["title"],
                    url=r["url"],
                    published=str(published) if published else None,
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


def _stated(rows: list[_Row], cite: _Citations) -> Stated | None:
    """The figure to show for one cell, citing every source that agrees with it."""
    groups: list[list[_Row]] = []
    for r in sorted(rows, key=lambda r: r.sort_key):
        for g in groups:
            if g[0].interval.meets(r.interval):
                g.append(r)
                break
        else:
            groups.append([r])
    if not groups:
        return None

    def make(g: list[_Row], disagreeing: tuple[Stated, ...] = ()) -> Stated:
        head = g[0]
        numbers = tuple(sorted({cite.number(r) for r in g}))
        return Stated(
            head.measure,
            head.value,
            head.stated,
            head.unit,
            head.qualifier,
            head.resolution,
            numbers,
            disagreeing,
        )

    return make(groups[0], tuple(make(g) for g in groups[1:]))


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
    t = ledger.figures(product=product, reporter=reporter, as_of=as_of)
    t = t.filter(
        (t.flow == flow)
        & (t.period_end >= month.shift(-12).first_day)
        & (t.period_end <= month.first_day)
    )
    notes = ledger.table("sources").select("source_id", source_note="note")
    t = t.join(notes, "source_id")
    return [
        _Row(
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
        for r in t.to_pyarrow().to_pylist()
    ]


def build_brief(
    ledger: Ledger,
    *,
    product: str,
    period: str,
    reporter: str = "CHN",
    flow: str = "export",
    as_of: str | dt.date | None = None,
) -> Brief:
    """Compose the brief for ``product`` in the month ``period`` (``YYYY-MM``).

    Official figures come from the release in force; with ``as_of`` (a date), from the
    releases as published on that day (news figures are not filtered)."""
    prod = catalog.product(product)
    p = Period.parse(period)
    if not p.is_month:
        raise UsageError(f"a brief covers one month; got {period!r}, write it YYYY-MM")
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of {as_of!r} is not a date; write it YYYY-MM-DD") from None
    month = p.end
    rows = _read_rows(ledger, product, reporter, flow, month, as_of)
    if not any(r.end == month for r in rows):
        raise NoData(f"{product} in {month}", ledger.periods(product))
    cite = _Citations()

    def cell(partner: str, measure: str, m: Month = month) -> Stated | None:
        return _stated(
            [
                r
                for r in rows
                if r.partner == partner and r.measure == measure and r.start == m and r.end == m
            ],
            cite,
        )

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

    lines: list[PartnerLine] = []
    for code in sorted({r.partner for r in in_month} - {"WLD"}):
        level = cell(code, "level")
        share = None
        if level is not None and world_level is not None and level.unit == world_level.unit:
            share = round(100 * level.value / world_level.value, 1)
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
        same = [r for r in rows if r.partner == code and r.start == start and r.end == month]
        cumulative.append(
            CumulativeLine(
                code,
                "World" if code == "WLD" else catalog.partner_name(code),
                str(span),
                span.describe(),
                _stated([r for r in same if r.measure == "cumulative"], cite),
                _stated([r for r in same if r.measure == "cumulative_change_yoy"], cite),
            )
        )

    present = [ln for ln in [world, *lines] if ln is not None]
    checks = _checks(rows, month, cite, present, rank_of)
    checks += _official_checks(rows, month, cite, present)
    mirror = _mirror(ledger, product, reporter, flow, month, as_of, cite)
    events, broad = _events(ledger, product, month, cite)
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
        sources=cite.refs,
        mirror=mirror,
        as_of=str(as_of) if as_of else None,
    )


def _official_checks(
    rows: list[_Row], month: Month, cite: _Citations, lines: list[PartnerLine]
) -> list[Check]:
    """Each other source's level for a partner against the official release's, in tonnes."""
    checks: list[Check] = []
    for line in lines:
        cell = [
            r
            for r in rows
            if r.partner == line.partner
            and r.measure == "level"
            and r.start == month
            and r.end == month
        ]
        official = sorted((r for r in cell if r.authority == "official"), key=lambda r: r.sort_key)
        if not official:
            continue
        head = official[0]
        told = _stated([head], cite)
        assert told is not None
        for r in sorted((r for r in cell if r.authority != "official"), key=lambda r: r.sort_key):
            other = _stated([r], cite)
            assert other is not None
            gap = r.interval.gap(head.interval)
            checks.append(
                Check(
                    subject=f"{line.name} level, {month}, against the official release",
                    stated=f"{r.outlet} states {other.text()}",
                    computed=f"the official release states {told.text()}",
                    verdict="consistent" if gap == 0 else "inconsistent",
                    gap=round(gap, 3),
                    gap_unit=head.unit,
                    sources=tuple(sorted({*told.sources, *other.sources})),
                )
            )
    return checks


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
    from .mirror import mirror
    from .releases import flows_in_force

    if flow != "export":
        return []
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
                exporter_source=cite.source(ledger, r["exporter_release"]),
                importer_source=cite.source(ledger, r["importer_release"]),
            )
        )
    return out


def _checks(
    rows: list[_Row],
    month: Month,
    cite: _Citations,
    lines: list[PartnerLine],
    rank_of: dict[str, int],
) -> list[Check]:
    """Stated changes against the levels they relate, and ranks against levels."""
    checks: list[Check] = []
    for line in lines:
        for change, base, words in (
            (line.change_mom, month.shift(-1), "m/m"),
            (line.change_yoy, month.shift(-12), "y/y"),
        ):
            if change is None or line.level is None:
                continue
            old = _stated(
                [
                    r
                    for r in rows
                    if r.partner == line.partner
                    and r.measure == "level"
                    and r.start == base
                    and r.end == base
                ],
                cite,
            )
            computed = change_between(line.level.interval, old.interval) if old else None
            if old is None or computed is None:
                continue
            for stated in (change, *change.disagreeing):
                gap = stated.interval.gap(computed)
                checks.append(
                    Check(
                        subject=f"{line.name} {words} change, {month}",
                        stated=f"stated {stated.text()}",
                        computed=(
                            f"the levels {old.text()} ({base}) and {line.level.text()} give "
                            f"{_pct(computed.lo)} to {_pct(computed.hi)}"
                        ),
                        verdict="consistent" if gap == 0 else "inconsistent",
                        gap=round(gap, 2),
                        gap_unit="points",
                        sources=tuple(sorted({*stated.sources, *old.sources, *line.level.sources})),
                    )
                )
    ranked = sorted(
        (ln for ln in lines if ln.partner in rank_of and ln.level is not None),
        key=lambda ln: rank_of[ln.partner],
    )
    for higher, lower in itertools.pairwise(ranked):
        assert higher.level is not None
        assert lower.level is not None
        gap = max(0.0, lower.level.interval.lo - higher.level.interval.hi)
        checks.append(
            Check(
                subject=f"{higher.name} ranked above {lower.name}, {month}",
                stated=f"ranks {rank_of[higher.partner]} and {rank_of[lower.partner]}",
                computed=f"levels {higher.level.text()} and {lower.level.text()}",
                verdict="consistent" if gap == 0 else "inconsistent",
                gap=round(gap, 2),
                gap_unit=higher.level.unit,
                sources=tuple(sorted({*higher.level.sources, *lower.level.sources})),
            )
        )
    return checks


def _events(
    ledger: Ledger, product: str, month: Month, cite: _Citations
) -> tuple[list[EventLine], int]:
    first = month.shift(1 - EVENT_WINDOW_MONTHS).first_day
    last = month.shift(1).first_day - dt.timedelta(days=1)
    e = ledger.table("events")
    links = ledger.table("event_products")
    t = e.join(links.filter(links.product == product), "event_id")
    in_window = ((t.date_announced >= first) & (t.date_announced <= last)) | (
        t.date_effective.notnull() & (t.date_effective >= first) & (t.date_effective <= last)
    )
    lines: list[EventLine] = []
    broad = 0
    for r in t.filter(in_window).order_by(["date_announced", "event_id"]).to_pyarrow().to_pylist():
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
            subject = "exports to the world" if cum.partner == "WLD" else f"exports to {cum.name}"
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
        from .mirror import MIRROR_NOTE

        out += ["", f"_{MIRROR_NOTE}_"]
    bad = [c for c in b.checks if c.verdict != "consistent"]
    out += ["", "## Checks", ""]
    out.append(
        f"{len(b.checks)} stated figures checked against the levels they relate: "
        f"{len(b.checks) - len(bad)} consistent within rounding, {len(bad)} not."
    )
    for c in sorted(b.checks, key=lambda c: c.verdict == "consistent"):
        if c.verdict == "consistent":
            out.append(f"- {c.subject}: {c.stated}; {c.computed}: consistent {_cite(c.sources)}.")
        else:
            out.append(
                f"- **Disagreement**, {c.subject}: {c.stated}, but {c.computed} "
                f"(off by {c.gap:g} {c.gap_unit}) {_cite(c.sources)}."
            )
    out += ["", "## Sources", ""]
    out += [s.to_markdown() for s in b.sources]
    return "\n".join(out) + "\n"
