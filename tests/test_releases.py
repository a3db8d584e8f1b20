"""Releases and vintages: the same file twice is a no-op, a revision is kept beside the
original, the latest is in force, "as published on" answers with the old value, and the
CLI lists releases and their differences."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from mineralflow import Ledger, UsageError
from mineralflow.errors import UnknownRelease
from mineralflow.ingestion import ingest
from mineralflow.releases import (
    diff_releases,
    figures_in_force,
    flows_in_force,
    release,
    releases,
)

DATA = Path(__file__).parent / "data"
GAC_2025 = DATA / "china-customs" / "2025年出口85051110按月按国别_美元.csv"
GAC_REVISED = DATA / "china-customs" / "2025年6月出口85051110_修订_美元.csv"
JUNE = dt.date(2025, 6, 1)


def usa_june(ledger: Ledger, **options: object) -> list[float]:
    t = figures_in_force(ledger, **options)  # type: ignore[arg-type]
    t = t.filter(
        (t.partner == "USA")
        & (t.period_end == JUNE)
        & (t.measure == "level")
        & (t.source_kind == "official_release")
    )
    return sorted(t.execute()["value"].round(3).tolist())


@pytest.fixture
def two_vintages(ledger: Ledger) -> Ledger:
    ingest(ledger, [GAC_2025], published="2026-01-20")
    ingest(ledger, [GAC_REVISED], published="2026-02-20")
    return ledger


def test_the_same_file_twice_changes_nothing(ledger, tmp_path):
    first = ingest(ledger, [GAC_2025])
    before = ledger.con.execute(
        "SELECT (SELECT count(*) FROM flows), (SELECT count(*) FROM figures), "
        "(SELECT count(*) FROM sources)"
    ).fetchone()
    copy = tmp_path / "renamed-export.csv"  # same bytes under another name
    shutil.copy(GAC_2025, copy)
    again = ingest(ledger, [GAC_2025, copy])
    assert first.files[0].release_id == "gac-r1"
    assert [f.duplicate_of for f in again.files] == ["gac-r1", "gac-r1"]
    assert not again.changed
    after = ledger.con.execute(
        "SELECT (SELECT count(*) FROM flows), (SELECT count(*) FROM figures), "
        "(SELECT count(*) FROM sources)"
    ).fetchone()
    assert after == before


def test_a_revision_is_kept_beside_the_original(two_vintages):
    ledger = two_vintages
    assert [r.release_id for r in releases(ledger)] == ["gac-r1", "gac-r2"]
    counts = dict(
        ledger.con.execute(
            "SELECT release_id, count(*) FROM flows GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    )
    assert counts == {"gac-r1": 138, "gac-r2": 10}
    assert usa_june(ledger, revised=True) == [352.88, 354.12]


def test_the_latest_vintage_is_in_force(two_vintages):
    assert usa_june(two_vintages) == [354.12]
    flows = flows_in_force(two_vintages)
    usa = flows.filter((flows.partner == "USA") & (flows.period == JUNE)).execute()
    assert usa["release_id"].unique().tolist() == ["gac-r2"]
    assert usa["quantity_kg"].sum() == 354120
    may = flows.filter((flows.partner == "USA") & (flows.period == dt.date(2025, 5, 1)))
    assert may.execute()["release_id"].tolist() == ["gac-r1"]  # not restated: still in force


def test_as_published_on_a_date_returns_the_old_value(two_vintages):
    assert usa_june(two_vintages, as_of="2026-02-01") == [352.88]
    assert usa_june(two_vintages, as_of=dt.date(2026, 2, 20)) == [354.12]
    assert usa_june(two_vintages, as_of="2026-01-19") == []  # not yet published
    two_vintages.load_bundled()
    df = two_vintages.figures_df(product="rare-earth-magnets", period="2025-06", as_of="2026-02-01")
    assert set(df[df.source_kind == "official_release"].source_id) == {"gac-r1"}
    assert len(df[df.source_kind != "official_release"]) > 0, "as_of leaves news figures alone"


def test_publication_date_not_ingest_order_decides(ledger):
    ingest(ledger, [GAC_REVISED], published="2026-02-20")  # gac-r1
    ingest(ledger, [GAC_2025], published="2026-01-20")  # gac-r2: older, loaded later
    assert usa_june(ledger) == [354.12]
    listed = releases(ledger)
    assert [r.release_id for r in listed] == ["gac-r2", "gac-r1"]  # oldest published first
    assert (listed[0].revised_by, listed[1].revises) == (("gac-r1",), ("gac-r2",))


def test_undated_releases_count_from_their_ingest(ledger):
    ingest(ledger, [GAC_2025])
    ingest(ledger, [GAC_REVISED])
    today = dt.datetime.now(dt.UTC).date()
    assert [r.known_on for r in releases(ledger)] == [today, today]
    assert usa_june(ledger) == [354.12]  # same day: the one ingested last


def test_releases_say_what_revises_what(two_vintages):
    first, second = releases(two_vintages)
    assert (first.revises, first.revised_by, first.in_force) == ((), ("gac-r2",), False)
    assert (second.revises, second.revised_by, second.in_force) == (("gac-r1",), (), True)
    assert (first.periods, second.periods) == ("2025-01/2025-12", "2025-06")
    assert (first.rows_loaded, first.figures, second.figures) == (138, 120, 10)
    assert release(two_vintages, "gac-r2").published == dt.date(2026, 2, 20)
    with pytest.raises(UnknownRelease, match="releases in the ledger: gac-r1, gac-r2"):
        release(two_vintages, "gac-r3")


def test_diff_shows_what_the_revision_changed(two_vintages):
    d = diff_releases(two_vintages, "gac-r1", "gac-r2")
    changed = d.changes[["status", "partner", "kg_a", "kg_b", "kg_change"]]
    assert changed.values.tolist() == [
        ["changed", "KOR", 280200.0, 281950.0, 1750.0],
        ["changed", "USA", 352880.0, 354120.0, 1240.0],
    ]
    assert (d.changed, d.added, d.removed, d.unchanged) == (2, 0, 0, 8)
    assert d.not_compared == 110  # the other eleven months, which the revision does not state


def test_cli_releases_and_diff_releases(tmp_path, run_cli):
    db = tmp_path / "cli.duckdb"
    with Ledger.open(db) as ledger:
        ingest(ledger, [GAC_2025], published="2026-01-20")
        ingest(ledger, [GAC_REVISED], published="2026-02-20")
    code, out, err = run_cli("releases", "--db", str(db))
    assert code == 0
    assert "gac-r1" in out
    assert "gac-r2" in out
    assert "2025-06" in out
    assert "2 releases" in err
    code, out, err = run_cli("releases", "--format", "json", "--db", str(db))
    listed = json.loads(out)
    assert [(r["release_id"], r["revises"], r["revised_by"]) for r in listed] == [
        ("gac-r1", [], ["gac-r2"]),
        ("gac-r2", ["gac-r1"], []),
    ]
    code, out, err = run_cli("diff-releases", "gac-r1", "gac-r2", "--db", str(db))
    assert code == 0
    assert "CHN->USA 85051110 export" in out
    assert "+1,240" in out
    assert "+1,750" in out
    assert "2 changed, 0 added, 0 removed, 8 unchanged" in err
    code, out, err = run_cli(
        "diff-releases", "gac-r1", "gac-r2", "--format", "csv", "--db", str(db)
    )
    assert out.splitlines()[0].startswith("status,reporter,partner,classification")
    code, _, err = run_cli("diff-releases", "gac-r1", "nope", "--db", str(db))
    assert code == 2
    assert err.strip() == (
        "Error: unknown release 'nope'; releases in the ledger: gac-r1, gac-r2 "
        "(see `mineralflow releases`)"
    )


def test_cli_ingest_summary_and_duplicate(tmp_path, run_cli):
    db = tmp_path / "cli.duckdb"
    code, out, _ = run_cli("ingest", str(GAC_2025), "--published", "2026-01-20", "--db", str(db))
    assert code == 0
    assert out.strip() == (
        f"{GAC_2025}: release gac-r1, China customs query export: exports of 85051110 reported "
        "by China, 2025-01 to 2025-12, published 2026-01-20; 138 rows read, 138 flows loaded, "
        "120 figures"
    )
    code, out, _ = run_cli("ingest", str(GAC_2025), "--db", str(db))
    assert out.strip() == f"{GAC_2025}: already loaded as gac-r1 (same content); nothing changed"
    code, out, _ = run_cli("ingest", str(GAC_REVISED), "--db", str(db))
    assert "a new vintage of cells in gac-r1" in out


def test_cli_rejects_a_bad_published_date(tmp_path, run_cli):
    code, _, err = run_cli(
        "ingest", str(GAC_2025), "--published", "20.1.2026", "--db", str(tmp_path / "x.duckdb")
    )
    assert code == 2
    assert err.strip() == "Error: '20.1.2026' is not a date; write it YYYY-MM-DD"


def test_bad_as_of_is_a_usage_error(two_vintages):
    with pytest.raises(UsageError, match="not a date"):
        figures_in_force(two_vintages, as_of="June")
