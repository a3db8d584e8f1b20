"""Which figures failed reconciliation, and why: the conflicts the charts, the report and the
web pages mark.

One function decides, :func:`find_conflicts`; everything downstream (marked chart points,
the conflicts tables, :func:`failed_figures`) takes its result. Today it reads the monthly
brief: a check whose verdict is ``inconsistent`` (a stated change or rank that the levels
contradict beyond rounding) and a cell where sources disagree beyond rounding (the brief's
``disagreeing`` figures). When the reconciler lands, only the body of
:func:`find_conflicts` changes::

    >>> with Ledger.open(read_only=True) as ledger:                      # doctest: +SKIP
    ...     found = find_conflicts(ledger, product="rare-earth-magnets", months=["2025-08"])
    ...     [c.subject for c in found]
    ['United States m/m change, 2025-08', ...]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..brief import Brief, Stated, build_brief
from ..errors import NoData
from ..ledger import Ledger
from ..periods import Month
from .data import MEASURE_WORDS, FigureRow, read_figures

__all__ = ["Conflict", "failed_figures", "find_conflicts"]


@dataclass(frozen=True)
class Conflict:
    """Figures that do not reconcile: a failed check or sources that disagree on one cell."""

    product: str
    period: str  # the month whose figures were checked
    kind: str  # "check" (a stated figure against the levels it relates) or "disagreement"
    subject: str  # "United States m/m change, 2025-08"
    detail: str
    figure_ids: tuple[str, ...]
    source_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "period": self.period,
            "kind": self.kind,
            "subject": self.subject,
            "detail": self.detail,
            "figure_ids": list(self.figure_ids),
            "source_ids": list(self.source_ids),
        }


def failed_figures(conflicts: Iterable[Conflict]) -> set[str]:
    """The ids of every figure some conflict names."""
    return {f for c in conflicts for f in c.figure_ids}


def find_conflicts(
    ledger: Ledger,
    *,
    product: str,
    months: Iterable[Month | str] | None = None,
    reporter: str = "CHN",
    flow: str = "export",
) -> list[Conflict]:
    """Conflicts among the figures of ``product`` in each of ``months`` (default: every
    month the ledger holds figures for), oldest month first."""
    wanted = sorted(
        {m if isinstance(m, Month) else Month.parse(m) for m in months}
        if months is not None
        else {Month.parse(m) for m in ledger.periods(product)}
    )
    if not wanted:
        return []
    rows = read_figures(
        ledger,
        product=product,
        reporter=reporter,
        flow=flow,
        first=wanted[0].shift(-12),
        last=wanted[-1],
    )
    found: list[Conflict] = []
    for month in wanted:
        try:
            brief = build_brief(
                ledger, product=product, period=str(month), reporter=reporter, flow=flow
            )
        except NoData:
            continue
        found += _from_brief(brief, rows)
    return found


# The brief's check subjects (brief._checks): "<partner> m/m change, <month>" and
# "<partner> ranked above <partner>, <month>".
_CHANGE = re.compile(r"^(?P<name>.+) (?P<words>m/m|y/y) change, (?P<month>\d{4}-\d{2})$")
_RANK = re.compile(r"^(?P<a>.+) ranked above (?P<b>.+), (?P<month>\d{4}-\d{2})$")


def _from_brief(b: Brief, rows: Sequence[FigureRow]) -> list[Conflict]:
    month = Month.parse(b.period)
    source_of = {s.number: s.source_id for s in b.sources}
    outlet_of = {r.source_id: r.outlet for r in rows}

    def figures(
        cells: Iterable[tuple[str, str, Month, Month]],
        numbers: Iterable[int],
        stated: tuple[str, str] | None = None,
    ) -> tuple[str, ...]:
        """Figures of these cells from these sources; with ``stated`` (measure, text), only
        the figures of that measure whose text reads so (the brief names the failing one)."""
        wanted = set(cells)
        ids = {source_of[n] for n in numbers if n in source_of}
        return tuple(
            r.figure_id
            for r in rows
            if (r.partner, r.measure, r.start, r.end) in wanted
            and r.source_id in ids
            and (stated is None or r.measure != stated[0] or _text(r) == stated[1])
        )

    def said(s: Stated) -> str:
        outlets = sorted({outlet_of.get(source_of.get(n, ""), "?") for n in s.sources})
        return f"{s.text()} ({', '.join(outlets)})"

    out: list[Conflict] = []
    lines = [ln for ln in [b.world, *b.destinations, *b.aggregates] if ln is not None]
    stated_cells: list[tuple[str, str, Month, Stated | None]] = [
        (ln.partner, ln.name, month, s)
        for ln in lines
        for s in (ln.level, ln.change_mom, ln.change_yoy)
    ]
    stated_cells += [
        (c.partner, c.name, Month.parse(c.period.split("/")[0]), s)
        for c in b.cumulative
        for s in (c.total, c.change_yoy)
    ]
    for partner, name, start, s in stated_cells:
        if s is None or not s.disagreeing:
            continue
        numbers = {*s.sources, *(n for d in s.disagreeing for n in d.sources)}
        ids = figures([(partner, s.measure, start, month)], numbers)
        period = str(month) if start == month else f"{start}/{month}"
        out.append(
            Conflict(
                product=b.product,
                period=str(month),
                kind="disagreement",
                subject=f"{name} {MEASURE_WORDS.get(s.measure, s.measure)}, {period}",
                detail=" vs ".join([said(s), *(said(d) for d in s.disagreeing)]),
                figure_ids=ids,
                source_ids=tuple(sorted({source_of[n] for n in numbers if n in source_of})),
            )
        )
    code_of = {ln.name: ln.partner for ln in lines}
    for check in b.checks:
        if check.verdict == "consistent":
            continue
        cells: list[tuple[str, str, Month, Month]] = []
        stated = None
        if m := _CHANGE.match(check.subject):
            code = code_of.get(m["name"], "")
            base = month.shift(-1 if m["words"] == "m/m" else -12)
            measure = "change_mom" if m["words"] == "m/m" else "change_yoy"
            cells = [
                (code, measure, month, month),
                (code, "level", month, month),
                (code, "level", base, base),
            ]
            stated = (measure, check.stated.removeprefix("stated "))
        elif m := _RANK.match(check.subject):
            for name in (m["a"], m["b"]):
                code = code_of.get(name, "")
                cells += [(code, "rank", month, month), (code, "level", month, month)]
        out.append(
            Conflict(
                product=b.product,
                period=str(month),
                kind="check",
                subject=check.subject,
                detail=f"{check.stated}, but {check.computed} (off by {check.gap:g} "
                f"{check.gap_unit})",
                figure_ids=figures(cells, check.sources, stated),
                source_ids=tuple(sorted({source_of[n] for n in check.sources if n in source_of})),
            )
        )
    return out


def _text(r: FigureRow) -> str:
    """The figure in the brief's words (``-1.6%``, ``590 t``), to match a check's text."""
    return Stated(r.measure, r.value, r.stated, r.unit, r.qualifier, r.resolution, ()).text()
