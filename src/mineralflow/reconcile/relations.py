"""Relations between figures, each a set operation over the prepared figures.

Every relation yields check rows of one shape (:data:`CHECK_SCHEMA`): the figure it checks
(``figure_id``, its interval ``stated_lo``/``stated_hi``), the interval the other terms
allow (``computed_lo``/``computed_hi``, null when a term is missing), and every figure
involved (``figure_ids``). An inequality is an interval with an open end: "a partner is at
most the world" checks the partner's figure against ``[0, world.hi]``. The verdict is
decided once, for all relations, in :mod:`mineralflow.reconcile.reconciler`.

Terms are amount cells (:attr:`Prepared.terms`): when the figures of a cell agree, the cell
counts as the hull of their intervals; when they disagree, each figure is a term of its own
and the relation is checked once per figure, so the check that fails names the figure that
does not fit. Sums (cumulatives, members of a bloc) use the hull of every cell
(:attr:`Prepared.hull`): a month whose sources disagree is reported by the same-cell check.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import ibis
import ibis.expr.types as ir

from ..catalog import countries, read_table
from ..periods import Month
from .prepare import AMOUNTS, EMPTY_IDS, IBIS_OPS, Prepared, period_text, prefixed

__all__ = [
    "CHECK_SCHEMA",
    "KINDS",
    "QUANTITY_UNIT",
    "YEAR_SHIFT_PRECISION",
    "all_checks",
]

# A stated change is of the quantity: readers store quantities in tonnes. (The ledger has no
# column saying a change is of value; when value figures arrive they need one.)
QUANTITY_UNIT = "t"
# A cumulative that fits another year's months is only called mislabelled when the fit is
# tight: stated and computed widths together within this share of the figure.
YEAR_SHIFT_PRECISION = 0.001

KINDS = {
    "same_cell": "two figures for the same cell",
    "change_mom": "a stated m/m change against the two monthly levels",
    "change_yoy": "a stated y/y change against the levels a year apart",
    "cumulative_change_yoy": "a stated y/y change of a cumulative against both cumulatives",
    "cumulative_sum": "a cumulative against the sum of its months",
    "year_shift": "a cumulative that fits the same months of an adjacent year, not its own",
    "part_of": "a member at most its bloc, region or the world",
    "parts_sum": "the listed members together at most their bloc, region or the world",
    "rank_order": "a stated rank against the levels",
    "product_scope": "a wider product at least the narrower one it includes",
}

CHECK_SCHEMA = ibis.schema(
    {
        "kind": "string",
        "sid": "int64",
        "measure": "string",
        "s": "int64",
        "e": "int64",
        "figure_id": "string",
        "value": "float64",
        "figure_ids": "array<string>",
        "stated_lo": "float64",
        "stated_hi": "float64",
        "computed_lo": "float64",
        "computed_hi": "float64",
        "unit": "string",
        "note": "string",
    }
)

FIGURE = (
    "figure_id", "value", "lo", "hi", "measure", "unit", "s", "e", "sid", "gid", "xid",
    "partner",
)  # fmt: skip
TERM = ("sid", "gid", "xid", "partner", "unit", "s", "e", "ids", "lo", "hi")


def _rows(t: ir.Table, kind: str, *, keep: tuple[str, ...] = (), **columns: Any) -> ir.Table:
    """One check row per row of ``t``: the stated figure's columns plus ``columns`` (and the
    columns of ``t`` named in ``keep``)."""
    base: dict[str, Any] = {
        "kind": ibis.literal(kind),
        "sid": t.sid,
        "measure": t.measure,
        "s": t.s,
        "e": t.e,
        "figure_id": t.figure_id,
        "value": t.value,
        "stated_lo": t.lo,
        "stated_hi": t.hi,
        "unit": t.unit,
        "note": ibis.null("string"),
    }
    base.update(columns)
    out = {name: base[name].cast(dtype) for name, dtype in CHECK_SCHEMA.items()}
    return t.select(**out, **{name: t[name] for name in keep})


def _ids(*arrays: Any) -> Any:
    out = arrays[0]
    for a in arrays[1:]:
        out = out.concat(a.fill_null(EMPTY_IDS))
    return out


def _amounts(p: Prepared) -> ir.Table:
    f = p.active
    return prefixed(f.filter(f.measure.isin(AMOUNTS)), "", FIGURE)


# -- same cell ----------------------------------------------------------------------------------
def same_cell(p: Prepared) -> ir.Table:
    """Every pair of figures for the same cell (same series, measure, unit and period)."""
    f = p.active
    a = prefixed(f, "", (*FIGURE, "mu"))
    b = prefixed(f, "b_", ("figure_id", "lo", "hi", "sid", "mu", "s", "e"))
    key = ("sid", "mu", "s", "e")
    j = a.join(b, [*(a[c] == b[f"b_{c}"] for c in key), a.figure_id < b.b_figure_id])
    return _rows(
        j,
        "same_cell",
        figure_ids=ibis.array([j.figure_id, j.b_figure_id]),
        computed_lo=j.b_lo,
        computed_hi=j.b_hi,
        unit=ibis.ifelse(j.unit == "%", "points", j.unit),
    )


# -- changes ------------------------------------------------------------------------------------
def changes(p: Prepared, measure: str, lag: int) -> ir.Table:
    """A stated change (``measure``) against the amounts at its period and ``lag`` months
    before: ``(new / old - 1) * 100`` over the intervals."""
    f = p.active
    c = prefixed(f.filter(f.measure == measure), "", FIGURE)
    terms = p.terms.filter(p.terms.unit == QUANTITY_UNIT)
    new = prefixed(terms, "n_", ("sid", "s", "e", "ids", "lo", "hi"))
    old = prefixed(terms, "o_", ("sid", "s", "e", "ids", "lo", "hi"))
    j = c.left_join(new, [new.n_sid == c.sid, new.n_s == c.s, new.n_e == c.e]).left_join(
        old, [old.o_sid == c.sid, old.o_s == c.s - lag, old.o_e == c.e - lag]
    )
    valid = j.n_lo.notnull() & j.o_lo.notnull() & (j.o_lo > 0) & (j.n_lo >= 0)
    lo = ibis.ifelse(valid, (j.n_lo / j.o_hi - 1) * 100, ibis.null("float64"))
    hi = ibis.ifelse(valid, (j.n_hi / j.o_lo - 1) * 100, ibis.null("float64"))
    note = ibis.cases(
        (j.n_lo.isnull(), ibis.literal("no amount stated for the period itself")),
        (j.o_lo.isnull(), ibis.literal(f"no amount stated {lag} month(s) before")),
        (j.o_lo <= 0, ibis.literal("the earlier amount can be zero; a change means nothing")),
        else_=ibis.null("string"),
    )
    return _rows(
        j,
        measure,
        figure_ids=_ids(ibis.array([j.figure_id]), j.n_ids, j.o_ids),
        computed_lo=lo,
        computed_hi=hi,
        unit=ibis.literal("points"),
        note=note,
    )


def cumulative_changes(p: Prepared) -> ir.Table:
    """A stated y/y change of a cumulative against the two cumulatives a year apart."""
    return changes(p, "cumulative_change_yoy", 12)


# -- cumulatives --------------------------------------------------------------------------------
def _months(p: Prepared) -> ir.Table:
    """Monthly amount cells with the first month of the unbroken run of months they end."""
    h = p.hull.filter(p.hull.s == p.hull.e)
    run = h.s - ibis.row_number().over(group_by=["sid", "unit"], order_by=h.s)
    h = h.mutate(run=run)
    return p.keep(h.mutate(run_start=h.s.min().over(group_by=["sid", "unit", "run"])))


def cumulative_sums(p: Prepared, shifts: tuple[int, ...] = (0, -12, 12)) -> ir.Table:
    """Each stated cumulative against the sum of its months, and against the sum of the same
    months ``shift`` months away (column ``shift``; 0 is its own year).

    Where months are missing at the start of the span, the shortest stated cumulative from
    the same first month that covers them stands in for them (Jan-May + Jun = Jan-Jun).
    The shifted sums feed the year-shift relation (:func:`year_shifts`).
    """
    m = _months(p)
    f = p.active
    c = f.filter((f.measure == "cumulative") & (f.e > f.s))
    c = prefixed(c, "", (*FIGURE, "source_id"))
    sh = ibis.memtable({"shift": list(shifts)}, schema={"shift": "int64"})
    c = c.cross_join(sh)
    c = c.mutate(ts=c.s + c.shift, te=c.e + c.shift)
    # The run of stated months that ends at the span's last month.
    last = prefixed(m, "r_", ("sid", "unit", "s", "run_start"))
    c = c.left_join(last, [last.r_sid == c.sid, last.r_unit == c.unit, last.r_s == c.te])
    c = c.drop("r_sid", "r_unit", "r_s")
    # A base cumulative from the same first month covers the months before that run.
    h = p.hull
    base = prefixed(h.filter(h.e > h.s), "b_", ("sid", "unit", "s", "e"))
    cand = c.join(
        base,
        [
            base.b_sid == c.sid,
            base.b_unit == c.unit,
            base.b_s == c.ts,
            base.b_e < c.te,
            base.b_e >= c.r_run_start - 1,
        ],
    )
    shortest = cand.group_by("figure_id", "shift").aggregate(k=cand.b_e.min())
    c = c.left_join(shortest, ["figure_id", "shift"])
    # Every month stated: no base needed.
    c = c.mutate(k=ibis.ifelse(c.r_run_start <= c.ts, c.ts - 1, c.k))
    basecell = prefixed(h, "b_", ("sid", "unit", "s", "e", "lo", "hi", "ids"))
    c = c.left_join(
        basecell,
        [
            basecell.b_sid == c.sid,
            basecell.b_unit == c.unit,
            basecell.b_s == c.ts,
            basecell.b_e == c.k,
        ],
    )
    mm = prefixed(m, "m_", ("sid", "unit", "s", "lo", "hi", "ids"))
    j = c.left_join(mm, [mm.m_sid == c.sid, mm.m_unit == c.unit, mm.m_s > c.k, mm.m_s <= c.te])
    keep = [*FIGURE, "source_id", "shift", "ts", "te", "k", "b_lo", "b_hi", "b_ids"]
    g = j.group_by(keep).aggregate(
        m_lo=j.m_lo.sum(),
        m_hi=j.m_hi.sum(),
        m_ids=j.m_ids.collect().flatten().sort(),
        n=j.m_s.count(),
    )
    ok = g.k.notnull() & (g.n == g.te - g.k)
    lo = ibis.ifelse(ok, g.b_lo.fill_null(0) + g.m_lo.fill_null(0), ibis.null("float64"))
    hi = ibis.ifelse(ok, g.b_hi.fill_null(0) + g.m_hi.fill_null(0), ibis.null("float64"))
    return _rows(
        g,
        "cumulative_sum",
        keep=("shift", "source_id"),
        figure_ids=_ids(ibis.array([g.figure_id]), g.b_ids, g.m_ids),
        computed_lo=lo,
        computed_hi=hi,
        note=ibis.ifelse(
            ok,
            ibis.null("string"),
            ibis.literal("months missing and no stated cumulative covers them"),
        ),
    )


def year_shifts(p: Prepared, sums: ir.Table) -> ir.Table:
    """Cumulatives that do not fit their own year's months but fit the same span of the year
    before or after, tightly: the label's year is likely wrong. Other figures of the same
    source with the same period label are flagged with it. ``sums`` is
    :func:`cumulative_sums` with shifts 0, -12 and 12."""
    meets = (sums.stated_lo <= sums.computed_hi) & (sums.computed_lo <= sums.stated_hi)
    fit = sums.computed_lo.notnull() & meets
    own_ok = sums.filter((sums.shift == 0) & fit).select(ok_id="figure_id")
    tight = (sums.stated_hi - sums.stated_lo) + (sums.computed_hi - sums.computed_lo) <= (
        YEAR_SHIFT_PRECISION * sums.value.abs()
    )
    fits = sums.filter((sums.shift != 0) & fit & tight)
    fits = fits.anti_join(own_ok, fits.figure_id == own_ok.ok_id)
    span = period_text(fits.s + fits.shift, fits.e + fits.shift)
    note = ibis.literal("fits ").concat(
        span, ", not its own year: the year in its label is likely wrong"
    )
    # The figures of the other year support the finding; only this one is blamed.
    detected = fits.mutate(
        kind=ibis.literal("year_shift"), figure_ids=ibis.array([fits.figure_id]), note=note
    )
    d = detected.select(d_id="figure_id", d_source="source_id", d_s="s", d_e="e", d_note="note")
    # Same source, same period label: the companions of a mislabelled figure.
    f = p.active
    fc = prefixed(f, "", (*FIGURE, "source_id"))
    comp = fc.join(
        d, [fc.source_id == d.d_source, fc.s == d.d_s, fc.e == d.d_e, fc.figure_id != d.d_id]
    )
    companions = _rows(
        comp,
        "year_shift",
        figure_ids=ibis.array([comp.figure_id]),
        computed_lo=ibis.null("float64"),
        computed_hi=ibis.null("float64"),
        note=ibis.literal("same source and period label as a figure that ").concat(comp.d_note),
    )
    found = d.select(found_id="d_id").view()
    companions = companions.anti_join(found, companions.figure_id == found.found_id)
    return detected.select(*CHECK_SCHEMA.names).union(companions)


# -- aggregates ---------------------------------------------------------------------------------
@cache
def _membership_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(member of aggregate, for ``part_of``; member of a set that sums, for ``parts_sum``)."""

    def month(text: str) -> int | None:
        if not text:
            return None
        m = Month.parse(text[:7])
        return m.year * 12 + m.month - 1

    part: list[dict[str, Any]] = []
    sums: list[dict[str, Any]] = []
    for r in read_table("aggregate_members.csv"):
        row = {
            "whole": r["aggregate"],
            "member": r["member"],
            "from_m": month(r["valid_from"]),
            "to_m": month(r["valid_to"]),
        }
        part.append(row)
        sums.append({**row, "members": "members"})
    for code, c in countries().items():
        if code == "WLD":
            continue
        row = {"whole": "WLD", "member": code, "from_m": None, "to_m": None}
        part.append(row)
        if c.kind in ("country", "region"):  # countries add up, and so do continents
            sums.append({**row, "members": c.kind})
    return part, sums


def _membership(rows: list[dict[str, Any]], *, sets: bool) -> ir.Table:
    schema = {"whole": "string", "member": "string", "from_m": "int64", "to_m": "int64"}
    if sets:
        schema["members"] = "string"
    return ibis.memtable({k: [r[k] for r in rows] for k in schema}, schema=schema)


def parts(p: Prepared) -> ir.Table:
    """Each member's amount against its aggregate's: at most the aggregate."""
    a = _amounts(p)
    mem = _membership(_membership_rows()[0], sets=False)
    t = prefixed(p.terms, "g_", TERM)
    j = a.join(mem, a.partner == mem.member).join(
        t,
        [
            t.g_partner == mem.whole,
            t.g_gid == a.gid,
            t.g_unit == a.unit,
            t.g_s == a.s,
            t.g_e == a.e,
        ],
    )
    j = j.filter((j.from_m.isnull() | (j.s >= j.from_m)) & (j.to_m.isnull() | (j.e <= j.to_m)))
    return _rows(
        j,
        "part_of",
        figure_ids=_ids(ibis.array([j.figure_id]), j.g_ids),
        computed_lo=ibis.literal(0.0),
        computed_hi=j.g_hi,
    )


def parts_sums(p: Prepared) -> ir.Table:
    """An aggregate's amount against the sum of its listed members: at least that sum."""
    h = p.hull
    mem = _membership(_membership_rows()[1], sets=True)
    j = h.join(mem, h.partner == mem.member)
    j = j.filter((j.from_m.isnull() | (j.s >= j.from_m)) & (j.to_m.isnull() | (j.e <= j.to_m)))
    key = ["whole", "members", "gid", "unit", "s", "e"]
    g = j.group_by(key).aggregate(
        lo_sum=j.lo.sum(), ids=j.ids.collect().flatten().sort(), n=j.count()
    )
    g = g.filter(g.n >= 2)
    a = _amounts(p)
    jj = a.join(
        g,
        [a.partner == g.whole, a.gid == g.gid, a.unit == g.unit, a.s == g.s, a.e == g.e],
    )
    return _rows(
        jj,
        "parts_sum",
        figure_ids=ibis.array([jj.figure_id]).concat(jj.ids),
        computed_lo=jj.lo_sum,
        computed_hi=IBIS_OPS.inf,
        note=ibis.literal("at least the sum of ").concat(
            jj.n.cast("string"), " ", jj.members, " listed"
        ),
    )


# -- ranks --------------------------------------------------------------------------------------
@cache
def _partner_kinds() -> list[dict[str, str]]:
    return [{"code": code, "kind": c.kind} for code, c in countries().items()]


def ranks(p: Prepared) -> ir.Table:
    """A source's ranking of partners against their levels.

    Each ranked partner with a level is at least the next ranked partner with a level, and
    the lowest ranked partner with a level is at least the largest unranked country with a
    level in the same period (a top-N list leaves the others out because they are smaller).
    A ranked partner without a level is unverifiable.
    """
    f = p.active
    r = prefixed(f.filter(f.measure == "rank"), "", (*FIGURE, "source_id"))
    h = p.hull.filter(p.hull.unit == QUANTITY_UNIT)
    lv = prefixed(h, "l_", TERM)
    j = r.left_join(lv, [lv.l_sid == r.sid, lv.l_s == r.s, lv.l_e == r.e])
    missing = j.filter(j.l_lo.isnull())
    unverifiable = _rows(
        missing,
        "rank_order",
        figure_ids=ibis.array([missing.figure_id]),
        computed_lo=ibis.null("float64"),
        computed_hi=ibis.null("float64"),
        note=ibis.literal("no level stated for the ranked partner"),
    )
    w = j.filter(j.l_lo.notnull())
    group = ["source_id", "gid", "s", "e"]
    win = ibis.window(group_by=group, order_by=[w.value, w.partner])
    w = p.keep(
        w.mutate(
            q_figure=w.figure_id.lead().over(win),
            q_ids=w.l_ids.lead().over(win),
            q_lo=w.l_lo.lead().over(win),
            q_partner=w.partner.lead().over(win),
        )
    )
    pairs = w.filter(w.q_figure.notnull())
    ordered = _rows(
        pairs,
        "rank_order",
        figure_ids=ibis.array([pairs.figure_id, pairs.q_figure]).concat(pairs.l_ids, pairs.q_ids),
        stated_lo=pairs.l_lo,
        stated_hi=pairs.l_hi,
        computed_lo=pairs.q_lo,
        computed_hi=IBIS_OPS.inf,
        unit=pairs.l_unit,
        note=ibis.literal("ranked above ").concat(pairs.q_partner),
    )
    # The lowest ranked partner with a level against the largest unranked country.
    lowest = w.filter(w.q_figure.isnull())
    kinds = ibis.memtable(_partner_kinds(), schema={"code": "string", "kind": "string"})
    ctry = h.join(kinds, h.partner == kinds.code).filter(kinds.kind == "country")
    others = prefixed(ctry, "u_", TERM)
    u = lowest.join(
        others,
        [
            others.u_gid == lowest.gid,
            others.u_unit == lowest.l_unit,
            others.u_s == lowest.s,
            others.u_e == lowest.e,
        ],
    )
    ranked = r.select(rk_source="source_id", rk_partner="partner", rk_s="s", rk_e="e")
    u = u.anti_join(
        ranked,
        [
            u.source_id == ranked.rk_source,
            u.u_partner == ranked.rk_partner,
            u.s == ranked.rk_s,
            u.e == ranked.rk_e,
        ],
    )
    u = u.group_by([*FIGURE, "l_lo", "l_hi", "l_unit", "l_ids"]).aggregate(
        u_lo=u.u_lo.max(),
        u_ids=u.u_ids.argmax(u.u_lo),
        u_partner=u.u_partner.argmax(u.u_lo),
    )
    unranked = _rows(
        u,
        "rank_order",
        figure_ids=ibis.array([u.figure_id]).concat(u.l_ids, u.u_ids),
        stated_lo=u.l_lo,
        stated_hi=u.l_hi,
        computed_lo=u.u_lo,
        computed_hi=IBIS_OPS.inf,
        unit=u.l_unit,
        note=ibis.literal("ranked; ").concat(u.u_partner, " is not in the ranking"),
    )
    return ordered.union(unranked).union(unverifiable)


# -- product scope ------------------------------------------------------------------------------
def scopes(p: Prepared) -> ir.Table:
    """A wider product's amount (magnets and alloys) against the narrower one it includes."""
    rows = read_table("product_scopes.csv")
    sc = ibis.memtable(
        {"wider": [r["wider"] for r in rows], "narrower": [r["narrower"] for r in rows]},
        schema={"wider": "string", "narrower": "string"},
    )
    products = p.series.select("sid", "product")
    a = _amounts(p).join(products, "sid").view()
    t = prefixed(p.hull.join(products, "sid"), "n_", (*TERM, "product")).view()
    j = a.join(sc, a.product == sc.wider).join(
        t,
        [
            t.n_product == sc.narrower,
            t.n_xid == a.xid,
            t.n_unit == a.unit,
            t.n_s == a.s,
            t.n_e == a.e,
        ],
    )
    return _rows(
        j,
        "product_scope",
        figure_ids=_ids(ibis.array([j.figure_id]), j.n_ids),
        computed_lo=j.n_lo,
        computed_hi=IBIS_OPS.inf,
        note=ibis.literal("at least ").concat(j.n_product),
    )


def all_checks(p: Prepared) -> ir.Table:
    """Every relation's check rows, one table."""
    sums = p.keep(cumulative_sums(p))
    tables = [
        same_cell(p),
        changes(p, "change_mom", 1),
        changes(p, "change_yoy", 12),
        cumulative_changes(p),
        sums.filter(sums.shift == 0).select(*CHECK_SCHEMA.names),
        year_shifts(p, sums),
        parts(p),
        parts_sums(p),
        ranks(p),
        scopes(p),
    ]
    out = tables[0]
    for t in tables[1:]:
        out = out.union(t)
    return out
