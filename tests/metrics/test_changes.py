"""Changes and cumulative totals: m/m, y/y, year to date, first N months, cumulative y/y."""

from __future__ import annotations

import pytest

from mineralflow.metrics import (
    change,
    change_mom,
    change_yoy,
    cumulative_yoy,
    first_months,
    year_to_date,
)
from mineralflow.periods import Month

D = lambda text: Month.parse(text).first_day  # noqa: E731

# Hand-made series with the awkward cases: a gap (2025-02), a zero level (2025-04).
WLD = {
    "2024-01": 100.0, "2024-02": 120.0, "2024-03": 90.0, "2024-04": 100.0, "2024-05": 80.0,
    "2024-06": 100.0, "2025-01": 50.0, "2025-03": 60.0, "2025-04": 0.0, "2025-05": 30.0,
    "2025-06": 200.0,
}  # fmt: skip
USA = {"2024-06": 10.0, "2025-06": 76.0}
DEU = {"2024-01": 10.0, "2024-02": 20.0, "2025-01": 15.0, "2025-02": 30.0}
ROWS = [
    {"partner": partner, "period": D(p), "value": v}
    for partner, series in (("WLD", WLD), ("USA", USA), ("DEU", DEU))
    for p, v in series.items()
]


def reference(months: int) -> dict[tuple[str, str], float | None]:
    """The change every row should get, computed without Ibis."""
    out: dict[tuple[str, str], float | None] = {}
    for partner, series in (("WLD", WLD), ("USA", USA), ("DEU", DEU)):
        for p, v in series.items():
            base = series.get(str(Month.parse(p).shift(-months)))
            out[(partner, p)] = None if base is None or base <= 0 else (v / base - 1) * 100
    return out


def by_cell(rows, column):
    return {(r["partner"], str(Month.of(r["period"]))): r[column] for r in rows}


@pytest.mark.parametrize("months", [1, 12])
def test_change_matches_a_plain_computation(engine, months):
    rows = engine.rows(change(engine.levels(ROWS), months=months), ["partner", "period"])
    got = by_cell(rows, "change_pct")
    want = reference(months)
    assert got.keys() == want.keys()
    for cell, value in want.items():
        assert got[cell] == (None if value is None else pytest.approx(value, rel=1e-12)), cell


def test_mom_is_null_across_a_gap_and_from_zero(engine):
    got = by_cell(engine.rows(change_mom(engine.levels(ROWS)), ["partner", "period"]), "change_pct")
    assert got[("WLD", "2025-03")] is None  # February is a gap: no change from January
    assert got[("WLD", "2025-05")] is None  # from zero a percentage means nothing
    assert got[("WLD", "2025-04")] == pytest.approx(-100.0)
    assert got[("WLD", "2025-06")] == pytest.approx((200 / 30 - 1) * 100)


def test_yoy_of_a_sevenfold_rise_is_660_percent(engine):
    rows = engine.rows(change_yoy(engine.levels(ROWS)), ["partner", "period"])
    usa = [r for r in rows if r["partner"] == "USA" and r["period"] == D("2025-06")]
    assert usa[0]["base_value"] == 10.0
    assert usa[0]["change_pct"] == pytest.approx(660.0)


def test_year_to_date_is_null_when_a_month_is_missing(engine):
    rows = engine.rows(year_to_date(engine.levels(ROWS)), ["partner", "period"])
    june = {r["period"].year: r for r in rows if r["partner"] == "WLD" and r["period"].month == 6}
    assert (june[2024]["total"], june[2024]["observed"]) == (590.0, 6)
    assert june[2025]["total"] is None
    assert (june[2025]["observed"], june[2025]["months"]) == (5, 6)
    assert june[2025]["observed_total"] == 340.0


def test_first_months_picks_the_span_from_january(engine):
    rows = engine.rows(first_months(engine.levels(ROWS), 6), ["partner", "period"])
    assert [(r["partner"], str(Month.of(r["period"]))) for r in rows] == [
        ("USA", "2024-06"), ("USA", "2025-06"), ("WLD", "2024-06"), ("WLD", "2025-06"),
    ]  # fmt: skip
    # USA has only June each year: five months missing, so no first-half total.
    assert [r["total"] for r in rows] == [None, None, 590.0, None]


def test_cumulative_yoy_needs_both_spans_complete(engine):
    rows = engine.rows(cumulative_yoy(engine.levels(ROWS)), ["partner", "period"])
    got = by_cell(rows, "change_pct")
    assert got[("DEU", "2025-02")] == pytest.approx((45 / 30 - 1) * 100)
    assert got[("DEU", "2025-01")] == pytest.approx(50.0)
    assert got[("WLD", "2025-06")] is None  # 2025 has a gap
    assert got[("WLD", "2025-01")] == pytest.approx(-50.0)


def test_change_rejects_a_lag_below_one():
    with pytest.raises(ValueError, match="months must be 1 or more"):
        change(None, months=0)  # type: ignore[arg-type]
