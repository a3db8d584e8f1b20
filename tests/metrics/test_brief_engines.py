"""`mineralflow brief --engine spark` gives the same brief as DuckDB."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.spark


@pytest.mark.parametrize("period", ["2025-06", "2025-11"])
def test_brief_on_spark_is_the_brief_on_duckdb(run_cli, bundled_db, spark_backend, period):
    args = ("brief", "--period", period, "--db", str(bundled_db))
    code, on_duckdb, err = run_cli(*args)
    assert code == 0, err
    code, on_spark, err = run_cli(*args, "--engine", "spark")
    assert code == 0, err
    assert "## Analysis" in on_duckdb
    assert on_spark == on_duckdb
