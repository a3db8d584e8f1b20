"""The cross-outlet view: for each cell and measure, every outlet that states it, the value
as stated, and whether it agrees with the other outlets and with official data.

A cell is (reporter, partner, product, flow, period); an outlet that states the same figure
twice (headline and body) counts once, with every span. Agreement is decided by
:func:`agree`, the one place that judges two stated figures::

    >>> a = Stated("a.txt", "A", "157.5%", 157.5, 0.1, "exact")
    >>> b = Stated("b.txt", "B", "160%", 160.0, 1.0, "around")
    >>> agree(a, b)
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..ledger import Ledger
from ..reconcile.intervals import Interval
from .extract import Claim
from .read import ClaimsReport

__all__ = ["OutletCell", "OutletStatement", "Stated", "agree", "outlet_view"]


@dataclass(frozen=True)
class Stated:
    """A figure as one source states it: enough to judge it against another."""

    source: str
    outlet: str
    stated: str
    value: float
    resolution: float
    qualifier: str


def agree(a: Stated, b: Stated) -> bool:
    """Whether two stated figures of one cell and measure can both be true.

    Two figures agree when the intervals their rounding and qualifiers allow meet: the
    reconciler's same-cell relation, with the reconciler's own interval semantics
    (``reconcile/intervals.py``, one table of qualifiers). Articles read here need not be in
    the ledger, so the pair is judged directly; once saved (``--save``), the same figures go
    through :func:`mineralflow.check` with every other relation too. Nothing else in this
    module decides agreement.
    """
    left = Interval.of(a.value, resolution=a.resolution, qualifier=a.qualifier)
    right = Interval.of(b.value, resolution=b.resolution, qualifier=b.qualifier)
    return left.meets(right)


@dataclass
class OutletStatement:
    """One outlet's statement of a cell's figure and how it compares."""

    stated: Stated
    spans: list[tuple[int, int]]
    conflicts_with: list[str] = field(default_factory=list)  # sources it disagrees with
    official: str = "no official figure"  # agrees, differs, no official figure, no ledger
    alone: bool = True  # no other statement of the cell to compare with
    from_ledger: bool = False  # a source already in the ledger, not one of the articles read

    @property
    def agrees_with_others(self) -> bool | None:
        """True or False against the other statements; None when it is the only one."""
        return None if self.alone else not self.conflicts_with


@dataclass
class OutletCell:
    """Every outlet stating one cell and measure, and the official figures for it."""

    reporter: str
    partner: str
    product: str
    flow: str
    period: str
    measure: str
    statements: list[OutletStatement]
    official: list[Stated]

    def to_dict(self) -> dict[str, Any]:
        return {
            "reporter": self.reporter,
            "partner": self.partner,
            "product": self.product,
            "flow": self.flow,
            "period": self.period,
            "measure": self.measure,
            "outlets": [
                {
                    "source": s.stated.source,
                    "outlet": s.stated.outlet,
                    "stated": s.stated.stated,
                    "value": s.stated.value,
                    "qualifier": s.stated.qualifier,
                    "spans": [list(x) for x in s.spans],
                    "from_ledger": s.from_ledger,
                    "agrees_with_others": s.agrees_with_others,
                    "conflicts_with": s.conflicts_with,
                    "official": s.official,
                }
                for s in self.statements
            ],
            "official": [
                {"source": o.source, "value": o.value, "stated": o.stated} for o in self.official
            ],
        }


Cells = dict[tuple[str, ...], list[Stated]]


def _ledger_figures(
    ledger: Ledger, claims: list[Claim], skip_sources: set[str]
) -> tuple[Cells, Cells]:
    """The ledger's figures for the claims' products, by cell: (official, other sources).

    ``skip_sources``: the articles being read, already saved: not counted twice.
    """
    products = sorted({c.product for c in claims})
    official: Cells = {}
    others: Cells = {}
    if not products:
        return official, others
    t = ledger.table("figures_v")
    df = t.filter(t.product.isin(products)).execute()
    for r in df.itertuples(index=False):
        if r.source_id in skip_sources:
            continue
        key = (r.reporter, r.partner, r.product, r.flow, r.period, r.measure)
        stated = Stated(r.source_id, r.outlet, r.stated, r.value, r.resolution, r.qualifier)
        (official if r.authority == "official" else others).setdefault(key, []).append(stated)
    return official, others


def outlet_view(
    report: ClaimsReport | Iterable[Claim],
    *,
    ledger: Ledger | None = None,
    include_ledger: bool = True,
) -> list[OutletCell]:
    """Line up the resolved claims by cell and measure (see the module docstring).

    With a ``ledger``, each statement is also compared with the official figures the ledger
    holds for its cell (without one, ``official`` says "no ledger"), and, unless
    ``include_ledger`` is False, the other sources the ledger holds for the same cells join
    the comparison as statements of their own.
    """
    skip: set[str] = set()
    if isinstance(report, ClaimsReport):
        outlets = {a.article.name: a.article.outlet for a in report.articles}
        skip = {a.article.source_id for a in report.articles}
        claims = report.claims
    else:
        claims = list(report)
        outlets = {}
    claims = [c for c in claims if c.resolved]
    official_cells, ledger_cells = (
        _ledger_figures(ledger, claims, skip) if ledger is not None else ({}, {})
    )
    official = official_cells
    cells: dict[tuple[str, ...], dict[tuple[str, str, float, str], OutletStatement]] = {}
    for c in claims:
        key = (c.reporter, c.partner, c.product, c.flow, str(c.period), str(c.measure))
        stated = Stated(
            c.source, outlets.get(c.source, c.source), c.stated, c.value, c.resolution, c.qualifier
        )
        same = (c.source, c.qualifier, c.value, c.stated)
        in_cell = cells.setdefault(key, {})
        if same in in_cell:
            in_cell[same].spans.append(c.span)
        else:
            in_cell[same] = OutletStatement(stated, [c.span])
    if include_ledger:
        for cell_key, by_key in cells.items():
            for other in ledger_cells.get(cell_key, []):
                same = (other.source, other.qualifier, other.value, other.stated)
                by_key.setdefault(same, OutletStatement(other, [], from_ledger=True))
    view = []
    for cell, by_statement in sorted(cells.items()):
        statements = list(by_statement.values())
        for s in statements:
            # Against every other statement, the same outlet's restatements included.
            others = [o for o in statements if o is not s]
            s.alone = not others
            s.conflicts_with = sorted(
                {o.stated.source for o in others if not agree(s.stated, o.stated)}
            )
            found = official.get(cell, [])
            if ledger is None:
                s.official = "no ledger"
            elif found:
                s.official = "agrees" if all(agree(s.stated, o) for o in found) else "differs"
        reporter, partner, product, flow, period, measure = cell
        found = official.get(cell, [])
        view.append(
            OutletCell(reporter, partner, product, flow, period, measure, statements, found)
        )
    return view
