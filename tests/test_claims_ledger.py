"""Saving claims into the ledger, and the cross-outlet view against official figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from mineralflow.claims import (
    ClaimsReport,
    Stated,
    agree,
    extract_claims,
    outlet_view,
    read_claims,
    save_claims,
)
from mineralflow.ledger import Ledger


def article(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def report(tmp_path: Path) -> ClaimsReport:
    article(
        tmp_path,
        "a.txt",
        "Posted on 2025-07-20\nChina exported 3,188 tons of rare earth magnets in June, a "
        "157.5% rise from May. Shipments to the US surged 660%.",
    )
    article(
        tmp_path,
        "b.txt",
        "Posted on 2025-07-21\nChina's rare earth magnet exports rose around 160% in June from "
        "May to 3,188 tonnes, and exports to the EU were 8.36 million kg in the first half.",
    )
    return read_claims([tmp_path])


def test_resolved_claims_become_figures_with_their_locator(
    ledger: Ledger, report: ClaimsReport, tmp_path: Path
) -> None:
    saved = save_claims(ledger, report)
    resolved = [c for c in report.claims if c.resolved]
    assert len(resolved) < len(report.claims)  # "surged 660%" has no base: not saved
    assert (saved.sources_added, saved.figures_added) == (2, len(resolved))
    df = ledger.figures_df(product="rare-earth-magnets")
    eu = df[df.stated == "8.36 million kg"].iloc[0]
    assert (eu.partner, eu.value, eu.resolution, eu.unit) == ("EU27", 8360.0, 10.0, "t")
    assert eu.period == "2025-01/2025-06"
    assert (eu.source_kind, eu.authority, eu.outlet) == ("news_article", "trade_press", "b")
    level = df[df.stated == "3,188 tons"].iloc[0]
    text = (tmp_path / "a.txt").read_text(encoding="utf-8")
    at = text.index("3,188 tons")
    assert level.locator == f"a.txt chars {at}-{at + len('3,188 tons')}"


def test_saving_the_same_articles_again_is_a_no_op(ledger: Ledger, report: ClaimsReport) -> None:
    save_claims(ledger, report)
    again = save_claims(ledger, report)
    assert not again.changed


def test_a_failed_save_leaves_nothing_half_saved(
    ledger: Ledger, report: ClaimsReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Ledger._insert

    def fail_on_figures(self: Ledger, table: str, rows: Any, suffix: str = "") -> None:
        if table == "figures":
            raise RuntimeError("disk full")
        real(self, table, rows, suffix)

    monkeypatch.setattr(Ledger, "_insert", fail_on_figures)
    with pytest.raises(RuntimeError):
        save_claims(ledger, report)
    assert ledger.table("sources").count().execute() == 0


def test_agreement_uses_rounding_and_qualifiers() -> None:
    def s(value: float, resolution: float, qualifier: str = "exact") -> Stated:
        return Stated("x", "x", str(value), value, resolution, qualifier)

    assert agree(s(157.5, 0.1), s(160, 1, "around"))
    assert agree(s(157.5, 0.1), s(157, 1))
    assert agree(s(-38.1, 0.1), s(-38, 1))
    assert agree(s(660, 1), s(600, 100, "more_than"))
    assert agree(s(-52, 1), s(-50, 10, "about"))
    assert not agree(s(-38.1, 0.1), s(-50, 10, "about"))
    assert not agree(s(1341.08, 0.01), s(1346, 1))


def test_outlet_view_flags_a_conflict(report: ClaimsReport) -> None:
    cells = outlet_view(report)
    mom = next(c for c in cells if c.partner == "WLD" and c.measure == "change_mom")
    assert sorted(s.stated.stated for s in mom.statements) == ["157.5%", "160%"]
    assert all(s.agrees_with_others for s in mom.statements)
    conflicting = [
        *extract_claims(
            "China's rare earth magnet exports rose 157.5% in June from May.",
            source="c.txt",
            published=dt.date(2025, 7, 20),
        ),
        *extract_claims(
            "China's rare earth magnet exports rose 75% in June from May.",
            source="d.txt",
            published=dt.date(2025, 7, 20),
        ),
    ]
    (cell,) = outlet_view(conflicting)
    assert [s.conflicts_with for s in cell.statements] == [["d.txt"], ["c.txt"]]
    assert [s.agrees_with_others for s in cell.statements] == [False, False]


def test_outlet_view_compares_with_official_figures(ledger: Ledger, report: ClaimsReport) -> None:
    official = {
        "source_id": "gac-2025-06", "kind": "official_release", "authority": "official",
        "outlet": "China customs", "original_publisher": None, "title": "June 2025 release",
        "url": None, "published": dt.date(2025, 7, 20), "content_hash": "h", "note": None,
    }  # fmt: skip
    figure = {
        "figure_id": "f-official", "source_id": "gac-2025-06", "reporter": "CHN",
        "partner": "WLD", "product": "rare-earth-magnets", "flow": "export",
        "period_start": dt.date(2025, 6, 1), "period_end": dt.date(2025, 6, 1),
        "measure": "level", "value": 3188.2, "unit": "t", "stated": "3188190 kg",
        "resolution": 0.001, "qualifier": "exact", "locator": "line 1", "note": None,
    }  # fmt: skip
    ledger.add_documents("official", [official], [figure])
    cells = outlet_view(report, ledger=ledger)
    level = next(c for c in cells if c.partner == "WLD" and c.measure == "level")
    assert [o.value for o in level.official] == [3188.2]
    assert {s.official for s in level.statements} == {"agrees"}
    mom = next(c for c in cells if c.measure == "change_mom")
    assert {s.official for s in mom.statements} == {"no official figure"}


def test_outlet_view_brings_in_the_ledgers_other_sources(bundled: Ledger, tmp_path: Path) -> None:
    article(
        tmp_path,
        "us.txt",
        "Posted on 2025-07-21\nThe US imported about 353 tonnes of rare earth magnets in June, "
        "although exports were about half of what they were from June last year.",
    )
    report = read_claims([tmp_path])
    cells = {(c.partner, c.period, c.measure): c for c in outlet_view(report, ledger=bundled)}
    yoy = cells[("USA", "2025-06", "change_yoy")]
    by_source = {s.stated.source: s for s in yoy.statements}
    assert by_source["daily8-scmp-2025-06"].from_ledger
    assert by_source["daily8-scmp-2025-06"].stated.value == -52
    assert by_source["us.txt"].agrees_with_others is True  # about -50 and -52 can both be true
    alone = outlet_view(report, ledger=bundled, include_ledger=False)
    assert all(not s.from_ledger for c in alone for s in c.statements)
