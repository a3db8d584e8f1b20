"""Property tests: honest rounding is never flagged; a figure moved beyond it always is.

A true monthly series (two partners and the world, two years) is restated by simulated
outlets that round as outlets do: whole tonnes or two decimals, changes to one decimal or a
whole percent, some figures "about" (two significant digits). Outlet 0 states every figure;
the others a random part of them, so cells have several sources at different precisions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _figures import figure, load, source
from mineralflow import Ledger
from mineralflow.reconcile import Interval, change_between, reconcile

pytestmark = pytest.mark.slow

YEARS = (2024, 2025)
PARTNERS = ("DEU", "USA")


@dataclass
class World:
    """True levels by partner and month, and the figures outlets stated about them."""

    levels: dict[tuple[str, str], float]  # (partner, YYYY-MM) -> tonnes
    figures: list[dict[str, Any]]


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _round_level(x: float, style: int) -> tuple[float, float, str]:
    """(value, resolution, qualifier) as an outlet would state tonnes."""
    if style == 0:
        return round(x), 1.0, "exact"
    if style == 1:
        return round(x, 2), 0.01, "exact"
    digits = len(str(int(abs(x)))) if abs(x) >= 1 else 1
    resolution = 10.0 ** (digits - 2)
    return round(x / resolution) * resolution, resolution, "about"


def _round_change(x: float, style: int) -> tuple[float, float, str]:
    if style == 0:
        return round(x, 1), 0.1, "exact"
    if style == 1:
        return float(round(x)), 1.0, "exact"
    return float(round(x)), 1.0, "about"


@st.composite
def worlds(draw: st.DrawFn) -> World:
    base = {p: draw(st.lists(st.floats(1, 5000), min_size=12, max_size=12)) for p in PARTNERS}
    # The second year differs clearly from the first, so a year-to-date total fits only its
    # own year: equal totals a year apart cannot tell a mislabelled year (docs/reconcile.md).
    growth = draw(st.one_of(st.floats(1.25, 2.0), st.floats(0.3, 0.75)))
    noise = draw(st.lists(st.floats(0.9, 1.1), min_size=24, max_size=24))
    rest = draw(st.lists(st.floats(0, 1000), min_size=24, max_size=24))
    levels: dict[tuple[str, str], float] = {}
    for i, (year, month) in enumerate((y, m) for y in YEARS for m in range(1, 13)):
        for p in PARTNERS:
            factor = 1.0 if year == YEARS[0] else growth * noise[i]
            levels[(p, _month(year, month))] = base[p][month - 1] * factor
        levels[("WLD", _month(year, month))] = (
            sum(levels[(p, _month(year, month))] for p in PARTNERS) + rest[i]
        )
    rng = random.Random(draw(st.integers(0, 2**32)))
    figures: list[dict[str, Any]] = []

    def state(outlet: int, partner: str, period: str, measure: str, value: float) -> None:
        style = 0 if outlet == 0 else rng.randrange(3)
        v, res, q = (_round_change if "change" in measure else _round_level)(value, style)
        figures.append(
            figure(f"o{outlet}", partner, period, measure, v, resolution=res, qualifier=q)
        )

    for outlet in range(3):
        share = 1.0 if outlet == 0 else 0.5
        for partner in ("WLD", *PARTNERS):
            for (p, period), x in levels.items():
                if p != partner:
                    continue
                year, month = int(period[:4]), int(period[5:])
                if rng.random() < share:
                    state(outlet, partner, period, "level", x)
                if month > 1 and rng.random() < share:
                    prev = levels[(partner, _month(year, month - 1))]
                    state(outlet, partner, period, "change_mom", (x / prev - 1) * 100)
                if year == YEARS[1] and rng.random() < share:
                    old = levels[(partner, _month(YEARS[0], month))]
                    state(outlet, partner, period, "change_yoy", (x / old - 1) * 100)
                if partner == "WLD" and month > 1 and rng.random() < share:
                    ytd = sum(levels[("WLD", _month(year, m))] for m in range(1, month + 1))
                    state(outlet, "WLD", f"{_month(year, 1)}/{period}", "cumulative", ytd)
        if outlet == 1:  # one outlet ranks the two partners each month
            for year in YEARS:
                for month in range(1, 13):
                    period = _month(year, month)
                    order = sorted(PARTNERS, key=lambda p: -levels[(p, period)])
                    for rank, p in enumerate(order, start=1):
                        figures.append(figure("o1", p, period, "rank", rank))
    return World(levels, figures)


def _ledger(figures: list[dict[str, Any]]) -> Ledger:
    ledger = Ledger.memory()
    load(ledger, [source(f"o{i}") for i in range(3)], figures)
    return ledger


SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(world=worlds())
def test_honest_rounding_is_never_flagged(world: World) -> None:
    ledger = _ledger(world.figures)
    try:
        with reconcile(ledger) as rec:
            summary, conflicts = rec.summary(), rec.conflicts
    finally:
        ledger.close()
    assert summary["inconsistent"] == 0, conflicts[["kind", "cells", "why"]].to_string()
    assert summary["consistent"] > 100


def _interval(f: dict[str, Any]) -> Interval:
    return Interval.of(f["value"], resolution=f["resolution"], qualifier=f["qualifier"])


def _hull(intervals: list[Interval]) -> Interval:
    return Interval(min(i.lo for i in intervals), max(i.hi for i in intervals))


def _allowed(target: dict[str, Any], figures: list[dict[str, Any]]) -> Interval:
    """What the figures it relates to allow for ``target``: their hull for the same cell,
    the change between the two levels' hulls, the sum of the months' hulls."""

    def cell(partner: str, start: Any, end: Any, measure: str) -> Interval:
        return _hull(
            [
                _interval(f)
                for f in figures
                if f is not target
                and (f["partner"], f["period_start"], f["period_end"], f["measure"])
                == (partner, start, end, measure)
            ]
        )

    p, s, e, m = (target[k] for k in ("partner", "period_start", "period_end", "measure"))
    if m == "level":
        return cell(p, s, e, "level")
    if m in ("change_mom", "change_yoy"):
        # Changes m/m are stated from February on, y/y in the second year only.
        before = e.replace(month=e.month - 1) if m == "change_mom" else e.replace(year=e.year - 1)
        change = change_between(cell(p, e, e, "level"), cell(p, before, before, "level"))
        assert change is not None
        return change
    months = [s.replace(month=k) for k in range(s.month, e.month + 1)]
    parts = [cell(p, d, d, "level") for d in months]
    return Interval(sum(i.lo for i in parts), sum(i.hi for i in parts))


@SETTINGS
@given(world=worlds(), pick=st.integers(0, 10**6), up=st.booleans())
def test_a_figure_moved_beyond_its_rounding_is_flagged(world: World, pick: int, up: bool) -> None:
    figures = [dict(f) for f in world.figures]
    movable = [
        f
        for f in figures
        if f["source_id"] != "o0" and f["measure"] in ("level", "change_mom", "change_yoy")
    ] + [f for f in figures if f["measure"] == "cumulative"]
    target = movable[pick % len(movable)]
    allowed = _allowed(target, figures)
    step = (allowed.hi - allowed.lo) + (_interval(target).hi - _interval(target).lo) + 1
    sign = 1 if up or target["measure"] != "level" else -1
    value = target["value"]
    while True:
        value += sign * step
        if target["measure"] == "level" and value <= 0:
            sign, value = 1, target["value"]
            continue
        moved = Interval.of(value, resolution=target["resolution"], qualifier=target["qualifier"])
        if not moved.meets(allowed):
            break
        step *= 2
    target["value"] = value
    target["stated"] = f"{value:g}"
    target["figure_id"] += "|moved"
    ledger = _ledger(figures)
    try:
        with reconcile(ledger) as rec:
            conflicts = rec.conflicts
    finally:
        ledger.close()
    flagged = conflicts.figure_ids.map(lambda ids: target["figure_id"] in list(ids))
    assert flagged.any(), (target["figure_id"], allowed)
