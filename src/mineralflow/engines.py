"""The one module that names a query engine.

Everything else takes an Ibis backend or Ibis tables. DuckDB is the default and holds the
ledger; Apache Spark (the ``[spark]`` extra) runs the same Ibis expressions when the data
outgrows one machine (see ``docs/metrics.md`` for pointing it at a cluster).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import ibis
from ibis.backends.duckdb import Backend as DuckDBBackend

__all__ = [
    "ENGINES",
    "DuckDBBackend",
    "EngineError",
    "duckdb_connect",
    "raw_connection",
    "scratch_connection",
]

EngineError = duckdb.Error
"""What the engine raises when a statement fails (a bad value, a broken CSV line ...)."""

ENGINES = ("duckdb", "spark")


def duckdb_connect(path: Path | str | None = None, *, read_only: bool = False) -> DuckDBBackend:
    """An Ibis DuckDB backend on a ledger file (in memory when ``path`` is None)."""
    if path is None:
        return ibis.duckdb.connect()
    return ibis.duckdb.connect(database=str(path), read_only=read_only)


def raw_connection(backend: DuckDBBackend) -> Any:
    """The DuckDB connection under an Ibis backend, for transactions and bulk writes."""
    return backend.con


def scratch_connection() -> Any:
    """A throwaway in-memory DuckDB connection, to read a file without touching a ledger
    (a failed statement there cannot abort the ledger's transaction)."""
    return duckdb.connect()
