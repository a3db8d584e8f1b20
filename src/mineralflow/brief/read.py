"""What the brief reads from the ledger: the figures of the month's window (:class:`_Row`),
the reconciler's rows, the sources it numbers as it cites them (:class:`_Citations`), the
policy events and the mirror; the compiled queries it runs for them."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import catalog, compiled
from ..ledger import Ledger
from ..periods import Month
from ..reconcile import Reconciliation
from ..reconcile.intervals import Interval
from .model import EVENT_WINDOW_MONTHS, EventLine, MirrorLine, SourceRef, Stated

if TYPE_CHECKING:
    import ibis
    import pandas as pd


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
    from ..releases import figures_in_force

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
    from ..mirror import mirror
    from ..releases import flows_in_force

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
