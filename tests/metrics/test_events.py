"""Policy-event windows: before, between announcement and effect, after; diversion."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from mineralflow import metrics
from mineralflow.periods import Month

D = lambda text: Month.parse(text).first_day  # noqa: E731
EVENTS = pa.schema(
    [("event_id", pa.string()), ("date_announced", pa.date32()), ("date_effective", pa.date32())]
)
LINKS = pa.schema([("event_id", pa.string()), ("product", pa.string()), ("link", pa.string())])
PARTNERS = [{"code": c, "kind": "country"} for c in ("USA", "DEU", "VNM", "KOR")] + [
    {"code": "WLD", "kind": "world"}
]

# Twelve calm months (mean 100, median 100, MAD 1), buying ahead between the announcement
# (10 March 2025) and the effective date (1 May 2025), then a collapse.
BASELINE = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100]
WLD = {str(Month.parse("2024-03").shift(i)): float(v) for i, v in enumerate(BASELINE)}
WLD |= {"2024-01": 500.0, "2024-02": 500.0}  # outside the window: ignored
WLD |= {"2025-03": 130.0, "2025-04": 140.0, "2025-05": 40.0, "2025-06": 50.0}
OTHERS = {
    "USA": {"2024-12": 50.0, "2025-01": 50.0, "2025-02": 50.0, "2025-05": 10.0},
    "DEU": {"2025-02": 20.0, "2025-05": 40.0},
    "VNM": {"2025-01": 30.0, "2025-06": 35.0},
    "KOR": {"2025-06": 99.0},  # nothing before: no comparison
}


@pytest.fixture
def setup(engine):
    rows = [{"partner": "WLD", "period": D(p), "value": v} for p, v in WLD.items()]
    rows += [
        {"partner": c, "period": D(p), "value": v} for c, s in OTHERS.items() for p, v in s.items()
    ]
    events = engine.table(
        [
            {"event_id": "ctl", "date_announced": dt.date(2025, 3, 10),
             "date_effective": dt.date(2025, 5, 1)},
            {"event_id": "tariff", "date_announced": dt.date(2025, 3, 10),
             "date_effective": None},
            {"event_id": "retro", "date_announced": dt.date(2025, 3, 15),
             "date_effective": dt.date(2025, 1, 1)},
        ],
        EVENTS,
    )  # fmt: skip
    links = engine.table(
        [{"event_id": "ctl", "product": "p", "link": "code"},
         {"event_id": "tariff", "product": "p", "link": "all_goods"},
         {"event_id": "retro", "product": "p", "link": "term"},
         {"event_id": "ctl", "product": "other", "link": "code"}],
        LINKS,
    )  # fmt: skip
    return engine.levels(rows), events, links


def windows(engine, setup, **kw):
    levels, events, links = setup
    return metrics.event_windows(levels, events, links, **kw)


def test_phases_offsets_and_baseline(engine, setup):
    w = windows(engine, setup)
    rows = engine.rows(w.filter((w.event_id == "ctl") & (w.partner == "WLD")), ["period"])
    assert [(str(Month.of(r["period"])), r["phase"], r["offset"]) for r in rows[-4:]] == [
        ("2025-03", "between", -2), ("2025-04", "between", -1),
        ("2025-05", "after", 0), ("2025-06", "after", 1),
    ]  # fmt: skip
    assert [r["phase"] for r in rows[:-4]] == ["before"] * 12  # 2024-01/02 are too early
    may = rows[-2]
    assert (may["before_months"], may["before_mean"], may["before_median"]) == (12, 100.0, 100.0)
    assert may["before_scale"] == pytest.approx(1.4826)
    assert may["change_pct"] == pytest.approx(-60.0)
    assert may["z"] == pytest.approx(-60 / 1.4826)
    assert may["unusual"] is True


def test_measures_on_all_goods_are_left_out_unless_asked(engine, setup):
    ids = lambda w: {r["event_id"] for r in engine.rows(w, ["event_id"])}  # noqa: E731
    assert ids(windows(engine, setup)) == {"ctl", "retro"}
    assert "tariff" in ids(windows(engine, setup, links=("code", "term", "all_goods")))


def test_a_retroactive_effective_date_starts_at_the_announcement(engine, setup):
    w = windows(engine, setup)
    rows = engine.rows(w.filter((w.event_id == "retro") & (w.partner == "WLD")), ["period"])
    first_after = next(r for r in rows if r["phase"] == "after")
    assert (first_after["period"], first_after["offset"]) == (D("2025-03"), 0)
    assert "between" not in {r["phase"] for r in rows}


def test_too_little_history_is_not_judged(engine, setup):
    w = windows(engine, setup, min_before=4)
    rows = engine.rows(w.filter((w.event_id == "ctl") & (w.partner == "USA")), ["period"])
    after = [r for r in rows if r["phase"] == "after"]
    # Three months before, all equal: no spread, and fewer than min_before anyway.
    assert [(r["before_months"], r["unusual"]) for r in after] == [(3, None)]
    assert after[0]["change_pct"] == pytest.approx(-80.0)


def test_summary_flags_buying_ahead(engine, setup):
    s = metrics.event_summary(windows(engine, setup))
    rows = engine.rows(s.filter(s.event_id == "ctl"), ["partner"])
    wld = next(r for r in rows if r["partner"] == "WLD")
    assert (wld["after_months"], wld["after_mean"]) == (2, 45.0)
    assert wld["change_pct"] == pytest.approx(-55.0)
    assert wld["unusual"] is True
    assert wld["between_months"] == 2
    assert wld["between_max_z"] == pytest.approx(40 / 1.4826)
    assert wld["anticipatory_surge"] is True
    kor = next(r for r in rows if r["partner"] == "KOR")
    assert (kor["before_months"], kor["before_mean"], kor["unusual"]) == (0, None, None)


def test_diversion_to_third_countries(engine, setup):
    s = metrics.event_summary(windows(engine, setup))
    d = metrics.diversion(s.filter(s.event_id == "ctl"), engine.table(PARTNERS), target="USA")
    (row,) = engine.rows(d, ["event_id"])
    assert (row["target_before"], row["target_after"]) == (50.0, 10.0)
    assert row["third_partners"] == 2  # Germany and Vietnam; Korea has no level before
    assert (row["third_before"], row["third_after"]) == (50.0, 75.0)
    assert row["third_change_pct"] == pytest.approx(50.0)
    assert row["diverted"] is True


def test_window_months_must_be_positive():
    with pytest.raises(ValueError, match="months must be 1 or more"):
        metrics.event_windows(None, None, None, months=0)  # type: ignore[arg-type]
