"""Queries compiled once: Ibis expressions kept as SQL and run again with parameters.

Building an Ibis expression and compiling it to SQL costs tens to hundreds of milliseconds of
Python (and importing Ibis about a second); running that SQL over a ledger takes a
millisecond. So a query that a command runs every time, such as the brief's, is declared once
by name with :func:`query`: a function that builds its expression from the ledger's tables
and a :class:`Params`, whose attributes stand for the values. On DuckDB they compile to
session variables (``getvariable('mf_month')``), so one SQL text serves every value::

    >>> @query("brief.events", tables=("events",), first="date", last="date")  # doctest: +SKIP
    ... def _events(tables, p):
    ...     e = tables["events"]
    ...     return e.filter(e.date_announced.between(p.first, p.last))
    >>> rows(ledger, "brief.events", first=..., last=...)                   # doctest: +SKIP

Every write to a ledger stores the SQL of every declared query there (table
``compiled_queries``, with :func:`mineralflow.reconcile.store.queries_key`), so a
process that reads a current ledger runs it without importing Ibis; otherwise the query is
compiled in the process, once. On another engine (Spark) the function builds the expression
with the values themselves and Ibis runs it there (:func:`rows` with tables instead of a
ledger).

Without a ledger, :func:`run_tables` does the same for expressions over any DuckDB tables
(a bulk levels table loaded by :func:`mineralflow.engines.load_levels`, say): their SQL is
compiled once per process for each shape of the inputs (table names and schemas) and run
again with the parameters as variables. :func:`brief_metrics` runs the brief's metrics
(:func:`mineralflow.metrics.brief_metrics`) that way.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import engines
from .engines import sql_literal

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

    from .ledger import Ledger

__all__ = [
    "Params",
    "brief_metrics",
    "compilations",
    "compile_all",
    "forget_shapes",
    "is_current",
    "query",
    "rows",
    "run_tables",
    "store",
]

# Types a parameter may have, as Ibis names them, and as DuckDB does.
_SQL_TYPES = {
    "string": "VARCHAR",
    "date": "DATE",
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "array<string>": "VARCHAR[]",
}

Build = Callable[[Mapping[str, Any], "Params"], "ibis.Table"]


@dataclass(frozen=True)
class Query:
    name: str
    build: Build
    params: Mapping[str, str]  # name -> type
    tables: tuple[str, ...]  # the tables it reads, by name (ledger tables or temporary ones)
    order: tuple[str, ...]  # the order of its rows
    into: str | None  # a temporary table its rows are stored in, rather than returned


_QUERIES: dict[str, Query] = {}
_COMPILED: dict[str, str] = {}  # SQL compiled in this process, by query name


def query(
    name: str,
    *,
    tables: tuple[str, ...],
    order: tuple[str, ...] = (),
    into: str | None = None,
    **params: str,
) -> Callable[[Build], Build]:
    """Declare the query ``name``: the decorated function builds it from ``tables`` (a
    mapping of the named tables) and a :class:`Params` with ``params`` (name=type); its
    rows come in ``order``. With ``into``, :func:`store` keeps them as that temporary table
    (declare it before the queries that read it)."""
    for kind in params.values():
        if kind not in _SQL_TYPES:
            raise ValueError(f"parameter type {kind!r} is not one of {', '.join(_SQL_TYPES)}")

    def register(build: Build) -> Build:
        _QUERIES[name] = Query(name, build, dict(params), tables, order, into)
        return build

    return register


class Params:
    """The parameters of a query: placeholders (DuckDB variables) when ``values`` is None,
    else the values as Ibis literals."""

    def __init__(self, types: Mapping[str, str], values: Mapping[str, Any] | None) -> None:
        self._types = types
        self._values = values

    def __getattr__(self, name: str) -> Any:
        import ibis

        if name not in self._types:
            raise AttributeError(name)
        kind = self._types[name]
        if self._values is not None:
            return ibis.literal(self._values[name], type=kind)
        return _variable(kind)(ibis.literal(f"mf_{name}")).name(f"p_{name}")


def _variable(kind: str) -> Any:
    """An Ibis function compiling to DuckDB's ``getvariable(name)``, of type ``kind``."""
    import ibis

    py: Any = {
        "string": str,
        "date": dt.date,
        "int64": int,
        "float64": float,
        "array<string>": list[str],
    }[kind]

    def getvariable(name: str) -> Any: ...

    getvariable.__annotations__ = {"name": str, "return": py}
    return ibis.udf.scalar.builtin(getvariable, name="getvariable")


def _sql(ledger: Ledger, q: Query) -> str:
    """The query's SQL: as stored in the ledger for this code, else compiled here."""
    if q.name in _COMPILED:
        return _COMPILED[q.name]
    from .reconcile.store import queries_key as code_key

    found = ledger.con.execute(
        f"SELECT sql FROM compiled_queries WHERE name = {sql_literal(q.name)} "
        f"AND code_key = {sql_literal(code_key())}"
    ).fetchall()
    if found:
        _COMPILED[q.name] = found[0][0]
        return _COMPILED[q.name]
    return _compile(ledger, q)


def _compile(ledger: Ledger, q: Query) -> str:
    import ibis

    # A query that names no tables builds from the ledger itself (ledger.table(...)).
    source: Any = {name: ledger.table(name) for name in q.tables} if q.tables else ledger
    expr = q.build(source, Params(q.params, None))
    if q.order:
        expr = expr.order_by(list(q.order))
    sql = str(ibis.to_sql(expr, dialect="duckdb"))
    _COMPILED[q.name] = sql
    return sql


def _set(ledger: Ledger, q: Query, values: Mapping[str, Any]) -> None:
    for name, kind in q.params.items():
        value = sql_literal(values[name])
        ledger.con.execute(f"SET VARIABLE mf_{name} = CAST({value} AS {_SQL_TYPES[kind]})")


def _check(q: Query, values: Mapping[str, Any]) -> None:
    missing = set(q.params) - set(values)
    if missing:
        raise TypeError(f"query {q.name} needs {', '.join(sorted(missing))}")


def store(ledger: Ledger, name: str, **values: Any) -> None:
    """Run query ``name`` (declared with ``into``) on the ledger's connection and keep its
    rows as that temporary table (replacing an earlier one)."""
    q = _QUERIES[name]
    _check(q, values)
    _set(ledger, q, values)
    ledger.con.execute(f'CREATE OR REPLACE TEMP TABLE "{q.into}" AS {_sql(ledger, q)}')


def rows(source: Ledger | Mapping[str, Any], name: str, **values: Any) -> list[dict[str, Any]]:
    """The rows of query ``name`` with the parameter ``values``.

    ``source`` is a ledger (the query runs there, as SQL) or a mapping of Ibis tables on
    another engine, holding the tables the query reads (built there with the values)."""
    q = _QUERIES[name]
    _check(q, values)
    from .ledger import Ledger

    if isinstance(source, Ledger):
        _set(source, q, values)
        cursor = source.con.execute(_sql(source, q))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    expr = q.build(source, Params(q.params, values))
    if q.order:
        expr = expr.order_by(list(q.order))
    result: list[dict[str, Any]] = expr.to_pyarrow().to_pylist()
    return result


def _declare_all() -> None:
    """Import the modules that declare queries."""
    from . import analysis, brief, coverage, ledger, outlet_record  # noqa: F401
    from .render import conflicts, data  # noqa: F401


def is_current(ledger: Ledger) -> bool:
    """Whether the ledger holds the SQL of every declared query for this code."""
    from .reconcile.store import queries_key as code_key

    _declare_all()
    row = ledger.con.execute(
        "SELECT count(*) FROM compiled_queries WHERE code_key = ?", [code_key()]
    ).fetchone()
    return int(row[0]) >= len(_QUERIES)


def compile_all(ledger: Ledger) -> None:
    """Store the SQL of every declared query in the ledger for this code (inside a write
    transaction: :mod:`mineralflow.reconcile.store` calls it)."""
    from .reconcile.store import queries_key as code_key

    _declare_all()
    key = code_key()
    current = {
        r[0]
        for r in ledger.con.execute(
            "SELECT name FROM compiled_queries WHERE code_key = ?", [key]
        ).fetchall()
    }
    if current >= set(_QUERIES):
        return
    ledger.con.execute("DELETE FROM compiled_queries")
    for q in _QUERIES.values():
        sql = _COMPILED.get(q.name) or _compile(ledger, q)
        if q.into is not None:
            # Unset variables are NULL: no rows, but the table the later queries read.
            ledger.con.execute(f'CREATE OR REPLACE TEMP TABLE "{q.into}" AS {sql}')
        ledger.con.execute("INSERT INTO compiled_queries VALUES (?, ?, ?)", [q.name, key, sql])


# -- Expressions over any tables, compiled once per shape -----------------------------------

BuildMany = Callable[[Mapping[str, "ibis.Table"], Params], Mapping[str, "ibis.Table"]]

# SQL compiled in this process by shape: (name, inputs) -> ((result name, SQL), ...)
_SHAPES: dict[tuple[Any, ...], tuple[tuple[str, str], ...]] = {}
compilations: Counter[str] = Counter()
"""How many times this process compiled the expressions of each :func:`run_tables` name
(once per shape of the inputs; tests and benchmarks read it)."""


def forget_shapes() -> None:
    """Drop the SQL :func:`run_tables` compiled (the next call compiles again)."""
    _SHAPES.clear()


def _shape(name: str, tables: Mapping[str, ibis.Table]) -> tuple[Any, ...] | None:
    """The cache key of ``tables``, or None when the SQL cannot be reused: not DuckDB, an
    input that is an expression rather than a table, or tables on different backends."""
    import ibis.expr.operations as ops

    backends = set()
    inputs = []
    for key, table in sorted(tables.items()):
        op = table.op()
        if not isinstance(op, ops.DatabaseTable):
            return None
        backend = table._find_backend()
        if engines.engine_name(backend) != "duckdb":
            return None
        backends.add(id(backend))
        inputs.append((key, op.name, op.namespace, op.schema))
    return (name, *inputs) if len(backends) == 1 else None


def run_tables(
    name: str,
    build: BuildMany,
    tables: Mapping[str, ibis.Table],
    *,
    params: Mapping[str, str],
    values: Mapping[str, Any],
) -> dict[str, pa.Table]:
    """The tables that ``build(tables, p)`` returns (result names to expressions), computed
    with the parameter ``values`` (``params`` gives their types, as for :func:`query`).

    On DuckDB, when every input is a table of one database, the expressions compile to SQL
    once per ``name`` and shape of the inputs (their names and schemas) in this process,
    with the parameters as session variables; later calls set the variables and run that
    SQL (:func:`mineralflow.engines.run_with_variables`) without building an expression.
    On another engine (Spark), or when an input is an expression, Ibis builds the
    expressions with the values and runs them. ``build`` must read only ``tables``.
    """
    missing = set(params) - set(values)
    if missing:
        raise TypeError(f"{name} needs {', '.join(sorted(missing))}")
    key = _shape(name, tables)
    if key is None:
        exprs = build(tables, Params(params, values))
        return {n: e.to_pyarrow() for n, e in exprs.items()}
    compiled = _SHAPES.get(key)
    if compiled is None:
        import ibis

        exprs = build(tables, Params(params, None))
        compiled = tuple((n, str(ibis.to_sql(e, dialect="duckdb"))) for n, e in exprs.items())
        _SHAPES[key] = compiled
        compilations[name] += 1
    backend = next(iter(tables.values()))._find_backend()
    variables = {f"mf_{p}": (values[p], _SQL_TYPES[kind]) for p, kind in params.items()}
    results = engines.run_with_variables(backend, [sql for _, sql in compiled], variables)
    return {n: t for (n, _), t in zip(compiled, results, strict=True)}


_BRIEF_PARAMS = {"product": "string", "month": "date", "flow": "string"}


def _brief_build(tables: Mapping[str, ibis.Table], p: Params) -> Mapping[str, ibis.Table]:
    from . import metrics

    return metrics.brief_metrics(
        tables["levels"], tables["partners"], product=p.product, month=p.month, flow=p.flow
    )


def brief_metrics(
    levels: ibis.Table,
    partners: ibis.Table,
    *,
    product: str,
    month: dt.date,
    flow: str = "export",
) -> dict[str, pa.Table]:
    """The brief's metrics of one product and month, every reporter
    (:func:`mineralflow.metrics.brief_metrics`), as Arrow tables by name: on DuckDB
    compiled once per shape of ``levels`` and ``partners`` and run with the product, month
    and flow as parameters (:func:`run_tables`); on Spark through Ibis."""
    return run_tables(
        "metrics.brief",
        _brief_build,
        {"levels": levels, "partners": partners},
        params=_BRIEF_PARAMS,
        values={"product": product, "month": month, "flow": flow},
    )
