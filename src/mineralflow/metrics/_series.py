"""What every metric shares: the shape of a monthly series and month arithmetic.

A *levels* table holds one row per series and month::

    reporter  partner  product  flow    period      value
    CHN       DEU      ...      export  2025-06-01  764.0   (tonnes)

``period`` is the first day of the month (a DATE); any further columns (provenance such as
``source_id``) are carried by :func:`~mineralflow.metrics.monthly_levels` but never needed.
A month without a row is a gap: no metric fills it in.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

SERIES = ("reporter", "partner", "product", "flow")
"""The columns that name one series: who reports, with which partner, what, which way."""

GROUP = ("reporter", "product", "flow")
"""A series without its partner: the unit shares, ranks and concentration divide up."""

LEVEL_COLUMNS = (*SERIES, "period", "value")

LEVELS_SCHEMA = ibis.schema(
    {
        "reporter": "string",
        "partner": "string",
        "product": "string",
        "flow": "string",
        "period": "date",
        "value": "float64",
    }
)
"""The columns every levels table has (others may follow): value in tonnes."""


def month_index(period: ir.DateValue) -> ir.IntegerValue:
    """Months since year 0: consecutive months differ by one, so joins on it are exact."""
    return period.year() * 12 + period.month() - 1


def month_date(index: ir.IntegerValue) -> ir.DateValue:
    """The first day of the month with this :func:`month_index`."""
    return ibis.date(index // 12, index % 12 + 1, 1)


def core(levels: ir.Table) -> ir.Table:
    """The series columns, period and value (drops provenance columns).

    Types are normalised (nullable strings, DATE, float64) so that tables from different
    sources (a ledger with NOT NULL columns, Parquet files, derived rows) combine.
    """
    schema = levels.schema()
    if all(schema[c] == LEVELS_SCHEMA[c] for c in LEVEL_COLUMNS):
        # Already the right types: one projection keeps the compiled query small.
        return levels if tuple(schema) == LEVEL_COLUMNS else levels.select(*LEVEL_COLUMNS)
    return levels.select(
        **{k: levels[k].cast("string") for k in SERIES},
        period=levels.period.cast("date"),
        value=levels.value.cast("float64"),
    )


def robust_scale(mad: ir.FloatingValue, mean_abs_dev: ir.FloatingValue) -> ir.FloatingValue:
    """A robust standard deviation: 1.4826 x MAD, or 1.2533 x the mean absolute deviation
    when more than half the values are equal (MAD = 0); null when every value is equal.

    Iglewicz and Hoaglin's modified z-score uses the same constants (both make the scale
    equal to the standard deviation for normally distributed values).
    """
    return ibis.cases(
        (mad > 0, mad * 1.4826),
        (mean_abs_dev > 0, mean_abs_dev * 1.2533),
        else_=ibis.null(),
    ).cast("float64")
