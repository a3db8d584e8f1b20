"""The brief composed: :func:`build_brief` reads the month's figures, takes each cell's
best estimate, orders the partner lines, and gathers the totals, checks, events, mirror,
Analysis section and nowcast."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from .. import analysis, catalog, compiled, engines
from ..errors import NoData, UsageError
from ..ledger import Ledger
from ..periods import Month, Period, parse_date
from ..reconcile import Reconciliation, reconcile
from .checks import _LISTED, _checks
from .estimates import _Estimates
from .model import Brief, CumulativeLine, PartnerLine, Stated
from .read import _Citations, _events, _mirror, _read_rows, _rec_rows

if TYPE_CHECKING:
    import ibis

# A brief on DuckDB whose product's reconciliation is stored runs compiled queries only
# (mineralflow.compiled): it imports neither Ibis nor pandas, which take longer to load than
# the whole brief takes to read.


def build_brief(
    ledger: Ledger,
    *,
    product: str,
    period: str,
    reporter: str = "CHN",
    flow: str = "export",
    engine: str | Any = "duckdb",
    reconciliation: Reconciliation | None = None,
    as_of: str | dt.date | None = None,
) -> Brief:
    """Compose the brief for ``product`` in the month ``period`` (``YYYY-MM``).

    ``reconciliation`` is the product's :func:`~mineralflow.check` result when the caller
    already has it (a report builds one for its brief and its conflicts); otherwise the
    brief reconciles the product itself.

    Official figures come from the release in force; with ``as_of`` (a date), from the
    releases as published on that day (news figures are not filtered).

    Stated figures come from the ledger; computed ones (shares of the world total and the
    Analysis section) from :mod:`mineralflow.metrics`, run on ``engine`` (``duckdb`` or
    ``spark``, see :mod:`mineralflow.engines`). Both engines give the same brief.
    """
    prod = catalog.product(product)
    p = Period.parse(period)
    if not p.is_month:
        raise UsageError(f"a brief covers one month; got {period!r}, write it YYYY-MM")
    as_of = parse_date(as_of, option="--as-of")
    if as_of is not None and reconciliation is not None:
        raise UsageError("pass either as_of or a reconciliation, not both")
    month = p.end
    rows = _read_rows(ledger, product, reporter, flow, month, as_of)
    if not any(r.end == month for r in rows):
        raise NoData(f"{product} in {month}", ledger.periods(product))
    cite = _Citations()
    # The whole product, not only this month's window: a figure's verdict then depends on
    # everything the ledger holds, as `mineralflow check` judges it, whichever month is asked.
    # As published on a day: reconcile the figures known then (later releases left out).
    known = ledger if as_of is None else ledger.figures(as_of=as_of, revised=True)
    rec = reconciliation or reconcile(known, product=product)
    # Every cell the brief shows ends in the month (the month itself, or a total to it).
    best_rows = _rec_rows(rec, "best", reporter=reporter, flow=flow, period_end=month.first_day)
    estimates = _Estimates(best_rows, {r.figure_id: r for r in rows}, cite)

    def cell(partner: str, measure: str, m: Month = month) -> Stated | None:
        return estimates.stated(partner, measure, m, m)

    countries = catalog.countries()

    def kind(code: str) -> str:
        return countries[code].kind if code in countries else "country"

    # World first, so its sources take the first numbers.
    world_level = cell("WLD", "level")
    world = None
    if any(r.partner == "WLD" for r in rows):
        world = PartnerLine(
            "WLD",
            "World",
            "world",
            None,
            world_level,
            cell("WLD", "change_mom"),
            cell("WLD", "change_yoy"),
            None,
        )

    in_month = [r for r in rows if r.start == month and r.end == month]
    ranks = sorted((r for r in in_month if r.measure == "rank"), key=lambda r: r.sort_key)
    ranking: list[str] = []
    ranking_sources: tuple[int, ...] = ()
    if ranks:
        # One source's ranking, the strongest; other sources' ranks are checked, not mixed in.
        best = sorted(
            (r for r in ranks if r.source_id == ranks[0].source_id), key=lambda r: r.value
        )
        ranking = [r.partner for r in best]
        ranking_sources = (cite.number(best[0]),)
    rank_of = {code: i + 1 for i, code in enumerate(ranking)}

    # Computed figures come from the metrics, on the engine asked for: on DuckDB with the
    # reconciliation stored, as compiled queries over the levels kept in a temporary table;
    # otherwise the levels go to the engine (tables_for) and Ibis runs the metrics there.
    source: Ledger | dict[str, ibis.Table]
    if engine == "duckdb" and rec.stored:
        compiled.store(ledger, "analysis.levels", scope=product, reporter=reporter, flow=flow)
        source = ledger
    else:
        tables = engines.tables_for(ledger, engine)
        levels = analysis.levels_for(
            ledger, tables, product=product, reporter=reporter, flow=flow, rec=rec
        )
        source = {**tables, analysis.LEVELS: levels}
    # The next month's world level as a model estimates it from the months to this one
    # (statsmodels loads only when the estimate is not in the ledger's cache yet).
    from .. import nowcast as nowcasting

    world_series = nowcasting.series_of(
        ledger,
        compiled.rows(source, "analysis.level_rows"),
        product=product,
        partner="WLD",
        reporter=reporter,
        flow=flow,
    )
    estimate = nowcasting.forecast(
        world_series.upto(month), month.shift(1), cache=nowcasting.cache_folder(ledger)
    )
    share_of = {
        r["partner"]: r["share_pct"]
        for r in compiled.rows(source, "analysis.shares", month=month.first_day)
        if r["share_pct"] is not None
    }

    lines: list[PartnerLine] = []
    for code in sorted({r.partner for r in in_month} - {"WLD"}):
        level = cell(code, "level")
        share = None
        if level is not None and code in share_of:
            share = round(share_of[code], 1)
        lines.append(
            PartnerLine(
                code,
                catalog.partner_name(code),
                kind(code),
                rank_of.get(code),
                level,
                cell(code, "change_mom"),
                cell(code, "change_yoy"),
                share,
            )
        )

    def order(line: PartnerLine) -> tuple[float, float, str]:
        return (line.rank or math.inf, -(line.level.value if line.level else -1), line.name)

    destinations = sorted((ln for ln in lines if ln.kind == "country"), key=order)
    aggregates = sorted((ln for ln in lines if ln.kind != "country"), key=order)

    cumulative: list[CumulativeLine] = []
    spans = sorted(
        {(r.partner, r.start) for r in rows if r.end == month and r.start < month},
        key=lambda ps: (ps[0] != "WLD", kind(ps[0]) != "country", ps[0], ps[1]),
    )
    for code, start in spans:
        span = Period(start, month)
        cumulative.append(
            CumulativeLine(
                code,
                "World" if code == "WLD" else catalog.partner_name(code),
                str(span),
                span.describe(),
                estimates.stated(code, "cumulative", start, month),
                estimates.stated(code, "cumulative_change_yoy", start, month),
            )
        )

    mine = {"reporter": reporter, "flow": flow, "product": product, "period_end": month.first_day}
    mc = _rec_rows(rec, "checks", **mine)
    checks = _checks(mc, _rec_rows(rec, "conflicts", **mine), estimates.rows, cite)
    unverifiable = sum(c["verdict"] == "unverifiable" for c in mc)
    unlisted = sum(c["verdict"] == "consistent" and c["kind"] not in _LISTED for c in mc)
    events, broad = _events(ledger, product, month, cite)
    mirror = _mirror(ledger, product, reporter, flow, month, as_of, cite)
    # The next month's world level as a model estimates it from the months to this one.
    if reconciliation is None:
        rec.close()
    computed = analysis.brief_analysis(
        source,
        month=month,
        events=events,
        cite=lambda source_id: cite.by_id(source_id, ledger),
    )
    return Brief(
        product=product,
        product_name=prod.name,
        scope_note=prod.scope_note,
        reporter=reporter,
        period=str(month),
        world=world,
        destinations=destinations,
        aggregates=aggregates,
        ranking=ranking,
        ranking_sources=ranking_sources,
        cumulative=cumulative,
        events=events,
        broad_events=broad,
        checks=checks,
        unverifiable=unverifiable,
        unlisted=unlisted,
        sources=cite.refs,
        analysis=computed,
        mirror=mirror,
        as_of=str(as_of) if as_of else None,
        nowcast=estimate,
    )
