"""The monthly brief: acceptance figures, golden files, and the no-data path."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from mineralflow import NoData, UsageError, build_brief

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MINERALFLOW_UPDATE_GOLDEN") == "1"


def golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; MINERALFLOW_UPDATE_GOLDEN=1 rewrites it (review the diff)."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with MINERALFLOW_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def june(bundled):
    return build_brief(bundled, product="rare-earth-magnets", period="2025-06")


def citations(text: str, figure: str) -> list[int]:
    """The source numbers cited right after a figure in the Markdown."""
    m = re.search(re.escape(figure) + r"(?:\*\*)? ?(?:m/m |y/y )?((?:\[\d+\])+)", text)
    assert m, f"{figure} is not cited"
    return [int(n) for n in re.findall(r"\d+", m.group(1))]


def test_june_2025_has_the_acceptance_figures_each_cited(june):
    md = june.to_markdown()
    sources = {s.number: s for s in june.sources}
    for figure in (
        "3,188 t",
        "+157.5% m/m",
        "-38.1% y/y",
        "353 t",
        "+660% m/m",
        "22,319 t",
        "-18.9% y/y",
    ):
        numbers = citations(md, figure)
        for n in numbers:
            assert (sources[n].url or "").startswith("https://"), (figure, n)
            assert f"[{n}] " in md.split("## Sources", 1)[1]
    assert june.destinations[0].name == "Germany"
    assert june.ranking[0] == "DEU"
    assert "Germany was the largest destination" in md


def test_june_2025_world_line_comes_from_the_reuters_story(june):
    w = june.world
    assert w is not None
    assert (w.level.value, w.change_mom.value, w.change_yoy.value) == (3188, 157.5, -38.1)
    first = june.sources[w.level.sources[0] - 1]
    assert first.original_publisher == "Reuters"
    assert first.published == "2025-07-20"


def test_every_cited_number_resolves_and_every_source_is_cited(june):
    md = june.to_markdown()
    body, listing = md.split("## Sources", 1)
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    listed = {int(n) for n in re.findall(r"^\[(\d+)\]", listing, re.M)}
    assert cited == listed == set(range(1, len(june.sources) + 1))


def test_stated_change_checked_against_levels(june):
    world = [c for c in june.checks if c.subject.startswith("World m/m")]
    assert len(world) == 1
    assert world[0].verdict == "consistent"
    assert "+157.4% to +157.7%" in world[0].computed


def test_a_change_that_disagrees_with_the_levels_is_said(bundled):
    august = build_brief(bundled, product="rare-earth-magnets", period="2025-08")
    bad = [c for c in august.checks if c.verdict == "inconsistent"]
    us = [c for c in bad if c.subject == "United States m/m change, 2025-08"]
    # Against the levels, and against the other outlet's -4.7%: both blame the -1.6%.
    assert sorted(c.stated for c in us) == ["stated -1.6%", "stated -4.7%"]
    assert {c.suspect.split(" (")[0] for c in us if c.suspect} == {"-1.6%"}
    md = august.to_markdown()
    assert "**Disagreement**, United States m/m change, 2025-08" in md
    germany = next(d for d in august.destinations if d.partner == "DEU")
    assert germany.level.value == 1341.08
    assert [d.value for d in germany.level.disagreeing] == [1346]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2025-07", ["5,577 t", "+75% m/m", "+5.7% y/y", "619 t", "27,897 t"]),
        ("2025-09", ["5,774 t", "-6.1% m/m", "+17.5% y/y", "420.5 t", "39,817 t"]),
        ("2025-10", ["5,473 t", "-5.2% m/m", "+15.8% y/y", "656 t", "45,290 t"]),
        ("2025-11", ["6,150 t", "+12% m/m", "582 t", "-11% m/m", "51,440 t", "-2% y/y"]),
    ],
)
def test_other_months_show_their_bundled_figures(bundled, period, expected):
    md = build_brief(bundled, product="rare-earth-magnets", period=period).to_markdown()
    for text in expected:
        assert text in md, (period, text)


def test_a_month_without_data_lists_the_months_that_have_some(bundled):
    with pytest.raises(NoData) as caught:
        build_brief(bundled, product="rare-earth-magnets", period="2023-03")
    assert "2025-06" in caught.value.available
    assert "2023-03" not in caught.value.available
    assert "periods with data: 2024-02, 2024-05" in str(caught.value)


def test_a_brief_is_one_month(bundled):
    with pytest.raises(UsageError, match="one month"):
        build_brief(bundled, product="rare-earth-magnets", period="2025-01/2025-06")


def test_policy_events_of_the_last_six_months(june):
    instruments = [e.instrument for e in june.events]
    assert "MOFCOM/GAC Announcement No. 18 of 2025" in instruments
    assert all("2025-01-01" <= e.date_announced <= "2025-06-30" for e in june.events)
    assert june.broad_events > 0


def test_golden_markdown(june):
    golden("brief-2025-06.md", june.to_markdown())


def test_golden_json(june):
    golden("brief-2025-06.json", json.dumps(june.to_dict(), indent=2, ensure_ascii=False) + "\n")


def test_golden_markdown_august(bundled):
    brief = build_brief(bundled, product="rare-earth-magnets", period="2025-08")
    golden("brief-2025-08.md", brief.to_markdown())
