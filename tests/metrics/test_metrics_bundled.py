"""The issue's acceptance checks on the bundled data, on every engine."""

from __future__ import annotations

import statistics

import pytest

from mineralflow import metrics
from mineralflow.analysis import levels_for
from mineralflow.periods import Month

D = lambda text: Month.parse(text).first_day  # noqa: E731
MAGNETS = "rare-earth-magnets"
NO_18 = "ev-2025-04-04-cn-6122cf"  # MOFCOM/GAC Announcement No. 18 of 2025, 4 April 2025


@pytest.fixture
def tables(engine, bundled):
    return engine.tables(bundled)


@pytest.fixture
def levels(bundled, tables):
    return levels_for(bundled, tables, product=MAGNETS, reporter="CHN", flow="export")


def test_germany_share_of_world_exports_june_2025(engine, levels):
    rows = engine.rows(metrics.shares(levels.filter(levels.period == D("2025-06"))), ["partner"])
    deu = next(r for r in rows if r["partner"] == "DEU")
    assert (deu["value"], deu["total_value"]) == (764.0, 3188.0)
    assert deu["share_pct"] == pytest.approx(100 * 764 / 3188)
    assert f"{deu['share_pct']:.1f}" == "24.0"


def test_germany_is_the_top_destination_by_level_june_2025(engine, tables, levels):
    ranked = metrics.ranks(levels.filter(levels.period == D("2025-06")), tables["catalog_partners"])
    rows = engine.rows(ranked, ["rank"])
    assert [(r["partner"], r["rank"]) for r in rows] == [("DEU", 1), ("USA", 2), ("IND", 3)]


def test_window_around_4_april_2025_shows_april_and_may_unusually_low(engine, tables, levels):
    w = metrics.event_windows(levels, tables["events"], tables["event_products"], months=12)
    rows = engine.rows(w.filter((w.event_id == NO_18) & (w.partner == "WLD")), ["period"])
    before = [r["value"] for r in rows if r["phase"] == "before"]
    # The world levels stated for April 2024 - March 2025: five months, the rest are gaps.
    assert before == [5278.0, 5325.0, 4915.0, 4725.0, 6357.0]
    mean = statistics.mean(before)
    after = {str(Month.of(r["period"])): r for r in rows if r["phase"] == "after"}
    for m in ("2025-04", "2025-05"):
        r = after[m]
        assert r["before_mean"] == pytest.approx(mean)
        assert r["value"] < mean
        assert r["z"] <= -3.5
        assert r["unusual"] is True
    assert after["2025-07"]["unusual"] is False  # July is back to normal


def test_june_2025_us_change_is_a_surge(engine, levels):
    s = metrics.surges(levels)
    rows = engine.rows(s.filter(s.partner == "USA"), ["period"])
    june = next(r for r in rows if r["period"] == D("2025-06"))
    # May's base is the reconciler's best estimate: 46.4 t (SCMP via Ground News), the more
    # precise of the two consistent statements (46 t and 46.4 t).
    assert (june["base_value"], june["value"]) == (46.4, 353.0)
    assert june["change_pct"] == pytest.approx((353 / 46.4 - 1) * 100)
    assert june["verdict"] == "surge"
    assert [r["verdict"] for r in rows if r["period"] != D("2025-06")] == ["normal"] * 6


def test_world_gaps_are_reported_not_filled(engine, levels):
    g = metrics.gaps(levels.filter(levels.partner == "WLD"))
    rows = engine.rows(g, ["gap_start"])
    spans = [(str(Month.of(r["gap_start"])), str(Month.of(r["gap_end"]))) for r in rows]
    assert ("2025-02", "2025-03") in spans
    levels_months = {str(Month.of(r["period"])) for r in engine.rows(levels, ["period"])}
    assert not levels_months & {"2025-02", "2025-03"}
