"""Surges and collapses against the series' own changes; gaps as runs of months."""

from __future__ import annotations

import itertools
import math

import pytest

from mineralflow import metrics
from mineralflow.periods import Month

D = lambda text: Month.parse(text).first_day  # noqa: E731


def series(values, start="2024-01", partner="WLD"):
    m = Month.parse(start)
    return [
        {"partner": partner, "period": m.shift(i).first_day, "value": v}
        for i, v in enumerate(values)
        if v is not None
    ]


def test_a_tenfold_jump_in_a_calm_series_is_a_surge(engine):
    # Changes of +-10% and one x10 and one /10: robust scale from the calm ones.
    values = [100, 110, 100, 110, 100, 110, 1100, 110, 100, 110, 100]
    rows = engine.rows(metrics.surges(engine.levels(series(values))), ["period"])
    verdicts = {str(Month.of(r["period"])): r["verdict"] for r in rows}
    assert verdicts["2024-07"] == "surge"
    assert verdicts["2024-08"] == "collapse"
    assert {v for k, v in verdicts.items() if k not in ("2024-07", "2024-08")} == {"normal"}
    logs = sorted(math.log(b / a) for a, b in itertools.pairwise(values))
    median = (logs[4] + logs[5]) / 2
    assert rows[0]["median"] == pytest.approx(median)
    assert rows[0]["changes"] == 10


def test_a_short_series_gets_no_verdict(engine):
    rows = engine.rows(metrics.surges(engine.levels(series([1, 10, 1, 10]))), ["period"])
    assert [(r["changes"], r["verdict"]) for r in rows] == [(3, None)] * 3


def test_mad_of_zero_falls_back_to_the_mean_deviation(engine):
    # Most months double exactly: MAD is 0, so the mean absolute deviation scales.
    values = [2.0**i for i in range(8)] + [2.0**7 * 10]
    rows = engine.rows(metrics.surges(engine.levels(series(values)), k=3.5), ["period"])
    last = rows[-1]
    d = math.log(10) - math.log(2)
    assert last["scale"] == pytest.approx(1.2533 * d / 8)
    assert last["verdict"] == "surge"


def test_a_gap_breaks_the_change(engine):
    rows = engine.rows(
        metrics.surges(engine.levels(series([100, 100, None, 100, 100, 100, 100, 100]))),
        ["period"],
    )
    assert D("2024-04") not in {r["period"] for r in rows}  # March is missing


def test_gaps_inside_and_at_the_ends_of_a_span(engine):
    t = engine.levels(
        series([1, None, None, 4, 5, None, 7], start="2025-01")
        + series([1, 2], start="2025-03", partner="USA")
    )
    inside = engine.rows(metrics.gaps(t), ["partner", "gap_start"])
    assert [(r["partner"], r["gap_start"], r["gap_end"], r["months"]) for r in inside] == [
        ("WLD", D("2025-02"), D("2025-03"), 2),
        ("WLD", D("2025-06"), D("2025-06"), 1),
    ]
    span = metrics.gaps(t, start=D("2024-12"), end=D("2025-08"))
    got = engine.rows(span, ["partner", "gap_start"])
    assert [(r["partner"], str(Month.of(r["gap_start"])), r["months"]) for r in got] == [
        ("USA", "2024-12", 3), ("USA", "2025-05", 4),
        ("WLD", "2024-12", 1), ("WLD", "2025-02", 2), ("WLD", "2025-06", 1),
        ("WLD", "2025-08", 1),
    ]  # fmt: skip
