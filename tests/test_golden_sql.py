"""Golden SQL: what the metrics compile to on each engine, reviewed as diffs.

After a deliberate change, regenerate with ``MINERALFLOW_UPDATE_GOLDEN=1 pytest
tests/test_golden_sql.py`` and review ``git diff tests/golden/sql``.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import ibis
import pytest

from mineralflow import metrics

GOLDEN = Path(__file__).parent / "golden" / "sql"
LEVELS = ibis.table(metrics.LEVELS_SCHEMA, name="levels")
EVENTS = ibis.table(
    {"event_id": "string", "date_announced": "date", "date_effective": "date"}, name="events"
)
EVENT_PRODUCTS = ibis.table(
    {"event_id": "string", "product": "string", "link": "string"}, name="event_products"
)
PARTNERS = ibis.table({"code": "string", "kind": "string"}, name="catalog_partners")

EXPRESSIONS = {
    "change_mom": lambda: metrics.change_mom(LEVELS),
    "shares": lambda: metrics.shares(LEVELS),
    "destination_concentration": lambda: metrics.destination_concentration(LEVELS, PARTNERS),
    "event_windows": lambda: metrics.event_windows(LEVELS, EVENTS, EVENT_PRODUCTS),
}
DIALECTS = [
    "duckdb",
    # ibis needs pyspark installed to compile its dialect (its options are unset otherwise).
    pytest.param(
        "pyspark",
        marks=[
            pytest.mark.spark,
            pytest.mark.skipif(
                importlib.util.find_spec("pyspark") is None,
                reason="compiling Spark SQL needs the [spark] extra",
            ),
        ],
    ),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_metric_sql_matches_golden(name, dialect):
    if dialect == "pyspark":
        # The dialect reads the PySpark backend's options, registered when it is loaded.
        assert ibis.pyspark is not None
    sql = ibis.to_sql(EXPRESSIONS[name](), dialect=dialect).strip() + "\n"
    path = GOLDEN / f"{name}.{dialect}.sql"
    if os.environ.get("MINERALFLOW_UPDATE_GOLDEN"):
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with MINERALFLOW_UPDATE_GOLDEN=1"
    assert sql == path.read_text(encoding="utf-8"), f"{path} differs; review and regenerate"
