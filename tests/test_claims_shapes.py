"""The seven shapes of real reporting that the claims reader once read wrong (issue 11).

Each class has sentences written for these tests (our own prose, in the style of trade news;
no article's text). A reading is ``(partner, product, period, measure, value)`` for a figure
the reader places, or ``None`` for one it must leave unresolved; a stated number missing from
the expected readings must not be read at all.
"""

from __future__ import annotations

import datetime as dt

import pytest

from mineralflow.claims import extract_claims

Reading = tuple[str, str, str, str, float] | None
MAGNETS, GROUP = "rare-earth-magnets", "rare-earths"


def readings(text: str, published: str | None) -> dict[str, Reading]:
    day = dt.date.fromisoformat(published) if published else None
    out: dict[str, Reading] = {}
    for c in extract_claims(text, source="t.txt", published=day):
        key = c.stated if c.stated not in out else f"{c.stated}#2"
        if c.resolved:
            assert c.period is not None
            assert c.measure is not None
            out[key] = (c.partner, c.product, c.period, c.measure, c.value)
        else:
            assert c.unresolved, c
            out[key] = None
    return out


def check(text: str, published: str | None, expected: dict[str, Reading]) -> None:
    got = readings(text, published)
    assert got == expected


# -- 1. cumulative spans are spans, never one month ----------------------------------------
@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (
            "China's rare earth magnet exports slipped in October. Year-to-date exports total "
            "45,290 tons, down 5.2%.",
            "2025-11-20",
            {
                "45,290 tons": ("WLD", MAGNETS, "2025-01/2025-10", "cumulative", 45290),
                "5.2%": ("WLD", MAGNETS, "2025-01/2025-10", "cumulative_change_yoy", -5.2),
            },
        ),
        (
            "China sent fewer rare earth magnets to America in December. For all of 2025, "
            "5,933 tons were shipped to the U.S.",
            "2026-01-20",
            {"5,933 tons": ("USA", MAGNETS, "2025-01/2025-12", "cumulative", 5933)},
        ),
        (
            "Rare earth magnet exports picked up in October, and so far this year shipments "
            "amount to 47,000 tons, 3% more than a year earlier.",
            "2025-11-20",
            {
                "47,000 tons": ("WLD", MAGNETS, "2025-01/2025-10", "cumulative", 47000),
                "3%": ("WLD", MAGNETS, "2025-01/2025-10", "cumulative_change_yoy", 3),
            },
        ),
        (
            "In the first ten months China exported 48,500 tons of rare earth magnets, 2.1% "
            "less than a year earlier.",
            "2025-11-20",
            {
                "48,500 tons": ("WLD", MAGNETS, "2025-01/2025-10", "cumulative", 48500),
                "2.1%": ("WLD", MAGNETS, "2025-01/2025-10", "cumulative_change_yoy", -2.1),
            },
        ),
        (
            "Over the whole of 2024 China's rare earth magnet exports came to 58,142 tons.",
            "2025-01-20",
            {"58,142 tons": ("WLD", MAGNETS, "2024-01/2024-12", "cumulative", 58142)},
        ),
    ],
)
def test_cumulative_spans(text: str, published: str, expected: dict[str, Reading]) -> None:
    check(text, published, expected)


# -- 2. a month named for context is not the figure's period -------------------------------
@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (
            "Magnet exports in August rose 10.2% from July and 15.4% year-on-year, a recovery "
            "after Beijing curbed rare earth shipments in April.",
            "2025-09-20",
            {
                "10.2%": ("WLD", MAGNETS, "2025-08", "change_mom", 10.2),
                "15.4%": ("WLD", MAGNETS, "2025-08", "change_yoy", 15.4),
            },
        ),
        (
            "China's rare earth magnet exports rose to 5,000 tons last month, the highest level "
            "since January.",
            "2025-11-20",
            {"5,000 tons": ("WLD", MAGNETS, "2025-10", "level", 5000)},
        ),
        (
            "Rare earth magnet exports reached 6,146 tons, the most since January, customs "
            "data for August showed.",
            "2025-09-20",
            {"6,146 tons": ("WLD", MAGNETS, "2025-08", "level", 6146)},
        ),
        (
            "China's rare earth magnet exports fell to 1,238 tons in May, the lowest since "
            "February 2020, down 74% on the year.",
            "2025-06-20",
            {
                "1,238 tons": ("WLD", MAGNETS, "2025-05", "level", 1238),
                "74%": ("WLD", MAGNETS, "2025-05", "change_yoy", -74),
            },
        ),
        (
            # No month of its own: the context month must not date it.
            "Rare earth magnet exports rose 8% to 5,000 tons, the highest since January.",
            "2025-11-20",
            {"8%": None, "5,000 tons": None},
        ),
    ],
)
def test_context_months(text: str, published: str, expected: dict[str, Reading]) -> None:
    check(text, published, expected)


# -- 3. product scope and year come from the sentence and its story ------------------------
def test_a_group_story_keeps_its_scope_after_a_magnet_aside() -> None:
    text = (
        "China's rare earth exports fall in December\n"
        "China's exports of rare earths, a group of 17 elements, fell in December. A fuller "
        "breakdown, including rare earth magnets, comes later this month. Rare earth exports "
        "dropped by 20% to 4,392 tons, 32% higher than the 3,326 tons in the same month of "
        "2024."
    )
    check(
        text,
        "2026-01-14",
        {
            "20%": None,  # down 20% from what? no base stated
            "4,392 tons": ("WLD", GROUP, "2025-12", "level", 4392),
            "32%": ("WLD", GROUP, "2025-12", "change_yoy", 32),
            "3,326 tons": ("WLD", GROUP, "2024-12", "level", 3326),
        },
    )


def test_a_magnet_figure_inside_a_group_story_stays_magnets() -> None:
    text = (
        "China's exports of the 17 rare earths rose 9% in October to 5,800 tons. Exports of "
        "rare earth magnets rose to 5,200 tons in October."
    )
    check(
        text,
        "2025-11-20",
        {
            "9%": None,
            "5,800 tons": ("WLD", GROUP, "2025-10", "level", 5800),
            "5,200 tons": ("WLD", MAGNETS, "2025-10", "level", 5200),
        },
    )


# -- 4. a country named indirectly is that country, or unresolved; never a region ----------
def test_an_indirect_partner_is_the_country_the_story_names() -> None:
    text = (
        "China's rare earth magnet shipments to Japan rose in October\n"
        "Rare earth magnet shipments to its Asian neighbour totalled 280 metric tons in "
        "October."
    )
    check(text, "2025-11-20", {"280 metric tons": ("JPN", MAGNETS, "2025-10", "level", 280)})


def test_an_indirect_partner_with_no_country_to_name_is_unresolved() -> None:
    text = (
        "China's rare earth magnet exports rose in October. Shipments to its Asian neighbour "
        "totalled 280 metric tons in October."
    )
    got = extract_claims(text, source="t.txt", published=dt.date(2025, 11, 20))
    (claim,) = got
    assert not claim.resolved
    assert claim.unresolved is not None
    assert "Asian neighbour" in claim.unresolved
    assert not claim.partner.startswith("REG_")


def test_two_countries_leave_an_indirect_partner_unresolved() -> None:
    text = (
        "Japan and South Korea bought more Chinese magnets\n"
        "Rare earth magnet shipments to its Asian neighbour totalled 280 tons in October."
    )
    assert readings(text, "2025-11-20") == {"280 tons": None}


def test_a_region_named_plainly_stays_a_region() -> None:
    text = "Rare earth magnet exports to Asia totalled 2,800 tons in October."
    check(text, "2025-11-20", {"2,800 tons": ("REG_ASIA", MAGNETS, "2025-10", "level", 2800)})


# -- 5. a top-N list: every member with its rank, or none -----------------------------------
def test_a_list_before_top_destinations_ranks_every_member() -> None:
    text = (
        "China's rare earth magnet exports rose in July. Germany, the U.S., South Korea, "
        "Vietnam and India were the top destinations."
    )
    got = readings(text, "2025-08-20")
    ranks = {k: v for k, v in got.items() if v is not None and v[3] == "rank"}
    assert sorted((v[0], v[4]) for v in ranks.values()) == [
        ("DEU", 1), ("IND", 5), ("KOR", 3), ("USA", 2), ("VNM", 4),
    ]  # fmt: skip
    assert all(v[2] == "2025-07" for v in ranks.values())


def test_a_list_that_does_not_match_its_stated_size_gives_no_rank() -> None:
    text = (
        "China's rare earth magnet exports rose in July. The top three destinations were "
        "Germany, the U.S., South Korea and Vietnam."
    )
    assert readings(text, "2025-08-20") == {}


def test_top_destinations_after_the_list_verb() -> None:
    text = (
        "China's rare earth magnet exports rose in July; the top three destinations were "
        "Germany, the United States and Vietnam."
    )
    got = readings(text, "2025-08-20")
    assert sorted((v[0], v[4]) for v in got.values() if v) == [
        ("DEU", 1), ("USA", 2), ("VNM", 3),
    ]  # fmt: skip


# -- 6. ordinal words that are not fractions ------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "China's rare earth magnet exports fell for a fifth consecutive month in October "
            "to 4,000 tons.",
            {"4,000 tons": ("WLD", MAGNETS, "2025-10", "level", 4000)},
        ),
        (
            "Rare earth magnet exports rose for a third straight month, up 12% from August to "
            "5,000 tons in September.",
            {
                "12%": ("WLD", MAGNETS, "2025-09", "change_mom", 12),
                "5,000 tons": ("WLD", MAGNETS, "2025-09", "level", 5000),
            },
        ),
        (
            "Magnet exports to the US, down a third from a year earlier, came to 400 tons in "
            "October, China's rare earth data showed.",
            {
                "a third": ("USA", MAGNETS, "2025-10", "change_yoy", -33.3),
                "400 tons": ("USA", MAGNETS, "2025-10", "level", 400),
            },
        ),
    ],
)
def test_ordinals_are_not_percentages(text: str, expected: dict[str, Reading]) -> None:
    check(text, "2025-11-20", expected)


# -- 7. the previous month's level in the same sentence -------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "China's rare earth magnet exports to the US were 280 tons last month, down from "
            "305 tons the month before.",
            {
                "280 tons": ("USA", MAGNETS, "2025-10", "level", 280),
                "305 tons": ("USA", MAGNETS, "2025-09", "level", 305),
            },
        ),
        (
            "Rare earth magnet exports reached 5,200 tons in October, against 4,900 tons a "
            "month earlier and 4,700 tons a year earlier.",
            {
                "5,200 tons": ("WLD", MAGNETS, "2025-10", "level", 5200),
                "4,900 tons": ("WLD", MAGNETS, "2025-09", "level", 4900),
                "4,700 tons": ("WLD", MAGNETS, "2024-10", "level", 4700),
            },
        ),
        (
            "Exports of rare earth magnets rose to 6,146 tons in August from 5,577 tons in July.",
            {
                "6,146 tons": ("WLD", MAGNETS, "2025-08", "level", 6146),
                "5,577 tons": ("WLD", MAGNETS, "2025-07", "level", 5577),
            },
        ),
    ],
)
def test_previous_levels(text: str, expected: dict[str, Reading]) -> None:
    check(text, "2025-11-20", expected)
