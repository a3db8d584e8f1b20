"""Policy-event windows: the flow before and after an event, judged against its own past.

For each event linked to the product (the ledger's ``event_products``, built from the
catalog's codes and names) and each series of that product, the window has three phases,
counted in whole months:

- ``before``: the ``months`` months before the month of the announcement;
- ``between``: from the announcement month to the month before the effective month
  (empty when both fall in the same month, as for most of China's 2025 controls); buying
  ahead of a known effective date shows here;
- ``after``: the effective month (the announcement month when there is no effective date)
  and the ``months - 1`` months that follow.

The month of the effective date counts as ``after`` even when the date falls late in it.
Each month's level is compared with the ``before`` months: the change from their mean,
and a robust z-score, z = (value - median) / scale, where scale is 1.4826 x the median
absolute deviation (see :func:`._series.robust_scale`). A month is ``unusual`` when
|z| >= ``k`` (3.5 by default, Iglewicz and Hoaglin's cut-off) and at least
``min_before`` months before the event have a level; otherwise ``unusual`` is null:
too little history to judge. Gaps are left out, never filled in.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ._series import SERIES, core, month_index, robust_scale

__all__ = ["LINKS", "diversion", "event_summary", "event_windows"]

LINKS = ("code", "term", "group")
"""Event-product links used by default: measures on all goods are left out."""

_KEY = ("event_id", *SERIES)


def event_windows(
    levels: ir.Table,
    events: ir.Table,
    event_products: ir.Table,
    *,
    months: int = 12,
    links: tuple[str, ...] = LINKS,
    k: float = 3.5,
    min_before: int = 4,
) -> ir.Table:
    """One row per event, series and month with a level in the event's window.

    Columns: ``event_id``, series, ``period``, ``phase`` (before, between, after),
    ``offset`` (months from the effective month, 0 for the effective month), ``value``,
    ``before_months`` (months before the event with a level), ``before_mean``,
    ``before_median``, ``before_scale``, ``change_pct`` (100 x (value / before_mean - 1)),
    ``z`` and ``unusual``.
    """
    if months < 1:
        raise ValueError(f"months must be 1 or more, got {months}")
    ep = event_products.filter(event_products.link.isin(list(links)))
    ev = events.join(ep, events.event_id == ep.event_id).select(
        _e=events.event_id,
        _product=ep.product,
        _ann=month_index(events.date_announced),
        _eff=month_index(events.date_effective.fill_null(events.date_announced)),
    )
    # An effective date before the announcement (a retroactive measure) starts at the
    # announcement: nobody could react earlier.
    ev = ev.mutate(_eff=ibis.greatest(ev._eff, ev._ann))
    lv = core(levels)
    lv = lv.mutate(_m=month_index(lv.period))
    j = lv.join(
        ev,
        [
            lv.product == ev._product,
            lv._m >= ev._ann - months,
            lv._m <= ev._eff + (months - 1),
        ],
    )
    j = j.select(
        event_id=j._e,
        **{c: j[c] for c in SERIES},
        period=j.period,
        phase=ibis.cases((j._m < j._ann, "before"), (j._m < j._eff, "between"), else_="after"),
        offset=(j._m - j._eff).cast("int64"),
        value=j.value,
    )
    before = j.filter(j.phase == "before")
    centre = before.group_by(list(_KEY)).aggregate(
        before_months=before.value.count(),
        before_mean=before.value.mean(),
        before_median=before.value.median(),
    )
    dev = before.join(centre, list(_KEY))
    dev = dev.mutate(_ad=(dev.value - dev.before_median).abs())
    spread = dev.group_by(list(_KEY)).aggregate(_mad=dev._ad.median(), _meanad=dev._ad.mean())
    stats = centre.join(spread, list(_KEY))
    stats = stats.select(
        *_KEY,
        "before_months",
        "before_mean",
        "before_median",
        before_scale=robust_scale(stats._mad, stats._meanad),
    )
    stats = stats.rename(**{f"_s_{c}": c for c in _KEY})
    w = j.left_join(stats, [j[c] == stats[f"_s_{c}"] for c in _KEY])
    z = ((w.value - w.before_median) / w.before_scale).cast("float64")
    judged = (w.before_months >= min_before) & w.before_scale.notnull()
    return w.select(
        *_KEY,
        "period",
        "phase",
        "offset",
        "value",
        before_months=w.before_months.fill_null(0),
        before_mean=w.before_mean,
        before_median=w.before_median,
        before_scale=w.before_scale,
        change_pct=ibis.ifelse(
            w.before_mean > 0, 100 * (w.value / w.before_mean - 1), ibis.null()
        ).cast("float64"),
        z=z,
        unusual=ibis.ifelse(judged, z.abs() >= k, ibis.null()).cast("boolean"),
    )


def event_summary(windows: ir.Table, *, k: float = 3.5, min_before: int = 4) -> ir.Table:
    """One row per event and series: the mean before vs after, and buying ahead.

    Columns: ``event_id``, series, ``before_months``, ``before_mean``, ``after_months``,
    ``after_mean``, ``change_pct``, ``after_z`` (the robust z-score of the after-mean
    against the months before; monthly flows are autocorrelated, so it is not divided by
    the square root of the months), ``unusual``, ``between_months``, ``between_max_z`` and
    ``anticipatory_surge`` (a month between announcement and effect with z >= k).
    ``windows`` is the result of :func:`event_windows`.
    """
    w = windows
    g = w.group_by(list(_KEY)).aggregate(
        before_months=w.before_months.max(),
        before_mean=w.before_mean.max(),
        before_median=w.before_median.max(),
        before_scale=w.before_scale.max(),
        after_months=(w.phase == "after").sum().cast("int64"),
        after_mean=w.value.mean(where=w.phase == "after"),
        between_months=(w.phase == "between").sum().cast("int64"),
        between_max_z=w.z.max(where=w.phase == "between"),
    )
    after_z = ((g.after_mean - g.before_median) / g.before_scale).cast("float64")
    judged = (g.before_months >= min_before) & g.before_scale.notnull()
    return g.select(
        *_KEY,
        "before_months",
        "before_mean",
        "after_months",
        "after_mean",
        change_pct=ibis.ifelse(
            g.before_mean > 0, 100 * (g.after_mean / g.before_mean - 1), ibis.null()
        ).cast("float64"),
        after_z=after_z,
        unusual=ibis.ifelse(judged & g.after_mean.notnull(), after_z.abs() >= k, ibis.null()).cast(
            "boolean"
        ),
        between_months="between_months",
        between_max_z="between_max_z",
        anticipatory_surge=ibis.ifelse(
            judged & g.between_max_z.notnull(), g.between_max_z >= k, ibis.null()
        ).cast("boolean"),
    )


def diversion(summary: ir.Table, partners: ir.Table, *, target: str) -> ir.Table:
    """Did the flow turn from ``target`` to third countries after the event?

    From :func:`event_summary`: per event, reporter, product and flow, the ``target``'s
    change (before mean vs after mean) beside the combined change of every other country
    partner that has a level both before and after (``third_partners``).
    ``diverted`` is true when the target's flow fell while the third countries' rose.
    """
    s = summary.filter(summary.before_mean.notnull() & summary.after_mean.notnull())
    countries = partners.filter(partners.kind == "country").select(_c=partners.code)
    s = s.semi_join(countries, s.partner == countries._c)
    key = ["event_id", "reporter", "product", "flow"]
    tgt = s.filter(s.partner == target).select(
        *key,
        target_before=s.before_mean,
        target_after=s.after_mean,
        target_change_pct=s.change_pct,
    )
    third = s.filter(s.partner != target)
    third = third.group_by(key).aggregate(
        third_partners=third.partner.count(),
        third_before=third.before_mean.sum(),
        third_after=third.after_mean.sum(),
    )
    third = third.rename(**{f"_t_{c}": c for c in key})
    j = tgt.left_join(third, [tgt[c] == third[f"_t_{c}"] for c in key])
    third_change = ibis.ifelse(
        j.third_before > 0, 100 * (j.third_after / j.third_before - 1), ibis.null()
    ).cast("float64")
    return j.select(
        *key,
        target=ibis.literal(target),
        target_before="target_before",
        target_after="target_after",
        target_change_pct="target_change_pct",
        third_partners=j.third_partners.fill_null(0),
        third_before="third_before",
        third_after="third_after",
        third_change_pct=third_change,
        diverted=ibis.ifelse(
            third_change.notnull() & j.target_change_pct.notnull(),
            (j.target_change_pct < 0) & (third_change > 0),
            ibis.null(),
        ).cast("boolean"),
    )
