"""Changes and cumulative totals of monthly levels.

Every function takes a levels table (see :mod:`._series`) and returns a table with the
series columns, ``period`` and its own columns. Percentages are in percent (157.5 means
+157.5%), as the sources state them. A change needs both levels: when either month is a
gap, or the base level is zero, the change is null, never estimated::

    >>> change_mom(levels).execute()                     # doctest: +SKIP
    reporter partner ... period      value  base_period  base_value  change_pct
    CHN      WLD     ... 2025-06-01  3188   2025-05-01   1238        157.512...
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from ._series import SERIES, core, month_index

__all__ = [
    "change",
    "change_mom",
    "change_yoy",
    "cumulative_yoy",
    "first_months",
    "year_to_date",
]


def _pct(new: ir.FloatingValue, base: ir.FloatingValue) -> ir.FloatingValue:
    return ibis.ifelse(base > 0, (new / base - 1) * 100, ibis.null()).cast("float64")


def change(levels: ir.Table, *, months: int) -> ir.Table:
    """The change of each month's level from the level ``months`` earlier.

    Columns: series, ``period``, ``value``, ``base_period``, ``base_value`` (null when that
    month is a gap) and ``change_pct`` = (value / base_value - 1) x 100.
    """
    if months < 1:
        raise ValueError(f"months must be 1 or more, got {months}")
    cur = core(levels)
    cur = cur.mutate(_m=month_index(cur.period))
    base = core(levels)
    base = base.select(
        **{f"_b_{k}": base[k] for k in SERIES},
        _bm=month_index(base.period),
        base_period=base.period,
        base_value=base.value,
    )
    on = [cur[k] == base[f"_b_{k}"] for k in SERIES] + [cur._m == base._bm + months]
    j = cur.left_join(base, on)
    return j.select(
        *SERIES,
        "period",
        "value",
        "base_period",
        "base_value",
        change_pct=_pct(j.value, j.base_value),
    )


def change_mom(levels: ir.Table) -> ir.Table:
    """Month-on-month change: from the previous month (see :func:`change`)."""
    return change(levels, months=1)


def change_yoy(levels: ir.Table) -> ir.Table:
    """Year-on-year change: from the same month a year earlier (see :func:`change`)."""
    return change(levels, months=12)


def year_to_date(levels: ir.Table) -> ir.Table:
    """For every month, the total from January of its year to that month.

    Columns: series, ``period`` (the last month of the span), ``months`` (months in the
    span), ``observed`` (months with a level), ``total`` (the sum; null unless every month
    of the span has a level: a total with a gap would understate the flow) and
    ``observed_total`` (the sum of the months that have a level, for inspection).
    """
    t = core(levels)
    w = ibis.window(group_by=[*SERIES, t.period.year()], order_by=t.period, rows=(None, 0))
    t = t.mutate(
        months=t.period.month().cast("int64"),
        observed=t.value.count().over(w),
        observed_total=t.value.sum().over(w),
    )
    return t.select(
        *SERIES,
        "period",
        "months",
        "observed",
        total=ibis.ifelse(t.observed == t.months, t.observed_total, ibis.null()).cast("float64"),
        observed_total=t.observed_total,
    )


def first_months(levels: ir.Table, n: int) -> ir.Table:
    """The total of the first ``n`` months of each year (``n = 6``: the first half).

    The rows of :func:`year_to_date` whose span is January to month ``n``.
    """
    if not 1 <= n <= 12:
        raise ValueError(f"n must be a month number 1-12, got {n}")
    t = year_to_date(levels)
    return t.filter(t.months == n)


def cumulative_yoy(levels: ir.Table, *, month: dt.date | ir.DateValue | None = None) -> ir.Table:
    """Year-to-date totals against the same span a year earlier.

    Columns: series, ``period``, ``months``, ``total``, ``base_total`` (January to the same
    month a year earlier) and ``change_pct``; totals and change are null when either span
    has a gap.

    With ``month`` (a first day of a month, a value or a scalar expression), only the rows
    of that month: the same rows as ``cumulative_yoy(levels)`` filtered to ``period ==
    month``, computed by one aggregation over the two spans rather than running totals
    over every month (the brief's case: one month, many series).
    """
    if month is not None:
        return _cumulative_yoy_at(levels, month)
    cur = year_to_date(levels)
    cur = cur.mutate(_m=month_index(cur.period))
    base = year_to_date(levels)
    base = base.select(
        **{f"_b_{k}": base[k] for k in SERIES},
        _bm=month_index(base.period),
        base_total=base.total,
    )
    on = [cur[k] == base[f"_b_{k}"] for k in SERIES] + [cur._m == base._bm + 12]
    j = cur.left_join(base, on)
    return j.select(
        *SERIES,
        "period",
        "months",
        "total",
        "base_total",
        change_pct=_pct(j.total, j.base_total),
    )


def _cumulative_yoy_at(levels: ir.Table, month: dt.date | ir.DateValue) -> ir.Table:
    # A series has a row when it has one in ``month`` (as year_to_date's rows are the
    # months with a row); each span's total needs a level in every month of the span.
    at: ir.DateValue = ibis.literal(month, type="date") if isinstance(month, dt.date) else month
    t = core(levels)
    target = month_index(at)
    months = at.month().cast("int64")
    m = month_index(t.period)
    cur = (m <= target) & (m > target - months)
    base = (m <= target - 12) & (m > target - 12 - months)
    t = t.filter((m <= target) & (m > target - 12 - months))
    g = t.group_by(list(SERIES)).aggregate(
        _here=(t.period == at).any(),
        _n=t.value.count(where=cur),
        _sum=t.value.sum(where=cur),
        _bn=t.value.count(where=base),
        _bsum=t.value.sum(where=base),
    )
    g = g.filter(g._here)
    total = ibis.ifelse(g._n == months, g._sum, ibis.null()).cast("float64")
    base_total = ibis.ifelse(g._bn == months, g._bsum, ibis.null()).cast("float64")
    g = g.mutate(period=at, months=months, total=total, base_total=base_total)
    return g.select(
        *SERIES,
        "period",
        "months",
        "total",
        "base_total",
        change_pct=_pct(g.total, g.base_total),
    )
