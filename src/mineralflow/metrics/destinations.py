"""Where a reporter's flow goes: each partner's share of the total, and ranks by level.

``partners`` is the partner catalog (the ledger's ``catalog_partners``: ``code`` and
``kind``, one of country, world, bloc, region). Ranks and concentration count countries
only: the world, blocs (EU27) and regions overlap the countries they contain.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ._series import GROUP, SERIES, core

__all__ = ["WORLD", "countries_only", "ranks", "shares"]

WORLD = "WLD"


def countries_only(levels: ir.Table, partners: ir.Table) -> ir.Table:
    """The rows of ``levels`` whose partner is a country (not the world, a bloc or region)."""
    countries = partners.filter(partners.kind == "country").select(_code=partners.code)
    return levels.semi_join(countries, levels.partner == countries._code)


def shares(levels: ir.Table, *, total: str = WORLD) -> ir.Table:
    """Each partner's level as a percentage of the reporter's total in the same month.

    The total is the level stated for partner ``total`` (the world by default), not the
    sum of the partners present: sources name only the largest partners. Columns: series,
    ``period``, ``value``, ``total_value`` and ``share_pct`` = 100 x value / total_value
    (null when the month has no total, a gap). Blocs and regions get a share too.
    """
    t = core(levels)
    parts = t.filter(t.partner != total)
    tot = t.filter(t.partner == total).select(
        **{f"_t_{k}": t[k] for k in GROUP}, _tp=t.period, total_value=t.value
    )
    on = [parts[k] == tot[f"_t_{k}"] for k in GROUP] + [parts.period == tot._tp]
    j = parts.left_join(tot, on)
    share = ibis.ifelse(j.total_value > 0, 100 * j.value / j.total_value, ibis.null())
    return j.select(*SERIES, "period", "value", "total_value", share_pct=share.cast("float64"))


def ranks(levels: ir.Table, partners: ir.Table) -> ir.Table:
    """Countries ranked by level within each reporter, product, flow and month.

    ``rank`` 1 is the largest; equal levels share a rank (1, 2, 2, 4). ``ranked`` is how
    many countries have a level that month: a rank among the partners the data names,
    not among every partner there is.
    """
    t = core(countries_only(levels, partners))
    group = [*GROUP, "period"]
    return t.select(
        *SERIES,
        "period",
        "value",
        rank=(ibis.rank().over(group_by=group, order_by=ibis.desc(t.value)) + 1).cast("int64"),
        ranked=t.value.count().over(group_by=group),
    )
