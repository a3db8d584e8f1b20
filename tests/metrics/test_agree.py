"""Every metric gives the same rows on DuckDB and on Spark (bundled data)."""

from __future__ import annotations

import datetime as dt

import pytest

from mineralflow import engines, metrics
from mineralflow.analysis import levels_for

pytestmark = pytest.mark.spark


def suite(ledger, tables):
    lv = levels_for(ledger, tables, product="rare-earth-magnets", flow="export")
    partners = tables["catalog_partners"]
    windows = metrics.event_windows(lv, tables["events"], tables["event_products"])
    summary = metrics.event_summary(windows)
    return {
        "monthly_levels": lv,
        "change_mom": metrics.change_mom(lv),
        "change_yoy": metrics.change_yoy(lv),
        "year_to_date": metrics.year_to_date(lv),
        "first_months": metrics.first_months(lv, 6),
        "cumulative_yoy": metrics.cumulative_yoy(lv),
        "shares": metrics.shares(lv),
        "ranks": metrics.ranks(lv, partners),
        "destination_concentration": metrics.destination_concentration(lv, partners),
        "supplier_concentration": metrics.supplier_concentration(lv, partners),
        "dependence": metrics.dependence(lv, partners, supplier="CHN"),
        "event_windows": windows,
        "event_summary": summary,
        "diversion": metrics.diversion(summary, partners, target="USA"),
        "surges": metrics.surges(lv),
        "gaps": metrics.gaps(lv, start=dt.date(2024, 1, 1), end=dt.date(2026, 3, 1)),
    }


def types(expr):
    return {k: v.copy(nullable=True) for k, v in expr.schema().items()}


def rows(expr):
    return sorted(expr.to_pyarrow().to_pylist(), key=lambda r: tuple(str(v) for v in r.values()))


def test_duckdb_and_spark_agree_on_every_metric(bundled, spark_backend):
    on_duckdb = suite(bundled, engines.tables_for(bundled, "duckdb"))
    on_spark = suite(bundled, engines.tables_for(bundled, spark_backend))
    for name, expr in on_duckdb.items():
        a, b = rows(expr), rows(on_spark[name])
        assert a, f"{name}: no rows on the bundled data"
        # Types agree; nullability may not (Spark's views from Arrow are all nullable).
        assert types(expr) == types(on_spark[name]), name
        assert len(a) == len(b), name
        for x, y in zip(a, b, strict=True):
            assert x.keys() == y.keys(), name
            for k in x:
                if isinstance(x[k], float):
                    assert y[k] == pytest.approx(x[k], rel=1e-12, abs=1e-12), (name, k, x)
                else:
                    assert x[k] == y[k], (name, k, x)
