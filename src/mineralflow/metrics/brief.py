"""The brief's metrics for one product and month, every reporter, as one set of expressions.

:func:`brief_metrics` composes the metrics the brief reports for a month (as
``benchmarks/run.py`` times them): month-on-month and year-on-year changes, year-to-date
totals against the year before, shares of the world total and ranks among countries. The
product, month and flow are Python values or Ibis scalar expressions: given as expressions
that stand for parameters (:class:`mineralflow.compiled.Params`), the five tables compile to
SQL once and run again for any product and month::

    >>> out = brief_metrics(levels, partners, product="281820", month=dt.date(2025, 6, 1))
    ...                                                                     # doctest: +SKIP
    >>> out["ranks"].execute()                                              # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from .changes import change_mom, change_yoy, cumulative_yoy
from .destinations import ranks, shares

__all__ = ["BRIEF_METRICS", "brief_metrics"]

BRIEF_METRICS = ("change_mom", "change_yoy", "cumulative_yoy", "shares", "ranks")
"""The names of :func:`brief_metrics`' tables, in order."""


def brief_metrics(
    levels: ir.Table,
    partners: ir.Table,
    *,
    product: str | ir.StringValue,
    month: dt.date | ir.DateValue,
    flow: str | ir.StringValue = "export",
) -> dict[str, ir.Table]:
    """The brief's metrics of ``product`` in ``flow`` for ``month`` (its first day), every
    reporter and partner, by name (:data:`BRIEF_METRICS`).

    Each table has only the rows of ``month``; the changes and year-to-date totals read
    the levels from January of the year before (the earliest month a year-on-year change
    of a year-to-date total needs). The year-to-date totals are computed for ``month``
    alone (``cumulative_yoy(..., month=month)``: one aggregation, not running totals).
    Columns are those of :func:`change_mom`, :func:`change_yoy`, :func:`cumulative_yoy`,
    :func:`shares` and :func:`ranks`.
    """
    if isinstance(month, dt.date):
        start: dt.date | ir.DateValue = dt.date(month.year - 1, 1, 1)
    else:
        start = ibis.date(month.year() - 1, 1, 1)
    lv = levels.filter(
        (levels["product"] == product)
        & (levels.flow == flow)
        & (levels.period >= start)
        & (levels.period <= month)
    )
    one = lv.filter(lv.period == month)
    exprs = {
        "change_mom": change_mom(lv),
        "change_yoy": change_yoy(lv),
        "cumulative_yoy": cumulative_yoy(lv, month=month),
        "shares": shares(one),
        "ranks": ranks(one, partners),
    }
    return {name: e.filter(e.period == month) for name, e in exprs.items()}
