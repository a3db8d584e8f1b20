"""The engine fixture: every metric test runs on DuckDB, and on Spark when it can.

``engine`` is parametrised over ``duckdb`` and ``spark``; the Spark cases carry the
``spark`` marker and skip, with the reason, when pyspark (the ``[spark]`` extra) or Java
is missing. One Spark session serves the whole run (it takes seconds to start).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import pyarrow as pa
import pytest

from mineralflow import engines, metrics
from mineralflow.ledger import Ledger

LEVELS_SCHEMA = metrics.LEVELS_SCHEMA.to_pyarrow()


def spark_missing() -> str | None:
    """Why Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "needs the [spark] extra (pip install -e '.[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "needs Java 17 on PATH or JAVA_HOME for Spark"
    return None


@pytest.fixture(scope="session")
def spark_backend() -> Any:
    reason = spark_missing()
    if reason:
        pytest.skip(reason)
    return engines.spark_connect("local[2]", conf={"spark.sql.shuffle.partitions": "1"})


@dataclass
class Engine:
    """One engine for a test: load rows onto it, read results back in a fixed order."""

    name: str
    backend: Any
    _count: list[int] = field(default_factory=lambda: [0])

    def table(self, rows: Sequence[dict[str, Any]] | pa.Table, schema: pa.Schema | None = None):
        data = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(list(rows), schema)
        self._count[0] += 1
        return engines.load(self.backend, f"t_{os.getpid()}_{id(self)}_{self._count[0]}", data)

    def levels(self, rows: Sequence[dict[str, Any]]) -> ibis.Table:
        """A levels table from rows; missing series columns default to one series."""
        base = {"reporter": "CHN", "partner": "WLD", "product": "p", "flow": "export"}
        return self.table([{**base, **r} for r in rows], LEVELS_SCHEMA)

    def tables(self, ledger: Ledger) -> dict[str, ibis.Table]:
        return engines.tables_for(ledger, self.backend if self.name == "spark" else "duckdb")

    @staticmethod
    def rows(expr: ibis.Table, order: Sequence[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = expr.order_by(list(order)).to_pyarrow().to_pylist()
        return rows


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "spark":
        yield Engine("spark", request.getfixturevalue("spark_backend"))
        return
    backend = engines.duckdb_connect(None)
    yield Engine("duckdb", backend)
    backend.disconnect()
