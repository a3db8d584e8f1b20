"""Citations true to their sources (issue 11): a number stands after a figure only if that
source states the figure within its own precision; the others are shown in their own words.

Every brief of the bundled data, with the five seed articles saved beside it, is read figure by
figure: for each cited source, its own figure for the same cell must round (half up, to its
last stated digit) to the printed value, with the same qualifier. Each worded figure must be a
different wording of the same cell.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from _figures import figure, load, source
from mineralflow import build_brief
from mineralflow.brief import Brief, Stated
from mineralflow.claims import read_claims, save_claims
from mineralflow.ledger import Ledger
from mineralflow.periods import Month
from support import copy_ledger

PRODUCT = "rare-earth-magnets"


@pytest.fixture(scope="module")
def with_seeds(
    shared: Path, bundled_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    path = copy_ledger(bundled_db, tmp_path_factory.mktemp("cite") / "ledger.duckdb")
    with Ledger.open(path) as led:
        save_claims(led, read_claims([shared / "seeds"], published="2025-07-20"))
    led = Ledger.open(path, read_only=True)
    yield led
    led.close()


def cells(brief: Brief) -> Iterator[tuple[str, str, str, Stated]]:
    """(partner, measure, period, figure) for every figure the brief prints with citations."""
    month = brief.period
    for line in [brief.world, *brief.destinations, *brief.aggregates]:
        if line is None:
            continue
        for s in (line.level, line.change_mom, line.change_yoy):
            if s is not None:
                yield line.partner, s.measure, month, s
    for c in brief.cumulative:
        for s in (c.total, c.change_yoy):
            if s is not None:
                yield c.partner, s.measure, c.period, s


def rounds_to(value: float, figure: dict[str, Any]) -> bool:
    step = Decimal(repr(figure["resolution"]))
    rounded = (Decimal(repr(value)) / step).to_integral_value(ROUND_HALF_UP) * step
    return rounded == Decimal(repr(figure["value"]))


def own_figures(ledger: Ledger, source_id: str, partner: str, measure: str, period: str) -> list:
    """The figures ``source_id`` itself states for one cell (read from the ledger once)."""
    first, _, last = period.partition("/")
    start, end = Month.parse(first), Month.parse(last or first)
    return _by_cell(ledger).get((source_id, partner, measure, start.first_day, end.first_day), [])


@functools.cache
def _by_cell(ledger: Ledger) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    cells: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for f in ledger.figures(product=PRODUCT).to_pyarrow().to_pylist():
        key = (f["source_id"], f["partner"], f["measure"], f["period_start"], f["period_end"])
        cells.setdefault(key, []).append(f)
    return cells


@pytest.mark.shared
@pytest.mark.slow
def test_every_cited_source_states_the_printed_figure(with_seeds: Ledger) -> None:
    checked = worded = 0
    for period in with_seeds.periods(PRODUCT):
        brief = build_brief(with_seeds, product=PRODUCT, period=period)
        ids = {ref.number: ref.source_id for ref in brief.sources}
        for partner, measure, cell_period, s in cells(brief):
            for number in s.sources:
                mine = own_figures(with_seeds, ids[number], partner, measure, cell_period)
                assert mine, (period, partner, measure, number)
                assert any(f["qualifier"] == s.qualifier and rounds_to(s.value, f) for f in mine), (
                    period,
                    partner,
                    measure,
                    s.text(),
                    number,
                    mine,
                )
                checked += 1
            for w in s.worded:
                for number in w.sources:
                    mine = own_figures(with_seeds, ids[number], partner, measure, cell_period)
                    assert any(f["stated"] == w.stated for f in mine), (period, partner, w)
                    worded += 1
    assert checked > 100
    assert worded > 0  # the seeds word the June change three ways


@pytest.mark.shared
def test_the_june_change_cites_only_the_sources_that_state_157_5(with_seeds: Ledger) -> None:
    brief = build_brief(with_seeds, product=PRODUCT, period="2025-06")
    assert brief.world is not None
    assert brief.world.change_mom is not None
    mom = brief.world.change_mom
    assert mom.value == pytest.approx(157.5)
    words = {w.text() for w in mom.worded}
    assert "+157%" in words
    assert any(w.startswith(("around", "nearly")) and "+160%" in w for w in words), words
    line = brief.to_markdown()
    assert "(also stated as " in line
    cited = {ref.number: ref for ref in brief.sources}
    for number in mom.sources:  # each cited page says 157.5%
        f = own_figures(with_seeds, cited[number].source_id, "WLD", "change_mom", "2025-06")
        assert any(x["stated"].startswith("157.5") for x in f), f


def test_a_source_rounding_differently_is_shown_in_its_own_words(ledger: Ledger) -> None:
    """Written for the test: an official 1,238.47 t, a news 1,238 t (which states it, to its
    last digit) and a news "about 1,240 t" (which agrees, in other words)."""
    sources = [
        source("s-official", authority="official", kind="official_release"),
        source("s-a"),
        source("s-b"),
    ]
    load(
        ledger,
        sources,
        [
            figure("s-official", "WLD", "2025-05", "level", 1238.47, resolution=0.01),
            figure("s-a", "WLD", "2025-05", "level", 1238, stated="1,238"),
            figure("s-b", "WLD", "2025-05", "level", 1240, qualifier="about", stated="1,240"),
        ],
    )
    brief = build_brief(ledger, product=PRODUCT, period="2025-05")
    assert brief.world is not None
    assert brief.world.level is not None
    level = brief.world.level
    assert level.value == pytest.approx(1238.47)
    numbers = {ref.source_id: ref.number for ref in brief.sources}
    assert set(level.sources) == {numbers["s-official"], numbers["s-a"]}
    assert [(w.stated, w.sources) for w in level.worded] == [("1,240", (numbers["s-b"],))]
    assert f"(also stated as about 1,240 t [{numbers['s-b']}])" in brief.to_markdown()
