"""Shares of the world total, ranks by level, concentration and dependence."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mineralflow import engines, metrics
from mineralflow.periods import Month

D = lambda text: Month.parse(text).first_day  # noqa: E731
PARTNERS = [
    {"code": c, "kind": k}
    for c, k in [("WLD", "world"), ("EU27", "bloc"), ("REG_ASIA", "region"), ("DEU", "country"),
                 ("USA", "country"), ("VNM", "country"), ("KOR", "country"), ("CHN", "country"),
                 ("JPN", "country")]
]  # fmt: skip


def lv(partner, value, period="2025-06", reporter="CHN", flow="export"):
    return {"reporter": reporter, "partner": partner, "flow": flow, "period": D(period),
            "value": value}  # fmt: skip


def test_shares_divide_by_the_stated_world_total(engine):
    t = engine.levels([lv("WLD", 1000.0), lv("DEU", 250.0), lv("EU27", 400.0),
                       lv("USA", 100.0, "2025-05")])  # fmt: skip
    rows = engine.rows(metrics.shares(t), ["partner"])
    got = {r["partner"]: r["share_pct"] for r in rows}
    assert got == {"DEU": pytest.approx(25.0), "EU27": pytest.approx(40.0), "USA": None}
    assert "WLD" not in got  # the total is not its own partner


def test_ranks_count_countries_only_and_share_ties(engine):
    t = engine.levels([lv("WLD", 1000.0), lv("EU27", 900.0), lv("DEU", 300.0), lv("USA", 200.0),
                       lv("VNM", 200.0), lv("KOR", 50.0)])  # fmt: skip
    rows = engine.rows(metrics.ranks(t, engine.table(PARTNERS)), ["rank", "partner"])
    assert [(r["partner"], r["rank"]) for r in rows] == [
        ("DEU", 1), ("USA", 2), ("VNM", 2), ("KOR", 4),
    ]  # fmt: skip
    assert {r["ranked"] for r in rows} == {4}


def test_hhi_of_destinations(engine):
    t = engine.levels([lv("WLD", 1000.0), lv("DEU", 300.0), lv("USA", 300.0), lv("EU27", 500.0),
                       lv("JPN", 50.0, "2025-05")])  # fmt: skip
    rows = engine.rows(metrics.destination_concentration(t, engine.table(PARTNERS)), ["period"])
    may, june = rows
    assert (may["partners"], may["hhi"], may["total_value"]) == (1, 10_000.0, None)
    assert june["partners"] == 2
    assert june["hhi"] == pytest.approx(5_000.0)  # two equal partners
    assert june["coverage_pct"] == pytest.approx(60.0)


def test_supplier_concentration_uses_mirror_data_where_imports_are_missing(engine):
    rows = [
        # Germany reports its imports from China; Japan does not (only China's exports).
        lv("CHN", 300.0, reporter="DEU", flow="import"),
        lv("USA", 100.0, reporter="DEU", flow="import"),
        lv("DEU", 280.0, reporter="CHN"),  # mirror of a reported pair: ignored
        lv("JPN", 90.0, reporter="CHN"),
        lv("WLD", 500.0, reporter="DEU", flow="import"),
    ]
    t = engine.levels(rows)
    partners = engine.table(PARTNERS)
    imports = engine.rows(metrics.imports_with_mirror(t, partners), ["reporter", "partner"])
    assert [(r["reporter"], r["partner"], r["value"], r["basis"]) for r in imports] == [
        ("DEU", "CHN", 300.0, "reported"),
        ("DEU", "USA", 100.0, "reported"),
        ("JPN", "CHN", 90.0, "mirror"),
    ]
    hhi = engine.rows(metrics.supplier_concentration(t, partners), ["reporter"])
    deu, jpn = hhi
    assert deu["hhi"] == pytest.approx(10_000 * (300**2 + 100**2) / 400**2)
    assert (deu["mirrored"], deu["total_value"]) == (0, 500.0)
    assert (jpn["hhi"], jpn["mirrored"]) == (10_000.0, 1)


def test_dependence_on_one_supplier(engine):
    rows = [
        lv("CHN", 300.0, reporter="DEU", flow="import"),
        lv("USA", 100.0, reporter="DEU", flow="import"),
        lv("WLD", 600.0, reporter="DEU", flow="import"),
        lv("JPN", 90.0, reporter="CHN"),
        lv("JPN", 10.0, reporter="USA"),
    ]
    got = engine.rows(
        metrics.dependence(engine.levels(rows), engine.table(PARTNERS), supplier="CHN"),
        ["reporter"],
    )
    deu, jpn = got
    assert (deu["share_pct"], deu["total_basis"], deu["basis"]) == (50.0, "world", "reported")
    assert (jpn["share_pct"], jpn["total_basis"], jpn["basis"]) == (90.0, "partners", "mirror")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.5, 1e6, allow_nan=False), min_size=1, max_size=6))
def test_shares_of_a_complete_split_sum_to_100(values):
    """When the world total is the sum of the partners, their shares sum to 100."""
    codes = ["DEU", "USA", "VNM", "KOR", "CHN", "JPN"][: len(values)]
    rows = [lv(c, v) for c, v in zip(codes, values, strict=True)] + [lv("WLD", sum(values))]
    rows = [{**r, "product": "p"} for r in rows]
    backend = engines.duckdb_connect(None)
    t = engines.load(
        backend, "levels", pa.Table.from_pylist(rows, metrics.LEVELS_SCHEMA.to_pyarrow())
    )
    shares = metrics.shares(t).to_pyarrow().column("share_pct").to_pylist()
    assert sum(shares) == pytest.approx(100.0, rel=1e-9)
    hhi = metrics.concentration(t, engines.load(backend, "p", pa.Table.from_pylist(PARTNERS)))
    got = hhi.to_pyarrow().column("hhi")[0].as_py()
    assert got == pytest.approx(sum(s * s for s in shares), rel=1e-9)
    backend.disconnect()
