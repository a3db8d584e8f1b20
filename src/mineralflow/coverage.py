"""Coverage at a glance: which months of a product hold official, reported or no figures.

For each product with figures, every month from its first to its last, and every partner
with a figure: the figures whose period ends in that month (a month's own figures and the
totals of spans that end in it), split by their source's authority (``official`` releases
against news and market ``reported`` figures), and the reconciler's conflicts whose period
ends in that month. A month no source states is ``none``: coverage shows gaps, it never
fills them::

    >>> with Ledger.open(read_only=True) as ledger:                 # doctest: +SKIP
    ...     cov = coverage(ledger, product="gallium")[0]
    ...     print(cov.to_text())

:func:`latest_month` is the month a brief or demo shows by default: the latest month with
a world figure of its own (else any partner's), read from the data, never from the calendar.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import catalog, compiled
from .errors import NoData
from .ledger import Ledger
from .periods import Month
from .reconcile.store import every_product

if TYPE_CHECKING:
    import ibis

__all__ = ["Coverage", "CoverageCell", "coverage", "latest_month"]

STATUSES = ("official", "reported", "none")
_MARK = {"official": "O", "reported": "R", "none": "·"}
_MONTH_LETTERS = "J F M A M J J A S O N D"


@dataclass(frozen=True)
class CoverageCell:
    """One partner in one month: how many figures end there, by kind, and the conflicts."""

    partner: str
    period: str  # YYYY-MM
    official: int  # figures from official releases
    reported: int  # figures from news articles and market reports
    spans: int  # of those, totals over several months that end in this month
    conflicts: int  # the reconciler's inconsistent checks for this partner and month

    @property
    def status(self) -> str:
        """``official`` if an official release states a figure, else ``reported`` if a news
        or market source does, else ``none``."""
        if self.official:
            return "official"
        return "reported" if self.reported else "none"

    @property
    def monthly(self) -> int:
        """Figures of the month itself (not totals of spans ending in it)."""
        return self.official + self.reported - self.spans

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "period": self.period,
            "status": self.status,
            "official": self.official,
            "reported": self.reported,
            "spans": self.spans,
            "conflicts": self.conflicts,
        }


@dataclass(frozen=True)
class Coverage:
    """A product's coverage: its months (first to last, gaps included) by partner."""

    product: str
    name: str
    months: tuple[str, ...]
    partners: tuple[tuple[str, str], ...]  # (code, name), the world first
    cells: tuple[CoverageCell, ...]  # one per partner and month, in that order

    def cell(self, partner: str, period: str) -> CoverageCell:
        for c in self.cells:
            if c.partner == partner and c.period == period:
                return c
        raise KeyError((partner, period))

    def conflicts_by_month(self) -> dict[str, int]:
        """Conflicts per month, all partners together (months without any included)."""
        counts = Counter(dict.fromkeys(self.months, 0))
        for c in self.cells:
            counts[c.period] += c.conflicts
        return dict(counts)

    def latest(self) -> str | None:
        """The latest month with a world figure of its own (not only a total ending there),
        else with any figure of its own, else with any figure: as :func:`latest_month`."""
        tiers: list[list[str]] = [
            [c.period for c in self.cells if c.partner == "WLD" and c.monthly],
            [c.period for c in self.cells if c.monthly],
            [c.period for c in self.cells if c.status != "none"],
        ]
        return next((max(months) for months in tiers if months), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): the months, and per partner one entry per month."""
        return {
            "product": self.product,
            "name": self.name,
            "months": list(self.months),
            "latest": self.latest(),
            "partners": [
                {
                    "partner": code,
                    "name": name,
                    "cells": [c.to_dict() for c in self.cells if c.partner == code],
                }
                for code, name in self.partners
            ],
            "conflicts_by_month": self.conflicts_by_month(),
        }

    def records(self) -> list[dict[str, Any]]:
        """One row per product, partner and month (for CSV)."""
        return [{"product": self.product, **c.to_dict()} for c in self.cells]

    def to_text(self) -> str:
        """A grid per partner and year: O official, R reported, · none; then the conflicts
        per month. Partner-years without any figure are left out."""
        first, last = (self.months[0], self.months[-1]) if self.months else ("", "")
        lines = [f"{self.product} ({self.name}): {first} to {last}"]
        years = sorted({m[:4] for m in self.months})
        width = max([len(code) for code, _ in self.partners] + [len("conflicts")])
        lines.append(f"{'':{width}}       {_MONTH_LETTERS}")
        by_key = {(c.partner, c.period): c for c in self.cells}
        for code, _ in [*self.partners, ("conflicts", "")]:
            for year in years:
                marks = []
                for month in range(1, 13):
                    period = f"{year}-{month:02d}"
                    if period not in self.months:
                        marks.append(" ")
                    elif code == "conflicts":
                        n = self.conflicts_by_month()[period]
                        marks.append("·" if n == 0 else str(n) if n < 10 else "+")
                    else:
                        marks.append(_MARK[by_key[(code, period)].status])
                if not any(m not in (" ", "·") for m in marks):
                    continue  # a partner-year (or conflicts-year) with nothing to show
                lines.append(f"{code:{width}}  {year} {' '.join(marks)}")
        lines.append(
            "O official, R reported (news, market reports), · none; conflicts: the reconciler's "
            "inconsistent checks ending in the month (+ for 10 or more); rows with nothing "
            "are left out"
        )
        return "\n".join(lines) + "\n"


def coverage(ledger: Ledger, *, product: str | None = None) -> list[Coverage]:
    """Coverage of ``product`` (default: every product with figures), in catalog order.

    Raises :class:`~mineralflow.errors.NoData` when the product (or the ledger) holds no
    figures; an unknown product id raises the catalog's error naming the known ones.
    """
    if product is not None:
        catalog.product(product)
    rows = compiled.rows(ledger, "coverage.figures", product=product)
    if not rows:
        raise NoData(product or "any product", [])
    products = catalog.products()
    countries = catalog.countries()
    # Every product: each one's stored verdicts, else one reconciliation of the whole
    # ledger (a product's conflicts are the same as when it is reconciled alone, and one
    # run costs a fraction of nine).
    everything = None
    if product is None:
        every = every_product(ledger)
        everything = every["conflicts"] if every is not None else _failed(ledger, None)
    out = []
    for pid in [p for p in products if any(r["product"] == p for r in rows)]:
        mine = [r for r in rows if r["product"] == pid]
        counts: Counter[tuple[str, str, str]] = Counter()
        spans: Counter[tuple[str, str]] = Counter()
        for r in mine:
            end = _month(r["period_end"])
            kind = "official" if r["authority"] == "official" else "reported"
            counts[(r["partner"], end, kind)] += 1
            if r["period_start"] != r["period_end"]:
                spans[(r["partner"], end)] += 1
        ends = sorted({_month(r["period_end"]) for r in mine})
        months = _months(ends[0], ends[-1])
        codes = sorted({r["partner"] for r in mine}, key=lambda c: (c != "WLD", c))
        conflicts = _conflicts(everything if everything is not None else _failed(ledger, pid), pid)
        cells = tuple(
            CoverageCell(
                partner=code,
                period=m,
                official=counts[(code, m, "official")],
                reported=counts[(code, m, "reported")],
                spans=spans[(code, m)],
                conflicts=conflicts[(code, m)],
            )
            for code in codes
            for m in months
        )
        names = tuple((c, countries[c].name if c in countries else c) for c in codes)
        out.append(Coverage(pid, products[pid].name, tuple(months), names, cells))
    return out


def latest_month(ledger: Ledger, product: str) -> str:
    """The month a brief of ``product`` shows by default: the latest month with a figure of
    its own (not a total over several months) for the world, else for any partner, else the
    latest month a total ends in. Read from the data, never from the calendar.

    The same months the web view's month pages and home page list (``Ledger.periods``).
    Raises :class:`~mineralflow.errors.NoData` when the product has no figures.
    """
    catalog.product(product)
    (row,) = compiled.rows(ledger, "coverage.latest", product=product)
    for key in ("world", "monthly", "any"):
        if row[key] is not None:
            return _month(row[key])
    raise NoData(product, [])


@compiled.query("coverage.latest", tables=("figures",), product="string")
def _latest_query(tables: Any, p: compiled.Params) -> ibis.Table:
    """The latest month a world figure of its own ends in, any monthly figure, any figure."""
    f = tables["figures"]
    f = f.filter(f.product == p.product)
    monthly = f.period_start == f.period_end
    return f.aggregate(
        world=f.period_end.max(where=monthly & (f.partner == "WLD")),
        monthly=f.period_end.max(where=monthly),
        any=f.period_end.max(),
    )


def _month(value: Any) -> str:
    if isinstance(value, str):
        return value[:7]
    return f"{value.year:04d}-{value.month:02d}"


def _months(first: str, last: str) -> list[str]:
    start, end = Month.parse(first), Month.parse(last)
    out = []
    m = start
    while m <= end:
        out.append(str(m))
        m = m.shift(1)
    return out


def _failed(ledger: Ledger, product: str | None) -> list[dict[str, Any]]:
    """The reconciler's conflicts, read before its tables are dropped: by SQL from the
    stored verdicts when current, else from a reconciliation in memory."""
    from .reconcile import reconcile

    with reconcile(ledger, product=product) as rec:
        found = rec.rows("conflicts", product=product) if product is not None else None
        if found is not None:
            return found
        return [{str(k): v for k, v in r.items()} for r in rec.conflicts.to_dict("records")]


@compiled.query("coverage.figures", tables=("figures_v",), product="string")
def _figures_query(tables: Any, p: compiled.Params) -> ibis.Table:
    """Every figure's product, partner, period and authority (of ``product``; NULL: all)."""
    f = tables["figures_v"]
    f = f.filter(p.product.isnull() | (f.product == p.product))
    return f.select("product", "partner", "period_start", "period_end", "authority")


def _conflicts(found: list[dict[str, Any]], product: str) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for r in found:
        if r["product"] != product:
            continue
        counts[(r["partner"], _month(r["period_end"]))] += 1
    return counts
