"""What the charts and the report show, read from the ledger: cells, claims, series, events."""

from __future__ import annotations

import datetime as dt

import pytest

from mineralflow.periods import Month, Period
from mineralflow.render import (
    claim_view,
    cumulative_points,
    event_marks,
    failed_figures,
    find_conflicts,
    read_figures,
    series,
)

PRODUCT = "rare-earth-magnets"


@pytest.fixture(scope="module")
def june(bundled_db):
    from mineralflow.ledger import Ledger

    with Ledger.open(bundled_db, read_only=True) as led:
        yield read_figures(led, product=PRODUCT, ending_in=Month(2025, 6))


def test_read_figures_ending_in_a_month_keeps_spans_that_end_there(june):
    periods = {r.period for r in june}
    assert "2025-06" in periods
    assert "2025-01/2025-06" in periods
    assert all(r.end == Month(2025, 6) for r in june)


def test_claim_view_puts_every_outlet_of_a_cell_together_with_agreement(june):
    cells = {(c.partner, c.measure, c.period): c for c in claim_view(june)}
    usa = cells[("USA", "level", "2025-06")]
    assert len(usa.claims) == 2
    assert usa.agreement == "agree"
    assert [c.reference for c in usa.claims] == [True, False]
    assert {c.figure.value for c in usa.claims} == {353.0}
    assert cells[("WLD", "level", "2025-06")].agreement == "one source"
    # World first, then partners by name.
    assert claim_view(june)[0].partner == "WLD"


def test_claim_view_marks_the_outlet_that_disagrees(bundled):
    rows = read_figures(bundled, product=PRODUCT, ending_in=Month(2025, 8))
    deu = next(c for c in claim_view(rows) if (c.partner, c.measure) == ("DEU", "level"))
    assert deu.agreement == "disagree"
    assert sorted(c.agrees for c in deu.claims) == [False, True]
    assert {c.figure.value for c in deu.claims} == {1341.08, 1346.0}
    # The reference is the more precise statement (0.01 t beats 1 t at equal authority).
    assert deu.claims[0].figure.value == 1341.08


def test_series_keeps_gaps_and_never_fills_a_month(bundled):
    rows = read_figures(bundled, product=PRODUCT)
    window = Period.parse("2024-01/2025-06")
    points = series(rows, partner="WLD", measure="level", window=window)
    months = [str(p.month) for p in points]
    stated = sorted(
        {
            str(r.end)
            for r in rows
            if r.partner == "WLD"
            and r.measure == "level"
            and r.start == r.end
            and window.start <= r.end <= window.end
        }
    )
    assert months == stated
    assert "2024-12" not in months  # no source states December 2024
    assert points[-1].value == 3188


def test_series_marks_the_failed_figures_it_is_given(bundled):
    rows = read_figures(bundled, product=PRODUCT)
    window = Period.parse("2025-06/2025-06")
    june = series(rows, partner="WLD", measure="level", window=window)
    assert not june[0].conflict
    marked = series(rows, partner="WLD", measure="level", window=window, failed=june[0].figure_ids)
    assert marked[0].conflict


def test_cumulative_points_take_january_spans_of_one_year(bundled):
    rows = read_figures(bundled, product=PRODUCT)
    this = cumulative_points(rows, partner="WLD", year=2025, last=Month(2025, 6))
    last = cumulative_points(rows, partner="WLD", year=2024, last=Month(2025, 6))
    assert [str(p.end) for p in this] == ["2025-05", "2025-06"]
    assert all(p.start == Month(2024, 1) for p in last)
    assert [p.value for p in this][-1] == 22319


def test_event_marks_sit_at_the_effective_date_and_skip_measures_on_all_goods(bundled):
    marks = event_marks(bundled, product=PRODUCT, window=Period.parse("2025-01/2025-06"))
    april = next(m for m in marks if m.instrument == "MOFCOM/GAC Announcement No. 18 of 2025")
    assert april.date == dt.date(2025, 4, 4)
    assert april.label == "Apr 4 CN export control"
    assert all(m.link in ("code", "term", "group") for m in marks)
    undated = [m for m in marks if m.effective is None]
    assert undated
    assert all(m.date == m.announced for m in undated)


def test_conflicts_name_the_failing_figure_not_its_agreeing_rival(bundled):
    found = find_conflicts(bundled, product=PRODUCT, months=["2025-08"])
    subjects = {(c.kind, c.subject) for c in found}
    assert ("check", "United States m/m change, 2025-08") in subjects
    assert ("disagreement", "Germany level, 2025-08") in subjects
    check = next(c for c in found if c.subject == "United States m/m change, 2025-08")
    rows = {r.figure_id: r for r in read_figures(bundled, product=PRODUCT)}
    changes = {rows[f].stated for f in check.figure_ids if rows[f].measure == "change_mom"}
    assert changes == {"-1.6"}
    assert {rows[f].measure for f in check.figure_ids} == {"change_mom", "level"}
    assert failed_figures(found) >= set(check.figure_ids)


def test_no_conflicts_in_june_2025(bundled):
    assert find_conflicts(bundled, product=PRODUCT, months=["2025-06"]) == []
