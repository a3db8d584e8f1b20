"""Saving the shapes of real reporting that were once misread changes no brief figure wrongly
(issue 11): one article per class, written for this test (our own prose, figures made up for
the test), saved beside the bundled data. For each class, the months a wrong reading would
have hit show the same figures as before, and the right reading is in the ledger.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mineralflow import build_brief
from mineralflow.claims import read_claims, save_claims
from mineralflow.ledger import Ledger
from mineralflow.periods import Period

MAGNETS = "rare-earth-magnets"

ARTICLES = {
    "cumulative": (
        "2025-11-20",
        "China's rare earth magnet exports slipped in October. Year-to-date exports total "
        "45,290 tons, down 5.2%.",
    ),
    "context": (
        "2025-09-20",
        "China's rare earth magnet exports rose in August, up 10.2% from July and 15.4% "
        "year-on-year, after Beijing curbed shipments in April.",
    ),
    "scope": (
        "2025-07-14",
        "China's exports of rare earths, a group of 17 elements, rose in June. Rare earth "
        "exports climbed 60% from May to 7,742 tons.",
    ),
    "indirect": (
        "2025-11-20",
        "China's rare earth magnet shipments to Japan rose in October\n"
        "Rare earth magnet shipments to its Asian neighbour totalled 280 metric tons in October.",
    ),
    "topn": (
        "2025-10-20",
        "China's rare earth magnet exports fell in September. Germany, South Korea, Vietnam, "
        "the United States and Mexico were the top five destinations.",
    ),
    "ordinal": (
        "2025-08-20",
        "China's rare earth magnet exports fell for a third straight month in July, and "
        "shipments to Germany dropped for a fifth consecutive month.",
    ),
    "previous": (
        "2025-02-20",
        "China's rare earth magnet exports to the US were 280 tons last month, down from 305 "
        "tons the month before.",
    ),
}


@pytest.fixture(scope="module")
def saved(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    folder = tmp_path_factory.mktemp("shapes")
    path = folder / "ledger.duckdb"
    shutil.copy(bundled_db, path)
    files = []
    for name, (published, text) in ARTICLES.items():
        f = folder / f"{name}.txt"
        f.write_text(f"outlet: Test Wire\npublished: {published}\n\n{text}\n", encoding="utf-8")
        files.append(f)
    report = read_claims(files)  # every article, saved in one write
    assert not report.errors
    with Ledger.open(path) as led:
        save_claims(led, report)
    led = Ledger.open(path, read_only=True)
    yield led
    led.close()


def lines(ledger: Ledger, period: str) -> dict[str, tuple[Any, ...]]:
    """Each partner's figures in the month's brief, as values (and whether flagged)."""
    brief = build_brief(ledger, product=MAGNETS, period=period)
    out = {}
    for line in [brief.world, *brief.destinations, *brief.aggregates]:
        if line is not None:
            figures = (line.level, line.change_mom, line.change_yoy)
            out[line.partner] = (
                *((s.value, s.qualifier) if s else None for s in figures),
                line.rank,
            )
    return out


def stated(ledger: Ledger, name: str, **where: str) -> list[tuple[Any, ...]]:
    t = ledger.figures()
    t = t.filter(t.outlet == "Test Wire").filter(t.locator.startswith(f"{name}.txt"))
    rows = t.to_pyarrow().to_pylist()
    out = []
    for r in rows:
        period = str(Period.from_dates(r["period_start"], r["period_end"]))
        row = {"partner": r["partner"], "product": r["product"], "period": period,
               "measure": r["measure"], "value": r["value"]}  # fmt: skip
        if all(row[k] == v for k, v in where.items()):
            out.append((row["partner"], row["product"], period, row["measure"], row["value"]))
    return sorted(out)


def test_a_year_to_date_total_is_no_month(bundled: Ledger, saved: Ledger) -> None:
    for month in ("2025-10", "2025-01"):  # the world's month lines; other articles add partners
        assert lines(saved, month)["WLD"] == lines(bundled, month)["WLD"]
    assert stated(saved, "cumulative") == [
        ("WLD", MAGNETS, "2025-01/2025-10", "cumulative", 45290.0),
        ("WLD", MAGNETS, "2025-01/2025-10", "cumulative_change_yoy", -5.2),
    ]


def test_a_context_month_dates_nothing(bundled: Ledger, saved: Ledger) -> None:
    assert lines(saved, "2025-04") == lines(bundled, "2025-04")
    assert stated(saved, "context") == [
        ("WLD", MAGNETS, "2025-08", "change_mom", 10.2),
        ("WLD", MAGNETS, "2025-08", "change_yoy", 15.4),
    ]


def test_a_group_story_leaves_the_magnet_brief_alone(bundled: Ledger, saved: Ledger) -> None:
    assert lines(saved, "2025-06") == lines(bundled, "2025-06")
    assert stated(saved, "scope") == [
        ("WLD", "rare-earths", "2025-06", "change_mom", 60.0),
        ("WLD", "rare-earths", "2025-06", "level", 7742.0),
    ]


def test_an_indirect_partner_is_never_a_region(bundled: Ledger, saved: Ledger) -> None:
    before, after = lines(bundled, "2025-10"), lines(saved, "2025-10")
    assert not any(p.startswith("REG_") for p in after)
    assert {p: v for p, v in after.items() if p != "JPN"} == {
        p: v for p, v in before.items() if p != "JPN"
    }
    assert after["JPN"][0] is not None
    assert stated(saved, "indirect") == [("JPN", MAGNETS, "2025-10", "level", 280.0)]


def test_a_top_list_ranks_all_its_members(bundled: Ledger, saved: Ledger) -> None:
    ranks = stated(saved, "topn", measure="rank")
    assert [(r[0], r[4]) for r in sorted(ranks, key=lambda r: r[4])] == [
        ("DEU", 1.0), ("KOR", 2.0), ("VNM", 3.0), ("USA", 4.0), ("MEX", 5.0),
    ]  # fmt: skip
    after = lines(saved, "2025-09")
    assert {p: v[:3] for p, v in after.items()} == {
        p: v[:3] for p, v in lines(bundled, "2025-09").items()
    }  # the levels and changes of September do not move; ranks are all five or none


def test_ordinals_are_no_changes(bundled: Ledger, saved: Ledger) -> None:
    assert lines(saved, "2025-07") == lines(bundled, "2025-07")
    assert stated(saved, "ordinal") == []


def test_the_month_before_is_its_own_month(bundled: Ledger, saved: Ledger) -> None:
    assert stated(saved, "previous") == [
        ("USA", MAGNETS, "2024-12", "level", 305.0),
        ("USA", MAGNETS, "2025-01", "level", 280.0),
    ]
    after = lines(saved, "2025-01")
    assert after["USA"][0] == (280.0, "exact")
