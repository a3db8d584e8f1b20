"""engines.py: connecting, moving ledger tables to an engine, and the overwrite path."""

from __future__ import annotations

import pyarrow as pa
import pytest

from mineralflow import engines
from mineralflow.errors import UsageError


def test_overwrite_path_works():
    """engines.load replaces a table with create_table(..., overwrite=True); sqlglot 30
    broke ibis 12's DROP TABLE IF EXISTS there (hence the pin below 30)."""
    backend = engines.duckdb_connect(None)
    engines.load(backend, "levels", pa.table({"value": [1.0, 2.0]}))
    t = engines.load(backend, "levels", pa.table({"value": [3.0]}))
    assert t.to_pyarrow().column("value").to_pylist() == [3.0]
    assert backend.list_tables() == ["levels"]
    backend.disconnect()


def test_tables_for_duckdb_reads_the_ledger_itself(bundled):
    tables = engines.tables_for(bundled, "duckdb")
    assert set(tables) == set(engines.LEDGER_TABLES)
    assert tables["figures_v"].count().execute() == bundled.table("figures_v").count().execute()
    # No copy: the expression is bound to the ledger's own backend.
    assert tables["events"]._find_backend() is bundled.backend


def test_tables_for_another_duckdb_copies_through_arrow(bundled):
    other = engines.duckdb_connect(None)
    tables = engines.tables_for(bundled, other)
    assert tables["events"]._find_backend() is other
    assert tables["events"].count().execute() == bundled.table("events").count().execute()
    other.disconnect()


def test_unknown_engine_names_the_choices():
    with pytest.raises(UsageError, match="unknown engine 'postgres'; use one of: duckdb, spark"):
        engines.backend_for("postgres")


def test_spark_conf_from_the_environment_is_checked(monkeypatch):
    monkeypatch.setattr(engines, "_spark", None)
    monkeypatch.setenv(engines.SPARK_CONF_ENV, "spark.executor.memory=8g,oops")
    with pytest.raises(UsageError, match=r"MINERALFLOW_SPARK_CONF item 'oops' is not key=value"):
        engines.spark_connect()
    assert engines._parse_conf(" a=1 , b = x=y ,") == {"a": "1", "b": "x=y"}


def test_only_engines_py_names_an_engine():
    """The metrics, the analysis and the brief take tables; they never pick an engine."""
    import ast
    from pathlib import Path

    import mineralflow

    root = Path(mineralflow.__file__).parent
    files = [
        *sorted((root / "metrics").glob("*.py")),
        *sorted((root / "brief").glob("*.py")),
        *(root / name for name in ("analysis.py", "nowcast.py", "outlet_record.py")),
    ]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                names = [f"{node.value.id}.{node.attr}"]
            for name in names:
                assert not name.startswith(("duckdb", "pyspark", "ibis.duckdb", "ibis.pyspark")), (
                    f"{path.name} names an engine: {name}"
                )
