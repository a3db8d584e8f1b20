"""The one module that names a query engine.

Everything else takes an Ibis backend or Ibis tables. DuckDB is the default and holds the
ledger; Apache Spark (the ``[spark]`` extra) runs the same Ibis expressions when the data
outgrows one machine (see ``docs/metrics.md`` for pointing it at a cluster).

An *engine* is named by a string, ``"duckdb"`` or ``"spark"``, or given as an Ibis backend::

    >>> tables = tables_for(ledger, "spark")            # doctest: +SKIP
    >>> metrics.monthly_levels(tables["figures_v"])     # runs on Spark   # doctest: +SKIP

Spark's master and settings come from arguments, else the environment:
``MINERALFLOW_SPARK_MASTER`` (default ``local[*]``) and ``MINERALFLOW_SPARK_CONF``
(``key=value`` pairs separated by commas), else Spark's own ``spark-defaults.conf``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa
    from duckdb import Error as EngineError
    from ibis.backends.duckdb import Backend as DuckDBBackend

    from .ledger import Ledger

# Ibis (and through it sqlglot's dialects and pandas) takes about a second to import, more
# than a whole brief read from stored verdicts: it is imported where an expression is
# built, never just for opening a ledger or printing help.

__all__ = [
    "ENGINES",
    "LEDGER_TABLES",
    "SPARK_CONF_ENV",
    "SPARK_DEFAULTS",
    "SPARK_MASTER_ENV",
    "DuckDBBackend",
    "EngineError",
    "backend_for",
    "connect",
    "duckdb_backend",
    "duckdb_connect",
    "engine_name",
    "load",
    "load_levels",
    "raw_connection",
    "run_statements",
    "run_with_variables",
    "scratch_connection",
    "spark_connect",
    "sql_literal",
    "sql_rows",
    "tables_for",
    "temp_table_statements",
]

ENGINES = ("duckdb", "spark")
SPARK_MASTER_ENV = "MINERALFLOW_SPARK_MASTER"
SPARK_CONF_ENV = "MINERALFLOW_SPARK_CONF"
SPARK_DEFAULTS: dict[str, str] = {
    # A local session for a laptop: no web UI, UTC dates, few shuffle partitions (the
    # default 200 costs seconds on small tables). A cluster's conf overrides these.
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.ansi.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # Temporary views need no warehouse; keep Spark from creating one in the working folder.
    "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "mineralflow-spark-warehouse"),
}
LEDGER_TABLES = ("figures_v", "events", "event_products", "catalog_partners")
"""The ledger tables the metrics read: figures with sources, events and their products,
and the partner catalog."""

_spark: Any = None


def __getattr__(name: str) -> Any:
    # Names whose modules are imported when first asked for.
    if name == "EngineError":
        # What the engine raises when a statement fails (a bad value, a broken CSV line ...).
        import duckdb

        return duckdb.Error
    if name == "DuckDBBackend":
        from ibis.backends.duckdb import Backend

        return Backend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def connect(path: Path | str | None = None, *, read_only: bool = False) -> Any:
    """A DuckDB connection to a ledger file (in memory when ``path`` is None), set up as
    Ibis sets up its own (UTC, no Python variables read as tables), so that SQL run on it
    and Ibis expressions over it (:func:`duckdb_backend`) see the same session."""
    import duckdb

    database = ":memory:" if path is None else str(Path(path).absolute())
    con = duckdb.connect(database, read_only=read_only)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET python_enable_replacements = false")
    return con


def duckdb_backend(con: Any) -> DuckDBBackend:
    """The Ibis DuckDB backend over a connection made by :func:`connect`."""
    import ibis

    backend: DuckDBBackend = ibis.duckdb.from_connection(con)
    return backend


def duckdb_connect(path: Path | str | None = None, *, read_only: bool = False) -> DuckDBBackend:
    """An Ibis DuckDB backend on a ledger file (in memory when ``path`` is None)."""
    import ibis

    if path is None:
        return ibis.duckdb.connect()
    return ibis.duckdb.connect(database=str(path), read_only=read_only)


def raw_connection(backend: DuckDBBackend) -> Any:
    """The DuckDB connection under an Ibis backend, for transactions and bulk writes."""
    return backend.con


def _parse_conf(text: str) -> dict[str, str]:
    conf = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                f"{SPARK_CONF_ENV} item {item!r} is not key=value; write e.g. "
                f"{SPARK_CONF_ENV}='spark.executor.memory=8g,spark.sql.shuffle.partitions=64'"
            )
        conf[key.strip()] = value.strip()
    return conf


def spark_connect(master: str | None = None, *, conf: Mapping[str, str] | None = None) -> Any:
    """An Ibis PySpark backend; the session is started once per process and reused.

    ``master`` defaults to ``$MINERALFLOW_SPARK_MASTER``, else ``local[*]`` (every core of
    this machine); ``conf`` adds Spark settings over :data:`SPARK_DEFAULTS` and
    ``$MINERALFLOW_SPARK_CONF``. Starting Spark takes seconds (a JVM starts); settings of
    an already running session that only apply at start (master, memory) are kept.
    """
    global _spark
    if _spark is not None and not _spark._session.sparkContext._jsc.sc().isStopped():
        return _spark
    import ibis

    settings = {
        **SPARK_DEFAULTS,
        **_parse_conf(os.environ.get(SPARK_CONF_ENV, "")),
        **dict(conf or {}),
    }
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError(
            "the Spark engine needs the [spark] extra: pip install 'mineralflow[spark]' "
            "(and Java 17)"
        ) from None
    # Spark's Python workers must run this interpreter, not whatever `python` is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(
        master or os.environ.get(SPARK_MASTER_ENV) or "local[*]"
    ).appName("mineralflow")
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as e:  # pyspark raises its own runtime errors when Java is missing
        raise UsageError(
            f"could not start Spark ({str(e).splitlines()[0] if str(e) else type(e).__name__}); "
            "it needs Java 17 on PATH or JAVA_HOME"
        ) from e
    session.sparkContext.setLogLevel("ERROR")
    _spark = ibis.pyspark.connect(session)
    return _spark


def engine_name(backend: Any) -> str:
    """``duckdb`` or ``spark`` for an Ibis backend."""
    name = str(getattr(backend, "name", ""))
    return "spark" if name == "pyspark" else name


def backend_for(engine: str | Any) -> Any:
    """The Ibis backend for an engine name (``duckdb``: a new in-memory database; ``spark``:
    :func:`spark_connect`); a backend is returned as it is."""
    if not isinstance(engine, str):
        return engine
    if engine == "duckdb":
        return duckdb_connect(None)
    if engine == "spark":
        return spark_connect()
    raise UsageError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")


def load(backend: Any, name: str, data: pa.Table) -> ibis.Table:
    """Put an Arrow table on an engine under ``name`` (replacing any table of that name)
    and return it as an Ibis table.

    DuckDB: a temporary table (it lives with the connection and never lands in the ledger
    file, which may be open read-only); Spark: a temporary view.
    """
    kind = engine_name(backend)
    if kind == "spark":
        backend._session.createDataFrame(data).createOrReplaceTempView(name)
        return backend.table(name)
    if kind == "duckdb":
        table: ibis.Table = backend.create_table(name, data, temp=True, overwrite=True)
        return table
    raise UsageError(f"unsupported backend {kind!r}; use one of: {', '.join(ENGINES)}")


LEVEL_COLUMNS = ("reporter", "partner", "product", "flow", "period", "value")
"""The columns of a levels table (:data:`mineralflow.metrics.LEVELS_SCHEMA`)."""


def load_levels(
    backend: Any, name: str, path: Path | str, *, columns: Sequence[str] = LEVEL_COLUMNS
) -> ibis.Table:
    """Put a levels table from Parquet (a file or a glob) on an engine under ``name``
    (replacing any table of that name), with only ``columns``, and return it.

    DuckDB: a temporary table sorted by product and period, so that DuckDB's row-group
    statistics (zone maps) let a query for one product and a few months read a few row
    groups rather than the whole table (the brief's metrics, :func:`mineralflow.compiled.
    brief_metrics`); sorting costs seconds once, when loading. Spark: a temporary view
    over the files as they are (lay the files out by product or year instead, see
    ``docs/metrics.md``)."""
    kind = engine_name(backend)
    cols = ", ".join(f'"{c}"' for c in columns)
    if kind == "duckdb":
        backend.con.execute(
            f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT {cols} '
            f"FROM read_parquet({sql_literal(str(path))}) ORDER BY product, period"
        )
        table: ibis.Table = backend.table(name)
        return table
    if kind == "spark":
        frame = backend._session.read.parquet(str(path)).select(*columns)
        frame.createOrReplaceTempView(name)
        return backend.table(name)
    raise UsageError(f"unsupported backend {kind!r}; use one of: {', '.join(ENGINES)}")


def tables_for(
    ledger: Ledger, engine: str | Any = "duckdb", names: Sequence[str] = LEDGER_TABLES
) -> dict[str, ibis.Table]:
    """The ledger's tables ``names`` as Ibis tables on ``engine``.

    On DuckDB (the ledger's own engine) these are the ledger's tables themselves; on any
    other engine each table is copied through Arrow (a temporary view on Spark, under a
    fresh name so that expressions built earlier keep their data). The ledger is read,
    never changed. For data far larger than a ledger, point the engine at Parquet files
    instead (see ``docs/metrics.md``).
    """
    if engine == "duckdb" or engine is ledger.backend:
        return {n: ledger.table(n) for n in names}
    backend = backend_for(engine)
    token = uuid.uuid4().hex[:8]
    return {n: load(backend, f"mf_{n}_{token}", ledger.table(n).to_pyarrow()) for n in names}


def scratch_connection() -> Any:
    """A throwaway in-memory DuckDB connection, to read a file without touching a ledger
    (a failed statement there cannot abort the ledger's transaction)."""
    import duckdb

    return duckdb.connect()


@dataclass(frozen=True)
class Statements:
    """SQL that stores one expression as a DuckDB temporary table, with the in-memory
    tables (Ibis memtables: catalog data) it reads. Built once by
    :func:`temp_table_statements`; :func:`run_statements` runs it again without Ibis."""

    sql: tuple[str, ...]
    memtables: tuple[tuple[str, pa.Table], ...] = ()

    def renamed(self, old: str, new: str) -> Statements:
        """The same statements with every ``old`` in a table name replaced by ``new``."""
        return Statements(tuple(s.replace(old, new) for s in self.sql), self.memtables)


def temp_table_statements(backend: DuckDBBackend, name: str, expr: ibis.Table) -> Statements:
    """The SQL (DuckDB) that creates the temporary table ``name`` with ``expr``'s schema and
    rows, as Ibis's ``create_table(name, expr, schema=expr.schema(), temp=True)`` does."""
    import ibis.expr.operations as ops
    import sqlglot.expressions as sge

    query = backend.compiler.to_sqlglot(expr)
    table = sge.table_(name, catalog="temp", db="main", quoted=True)
    create = sge.Create(
        kind="TABLE",
        this=sge.Schema(this=table, expressions=expr.schema().to_sqlglot_column_defs("duckdb")),
        properties=sge.Properties(expressions=[sge.TemporaryProperty()]),
    ).sql("duckdb")
    columns = [sge.to_identifier(c, quoted=True) for c in expr.columns]
    insert = sge.insert(query, into=table, columns=columns).sql("duckdb")
    memtables = tuple(
        (op.name, op.data.to_pyarrow(op.schema)) for op in expr.op().find(ops.InMemoryTable)
    )
    return Statements((create, insert), memtables)


TEMP_VIEW = "CREATE TEMPORARY VIEW"  # how the statements of a view begin


def temp_view_statements(backend: DuckDBBackend, name: str, expr: ibis.Table) -> Statements:
    """The SQL (DuckDB) that creates the temporary view ``name`` of ``expr``: computed
    whenever it is read, never stored."""
    import ibis.expr.operations as ops

    query = backend.compiler.to_sqlglot(expr).sql("duckdb")
    view = f'{TEMP_VIEW} "{name}" AS {query}'
    memtables = tuple(
        (op.name, op.data.to_pyarrow(op.schema)) for op in expr.op().find(ops.InMemoryTable)
    )
    return Statements((view,), memtables)


def run_statements(backend: DuckDBBackend, statements: Statements) -> None:
    """Run :class:`Statements` on the backend's DuckDB connection."""
    con = backend.con
    for name, data in statements.memtables:
        con.register(name, data)
    for sql in statements.sql:
        con.execute(sql)


def sql_rows(backend: DuckDBBackend, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of one SQL query on the backend's DuckDB connection."""
    rows: list[tuple[Any, ...]] = backend.con.execute(sql, list(params)).fetchall()
    return rows


def run_with_variables(
    backend: DuckDBBackend, queries: Sequence[str], variables: Mapping[str, tuple[Any, str]]
) -> list[pa.Table]:
    """Set DuckDB session variables (``name -> (value, SQL type)``) on the backend's
    connection, then run each query there and return its rows as Arrow tables.

    The queries read the values with ``getvariable('name')``, which DuckDB replaces by the
    value when it binds the statement: filters on them prune a sorted table's row groups
    as a literal would."""
    con = backend.con
    for name, (value, kind) in variables.items():
        con.execute(f"SET VARIABLE {name} = CAST({sql_literal(value)} AS {kind})")
    return [con.execute(sql).to_arrow_table() for sql in queries]


def sql_literal(value: Any) -> str:
    """``value`` (text, a number, a date, None or a list of texts) as a DuckDB literal.

    For SQL run on the fast paths: DuckDB's Python client imports pandas (half a second)
    the first time a statement takes parameters, so the values are written into the SQL.
    Text is quoted by doubling its single quotes, the only escape DuckDB reads there."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    raise TypeError(f"no SQL literal for {type(value).__name__}")
