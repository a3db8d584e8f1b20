"""Surges, collapses and gaps in a monthly series.

A month's change is judged against the series' own history: all month-on-month changes
of that series in the table, before and after the month (a robust centre and spread
are barely moved by the month itself). Changes are taken as logarithms, ln(value /
previous value), so that a doubling and a halving are equally far from no change::

    z = (ln(v_t / v_{t-1}) - median) / scale        scale = 1.4826 x MAD

``surge`` when z >= k, ``collapse`` when z <= -k (k = 3.5 by default), ``normal``
otherwise; null when the series has fewer than ``min_changes`` changes to compare with.
To judge a month only against what came before it (as of its publication), pass levels
filtered to that month and earlier.

A gap is a month without a level inside a series' span (or a requested span). Gaps are
reported as runs of months; no metric fills them in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir

from ._series import SERIES, core, month_date, month_index, robust_scale
from .changes import change_mom

__all__ = ["gaps", "surges"]


def surges(levels: ir.Table, *, k: float = 3.5, min_changes: int = 5) -> ir.Table:
    """Every month with a month-on-month change, scored against the series' changes.

    Columns: series, ``period``, ``value``, ``base_value``, ``change_pct``, ``log_change``,
    ``changes`` (how many changes the series has), ``median``, ``scale``, ``z`` and
    ``verdict`` (surge, collapse, normal; null when too short or flat).
    """
    c = change_mom(levels)
    c = c.filter(c.base_value.notnull() & (c.base_value > 0) & (c.value > 0))
    c = c.mutate(log_change=(c.value / c.base_value).ln())
    centre = c.group_by(list(SERIES)).aggregate(
        changes=c.log_change.count(), median=c.log_change.median()
    )
    d = c.join(centre, list(SERIES))
    d = d.mutate(_ad=(d.log_change - d.median).abs())
    spread = d.group_by(list(SERIES)).aggregate(_mad=d._ad.median(), _meanad=d._ad.mean())
    d = d.join(spread, list(SERIES))
    scale = robust_scale(d._mad, d._meanad)
    d = d.mutate(scale=scale)
    z = ((d.log_change - d.median) / d.scale).cast("float64")
    judged = (d.changes >= min_changes) & d.scale.notnull()
    verdict = ibis.cases(
        (~judged, ibis.null("string")),
        (z >= k, "surge"),
        (z <= -k, "collapse"),
        else_="normal",
    )
    return d.select(
        *SERIES,
        "period",
        "value",
        "base_value",
        "change_pct",
        "log_change",
        "changes",
        "median",
        "scale",
        z=z,
        verdict=verdict,
    )


def _month_number(day: dt.date | ir.DateValue) -> Any:
    """Months since year 0 of a date, or of a date expression (a query parameter)."""
    if isinstance(day, dt.date):
        return day.year * 12 + day.month - 1
    return month_index(day).cast("int64")


def gaps(
    levels: ir.Table,
    *,
    start: dt.date | ir.DateValue | None = None,
    end: dt.date | ir.DateValue | None = None,
) -> ir.Table:
    """Runs of months without a level, per series.

    Without ``start``/``end``, the gaps between a series' first and last month; with
    them, the span is clipped to [start, end] and months missing at its ends count too.
    A series with no level at all in the span does not appear (nothing names it).
    Columns: series, ``gap_start``, ``gap_end`` (first days of the first and last missing
    months) and ``months``.
    """
    t = core(levels)
    if start is not None:
        t = t.filter(t.period >= start)
    if end is not None:
        t = t.filter(t.period <= end)
    t = t.mutate(_m=month_index(t.period))
    w = ibis.window(group_by=list(SERIES), order_by=t._m)
    t = t.mutate(_prev=t._m.lag().over(w))
    inner = t.filter(t._m - t._prev > 1).select(*SERIES, _a=t._prev + 1, _b=t._m - 1)
    runs = [inner]
    span = t.group_by(list(SERIES)).aggregate(_first=t._m.min(), _last=t._m.max())
    if start is not None:
        s = _month_number(start)
        lead = span.filter(span._first > s)
        runs.append(
            lead.select(
                *SERIES,
                _a=ibis.literal(s, "int64") if isinstance(s, int) else s,
                _b=lead._first - 1,
            )
        )
    if end is not None:
        e = _month_number(end)
        tail = span.filter(span._last < e)
        runs.append(
            tail.select(
                *SERIES, _a=tail._last + 1, _b=ibis.literal(e, "int64") if isinstance(e, int) else e
            )
        )
    r = ibis.union(*[x.mutate(_a=x._a.cast("int64"), _b=x._b.cast("int64")) for x in runs])
    return r.select(
        *SERIES,
        gap_start=month_date(r._a),
        gap_end=month_date(r._b),
        months=(r._b - r._a + 1).cast("int64"),
    )
