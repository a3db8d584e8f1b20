"""monthly_levels: one figure per cell, by authority, then precision, then exactness."""

from __future__ import annotations

import random

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from mineralflow import engines
from mineralflow.metrics import monthly_levels
from mineralflow.periods import Month

FIGURES = pa.schema(
    [
        ("figure_id", pa.string()),
        ("source_id", pa.string()),
        ("reporter", pa.string()),
        ("partner", pa.string()),
        ("product", pa.string()),
        ("flow", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("measure", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("stated", pa.string()),
        ("resolution", pa.float64()),
        ("qualifier", pa.string()),
        ("authority_rank", pa.int32()),
    ]
)


def fig(fid, source, partner, period, value, *, rank=3, res=1.0, qual="exact", **kw):
    m = Month.parse(period)
    end = Month.parse(kw.pop("end")) if "end" in kw else m
    row = {
        "figure_id": fid, "source_id": source, "reporter": "CHN", "partner": partner,
        "product": "rare-earth-magnets", "flow": "export", "period_start": m.first_day,
        "period_end": end.first_day, "measure": "level", "value": value, "unit": "t",
        "stated": f"{value:g}", "resolution": res, "qualifier": qual, "authority_rank": rank,
    }  # fmt: skip
    row.update(kw)
    return row


ROWS = [
    # Authority beats precision: the wire's 1,238 over the trade press's 1,238.47.
    fig("f1", "smm", "WLD", "2025-05", 1238.47, rank=3, res=0.01),
    fig("f2", "reuters", "WLD", "2025-05", 1238.0, rank=2),
    # Same authority: the finer resolution wins.
    fig("f3", "asiacity", "USA", "2025-09", 420.0, rank=3),
    fig("f4", "cnbc", "USA", "2025-09", 420.5, rank=3, res=0.1),
    # Same authority and resolution: exact beats "about".
    fig("f5", "a-wire", "USA", "2025-06", 350.0, rank=2, qual="about"),
    fig("f6", "b-wire", "USA", "2025-06", 353.0, rank=2),
    # An authority missing from the catalog (null rank) ranks below every known one.
    fig("f7", "unknown", "DEU", "2025-06", 700.0, rank=None),
    fig("f8", "ai", "DEU", "2025-06", 764.0, rank=5),
    # A full tie: the lowest source id, whatever the row order.
    fig("f9", "zeta", "IND", "2025-06", 171.0),
    fig("f10", "alpha", "IND", "2025-06", 172.0),
    # Not monthly levels in tonnes: left out.
    fig("f11", "reuters", "WLD", "2025-06", 157.5, measure="change_mom", unit="%"),
    fig("f12", "reuters", "WLD", "2025-01", 22319.0, end="2025-06", measure="cumulative"),
    fig("f13", "x", "JPN", "2025-06", 232000.0, unit="kg"),
]

EXPECTED = {
    ("WLD", "2025-05"): ("f2", 1238.0, 2),
    ("USA", "2025-09"): ("f4", 420.5, 2),
    ("USA", "2025-06"): ("f6", 353.0, 2),
    ("DEU", "2025-06"): ("f8", 764.0, 2),
    ("IND", "2025-06"): ("f10", 172.0, 2),
}


def picked(rows):
    return {
        (r["partner"], str(Month.of(r["period"]))): (r["figure_id"], r["value"], r["candidates"])
        for r in rows
    }


def test_one_figure_per_cell_by_authority_then_precision(engine):
    t = engine.table(ROWS, FIGURES)
    rows = engine.rows(monthly_levels(t), ["partner", "period"])
    assert picked(rows) == EXPECTED
    assert {r["unit"] for r in rows} == {"t"}


def test_choice_does_not_depend_on_row_order(engine):
    t = engine.table(list(reversed(ROWS)), FIGURES)
    assert picked(engine.rows(monthly_levels(t), ["partner", "period"])) == EXPECTED


def test_provenance_columns_name_the_figure(engine):
    t = engine.table(ROWS, FIGURES)
    rows = engine.rows(monthly_levels(t), ["partner", "period"])
    usa = next(r for r in rows if r["partner"] == "USA" and r["period"].month == 9)
    assert (usa["source_id"], usa["resolution"], usa["stated"]) == ("cnbc", 0.1, "420.5")


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_any_row_order_gives_the_same_levels(rnd: random.Random):
    backend = engines.duckdb_connect(None)
    rows = list(ROWS)
    rnd.shuffle(rows)
    t = engines.load(backend, "figures", pa.Table.from_pylist(rows, FIGURES))
    out = monthly_levels(t).order_by(["partner", "period"]).to_pyarrow().to_pylist()
    assert picked(out) == EXPECTED
    backend.disconnect()


def test_bundled_levels_have_one_row_per_cell(engine, bundled):
    levels = monthly_levels(engine.tables(bundled)["figures_v"])
    rows = engine.rows(levels, ["partner", "period"])
    df = bundled.table("figures_v").execute()
    df = df[(df.measure == "level") & (df.period_start == df.period_end) & (df.unit == "t")]
    cells = df.groupby(["reporter", "partner", "product", "flow", "period_start"]).size()
    assert len(rows) == len(cells)
    assert sum(r["candidates"] for r in rows) == len(df)
