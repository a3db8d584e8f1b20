"""The reconciler: which figures agree, which conflict, and which one to believe.

:func:`reconcile` runs every relation of :mod:`~mineralflow.reconcile.relations` over the
ledger's figures as set operations through Ibis, then judges each check in one pass::

    >>> with Ledger.open(read_only=True) as ledger:                 # doctest: +SKIP
    ...     rec = reconcile(ledger, product="rare-earth-magnets")
    ...     rec.summary()
    ...     rec.conflicts[["kind", "cells", "suspect", "why"]]

A check is *consistent* when the stated interval and the computed one meet, *inconsistent*
(with the ``gap`` between them) when they do not, and *unverifiable* when a term is missing.
Of the figures in an inconsistent check, the one most likely wrong is the one that fails the
most checks overall (never an official release in force when another figure is involved);
ties go against fewer passed checks, then the weaker source, then the vaguer figure.

The best estimate of a cell is the official release in force if there is one, else the
figure with the fewest failed and most passed checks, then the most precise (narrowest
interval), then the strongest source. Cells no figure states but two others imply (a month
from its neighbour and a stated change, or from two cumulatives) get a derived estimate,
labelled ``derived`` with its inputs and interval.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from .. import catalog, engines
from ..errors import SchemaError
from ..ledger import Ledger
from ..periods import Period
from . import plans
from .prepare import (
    CELL_KEY,
    Prepared,
    Scratch,
    check_qualifiers,
    month_date,
    period_text,
    prefixed,
    prepare,
)
from .relations import QUANTITY_UNIT, all_checks
from .results import _ORDER, VERDICTS, Reconciliation, reconcile, subject

__all__ = ["VERDICTS", "Reconciliation", "reconcile", "reconcile_figures", "subject"]


# Float sums of rounded bounds can miss by an ulp; this is far below any stated digit.
_TOLERANCE = 1e-9


def _text(t: Any, stated: Any, unit: Any) -> Any:
    """``-1.6%``, ``1,346 t`` as stated, ``rank 2``; a figure stated with its own unit
    (``60,880 kg``, ``69.440 Kilogramm``) as it was stated."""
    return ibis.cases(
        (unit == "%", stated.concat("%")),
        (unit == "rank", ibis.literal("rank ").concat(stated)),
        (stated.re_search("[^\\W\\d_]"), stated),
        else_=stated.concat(" ", unit),
    )


def _judge(raw: ir.Table) -> ir.Table:
    has = raw.computed_lo.notnull()
    gap = ibis.greatest(raw.stated_lo - raw.computed_hi, raw.computed_lo - raw.stated_hi, 0.0)
    meets = gap <= _TOLERANCE * (1 + raw.value.abs())
    verdict = ibis.cases(
        (raw.kind == "year_shift", "inconsistent"),
        (~has, "unverifiable"),
        (meets, "consistent"),
        else_="inconsistent",
    )
    out = raw.mutate(
        verdict=verdict,
        gap=ibis.cases(
            (raw.kind == "year_shift", ibis.null("float64")),
            (~has, ibis.null("float64")),
            (meets, 0.0),
            else_=gap,
        ),
    )
    # An id within this reconciliation: a hash of what makes the check (numbering in a
    # sorted order would cost a sort of every check).
    # (kind, figure, second figure) tells every check apart: the peer of a pair, the first
    # term of a change, sum or aggregate, the next ranked partner.
    key = ibis.struct(
        {"k": out.kind, "f": out.figure_id, "i": out.figure_ids[1], "c": out.computed_lo}
    )
    # The stated value only served the tolerance; the figure keeps it.
    return out.mutate(check_id=key.hash()).drop("value", "measure")


def _stats(checks: ir.Table) -> ir.Table:
    """Per figure: how many checks it fails and passes (unverifiable ones do not count)."""
    judged = checks.filter(checks.verdict != "unverifiable")
    # A check names each figure once (its cells are distinct), so no distinct is needed.
    x = judged.select("verdict", fid=judged.figure_ids.unnest())
    return x.group_by("fid").aggregate(
        n_inconsistent=(x.verdict == "inconsistent").sum(),
        n_consistent=(x.verdict == "consistent").sum(),
    )


def _blame(p: Prepared, checks: ir.Table) -> ir.Table:
    """Per failed check: the figure most likely wrong, and why."""
    failed = checks.filter(checks.verdict == "inconsistent")
    x = failed.select("check_id", "kind", "note", fid=failed.figure_ids.unnest())
    # Counting only for the figures of failed checks keeps the count small.
    doubtful = p.keep(x.select("fid").distinct())
    judged = checks.filter(checks.verdict != "unverifiable")
    y = judged.select("verdict", fid=judged.figure_ids.unnest())
    y = y.semi_join(doubtful, "fid")
    stats = p.keep(
        y.group_by("fid").aggregate(
            n_inconsistent=(y.verdict == "inconsistent").sum(),
            n_consistent=(y.verdict == "consistent").sum(),
        )
    )
    attrs = p.active.select("figure_id", "official", "authority_rank", "width")
    cand = x.join(stats, "fid").join(attrs, x.fid == attrs.figure_id)
    rank = ibis.row_number().over(
        group_by=cand.check_id,
        order_by=[
            cand.official,
            ibis.desc(cand.n_inconsistent),
            cand.n_consistent,
            ibis.desc(cand.authority_rank),
            ibis.desc(cand.width),
            cand.fid,
        ],
    )
    cand = p.keep(cand.mutate(rank=rank))
    tx = p.texts
    words = tx.select("figure_id", "outlet", "label", text=_text(tx, tx.stated, tx.unit))
    first = cand.filter(cand.rank == 0).join(words, "figure_id")
    second = cand.filter(cand.rank == 1).join(words, "figure_id")
    second = prefixed(
        second,
        "r_",
        (
            "check_id", "text", "outlet", "label", "n_inconsistent", "n_consistent",
            "official", "authority_rank",
        ),
    )  # fmt: skip
    j = first.left_join(second, first.check_id == second.r_check_id)
    alone = j.r_check_id.isnull()
    ahead = (
        alone
        | (j.official != j.r_official)
        | (j.n_inconsistent != j.r_n_inconsistent)
        | (j.n_consistent != j.r_n_consistent)
    )
    weaker = ~ahead & (j.authority_rank != j.r_authority_rank)

    def who(prefix: str) -> Any:
        return j[f"{prefix}text"].concat(" (", j[f"{prefix}outlet"], ", ", j[f"{prefix}label"], ")")

    def record(prefix: str) -> Any:
        n_inc, n_con = j[f"{prefix}n_inconsistent"], j[f"{prefix}n_consistent"]
        return n_inc.cast("string").concat(" of the ", (n_inc + n_con).cast("string"), " checks")

    why = ibis.cases(
        (j.kind == "year_shift", j.note),
        (alone, ibis.literal("fails ").concat(record(""), " it takes part in")),
        (
            ahead,
            ibis.literal("fails ").concat(
                record(""), " it takes part in; the next most doubtful, ", who("r_"),
                ", fails ", record("r_"),
            ),
        ),
        (
            weaker,
            ibis.literal("fails as many checks as ").concat(
                who("r_"), " (", record(""), "); named as the weaker source"
            ),
        ),
        else_=ibis.literal("no figure stands out: ").concat(
            who(""), " and ", who("r_"), " each fail ", record("")
        ),
    )  # fmt: skip
    named = ahead | weaker
    suspects = j.select(
        "check_id",
        suspect_figure_id=ibis.ifelse(named, j.fid, ibis.null("string")),
        suspect=ibis.ifelse(named, who(""), ibis.null("string")),
        why=why,
    )
    return suspects


def _best(p: Prepared, stats: ir.Table, suspects: ir.Table) -> ir.Table:
    """The best estimate per cell, with every figure behind it; plus derived cells."""
    a = p.active.left_join(stats, p.active.figure_id == stats.fid)
    a = a.mutate(
        n_inconsistent=a.n_inconsistent.fill_null(0),
        n_consistent=a.n_consistent.fill_null(0),
    )
    flagged = suspects.filter(suspects.suspect_figure_id.notnull())
    flagged = flagged.select(flag_id="suspect_figure_id").distinct()
    a = a.left_join(flagged, a.figure_id == flagged.flag_id)
    a = a.mutate(flagged=a.flag_id.notnull()).drop("flag_id", "fid")
    order = [
        ibis.desc(a.official),
        a.n_inconsistent,
        ibis.desc(a.n_consistent),
        a.width,
        a.authority_rank,
        ibis.desc(a.source_published),
        a.figure_id,
    ]
    a = a.mutate(choice=ibis.row_number().over(group_by=list(CELL_KEY), order_by=order))
    words = p.texts.select(
        "figure_id", "stated", "qualifier", "resolution", "outlet", "authority", "label"
    )
    best = a.filter(a.choice == 0).drop("choice").join(words, "figure_id")
    peers = prefixed(a, "p_", (*CELL_KEY, "figure_id", "source_id", "lo", "hi", "flagged"))
    j = best.join(peers, [best[c] == peers[f"p_{c}"] for c in CELL_KEY])
    meets = (j.p_lo <= j.hi) & (j.lo <= j.p_hi)
    none = ibis.literal([], "array<string>")
    behind = j.group_by("figure_id").aggregate(
        figure_ids=j.p_figure_id.collect(where=meets).sort().fill_null(none),
        source_ids=j.p_source_id.collect(where=meets).unique().sort().fill_null(none),
        disagreeing_figure_ids=j.p_figure_id.collect(where=~meets).sort().fill_null(none),
        flagged_figure_ids=j.p_figure_id.collect(where=j.p_flagged).sort().fill_null(none),
    )
    rv = p.revised
    revised = rv.group_by(list(CELL_KEY)).aggregate(
        revised_figure_ids=rv.figure_id.collect().sort()
    )
    out = best.join(behind, "figure_id").left_join(revised, list(CELL_KEY))
    out = out.select(
        *CELL_KEY,
        "figure_id",
        "value",
        "stated",
        "resolution",
        "qualifier",
        "lo",
        "hi",
        "source_id",
        "outlet",
        "authority",
        "official",
        "n_consistent",
        "n_inconsistent",
        "flagged",
        "figure_ids",
        "source_ids",
        "disagreeing_figure_ids",
        "flagged_figure_ids",
        revised_figure_ids=out.revised_figure_ids.fill_null(ibis.literal([], "array<string>")),
        derived=ibis.literal(False),
        inputs=ibis.literal([], "array<string>"),
        note=ibis.null("string"),
    )
    both = out.union(_derived(best))
    return both.join(p.series, "sid")


def _derived(best: ir.Table) -> ir.Table:
    """Monthly levels no figure states, implied by best estimates of other cells: the month
    before or after a level with a stated change, or the difference of two cumulatives."""
    b = best.filter(best.unit.isin([QUANTITY_UNIT, "%"]))
    series = ("sid",)
    lv = prefixed(
        b.filter((b.measure == "level") & (b.s == b.e)),
        "l_",
        (*series, "s", "figure_id", "label", "value", "lo", "hi"),
    )
    derived = []
    for measure, lag in (("change_mom", 1), ("change_yoy", 12)):
        c = prefixed(
            b.filter((b.measure == measure) & (b.s == b.e)),
            "c_",
            (*series, "s", "figure_id", "label", "value", "lo", "hi"),
        )
        # The earlier month, from the later level and the change.
        j = c.join(lv, [*(c[f"c_{k}"] == lv[f"l_{k}"] for k in series), lv.l_s == c.c_s])
        j = j.filter(1 + j.c_lo / 100 > 0)
        derived.append(
            j.select(
                *(j[f"c_{k}"].name(k) for k in series),
                m=j.c_s - lag,
                value=j.l_value / (1 + j.c_value / 100),
                lo=j.l_lo / (1 + j.c_hi / 100),
                hi=j.l_hi / (1 + j.c_lo / 100),
                inputs=ibis.array([j.l_figure_id, j.c_figure_id]),
                note=ibis.literal("from ").concat(j.l_label, " and ", j.c_label),
            )
        )
        # The later month, from the earlier level and the change.
        j = c.join(lv, [*(c[f"c_{k}"] == lv[f"l_{k}"] for k in series), lv.l_s == c.c_s - lag])
        derived.append(
            j.select(
                *(j[f"c_{k}"].name(k) for k in series),
                m=j.c_s,
                value=j.l_value * (1 + j.c_value / 100),
                lo=j.l_lo * (1 + j.c_lo / 100),
                hi=j.l_hi * (1 + j.c_hi / 100),
                inputs=ibis.array([j.l_figure_id, j.c_figure_id]),
                note=ibis.literal("from ").concat(j.l_label, " and ", j.c_label),
            )
        )
    cum = b.filter((b.measure == "cumulative") & (b.e > b.s) & (b.unit == QUANTITY_UNIT))
    long = prefixed(cum, "a_", (*series, "s", "e", "figure_id", "label", "value", "lo", "hi"))
    short = prefixed(cum, "b_", (*series, "s", "e", "figure_id", "label", "value", "lo", "hi"))
    j = long.join(
        short,
        [
            *(long[f"a_{k}"] == short[f"b_{k}"] for k in series),
            short.b_s == long.a_s,
            short.b_e == long.a_e - 1,
        ],
    )
    derived.append(
        j.select(
            *(j[f"a_{k}"].name(k) for k in series),
            m=j.a_e,
            value=j.a_value - j.b_value,
            lo=ibis.greatest(j.a_lo - j.b_hi, 0.0),
            hi=j.a_hi - j.b_lo,
            inputs=ibis.array([j.a_figure_id, j.b_figure_id]),
            note=ibis.literal("from ").concat(j.a_label, " minus ", j.b_label),
        )
    )
    d = derived[0]
    for t in derived[1:]:
        d = d.union(t)
    stated = best.filter(best.measure.isin(["level", "cumulative"]) & (best.s == best.e))
    stated = stated.select(*series, m=stated.s).distinct()
    d = d.anti_join(stated, [d[k] == stated[k] for k in (*series, "m")])
    # The narrowest derivation wins.
    pick = ibis.row_number().over(group_by=[*series, "m"], order_by=[d.hi - d.lo, d.note])
    d = d.mutate(pick=pick)
    d = d.filter(d.pick == 0)
    return d.select(
        *series,
        measure=ibis.literal("level"),
        unit=ibis.literal(QUANTITY_UNIT),
        s=d.m,
        e=d.m,
        figure_id=ibis.null("string"),
        value=d.value,
        stated=ibis.null("string"),
        resolution=ibis.null("float64"),
        qualifier=ibis.null("string"),
        lo=d.lo,
        hi=d.hi,
        source_id=ibis.null("string"),
        outlet=ibis.null("string"),
        authority=ibis.null("string"),
        official=ibis.literal(False),
        n_consistent=ibis.literal(0, "int64"),
        n_inconsistent=ibis.literal(0, "int64"),
        flagged=ibis.literal(False),
        figure_ids=ibis.literal([], "array<string>"),
        source_ids=ibis.literal([], "array<string>"),
        disagreeing_figure_ids=ibis.literal([], "array<string>"),
        flagged_figure_ids=ibis.literal([], "array<string>"),
        revised_figure_ids=ibis.literal([], "array<string>"),
        derived=ibis.literal(True),
        inputs=d.inputs,
        note=d.note,
    )


def _finish(t: ir.Table) -> ir.Table:
    """Month numbers back to dates and period text."""
    return t.mutate(
        period=period_text(t.s, t.e),
        period_start=month_date(t.s),
        period_end=month_date(t.e),
    ).drop("s", "e")


def _scope(product: str) -> list[str]:
    """``product`` and the products whose scope includes it or that it includes."""
    rows = catalog.read_table("product_scopes.csv")
    related = {product}
    related |= {r["wider"] for r in rows if r["narrower"] == product}
    related |= {r["narrower"] for r in rows if r["wider"] == product}
    return sorted(related)


# A plan's SQL names the product kept by a placeholder, so every product runs one plan.
_PRODUCT = "@product@"  # stands for the product kept, in a plan's SQL


def reconcile_figures(
    source: Ledger | ir.Table, *, product: str | None = None, period: str | None = None
) -> Reconciliation:
    """:func:`reconcile` in memory, whether or not the ledger holds a stored result."""
    if product is not None:
        catalog.product(product)
    span = Period.parse(period) if period is not None else None
    if isinstance(source, Ledger):
        f = source.table("figures_v")
        s = source.table("sources").select("source_id", "ingested_at")
        figures = f.join(s, "source_id")
    else:
        figures = source
    if product is not None:
        figures = figures.filter(figures.product.isin(_scope(product)))

    values = (
        {} if product is None else {engines.sql_literal(_PRODUCT): engines.sql_literal(product)}
    )
    scratch = Scratch(figures, values=values)
    if not scratch.compiled:
        return _reconcile(figures, scratch, product, span)[0]
    # The figures first, as a table of their own: what follows reads only stored tables,
    # so its SQL is the same for every ledger and runs again without Ibis.
    figures = scratch.keep(figures)
    try:
        check_qualifiers(figures)
    except SchemaError:
        scratch.drop()
        raise
    # One plan per shape: the input's columns, whether one product is kept, the span.
    key = (tuple(figures.schema().items()), product is not None, str(span))
    plan = plans.get(source if isinstance(source, Ledger) else None, key)
    if plan is None:
        first = len(scratch.steps)
        # Built with the placeholder, run with the product (Scratch.values).
        placeholder = _PRODUCT if product is not None else None
        rec, names, reads = _reconcile(figures, scratch, product, span, sql_product=placeholder)
        kept = {k: v.replace(scratch.token, "@token@") for k, v in names.items()}
        keep = tuple(n.replace(scratch.token, "@token@") for n in reads)
        plans.put(key, plans.Plan(steps=scratch.steps[first:], keep=keep, **kept))
        return rec
    scratch.replay(plan.steps)
    name = {k: getattr(plan, k).replace("@token@", scratch.token) for k in plans.NAMES}
    scratch.drop(keep=tuple(n.replace("@token@", scratch.token) for n in plan.keep))
    counts = _counts(scratch, name["counted"], name["active"], name["revised"])
    return Reconciliation(
        counts=counts,
        product=product,
        period=str(span) if span is not None else None,
        _scratch=scratch,
        _tables={k: scratch.table(name[k]) for k in _ORDER},
        _sources={k: (f'FROM "{name[k]}"', []) for k in _ORDER},
        _con=engines.raw_connection(scratch.backend),
    )


def _name(t: ir.Table) -> str:
    name: str = t.get_name()
    return name.rsplit(".", 1)[-1]


def _counts(scratch: Scratch, checks: str, active: str, revised: str) -> dict[str, int]:
    """The summary of :meth:`Reconciliation.summary` from the stored tables."""
    by = dict(
        engines.sql_rows(scratch.backend, f'SELECT verdict, count(*) FROM "{checks}" GROUP BY 1')
    )
    n_active = engines.sql_rows(scratch.backend, f'SELECT count(*) FROM "{active}"')[0][0]
    n_revised = engines.sql_rows(scratch.backend, f'SELECT count(*) FROM "{revised}"')[0][0]
    return {
        "checks": int(sum(by.values())),
        **{v: int(by.get(v, 0)) for v in VERDICTS},
        "figures": int(n_active),
        "revised": int(n_revised),
    }


def _reconcile(
    figures: ir.Table,
    scratch: Scratch,
    product: str | None,
    span: Period | None,
    *,
    sql_product: str | None = None,
) -> tuple[Reconciliation, dict[str, str], list[str]]:
    """Reconcile by building the expressions; also (on DuckDB) the names of the tables and
    views that hold the results and of everything they read, kept until the reconciliation
    closes. ``sql_product`` is what the expressions name the kept product by (a placeholder
    the scratch replaces when it runs them)."""
    named = sql_product if sql_product is not None else product
    if not scratch.compiled:
        check_qualifiers(figures)
    p = prepare(figures, scratch)
    checks = p.keep(_judge(all_checks(p)))
    suspects = p.keep(_blame(p, checks))
    series = p.series

    def kept(t: ir.Table, *, scoped: bool) -> ir.Table:
        if named is not None:
            ids = series.filter(series["product"] == named).select(keep_sid="sid")
            mine = t.semi_join(ids, t.sid == ids.keep_sid)
            t = mine.union(t.filter(t.kind == "product_scope")) if scoped else mine
        if span is not None:
            lo = span.start.year * 12 + span.start.month - 1
            hi = span.end.year * 12 + span.end.month - 1
            t = t.filter((t.e >= lo) & (t.e <= hi))
        return t

    slim = kept(checks, scoped=True)
    found = p.keep(slim.filter(slim.verdict == "inconsistent").join(suspects, "check_id"))
    conflicts = p.keep(_present(p, found))
    best = _finish(kept(_best(p, _stats(checks), suspects), scoped=False))
    keep: list[str] = []
    if scratch.compiled:
        # Every result a table or a view, so that the plan kept for the next reconciliation
        # ends in them and counts are read from them. The checks as presented and the best
        # estimates are views, computed when read (seconds each for a million figures);
        # reconcile.store stores them when it keeps a product's results.
        checks_out = _present(p, slim)
        reads = _reads(checks_out, best, slim)
        slim = scratch.view(slim)
        checks_out = scratch.view(checks_out)
        best = scratch.view(best)
        tables = {
            "checks": checks_out,
            "conflicts": conflicts,
            "best": best,
            "active": p.active,
            "revised": p.revised,
            "counted": slim,
        }
        names = {k: _name(t) for k, t in tables.items()}
        keep = sorted(reads | set(names.values()))
        scratch.drop(keep=tuple(keep))
        counts = _counts(scratch, names["counted"], names["active"], names["revised"])
    else:
        summary = {
            r["verdict"]: int(r["n"])
            for r in slim.group_by("verdict").aggregate(n=slim.count()).to_pyarrow().to_pylist()
        }
        counts = {
            "checks": sum(summary.values()),
            **{v: summary.get(v, 0) for v in VERDICTS},
            "figures": int(p.active.count().execute()),
            "revised": int(p.revised.count().execute()),
        }
        # What the lazy results read stays; every other intermediate table goes now.
        needed = (checks, suspects, conflicts, series, p.active, p.revised)
        scratch.drop(keep=needed)
        checks_out = _present(p, slim)
        names = {}
    rec = Reconciliation(
        counts=counts,
        product=product,
        period=str(span) if span is not None else None,
        _scratch=scratch,
        _tables={"checks": checks_out, "conflicts": conflicts, "best": best},
        _sources=(
            {k: (f'FROM "{n}"', []) for k, n in names.items() if k in _ORDER} if names else None
        ),
        _con=engines.raw_connection(scratch.backend) if names else None,
    )
    return rec, names, keep


def _reads(*exprs: ir.Table) -> set[str]:
    """The stored tables the expressions read (a view of them needs them kept)."""
    import ibis.expr.operations as ops

    return {op.name for e in exprs for op in e.op().find(ops.DatabaseTable)}


def _present(p: Prepared, checks: ir.Table) -> ir.Table:
    """Checks as the user reads them: series names, period text, and the cells involved."""
    x = checks.select("check_id", fid=checks.figure_ids.unnest())
    f = p.texts.select(fid="figure_id", label="label")
    labels = x.join(f, "fid")
    cells = labels.group_by("check_id").aggregate(cells=labels.label.collect().unique().sort())
    measures = p.texts.select("figure_id", "measure")
    out = checks.join(p.series, "sid").join(measures, "figure_id").left_join(cells, "check_id")
    out = out.select(
        "check_id", "kind", "verdict", "reporter", "partner", "product", "flow", "measure",
        "s", "e", "figure_id", "cells", "figure_ids", "stated_lo", "stated_hi",
        "computed_lo", "computed_hi", "gap", "unit", "note",
        *(c for c in ("suspect_figure_id", "suspect", "why") if c in checks.columns),
    )  # fmt: skip
    return _finish(out)
