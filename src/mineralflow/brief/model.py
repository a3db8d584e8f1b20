"""What a brief holds: its partner lines, totals, events, checks, mirror and numbered
sources, each figure as :class:`Stated` with the sources that state it; plain data with
:meth:`Brief.to_dict`."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .. import analysis
from ..outlet_record import independence
from ..reconcile.intervals import Interval

if TYPE_CHECKING:
    from .. import nowcast as nowcasting

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
        from .markdown import _markdown

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


def _world_numbers(b: Brief) -> list[int]:
    """The sources that state the world level within rounding (cited and worded)."""
    level = b.world.level if b.world is not None else None
    if level is None:
        return []
    return sorted(set(level.sources) | {n for w in level.worded for n in w.sources})
