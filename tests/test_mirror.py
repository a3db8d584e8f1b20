"""The mirror view: exporter-reported against importer-reported flows, as a pure Ibis
function (here over in-memory tables, so no ledger is needed)."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from mineralflow.mirror import MIRROR_NOTE, mirror

M5, M6, M7 = (dt.date(2025, m, 1) for m in (5, 6, 7))


def flow(
    release: str,
    publisher: str,
    reporter: str,
    partner: str,
    classification: str,
    code: str,
    direction: str,
    month: dt.date,
    kg: float | None,
    value: float,
    currency: str,
) -> dict[str, object]:
    return {
        "release_id": release,
        "publisher": publisher,
        "reporter": reporter,
        "partner": partner,
        "classification": classification,
        "product_code": code,
        "product": None,
        "flow": direction,
        "period": month,
        "period_end": month,
        "quantity_kg": kg,
        "value": value,
        "currency": currency,
        "trade_mode": None,
    }


def table(rows: list[dict[str, object]]) -> ibis.Table:
    return ibis.memtable(pd.DataFrame(rows))


def china(partner: str, month: dt.date, kg: float, usd: float = 1000.0) -> dict[str, object]:
    return flow(
        "gac-r1", "GAC", "CHN", partner, "CN8-CHN", "85051110", "export", month, kg, usd, "USD"
    )


def eu(
    reporter: str, month: dt.date, kg: float, eur: float = 900.0, **kw: str
) -> dict[str, object]:
    publisher = kw.get("publisher", "Eurostat")
    return flow(
        kw.get("release", "comext-r1"),
        publisher,
        reporter,
        "CHN",
        "CN8-EU",
        "85051110",
        "import",
        month,
        kg,
        eur,
        kw.get("currency", "EUR"),
    )


def run(rows: list[dict[str, object]], **options: object) -> pd.DataFrame:
    return mirror(table(rows), product="rare-earth-magnets", **options).execute()  # type: ignore[arg-type]


def test_gap_is_importer_minus_exporter_over_exporter():
    df = run([china("DEU", M6, 1000.0), eu("DEU", M6, 900.0)])
    (row,) = df.to_dict("records")
    assert (row["importer"], row["members"], row["exporter_kg"], row["importer_kg"]) == (
        "DEU",
        1,
        1000.0,
        900.0,
    )
    assert row["gap_kg"] == -100.0
    assert row["gap_pct"] == pytest.approx(-10.0)
    assert pd.isna(row["value_gap_pct"])  # USD against EUR: not compared
    assert (row["exporter_release"], row["importer_release"]) == ("gac-r1", "comext-r1")


def test_eu_line_sums_the_members_present_on_both_sides():
    rows = [
        china("DEU", M6, 1000.0),
        china("ITA", M6, 200.0),
        china("USA", M6, 500.0),  # no importer side: not in the mirror
        eu("DEU", M6, 900.0),
        eu("ITA", M6, 240.0),
        eu("FRA", M6, 70.0),  # no exporter side
        eu("EU27", M6, 5000.0),  # the EU total has no exporter counterpart
    ]
    df = run(rows).set_index("importer")
    assert set(df.index) == {"DEU", "ITA", "EU27"}
    assert (df.loc["EU27", "members"], df.loc["EU27", "exporter_kg"]) == (2, 1200.0)
    assert df.loc["EU27", "importer_kg"] == 1140.0
    assert df.loc["EU27", "gap_pct"] == pytest.approx(-5.0)


def test_lag_sets_the_importer_month_against_the_earlier_export_month():
    rows = [
        china("DEU", M5, 100.0),
        china("DEU", M6, 1000.0),
        eu("DEU", M6, 90.0),
        eu("DEU", M7, 950.0),
    ]
    same = run(rows).set_index("period")
    lagged = run(rows, lag_months=1).set_index("period")
    assert same.loc[pd.Timestamp(M6), "importer_kg"] == 90.0
    assert lagged.loc[pd.Timestamp(M6), "importer_kg"] == 950.0
    assert lagged.loc[pd.Timestamp(M5), "importer_kg"] == 90.0


def test_values_are_compared_in_one_currency_only():
    rows = [
        flow("a", "UN Comtrade", "CHN", "USA", "HS6", "850511", "export", M6, 100.0, 1000.0, "USD"),
        flow("b", "UN Comtrade", "USA", "CHN", "HS6", "850511", "import", M6, 110.0, 1100.0, "USD"),
    ]
    df = mirror(table(rows), product="permanent-magnets-hs6").execute()
    assert df["value_gap_pct"].tolist() == [pytest.approx(10.0)]


def test_one_publisher_speaks_for_a_side():
    rows = [
        china("DEU", M6, 1000.0),
        eu("DEU", M6, 900.0),
        eu("DEU", M6, 880.0, publisher="UN Comtrade", release="comtrade-r4", currency="USD"),
    ]
    df = run(rows)
    assert df["importer_kg"].tolist() == [900.0]  # Eurostat, not both added up
    assert df["importer_release"].tolist() == ["comext-r1"]


def test_other_products_and_flows_stay_out():
    rows = [
        china("DEU", M6, 1000.0),
        eu("DEU", M6, 900.0),
        flow("x", "GAC", "CHN", "DEU", "CN8-CHN", "85051190", "export", M6, 5.0, 1.0, "USD"),
        flow("y", "Eurostat", "DEU", "CHN", "CN8-EU", "85051110", "export", M6, 7.0, 1.0, "EUR"),
    ]
    df = run(rows)
    assert df[["exporter_kg", "importer_kg"]].values.tolist() == [[1000.0, 900.0]]


def test_the_note_names_cif_fob_and_timing():
    assert "CIF" in MIRROR_NOTE
    assert "FOB" in MIRROR_NOTE
    assert "lag" in MIRROR_NOTE
