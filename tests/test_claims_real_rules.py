"""Rules added after the first run on the real stored pages (issue 11), each on sentences
written for this test (our own prose in the style of trade news; no article's text).

A reading is ``(partner, product, period, measure, value)``, or None for a figure the reader
must leave unresolved; a number missing from the expected readings must not be read at all.
The scores on the real pages themselves are in tests/test_claims_real.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from mineralflow.claims import extract_claims

Reading = tuple[str, str, str, str, float] | None
MAGNETS, GROUP, GA, GE, SB = "rare-earth-magnets", "rare-earths", "gallium", "germanium", "antimony"


def readings(text: str, published: str | None = "2025-08-20") -> dict[str, Reading]:
    day = dt.date.fromisoformat(published) if published else None
    out: dict[str, Reading] = {}
    for c in extract_claims(text, source="t.txt", published=day):
        key = c.stated if c.stated not in out else f"{c.stated}#2"
        if c.resolved:
            assert c.period is not None
            assert c.measure is not None
            out[key] = (c.partner, c.product, c.period, c.measure, round(c.value, 6))
        else:
            assert c.unresolved, c
            out[key] = None
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # trade said as "left the country", "cleared customs", "received"
        (
            "China's gallium exports rose. In all, 7,100 kilograms of the metal left the "
            "country last month; Japan received 3,100 kilograms.",
            {
                "7,100 kilograms": ("WLD", GA, "2025-07", "level", 7.1),
                "3,100 kilograms": ("JPN", GA, "2025-07", "level", 3.1),
            },
        ),
        (
            "Antimony shipments stayed low: 210 tons cleared customs in July.",
            {"210 tons": ("WLD", SB, "2025-07", "level", 210)},
        ),
        # a percentage in words; "the decline ... at N%"
        (
            "Germanium exports fell by eleven percent from June to 300 kilograms in July.",
            {
                "eleven percent": ("WLD", GE, "2025-07", "change_mom", -11),
                "300 kilograms": ("WLD", GE, "2025-07", "level", 0.3),
            },
        ),
        (
            "China's rare earth magnet exports fell in July. Compared with a year earlier, the "
            "decline was sharper, at 41%.",
            {"41%": ("WLD", MAGNETS, "2025-07", "change_yoy", -41)},
        ),
        # "first half" is a period, never a halving
        (
            "Antimony exports shrank in the first half of the year: 9,800 tons in the first "
            "six months, 61% less than in the first half of 2024.",
            {
                "9,800 tons": ("WLD", SB, "2025-01/2025-06", "cumulative", 9800),
                "61%": ("WLD", SB, "2025-01/2025-06", "cumulative_change_yoy", -61),
            },
        ),
        # a purity is no change; "by N%" takes the verb of its clause
        (
            "Only antimony oxide above 99.8% purity needs a licence, and gallium exports "
            "increased last month from June to all buyers combined by 14%.",
            {"14%": ("WLD", GA, "2025-07", "change_mom", 14)},
        ),
        # "more than double the June level of X"
        (
            "Gallium exports reached 6,000 kilograms in July, more than double the June level "
            "of 2,900 kilograms.",
            {
                "6,000 kilograms": ("WLD", GA, "2025-07", "level", 6),
                "double": ("WLD", GA, "2025-07", "change_mom", 100),
                "2,900 kilograms": ("WLD", GA, "2025-06", "level", 2.9),
            },
        ),
        # a monthly average is no flow the ledger holds; "far below X" is a comparison
        (
            "Antimony exports were 900 tons in July, far below the monthly average of 2,100 "
            "tons in 2024.",
            {"900 tons": ("WLD", SB, "2025-07", "level", 900)},
        ),
    ],
)
def test_rules_from_the_real_pages(text: str, expected: dict[str, Reading]) -> None:
    assert readings(text) == expected


def test_a_product_made_the_subject_of_the_trade_turns_the_story() -> None:
    text = (
        "Gallium exports climbed to 5,100 kilograms in July.\n"
        "Germanium shipments, by contrast, stayed weak.\n"
        "They totalled 640 kilograms in July, and Germany received 300 kilograms."
    )
    assert readings(text) == {
        "5,100 kilograms": ("WLD", GA, "2025-07", "level", 5.1),
        "640 kilograms": ("WLD", GE, "2025-07", "level", 0.64),
        "300 kilograms": ("DEU", GE, "2025-07", "level", 0.3),
    }


def test_a_product_named_in_passing_does_not() -> None:
    text = (
        "Gallium exports climbed to 5,100 kilograms in July. Figures for other metals, "
        "germanium included, come later. Exports to Japan were 2,000 kilograms in July."
    )
    assert readings(text)["2,000 kilograms"] == ("JPN", GA, "2025-07", "level", 2.0)


def test_the_story_goes_on_about_its_latest_month_not_a_base_level() -> None:
    text = (
        "Germanium exports reached 760 kilograms in July, up from 100 kilograms in June. "
        "Germany received 390 kilograms and Japan 350 kilograms."
    )
    got = readings(text)
    assert got["390 kilograms"] == ("DEU", GE, "2025-07", "level", 0.39)
    assert got["350 kilograms"] == ("JPN", GE, "2025-07", "level", 0.35)


def test_a_base_in_a_sentence_without_figures_is_the_next_ones() -> None:
    text = (
        "Gallium exports were 1,200 kilograms in March. Compared to February, exports edged "
        "up. Gallium exports rose by 4 percent, and germanium exports by 9 percent."
    )
    got = readings(text, "2024-04-20")
    assert got["4 percent"] == ("WLD", GA, "2024-03", "change_mom", 4)
    assert got["9 percent"] == ("WLD", GE, "2024-03", "change_mom", 9)


def test_a_change_against_a_level_of_another_month_in_its_sentence() -> None:
    text = (
        "In March China exported 1,200 kilograms of gallium. Whereas it stood at 6,000 "
        "kilograms in March 2023, gallium exports have now fallen by more than 75%."
    )
    got = readings(text, "2024-04-20")
    assert got["6,000 kilograms"] == ("WLD", GA, "2023-03", "level", 6)
    assert got["75%"] == ("WLD", GA, "2024-03", "change_yoy", -75)


def test_a_scope_the_catalog_lacks_stays_unresolved_with_its_reason() -> None:
    text = (
        "China exported 9,000 tonnes of natural graphite in August. Year-to-date shipments of "
        "artificial graphite came to 20,000 tonnes."
    )
    claims = extract_claims(text, source="t.txt", published=dt.date(2024, 9, 20))
    assert [c.stated for c in claims] == ["9,000 tonnes", "20,000 tonnes"]
    assert all(not c.resolved for c in claims)
    assert "Natural graphite alone" in str(claims[0].unresolved)
    assert "Artificial graphite alone" in str(claims[1].unresolved)


def test_antimony_metal_and_oxides_are_their_own_products() -> None:
    text = (
        "China exported 400 tonnes of antimony metal in August, and antimony oxide exports "
        "reached 3,000 tonnes."
    )
    assert readings(text, "2024-09-20") == {
        "400 tonnes": ("WLD", "antimony-metal", "2024-08", "level", 400),
        "3,000 tonnes": ("WLD", "antimony-oxides", "2024-08", "level", 3000),
    }


def test_spun_synonyms_of_tons_are_tons_only_where_the_article_writes_tons() -> None:
    spun = "Antimony exports were 1,700 metric tons in December, versus 800 heaps in November."
    assert readings(spun, "2025-01-20")["800 heaps"] == ("WLD", SB, "2024-11", "level", 800)
    plain = "Antimony exports rose in December; 800 heaps were left at the port in November."
    assert "800 heaps" not in readings(plain, "2025-01-20")


def test_a_stray_stop_between_month_and_year() -> None:
    text = (
        "Antimony exports were 1,700 tons in December, far below 4,000 tons shipped in "
        "December. 2023."
    )
    got = readings(text, "2025-01-20")
    assert got["4,000 tons"] == ("WLD", SB, "2023-12", "level", 4000)
    assert got["1,700 tons"] == ("WLD", SB, "2024-12", "level", 1700)


# -- rules from the second real set (15 stored pages, scored before these rules) -----------
@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # "US-bound" and "the following month"
        (
            "Rare earth magnet controls came in April, and US-bound shipments dropped to less "
            "than 60 tonnes the following month.",
            "2025-12-20",
            {"60 tonnes": ("USA", MAGNETS, "2025-05", "level", 60)},
        ),
        # "year-on-year" after a tonnage qualifies the change; it dates nothing
        (
            "In the first quarter of 2026, China's rare earth magnet exports rose 3.1% to "
            "15,500 tons year-on-year.",
            "2026-04-20",
            {
                "3.1%": ("WLD", MAGNETS, "2026-01/2026-03", "cumulative_change_yoy", 3.1),
                "15,500 tons": ("WLD", MAGNETS, "2026-01/2026-03", "cumulative", 15500),
            },
        ),
        # "than the N tonnes in 2024": the same month of that year
        (
            "China's exports of the 17 rare earths fell in December. Even so, the December "
            "volume was 25% higher than the 3,100 tonnes in 2024.",
            "2026-01-14",
            {
                "25%": ("WLD", GROUP, "2025-12", "change_yoy", 25),
                "3,100 tonnes": ("WLD", GROUP, "2024-12", "level", 3100),
            },
        ),
        # a quota's change is no flow
        (
            "China's rare earth exports rose in May. The first mining quota for 2025 is 9% "
            "higher than the first quota for 2024.",
            "2025-06-20",
            {},
        ),
        # a top list with a long noun; "the top export destination"
        (
            "Germany, Japan and Vietnam were China's top three rare earth magnet export "
            "destinations in July. Germany was the top export destination with 1,000 tons.",
            "2025-08-20",
            {
                "Germany": ("DEU", MAGNETS, "2025-07", "rank", 1),
                "Japan": ("JPN", MAGNETS, "2025-07", "rank", 2),
                "Vietnam": ("VNM", MAGNETS, "2025-07", "rank", 3),
                "top export destination": ("DEU", MAGNETS, "2025-07", "rank", 1),
                "1,000 tons": ("DEU", MAGNETS, "2025-07", "level", 1000),
            },
        ),
        # "January and February combined"
        (
            "China's rare earth exports climbed to 9,000 tons in January and February combined.",
            "2025-03-07",
            {"9,000 tons": ("WLD", GROUP, "2025-01/2025-02", "cumulative", 9000)},
        ),
        # "That compared to ...": the levels it compares with
        (
            "China's rare earth exports were 4,000 tons in September. That compared to 5,900 "
            "tons in August.",
            "2025-10-13",
            {
                "4,000 tons": ("WLD", GROUP, "2025-09", "level", 4000),
                "5,900 tons": ("WLD", GROUP, "2025-08", "level", 5900),
            },
        ),
    ],
)
def test_rules_from_the_second_real_set(
    text: str, published: str, expected: dict[str, Reading]
) -> None:
    assert readings(text, published) == expected


def test_an_aside_about_earlier_months_does_not_turn_a_group_story() -> None:
    text = (
        "China shipped 60,000 tons of the group of 17 elements in 2025.\n"
        "The drop in magnet exports in April and May came after the controls.\n"
        "Exports in December fell 10% from November to 4,400 tonnes."
    )
    got = readings(text, "2026-01-14")
    assert got["10%"] == ("WLD", GROUP, "2025-12", "change_mom", -10)
    assert got["4,400 tonnes"] == ("WLD", GROUP, "2025-12", "level", 4400)


def test_an_undated_story_takes_the_one_year_its_spans_name() -> None:
    text = (
        "China's antimony exports rose to 3,000 tons in August, up 10% from July. In the "
        "first eight months of 2024, antimony exports amounted to 25,000 tons."
    )
    got = readings(text, None)
    assert got["3,000 tons"] == ("WLD", SB, "2024-08", "level", 3000)
    assert got["25,000 tons"] == ("WLD", SB, "2024-01/2024-08", "cumulative", 25000)
    two_years = text + " In the first half of 2023, they were 20,000 tons."
    assert readings(two_years, None)["3,000 tons"] is None  # which year? not said


def test_a_point_before_three_digits_is_doubtful_in_tons() -> None:
    text = "China shipped out a total of 61.250 metric tons of rare earths in 2025."
    claims = extract_claims(text, source="t.txt", published=dt.date(2026, 1, 14))
    (claim,) = claims
    assert not claim.resolved
    assert "thousands point" in str(claim.unresolved)
    kilos = "China exported 1.250 kilograms of germanium in May."
    assert readings(kilos, "2025-06-20") == {
        "1.250 kilograms": ("WLD", GE, "2025-05", "level", 0.00125)
    }


def test_chinas_own_imports_are_imports() -> None:
    text = (
        "Imports into China of rare earths rose 5% from a year earlier to 9,000 tons in May, "
        "while exports fell 3% to 4,000 tons."
    )
    claims = extract_claims(text, source="t.txt", published=dt.date(2024, 6, 7))
    flows = {c.stated: (c.reporter, c.partner, c.flow) for c in claims}
    assert flows == {
        "5%": ("CHN", "WLD", "import"),
        "9,000 tons": ("CHN", "WLD", "import"),
        "3%": ("CHN", "WLD", "export"),
        "4,000 tons": ("CHN", "WLD", "export"),
    }


def test_year_to_date_for_a_named_year_runs_to_the_storys_month() -> None:
    text = (
        "China exported 400 tons of antimony in August. Year-to-date exports for 2024 totaled "
        "3,000 tons."
    )
    got = readings(text, "2024-09-20")
    assert got["3,000 tons"] == ("WLD", SB, "2024-01/2024-08", "cumulative", 3000)
    other_year = readings(text.replace("for 2024", "for 2023"), "2024-09-20")
    assert other_year["3,000 tons"] is None  # to which month of 2023? not said
