"""The metrics applied to the ledger: what the brief's Analysis section and the metric
commands compute, on any engine.

The ledger's tables go to the engine (:func:`mineralflow.engines.tables_for`), the
metrics (:mod:`mineralflow.metrics`) run there, and only small results come back::

    >>> with Ledger.open(read_only=True) as ledger:                      # doctest: +SKIP
    ...     event_window(ledger, product="rare-earth-magnets",
    ...                  event_id="ev-2025-04-04-cn-6122cf", engine="spark")

Everything here is the same on DuckDB and Spark: results are sorted, and numbers are
rounded only when they are written out.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from . import catalog, compiled, engines
from .errors import UsageError
from .ledger import Ledger
from .periods import Month
from .reconcile import Reconciliation, reconcile

if TYPE_CHECKING:
    import ibis
    import pandas as pd
    import pyarrow as pa

# Ibis and the metrics are imported inside the functions that build expressions: the brief
# reads this module's results through compiled queries (mineralflow.compiled) without them.
WORLD = "WLD"
"""The world total's partner code (:data:`mineralflow.metrics.WORLD`)."""
LEVELS = "mf_levels"
"""The temporary table that holds the brief's levels while its queries run."""

__all__ = [
    "SURGE_K",
    "WINDOW_KINDS",
    "WINDOW_LINKS",
    "WINDOW_MONTHS",
    "Analysis",
    "EventWindow",
    "Gap",
    "Movement",
    "RankedLevel",
    "WindowMonth",
    "brief_analysis",
    "event_window",
    "levels_for",
    "reconciled_levels",
    "surges_for",
]

SURGE_K = 3.5
"""Robust deviations beyond which a change is a surge or collapse (Iglewicz-Hoaglin)."""
WINDOW_MONTHS = 12
"""Months before an event that make its baseline."""
WINDOW_KINDS = ("export_control", "export_ban")
"""Event kinds whose windows the brief shows: measures that restrict the flow itself."""
WINDOW_LINKS = ("code", "term")
"""...and only those that name the product (by customs code or by name)."""


@dataclass(frozen=True)
class RankedLevel:
    """A country ranked by its level in the month, among countries with a level."""

    partner: str
    name: str
    rank: int
    value: float
    resolution: float
    share_pct: float | None
    sources: tuple[int, ...]


@dataclass(frozen=True)
class Movement:
    """A month-on-month change computed from two levels, judged against the series."""

    partner: str
    name: str
    value: float
    base_value: float
    resolution: float
    base_resolution: float
    change_pct: float
    z: float | None
    changes: int
    verdict: str | None  # surge, collapse, normal; None: too little history
    sources: tuple[int, ...]


@dataclass(frozen=True)
class WindowMonth:
    period: str
    value: float
    resolution: float
    change_pct: float | None
    z: float | None
    unusual: bool | None


@dataclass(frozen=True)
class EventWindow:
    """The reporter's world total around one event (or several on the same dates),
    against the months before it."""

    event_ids: tuple[str, ...]  # events announced and effective on the same dates
    instruments: tuple[str, ...]
    date_announced: str
    date_effective: str | None
    event_sources: tuple[int, ...]
    before_start: str
    before_end: str
    before_observed: int
    before_mean: float | None
    between: list[WindowMonth]
    after: list[WindowMonth]
    sources: tuple[int, ...]


@dataclass(frozen=True)
class Gap:
    partner: str
    name: str
    start: str
    end: str
    months: int


@dataclass
class Analysis:
    """The brief's Analysis section: computed from the levels by :mod:`mineralflow.metrics`."""

    period: str
    ranked: list[RankedLevel] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    windows: list[EventWindow] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    gap_start: str = ""
    k: float = SURGE_K
    window_months: int = WINDOW_MONTHS


class EventRef(Protocol):
    """What the analysis needs of an event the brief lists (read-only attributes)."""

    @property
    def event_id(self) -> str: ...
    @property
    def date_announced(self) -> str: ...
    @property
    def date_effective(self) -> str | None: ...
    @property
    def instrument(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def link(self) -> str: ...
    @property
    def source(self) -> int: ...


def _name(code: str) -> str:
    return "World" if code == WORLD else catalog.partner_name(code)


def _rows(expr: ibis.Table, order: Sequence[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = expr.order_by(list(order)).to_pyarrow().to_pylist()
    return rows


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _levels(b: ibis.Table, *, reporter: Any, flow: Any) -> ibis.Table:
    """The metrics' input from the reconciler's best estimates ``b`` (see
    :func:`reconciled_levels`); ``reporter`` None keeps every reporter."""
    from . import metrics
    from .metrics.inputs import UNRANKED

    keep = (
        (b.measure == "level")
        & (b.period_start == b.period_end)
        & (b.unit == "t")
        & ~b.derived
        & (b.flow == flow)
    )
    if reporter is not None:
        keep &= b.reporter == reporter
    ranks = {r["authority"]: int(r["rank"]) for r in catalog.read_table("authorities.csv")}
    b = b.filter(keep)
    out = b.select(
        *metrics.SERIES,
        period=b.period_start,
        value=b.value,
        unit=b.unit,
        figure_id=b.figure_id,
        source_id=b.source_id,
        authority_rank=b.authority.substitute(ranks, else_=UNRANKED).cast("int64"),
        resolution=b.resolution,
        qualifier=b.qualifier,
        stated=b.stated,
        candidates=b.figure_ids.length().cast("int64"),
    )
    return out.order_by([*metrics.SERIES, "period"])


def reconciled_levels(rec: Reconciliation, *, reporter: str | None = None, flow: str) -> pa.Table:
    """The metrics' input for a ledger: one monthly level per series and month, the
    reconciler's best estimate of each stated cell, with the columns of
    :func:`mineralflow.metrics.monthly_levels`.

    Levels the reconciler derives from other figures (a May level implied by June's level
    and its stated change) are left out: a month no source states stays a gap for the
    metrics, never a filled-in value.
    """
    table: pa.Table = _levels(rec.best_table, reporter=reporter, flow=flow).to_pyarrow()
    return table


@compiled.query(
    "analysis.levels",
    tables=("reconciled_best",),
    into=LEVELS,
    scope="string",
    reporter="string",
    flow="string",
)
def _stored_levels(tables: Mapping[str, Any], p: compiled.Params) -> ibis.Table:
    # One reporter's levels from the stored reconciliation of product ``scope``.
    b = tables["reconciled_best"]
    b = b.filter(b.scope == p.scope).drop("scope")
    return _levels(b, reporter=p.reporter, flow=p.flow)


def levels_for(
    ledger: Ledger,
    tables: dict[str, ibis.Table],
    *,
    product: str,
    reporter: str | None = None,
    flow: str,
    rec: Reconciliation | None = None,
) -> ibis.Table:
    """The reconciled monthly levels of ``product`` (one reporter's, or every reporter's) in
    ``flow``, as a table on the engine of ``tables``. Pass ``rec`` when the caller has
    already reconciled the product (the brief has)."""
    if rec is None:
        with reconcile(ledger, product=product) as fresh:
            data = reconciled_levels(fresh, reporter=reporter, flow=flow)
    else:
        data = reconciled_levels(rec, reporter=reporter, flow=flow)
    backend = tables["figures_v"]._find_backend()
    return engines.load(backend, f"mf_levels_{uuid.uuid4().hex[:8]}", data)


@compiled.query("analysis.level_rows", tables=(LEVELS,), order=("partner", "period"))
def _level_rows(tables: Mapping[str, Any], p: compiled.Params) -> ibis.Table:
    levels = tables[LEVELS]
    return levels.select("partner", "period", "value", "resolution", "source_id")


@compiled.query("analysis.shares", tables=(LEVELS,), order=("partner",), month="date")
def _shares(tables: Mapping[str, Any], p: compiled.Params) -> ibis.Table:
    from . import metrics

    levels = tables[LEVELS]
    return metrics.shares(levels.filter(levels.period == p.month))


@compiled.query(
    "analysis.ranks", tables=(LEVELS, "catalog_partners"), order=("rank", "partner"), month="date"
)
def _ranks(tables: Mapping[str, Any], p: compiled.Params) -> ibis.Table:
    from . import metrics

    levels = tables[LEVELS]
    return metrics.ranks(levels.filter(levels.period == p.month), tables["catalog_partners"])


@compiled.query("analysis.surges", tables=(LEVELS,), order=("partner",), month="date")
def _surges(tables: Mapping[str, Any], p: compiled.Params) -> ibis.Table:
    from . import metrics

    s = metrics.surges(tables[LEVELS], k=SURGE_K)
    return s.filter(s.period == p.month)


@compiled.query(
    "analysis.windows",
    tables=(LEVELS, "events", "event_products"),
    order=("event_id", "period"),
    month="date",
    events="array<string>",
)
def _windows(tables: Mapping[str, Any], p: compiled.Params) -> ibis.Table:
    from . import metrics

    levels = tables[LEVELS]
    upto = levels.filter(levels.period <= p.month)
    ev = tables["events"]
    ev = ev.filter(p.events.contains(ev.event_id))
    w = metrics.event_windows(
        upto, ev, tables["event_products"], months=WINDOW_MONTHS, links=WINDOW_LINKS
    )
    return w.filter(w.partner == WORLD)


@compiled.query(
    "analysis.gaps",
    tables=(LEVELS,),
    order=("partner", "gap_start"),
    first="date",
    month="date",
    named="array<string>",
)
def _gaps(tables: Mapping[str, Any], p: compiled.Params) -> ibis.Table:
    from . import metrics

    g = metrics.gaps(tables[LEVELS], start=p.first, end=p.month)
    return g.filter(p.named.contains(g.partner))


def brief_analysis(
    source: Ledger | Mapping[str, ibis.Table],
    *,
    month: Month,
    events: Sequence[EventRef],
    cite: Callable[[str], int],
) -> Analysis:
    """The Analysis section of the brief for ``month``.

    ``source`` is the ledger, with the brief's levels (one reporter, product and flow) in
    its temporary table :data:`LEVELS` (``compiled.store(ledger, "analysis.levels", ...)``),
    or, on another engine, the ledger's tables there (:func:`engines.tables_for`) with the
    levels (:func:`levels_for`) under :data:`LEVELS`. ``events`` are the brief's policy
    events; ``cite`` numbers a source by its id.
    """
    day = month.first_day
    level_rows = compiled.rows(source, "analysis.level_rows")
    where = {(r["partner"], r["period"]): r for r in level_rows}

    def sources(*cells: tuple[str, dt.date]) -> tuple[int, ...]:
        return tuple(sorted({cite(where[c]["source_id"]) for c in cells if c in where}))

    out = Analysis(period=str(month), k=SURGE_K, window_months=WINDOW_MONTHS)

    # Countries ranked by level, with their share of the world total.
    share_of = {
        r["partner"]: _num(r["share_pct"])
        for r in compiled.rows(source, "analysis.shares", month=day)
    }
    for r in compiled.rows(source, "analysis.ranks", month=day):
        out.ranked.append(
            RankedLevel(
                r["partner"],
                _name(r["partner"]),
                int(r["rank"]),
                float(r["value"]),
                float(where[(r["partner"], day)]["resolution"]),
                share_of.get(r["partner"]),
                sources((r["partner"], day)),
            )
        )

    # The month's changes, judged against each series' own changes (the whole series).
    prev = month.shift(-1).first_day
    for r in compiled.rows(source, "analysis.surges", month=day):
        code = r["partner"]
        out.movements.append(
            Movement(
                code,
                _name(code),
                float(r["value"]),
                float(r["base_value"]),
                float(where[(code, day)]["resolution"]),
                float(where[(code, prev)]["resolution"]),
                float(r["change_pct"]),
                _num(r["z"]),
                int(r["changes"]),
                r["verdict"],
                sources((code, day), (code, prev)),
            )
        )
    out.movements.sort(key=lambda m: (m.partner != WORLD, -abs(m.z or 0), m.name))

    # Windows around the restrictions the brief lists, as of the brief's month.
    chosen = [e for e in events if e.kind in WINDOW_KINDS and e.link in WINDOW_LINKS]
    if chosen:
        ids = [e.event_id for e in chosen]
        rows = compiled.rows(source, "analysis.windows", month=day, events=ids)
        same: dict[tuple[str, str | None], list[EventRef]] = {}
        for e in chosen:
            same.setdefault((e.date_announced, e.date_effective), []).append(e)
        for group in same.values():
            e = group[0]
            mine = [r for r in rows if r["event_id"] == e.event_id]
            announced = Month.parse(e.date_announced[:7])

            def months(phase: str, mine: list[dict[str, Any]] = mine) -> list[WindowMonth]:
                return [
                    WindowMonth(
                        str(Month.of(r["period"])),
                        float(r["value"]),
                        float(where[(WORLD, r["period"])]["resolution"]),
                        _num(r["change_pct"]),
                        _num(r["z"]),
                        r["unusual"],
                    )
                    for r in mine
                    if r["phase"] == phase
                ]

            before = [r for r in mine if r["phase"] == "before"]
            out.windows.append(
                EventWindow(
                    tuple(x.event_id for x in group),
                    tuple(x.instrument for x in group),
                    e.date_announced,
                    e.date_effective,
                    tuple(x.source for x in group),
                    str(announced.shift(-WINDOW_MONTHS)),
                    str(announced.shift(-1)),
                    len(before),
                    _num(before[0]["before_mean"]) if before else None,
                    months("between"),
                    months("after"),
                    sources(*((WORLD, r["period"]) for r in mine)),
                )
            )

    # Gaps in the months the brief covers: the world and the countries with a level.
    first = month.shift(-12)
    out.gap_start = str(first)
    named = sorted({WORLD} | {r.partner for r in out.ranked})
    gaps = compiled.rows(source, "analysis.gaps", first=first.first_day, month=day, named=named)
    for r in gaps:
        out.gaps.append(
            Gap(
                r["partner"],
                _name(r["partner"]),
                str(Month.of(r["gap_start"])),
                str(Month.of(r["gap_end"])),
                int(r["months"]),
            )
        )
    out.gaps.sort(key=lambda g: (g.partner != WORLD, g.name, g.start))
    return out


# -- commands ---------------------------------------------------------------------------------
def event_window(
    ledger: Ledger,
    *,
    product: str,
    event_id: str,
    reporter: str | None = None,
    flow: str = "export",
    partner: str | None = None,
    months: int = WINDOW_MONTHS,
    engine: str | Any = "duckdb",
) -> pd.DataFrame:
    """The window around one event for every series of ``product`` (or one ``partner``):
    one row per month with a level, see :func:`mineralflow.metrics.event_windows`."""
    from . import metrics

    catalog.product(product)
    tables = engines.tables_for(ledger, engine)
    links = tables["event_products"]
    linked = _rows(links.filter(links.product == product).select("event_id", "link"), ["event_id"])
    if event_id not in {r["event_id"] for r in linked}:
        known = [r["event_id"] for r in linked if r["link"] != "all_goods"]
        raise UsageError(
            f"event {event_id!r} is not linked to {product}; `mineralflow events --product "
            f"{product}` lists the events that are ({len(known)}: {', '.join(known[:5])}"
            + (" ..." if len(known) > 5 else "")
            + ")"
        )
    levels = levels_for(ledger, tables, product=product, reporter=reporter, flow=flow)
    if partner is not None:
        levels = levels.filter(levels.partner == partner)
    ev = tables["events"]
    w = metrics.event_windows(
        levels,
        ev.filter(ev.event_id == event_id),
        links,
        months=months,
        links=("code", "term", "group", "all_goods"),
        k=SURGE_K,
    )
    df: pd.DataFrame = w.order_by(["reporter", "partner", "period"]).execute()
    return df


def surges_for(
    ledger: Ledger,
    *,
    product: str,
    reporter: str | None = None,
    flow: str = "export",
    partner: str | None = None,
    k: float = SURGE_K,
    engine: str | Any = "duckdb",
) -> pd.DataFrame:
    """Every month-on-month change of ``product`` with its robust z-score and verdict,
    see :func:`mineralflow.metrics.surges`."""
    from . import metrics

    catalog.product(product)
    tables = engines.tables_for(ledger, engine)
    levels = levels_for(ledger, tables, product=product, reporter=reporter, flow=flow)
    if partner is not None:
        levels = levels.filter(levels.partner == partner)
    df: pd.DataFrame = (
        metrics.surges(levels, k=k).order_by(["reporter", "partner", "period"]).execute()
    )
    return df
