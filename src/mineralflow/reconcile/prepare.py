"""Figures ready for the relations: intervals, month numbers, vintages, term cells.

Everything here is an Ibis expression over the ledger's ``figures_v`` (or any table with its
columns), so it runs where the figures are. The interval of each figure comes from the
qualifier table joined as data (:func:`qualifier_table`) and the one arithmetic of
:func:`mineralflow.reconcile.intervals.bounds`.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from .. import engines
from ..errors import SchemaError
from .intervals import Ops, bounds, qualifiers

__all__ = [
    "AMOUNTS",
    "AMOUNT_KEY",
    "CELL_KEY",
    "IBIS_OPS",
    "Prepared",
    "Scratch",
    "check_qualifiers",
    "month_index",
    "period_text",
    "prepare",
    "qualifier_table",
]

# A level (one month) and a cumulative (several months) are both amounts over a span.
AMOUNTS = ("level", "cumulative")
# What one figure states: the same number for the same thing (``sid``: see Prepared).
CELL_KEY = ("sid", "measure", "unit", "s", "e")
# Amount cells: a level and a cumulative over the same span are the same quantity.
AMOUNT_KEY = ("sid", "unit", "s", "e")

# The columns of ``figures_v`` the reconciler reads (plus ``ingested_at`` from sources).
COLUMNS = (
    "figure_id", "source_id", "reporter", "partner", "product", "flow", "period_start",
    "period_end", "period", "measure", "value", "unit", "stated", "resolution", "qualifier",
    "source_kind", "authority", "authority_rank", "outlet", "source_published", "ingested_at",
)  # fmt: skip

_INF = ibis.literal(math.inf, type="float64")
IBIS_OPS = Ops(
    abs=lambda x: x.abs(),
    greatest=ibis.greatest,
    choose=ibis.ifelse,
    inf=_INF,
)

EMPTY_IDS = ibis.literal([], type="array<string>")


def qualifier_table() -> ir.Table:
    """The qualifier table (``data/catalog/qualifiers.csv``) with each rule as numbers."""
    rows = [{"qualifier": name, **vars(q.coefficients)} for name, q in sorted(qualifiers().items())]
    return ibis.memtable(
        {key: [r[key] for r in rows] for key in rows[0]},
        schema={
            "qualifier": "string",
            "lo_res": "float64",
            "lo_rel": "float64",
            "lo_zero": "boolean",
            "hi_res": "float64",
            "hi_rel": "float64",
            "hi_open": "boolean",
        },
    )


def month_index(day: ir.DateValue) -> ir.IntegerValue:
    """Months since year 0: consecutive months differ by one, a year by twelve."""
    return day.year() * 12 + day.month() - 1


def _month_text(m: ir.IntegerValue) -> ir.StringValue:
    year = (m // 12).cast("string")
    month = (m % 12 + 1).cast("string").lpad(2, "0")
    return year.concat("-", month)


def period_text(s: ir.IntegerValue, e: ir.IntegerValue) -> ir.StringValue:
    """``YYYY-MM`` or ``YYYY-MM/YYYY-MM``, as :class:`mineralflow.Period` writes it."""
    return ibis.ifelse(s == e, _month_text(s), _month_text(s).concat("/", _month_text(e)))


def month_date(m: ir.IntegerValue) -> ir.DateValue:
    return ibis.date(m // 12, m % 12 + 1, 1)


class Scratch:
    """The temporary tables of one reconciliation, on the figures' own connection.

    Intermediate results are stored once and read by several relations. They are plain
    temporary tables: they vanish with the connection, or earlier with :meth:`drop`.
    (Ibis's ``cache()`` would drop them when garbage collected, which fails once the
    ledger is closed.)

    On DuckDB each table is stored by SQL compiled from its expression, and that SQL is
    kept in :attr:`steps`: building and compiling the expressions costs far more than
    running them on a ledger's figures, so :func:`~mineralflow.reconcile.reconcile` runs
    the same steps again (:meth:`replay`) for the next reconciliation of the same shape.
    """

    def __init__(self, like: ir.Table, *, values: dict[str, str] | None = None) -> None:
        self.backend = ibis.get_backend(like)
        self.token = uuid.uuid4().hex[:12]
        self.names: list[str] = []
        self.views: set[str] = set()  # of the names, those that are views
        self.made = 0
        self.compiled = engines.engine_name(self.backend) == "duckdb"
        self.steps: list[engines.Statements] = []
        # Placeholders in the compiled SQL (a literal such as '@product@') and the SQL text
        # that stands for them when it runs: the steps keep the placeholders, so that one
        # plan serves every value.
        self.values = dict(values or {})

    def _run(self, statements: engines.Statements) -> None:
        for placeholder, value in self.values.items():
            statements = statements.renamed(placeholder, value)
        engines.run_statements(self.backend, statements)

    def _next_name(self) -> str:
        name = f"_mineralflow_reconcile_{self.token}_{self.made}"
        self.made += 1
        self.names.append(name)
        return name

    def keep(self, expr: ir.Table) -> ir.Table:
        """Store ``expr`` as a temporary table and return that table."""
        name = self._next_name()
        if not self.compiled:
            return self.backend.create_table(name, expr, schema=expr.schema(), temp=True)
        statements = engines.temp_table_statements(self.backend, name, expr)
        self._run(statements)
        self.steps.append(statements.renamed(self.token, _TOKEN))
        return self.table(name)

    def view(self, expr: ir.Table) -> ir.Table:
        """``expr`` as a temporary view (DuckDB): named like the stored tables and replayed
        with them, but computed only when read. Elsewhere ``expr`` itself (lazy already)."""
        if not self.compiled:
            return expr
        name = self._next_name()
        statements = engines.temp_view_statements(self.backend, name, expr)
        self._run(statements)
        self.steps.append(statements.renamed(self.token, _TOKEN))
        self.views.add(name)
        return self.table(name)

    def table(self, name: str) -> ir.Table:
        """A table stored here, by name."""
        return self.backend.table(name, database=("temp", "main"))

    def replay(self, steps: list[engines.Statements]) -> None:
        """Store tables by ``steps`` kept from an earlier reconciliation (numbered on from
        the tables stored here so far, as they were there)."""
        for statements in steps:
            name = self._next_name()
            if statements.sql[0].startswith(engines.TEMP_VIEW):
                self.views.add(name)
            self._run(statements.renamed(_TOKEN, self.token))

    def drop(self, keep: tuple[ir.Table, ...] | tuple[str, ...] = ()) -> None:
        """Drop every table and view stored here but those in ``keep`` (tables or names);
        the views first, the tables they read after."""
        kept = {t if isinstance(t, str) else t.get_name().rsplit(".", 1)[-1] for t in keep}
        gone = [n for n in self.names if n not in kept]
        for name in sorted(gone, key=lambda n: n not in self.views):
            if name in self.views:
                engines.raw_connection(self.backend).execute(f'DROP VIEW IF EXISTS "{name}"')
                self.views.discard(name)
            else:
                self.backend.drop_table(name, force=True)
            self.names.remove(name)


# Stands for a reconciliation's token in the SQL kept for the next one.
_TOKEN = "@token@"


@dataclass
class Prepared:
    """The figures the relations read, stored once.

    Figures and cells carry small integer keys so the relations join on numbers: ``sid``
    for a series (reporter, partner, product, flow), ``gid`` for the partners of one
    series (reporter, product, flow), ``xid`` for the products of one (reporter, partner,
    flow). ``series`` maps them back.
    """

    keep: Callable[[ir.Table], ir.Table]
    series: ir.Table  # sid, gid, xid, reporter, partner, product, flow
    texts: ir.Table  # per figure_id: how it was stated and by whom (not stored; read lazily)
    active: ir.Table  # every figure in force: keys, s/e, value, lo/hi, width, official
    revised: ir.Table  # older vintages of official releases, set aside
    hull: ir.Table  # one row per amount cell: the hull of its figures' intervals
    terms: ir.Table  # amount cells as terms: the hull if its figures agree, else each figure


def _with_intervals(t: ir.Table) -> ir.Table:
    q = qualifier_table()
    j = t.left_join(q, t.qualifier == q.qualifier)
    lo, hi = bounds(j.value, j.resolution, j, IBIS_OPS)
    return j.mutate(lo=lo, hi=hi).drop(
        "qualifier_right", "lo_res", "lo_rel", "lo_zero", "hi_res", "hi_rel", "hi_open"
    )


def check_qualifiers(t: ir.Table) -> None:
    """Raise :class:`SchemaError` when a figure has a qualifier the table lacks."""
    unknown = t.filter(~t.qualifier.isin(list(qualifiers()))).select("qualifier", "figure_id")
    rows = unknown.limit(3).to_pyarrow().to_pylist()
    if rows:
        found = ", ".join(f"{r['qualifier']!r} (figure {r['figure_id']})" for r in rows)
        raise SchemaError(
            f"figures with qualifiers missing from data/catalog/qualifiers.csv: {found}; "
            "add the qualifier to the table or fix the reader that wrote them"
        )


def _series(t: ir.Table) -> ir.Table:
    """One row per series with its integer keys."""
    keys = ["reporter", "partner", "product", "flow"]
    sr = t.select(*keys).distinct()
    return sr.mutate(
        sid=ibis.dense_rank().over(order_by=keys),
        gid=ibis.dense_rank().over(order_by=["reporter", "product", "flow"]),
        xid=ibis.dense_rank().over(order_by=["reporter", "partner", "flow"]),
    )


def prepare(figures: ir.Table, scratch: Scratch) -> Prepared:
    """Intervals, month numbers, vintages and term cells for ``figures`` (``figures_v``
    columns, plus ``ingested_at`` when the table has it)."""
    keep = scratch.keep
    t = figures
    if "ingested_at" not in t.columns:
        t = t.mutate(ingested_at=ibis.null("timestamp"))
    # Only what the relations read: copying every source column costs more than the checks.
    t = t.select(*COLUMNS)
    series = keep(_series(t))
    t = t.join(series, ["reporter", "partner", "product", "flow"])
    # What a figure states, as a number: same measure and unit, same ``mu``.
    kinds = t.select("measure", "unit").distinct()
    kinds = kinds.mutate(mu=ibis.dense_rank().over(order_by=["measure", "unit"]))
    t = t.join(kinds, ["measure", "unit"])
    t = t.mutate(
        s=month_index(t.period_start),
        e=month_index(t.period_end),
        official=(t.source_kind == "official_release") & (t.authority == "official"),
    )
    t = _with_intervals(t)
    # Only numbers and keys are stored; the words are read back by figure_id when shown.
    t = t.select(
        "figure_id", "source_id", "sid", "gid", "xid", "mu", "partner", "measure", "unit", "s",
        "e", "value", "lo", "hi", "official", "authority_rank", "source_published",
        width=t.hi - t.lo,
    )  # fmt: skip
    # Several official releases (vintages) may state one cell: the latest is in force.
    off = figures.filter(
        (figures.source_kind == "official_release") & (figures.authority == "official")
    )
    if "ingested_at" not in off.columns:
        off = off.mutate(ingested_at=ibis.null("timestamp"))
    vintage = ibis.dense_rank().over(
        group_by=["reporter", "partner", "product", "flow", "measure", "unit",
                  "period_start", "period_end"],
        order_by=[ibis.desc(off.source_published), ibis.desc(off.ingested_at)],
    )  # fmt: skip
    off = off.mutate(vintage=vintage)
    stale = keep(off.filter(off.vintage > 0).select(stale_id="figure_id"))
    active = keep(t.anti_join(stale, t.figure_id == stale.stale_id))
    revised = keep(t.semi_join(stale, t.figure_id == stale.stale_id))

    amounts = active.filter(active.measure.isin(AMOUNTS))
    key = ["sid", "unit", "s", "e"]
    cells = amounts.group_by(key).aggregate(
        gid=amounts.gid.arbitrary(),
        xid=amounts.xid.arbitrary(),
        partner=amounts.partner.arbitrary(),
        lo_min=amounts.lo.min(),
        lo_max=amounts.lo.max(),
        hi_min=amounts.hi.min(),
        hi_max=amounts.hi.max(),
        ids=amounts.figure_id.collect().sort(),
        n=amounts.count(),
    )
    cells = keep(cells.mutate(agree=cells.lo_max <= cells.hi_min))
    cols = ["sid", "gid", "xid", "partner", "unit", "s", "e", "ids"]
    hull = cells.select(*cols, "n", lo=cells.lo_min, hi=cells.hi_max)
    together = cells.filter(cells.agree).select(*cols, lo=cells.lo_min, hi=cells.hi_max)
    split = cells.filter(~cells.agree).select(*key)
    apart = amounts.join(split, key).select(
        *cols[:-1], ids=ibis.array([amounts.figure_id]), lo=amounts.lo, hi=amounts.hi
    )
    terms = keep(together.union(apart))
    return Prepared(
        keep=keep,
        series=series,
        texts=_texts(figures),
        active=active,
        revised=revised,
        hull=keep(hull),
        terms=terms,
    )


def _texts(figures: ir.Table) -> ir.Table:
    """How each figure was stated, and by whom: what the results show, by figure_id."""
    return figures.select(
        "figure_id", "source_id", "partner", "product", "period", "measure", "stated", "unit",
        "qualifier", "resolution", "outlet", "authority",
        label=figures.partner.concat(" ", figures.period, " ", figures.measure),
    )  # fmt: skip


def prefixed(t: ir.Table, prefix: str, columns: tuple[str, ...] | list[str]) -> ir.Table:
    """``t`` with only ``columns``, each renamed ``prefix + name`` (joins stay unambiguous)."""
    return t.select(**{f"{prefix}{c}": t[c] for c in columns})
