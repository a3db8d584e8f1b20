"""The metrics' input: one monthly level per series and month, picked from the ledger's figures.

The ledger can hold several figures for one cell (the same reporter, partner, product, flow
and month stated by several sources). The metrics need one value per cell, so
:func:`monthly_levels` keeps the figure of the strongest source, then the most precise::

    >>> from mineralflow import Ledger                                   # doctest: +SKIP
    >>> with Ledger.open("mineralflow.duckdb", read_only=True) as ledger:  # doctest: +SKIP
    ...     monthly_levels(ledger.table("figures_v")).execute()

For a ledger, :func:`mineralflow.analysis.reconciled_levels` gives the same columns from
the reconciler's best estimates, and the brief uses that; this function is the engine-only
path for data with nothing to reconcile (a Comtrade bulk on a cluster).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ._series import SERIES

__all__ = ["PROVENANCE", "monthly_levels"]

PROVENANCE = (
    "unit",
    "figure_id",
    "source_id",
    "authority_rank",
    "resolution",
    "qualifier",
    "stated",
    "candidates",
)
"""Columns :func:`monthly_levels` adds after ``period`` and ``value``: where the value
comes from, and how many figures stated the cell (``candidates``)."""

UNRANKED = 99  # an authority missing from the catalog ranks below every known one


def monthly_levels(figures: ir.Table, *, unit: str = "t") -> ir.Table:
    """One level per series and month from ``figures`` (the ledger's ``figures_v``).

    Keeps figures that state a level (``measure = 'level'``) of one month in ``unit``
    (tonnes by default), then, per cell, the figure with the lowest ``authority_rank``
    (1 = official), then the finest ``resolution``, then an exact figure over a qualified
    one ("about 5,000 t"), then the lowest ``source_id`` and ``figure_id`` so that the
    choice never depends on row order or engine. Months nobody states stay absent.
    """
    t = figures.filter(
        (figures.measure == "level")
        & (figures.period_start == figures.period_end)
        & (figures.unit == unit)
    )
    cell = [*SERIES, "period_start"]
    order = [
        t.authority_rank.fill_null(UNRANKED),
        t.resolution,
        ibis.ifelse(t.qualifier == "exact", 0, 1),
        t.source_id,
        t.figure_id,
    ]
    t = t.mutate(
        _pick=ibis.row_number().over(group_by=cell, order_by=order),
        candidates=t.figure_id.count().over(group_by=cell),
    )
    t = t.filter(t._pick == 0)
    return t.select(
        *SERIES,
        period=t.period_start,
        value=t.value,
        unit=t.unit,
        figure_id=t.figure_id,
        source_id=t.source_id,
        authority_rank=t.authority_rank,
        resolution=t.resolution,
        qualifier=t.qualifier,
        stated=t.stated,
        candidates=t.candidates,
    )
