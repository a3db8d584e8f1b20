"""The brief's metrics compiled once and run with parameters (``compiled.brief_metrics``)
give the rows of the plain Ibis expressions (``metrics.brief_metrics``), on a small
fixture made here: two reporters, five partners (the world, a bloc, three countries), two
products, both flows, 2023-2025 with gaps and a zero level."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mineralflow import compiled, engines, metrics

PARTNERS = [
    {"code": "WLD", "kind": "world"},
    {"code": "EU27", "kind": "bloc"},
    {"code": "DEU", "kind": "country"},
    {"code": "USA", "kind": "country"},
    {"code": "JPN", "kind": "country"},
]
CASES = [("p1", dt.date(2025, 6, 1)), ("p2", dt.date(2024, 3, 1))]


def _levels() -> list[dict[str, Any]]:
    rows = []
    for ri, reporter in enumerate(("CHN", "AUS")):
        for pi, product in enumerate(("p1", "p2")):
            for fi, flow in enumerate(("export", "import")):
                for m in range(36):
                    period = dt.date(2023 + m // 12, m % 12 + 1, 1)
                    parts = {}
                    for ci, partner in enumerate(("DEU", "USA", "JPN")):
                        if (m * 7 + ci * 3 + ri + pi * 5 + fi) % 11 == 0:
                            continue  # a gap
                        value = float((m * 37 + ci * 53 + ri * 11 + pi * 29 + fi * 3) % 97)
                        parts[partner] = value  # 0.0 sometimes: a zero level
                    if not parts:
                        continue
                    if (m + ri) % 13 != 5:  # the world total, missing some months
                        parts["WLD"] = sum(parts.values()) + 10
                    if "DEU" in parts:
                        parts["EU27"] = parts["DEU"] * 1.5
                    for partner, value in parts.items():
                        rows.append(
                            {
                                "reporter": reporter,
                                "partner": partner,
                                "product": product,
                                "flow": flow,
                                "period": period,
                                "value": value,
                            }
                        )
    return rows


def _sorted(table: pa.Table) -> list[tuple[Any, ...]]:
    names = sorted(table.column_names)
    rows = [tuple(r[n] for n in names) for r in table.to_pylist()]
    return [(tuple(names), *sorted(rows, key=lambda r: tuple((v is None, v) for v in r)))]


@pytest.fixture
def fresh_cache(monkeypatch):
    monkeypatch.setattr(compiled, "_SHAPES", {})
    monkeypatch.setattr(compiled, "compilations", Counter())


def test_compiled_brief_metrics_are_the_ibis_expressions(engine, fresh_cache):
    levels = engine.levels(_levels())
    partners = engine.table(PARTNERS)
    seen = []
    for product, month in CASES:
        got = compiled.brief_metrics(levels, partners, product=product, month=month)
        want = metrics.brief_metrics(levels, partners, product=product, month=month)
        assert list(got) == list(metrics.BRIEF_METRICS) == list(want)
        for name, expr in want.items():
            expected = expr.to_pyarrow()
            assert expected.num_rows > 0, name  # the fixture has rows for every metric
            assert _sorted(got[name]) == _sorted(expected), (product, month, name)
            assert set(got[name].column("period").to_pylist()) == {month}
            assert set(got[name].column("product").to_pylist()) == {product}
        changes = got["change_yoy"].column("change_pct").to_pylist()
        assert any(c is not None for c in changes)
        assert None in changes
        seen.append(got)
    assert _sorted(seen[0]["shares"]) != _sorted(seen[1]["shares"])
    # DuckDB compiles the five expressions once, for the first call; Spark runs Ibis.
    assert compiled.compilations["metrics.brief"] == (1 if engine.name == "duckdb" else 0)


def test_the_second_call_runs_the_stored_sql_without_compiling(fresh_cache, monkeypatch):
    import ibis

    backend = engines.duckdb_connect(None)
    try:
        levels = engines.load(backend, "levels", pa.Table.from_pylist(_levels()))
        partners = engines.load(backend, "partners", pa.Table.from_pylist(PARTNERS))
        (p1, m1), (p2, m2) = CASES
        first = compiled.brief_metrics(levels, partners, product=p1, month=m1)
        assert compiled.compilations["metrics.brief"] == 1
        assert len(compiled._SHAPES) == 1
        [stored] = compiled._SHAPES.values()
        for _, sql in stored:
            assert "getvariable('mf_product')" in sql.lower()
            assert "'p1'" not in sql

        def no_compiling(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("compiled again")

        to_sql = ibis.to_sql
        monkeypatch.setattr(ibis, "to_sql", no_compiling)
        second = compiled.brief_metrics(levels, partners, product=p2, month=m2)
        again = compiled.brief_metrics(levels, partners, product=p1, month=m1)
        assert compiled.compilations["metrics.brief"] == 1
        assert {r["product"] for r in second["ranks"].to_pylist()} == {p2}
        assert all(_sorted(again[n]) == _sorted(first[n]) for n in first)

        # Another shape (a table of another name) compiles its own SQL.
        monkeypatch.setattr(ibis, "to_sql", to_sql)
        other = engines.load(backend, "levels_b", pa.Table.from_pylist(_levels()))
        third = compiled.brief_metrics(other, partners, product=p1, month=m1)
        assert compiled.compilations["metrics.brief"] == 2
        assert all(_sorted(third[n]) == _sorted(first[n]) for n in first)
    finally:
        backend.disconnect()


def test_load_levels_sorts_by_product_and_period(tmp_path):
    rows = _levels()
    rows.reverse()
    path = tmp_path / "levels.parquet"
    pq.write_table(pa.Table.from_pylist([{**r, "source_id": "x"} for r in rows]), path)
    backend = engines.duckdb_connect(None)
    try:
        table = engines.load_levels(backend, "levels", path)
        assert table.columns == engines.LEVEL_COLUMNS
        stored = backend.con.execute('SELECT product, period FROM "levels"').fetchall()
        assert len(stored) == len(rows)
        assert stored == sorted(stored)
        assert stored != [(r["product"], r["period"]) for r in rows]
    finally:
        backend.disconnect()


def test_cumulative_yoy_for_one_month_is_the_running_totals_row(engine):
    """``cumulative_yoy(levels, month=m)`` (one aggregation) gives the rows of the running
    totals for month m, with gaps, zero levels, January and December among the months."""
    rows = _levels()
    march = [i for i, r in enumerate(rows) if r["period"] == dt.date(2025, 3, 1)]
    rows[march[0]] = {**rows[march[0]], "value": None}  # a null level
    levels = engine.levels(rows)
    changes = []
    for month in (dt.date(2024, 1, 1), dt.date(2024, 12, 1), dt.date(2025, 3, 1), CASES[0][1]):
        full = metrics.cumulative_yoy(levels)
        want = full.filter(full.period == month).to_pyarrow()
        got = metrics.cumulative_yoy(levels, month=month).to_pyarrow()
        assert want.num_rows > 0
        assert _sorted(got) == _sorted(want), month
        changes += got.column("change_pct").to_pylist()
    assert any(v is not None for v in changes)
    assert None in changes
