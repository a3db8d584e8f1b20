"""The ledger: schema versions, transactions, idempotent loads, read-only opening."""

from __future__ import annotations

import duckdb
import pytest

from mineralflow import LedgerNotFound, LedgerReadOnly, SchemaError
from mineralflow.ledger import SCHEMA_VERSION, Ledger
from mineralflow.sources import bundled

COUNTS = (
    "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM figures), "
    "(SELECT count(*) FROM events), (SELECT count(*) FROM event_products)"
)


def test_new_ledger_is_at_the_current_schema_version(db_path):
    with Ledger.open(db_path) as led:
        assert led.schema_version() == SCHEMA_VERSION
        assert {"sources", "figures", "events", "figures_v"} <= set(led.backend.list_tables())


def test_loading_the_bundled_data_twice_leaves_one_copy(db_path):
    data = bundled.read()
    with Ledger.open(db_path) as led:
        first = led.load_bundled()
        counts = led.con.execute(COUNTS).fetchone()
        second = led.load_bundled()
        assert led.con.execute(COUNTS).fetchone() == counts
    assert first.sources_added == len(data.sources)
    assert first.figures_added == len(data.figures)
    assert first.events_added == len(data.events)
    assert not second.changed
    assert counts[:3] == (len(data.sources), len(data.figures), len(data.events))


def test_reopening_keeps_what_was_loaded(db_path):
    with Ledger.open(db_path) as led:
        led.load_bundled()
    with Ledger.open(db_path, read_only=True) as led:
        assert led.table("figures").count().execute() == len(bundled.read().figures)


def test_a_failed_write_leaves_the_ledger_as_it_was(db_path):
    with Ledger.open(db_path) as led:
        led.load_bundled()
        before = led.con.execute(COUNTS).fetchone()
        data = bundled.read()
        broken = [
            *data.figures[:5],
            {**data.figures[5], "figure_id": "f-new", "measure": "not-a-measure"},
        ]
        with pytest.raises(duckdb.ConstraintException):
            led.sync_dataset("bundled", data.sources, broken, data.events)
        assert led.con.execute(COUNTS).fetchone() == before


def test_a_changed_bundle_updates_in_place(ledger):
    data = bundled.read()
    ledger.sync_dataset("bundled", data.sources, data.figures, data.events)
    fewer = data.figures[:-3]
    sources = [
        {**s, "content_hash": s["content_hash"] + "x"} if i == 0 else s
        for i, s in enumerate(data.sources)
    ]
    report = ledger.sync_dataset("bundled", sources, fewer, data.events)
    assert report.figures_removed == 3
    assert report.sources_updated == 1
    assert ledger.table("figures").count().execute() == len(fewer)


def test_reading_a_missing_ledger_says_how_to_create_it(tmp_path):
    with pytest.raises(LedgerNotFound, match="mineralflow load"):
        Ledger.open(tmp_path / "nope.duckdb", read_only=True)
    assert not (tmp_path / "nope.duckdb").exists()


def test_a_read_only_ledger_refuses_writes(bundled_db):
    with Ledger.open(bundled_db, read_only=True) as led, pytest.raises(LedgerReadOnly):
        led.load_bundled()


def test_a_newer_schema_is_refused(db_path):
    with Ledger.open(db_path) as led:
        led.con.execute("INSERT INTO schema_version VALUES (999, now(), 'from the future')")
    with pytest.raises(SchemaError, match="upgrade mineralflow"):
        Ledger.open(db_path)


def test_figures_filters(bundled):
    df = bundled.figures_df(product="rare-earth-magnets", period="2025-06", partner="USA")
    assert set(df.partner) == {"USA"}
    assert set(df.period) == {"2025-06"}
    assert {"level", "change_mom", "change_yoy", "rank"} == set(df.measure)
    h1 = bundled.figures_df(product="rare-earth-magnets", period="2025-01/2025-06", partner="WLD")
    assert sorted(h1.value) == [-18.9, 22319]
    assert set(h1.outlet) == {"TimesLIVE"}


def test_periods_lists_months_with_data(bundled):
    months = bundled.periods("rare-earth-magnets")
    assert months[0] == "2024-02"
    assert "2025-06" in months
    assert months == sorted(months)
