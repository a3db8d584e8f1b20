"""The rules that read figures from news sentences, one behaviour per test.

Sentences here are written for these tests in the style of trade news.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mineralflow.claims import Claim, extract_claims, split_sentences

JULY_20 = dt.date(2025, 7, 20)


def read(text: str, published: dt.date | None = JULY_20) -> list[Claim]:
    return extract_claims(text, source="t.txt", published=published)


def only(text: str, published: dt.date | None = JULY_20) -> Claim:
    claims = read(text, published)
    assert len(claims) == 1, claims
    return claims[0]


def test_a_level_and_a_month_on_month_change() -> None:
    level, change = read(
        "China exported 3,188 tons of rare earth magnets in June, up 157.5% from May."
    )
    assert (level.partner, level.period, level.measure, level.value) == (
        "WLD",
        "2025-06",
        "level",
        3188,
    )
    assert (change.measure, change.value, change.resolution) == ("change_mom", 157.5, 0.1)
    assert level.resolution == 1.0
    assert level.stated == "3,188 tons"


def test_stated_text_is_at_the_span() -> None:
    text = "Shipments of rare earth magnets to the US rose to about 353 tonnes in June."
    c = only(text)
    assert text[c.span[0] : c.span[1]] == c.stated == "353 tonnes"
    assert c.qualifier == "about"


@pytest.mark.parametrize(
    ("text", "value", "resolution"),
    [
        (
            "Exports of rare earth magnets to the EU in the first half totalled 8.36 million kg.",
            8360,
            10,
        ),
        ("Rare earth magnet exports to Japan were 228,000 kg in September.", 228, 0.001),
        ("Rare earth magnet exports to Japan were 305 metric tons in November.", 305, 1),
    ],
)
def test_tonnages_in_tonnes_with_the_resolution_of_the_last_digit(
    text: str, value: float, resolution: float
) -> None:
    c = only(text)
    assert c.value == pytest.approx(value)
    assert c.resolution == pytest.approx(resolution)
    assert c.unit == "t"


def test_decimal_comma_and_dot_thousands_in_a_translated_copy() -> None:
    change, total = read(
        "In the first half, exports of rare earth magnets fell 18,9% to 22.319 tons."
    )
    assert (change.value, change.resolution) == (-18.9, 0.1)
    assert change.measure == "cumulative_change_yoy"
    assert (total.value, total.period) == (22319, "2025-01/2025-06")


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        (
            "Rare earth magnet exports to the US rose more than sevenfold from May.",
            600,
            "more_than",
        ),
        (
            "Rare earth magnet exports to the US were more than seven times the May level.",
            600,
            "more_than",
        ),
        ("China's rare earth magnet shipments halved in June from May.", -50, "about"),
        ("Rare earth magnet exports to India doubled in June from May.", 100, "exact"),
        ("Rare earth magnet exports to the US were some 7.6 times May's level.", 660, "about"),
    ],
)
def test_multipliers_are_changes_in_percent(text: str, value: float, qualifier: str) -> None:
    c = only(text)
    assert (c.measure, c.value, c.qualifier, c.period) == (
        "change_mom",
        value,
        qualifier,
        "2025-06",
    )


@pytest.mark.parametrize(
    ("words", "sign"),
    [("rose", 1), ("jumped", 1), ("fell", -1), ("dropped", -1), ("was down", -1), ("was up", 1)],
)
def test_direction_words_give_the_sign(words: str, sign: int) -> None:
    c = only(f"China's rare earth magnet exports {words} 12% in June from May.")
    assert c.value == 12 * sign


@pytest.mark.parametrize("after", ["lower than", "less than", "below"])
def test_direction_after_the_number(after: str) -> None:
    c = only(f"China's rare earth magnet exports in June were 38% {after} June 2024.")
    assert (c.measure, c.value, c.period) == ("change_yoy", -38, "2025-06")


@pytest.mark.parametrize(
    ("base", "measure"),
    [
        ("from May", "change_mom"),
        ("from the previous month", "change_mom"),
        ("month-on-month", "change_mom"),
        ("from June last year", "change_yoy"),
        ("from a year earlier", "change_yoy"),
        ("compared with the same month of 2024", "change_yoy"),
        ("year on year", "change_yoy"),
    ],
)
def test_the_base_decides_the_measure(base: str, measure: str) -> None:
    c = only(f"China's rare earth magnet exports rose 12% in June {base}.")
    assert (c.measure, c.period) == (measure, "2025-06")


@pytest.mark.parametrize(
    ("period_words", "period"),
    [
        ("in the first half of 2025", "2025-01/2025-06"),
        ("in the first half", "2025-01/2025-06"),
        ("in the first seven months of 2024", "2024-01/2024-07"),
        ("in the first three quarters of 2024", "2024-01/2024-09"),
        ("in January-May", "2025-01/2025-05"),
        ("year to date", "2025-01/2025-06"),
        ("in 2024", "2024-01/2024-12"),
    ],
)
def test_cumulative_periods(period_words: str, period: str) -> None:
    c = only(f"China's rare earth magnet exports totalled 20,000 tons {period_words}.")
    assert (c.measure, c.period) == ("cumulative", period)


def test_last_month_is_the_month_before_publication() -> None:
    c = only("Last month, 353 tons of rare earth magnets were sold to the US.")
    assert (c.partner, c.period) == ("USA", "2025-06")


def test_without_a_publication_date_relative_periods_stay_unresolved_and_say_so() -> None:
    c = only("Last month, 353 tons of rare earth magnets were sold to the US.", None)
    assert c.period is None
    assert not c.resolved
    assert c.unresolved is not None
    assert "--published" in c.unresolved


def test_an_explicit_year_needs_no_publication_date() -> None:
    c = only("China's rare earth magnet exports to the US jumped 660% in June 2025 from May.", None)
    assert (c.period, c.measure) == ("2025-06", "change_mom")


def test_the_same_month_a_year_earlier_dates_a_yearless_month() -> None:
    text = (
        "China's rare earth magnet exports fell in June. June's total was 38% lower than the "
        "same month in 2024."
    )
    c = only(text, None)
    assert (c.period, c.measure, c.value) == ("2025-06", "change_yoy", -38)


def test_a_level_inside_the_base_is_the_base_months_level() -> None:
    now, change, before = read(
        "Exports of rare earth magnets increased to 3,188 tons, up around 160% from 1,238 tons "
        "in May."
    )
    assert (now.period, now.value) == ("2025-06", 3188)
    assert (change.period, change.measure, change.qualifier) == ("2025-06", "change_mom", "around")
    assert (before.period, before.measure, before.value) == ("2025-05", "level", 1238)


def test_about_half_of_last_year_is_the_subjects_change_not_the_worlds() -> None:
    text = (
        "In total, China exported 3,188 tonnes of rare earth magnets in June. The US imported "
        "about 353 tonnes in June, although exports were about half of what they were from "
        "June last year."
    )
    claims = read(text)
    half = next(c for c in claims if c.stated == "half")
    assert (half.partner, half.measure, half.value, half.qualifier) == (
        "USA", "change_yoy", -50, "about",
    )  # fmt: skip
    assert not [c for c in claims if c.partner == "WLD" and c.measure == "change_yoy"]


def test_american_firms_in_a_headline_mean_chinas_exports_to_the_us() -> None:
    text = (
        "Rare metals, China supplies the US/ Exports of American firms increased 660% in June\n"
        "China's rare earth magnet exports to the US rose 660% from the previous month."
    )
    headline = read(text)[0]
    assert (headline.reporter, headline.partner, headline.flow) == ("CHN", "USA", "export")
    assert headline.measure == "change_mom"  # the base comes from the restatement
    assert headline.note is not None
    assert "restatement" in headline.note


def test_a_change_with_no_base_and_no_restatement_is_unresolved() -> None:
    c = only("China rare earth magnet exports to the US surge 660% in June")
    assert c.measure is None
    assert c.unresolved is not None
    assert "base" in c.unresolved


def test_anaphora_carries_the_partner_of_the_previous_figure() -> None:
    text = (
        "Last month, 353 tons of rare earth magnets were sold to the US. This represents a 660% "
        "surge from May."
    )
    level, change = read(text)
    assert change.partner == level.partner == "USA"
    assert (change.measure, change.period) == ("change_mom", "2025-06")


def test_a_ranking_sentence_does_not_take_over_the_figure_it_interrupts() -> None:
    text = (
        "China exported 3,188 tons of rare earth magnets globally in June. The top importers in "
        "June were Germany, the US and Vietnam. However, this figure is still 38% lower than the "
        "same period last year."
    )
    claims = read(text)
    ranks = [(c.partner, c.value) for c in claims if c.measure == "rank"]
    assert ranks == [("DEU", 1), ("USA", 2), ("VNM", 3)]
    assert claims[-1].partner == "WLD"
    assert claims[-1].measure == "change_yoy"


def test_second_largest_destination_after_and_ahead_of() -> None:
    text = (
        "In June, the US was the second-largest destination for China's rare-earth magnets, after "
        "Germany, and ahead of Vietnam, South Korea, and Thailand, in descending order."
    )
    ranks = {c.partner: c.value for c in read(text)}
    assert ranks == {"DEU": 1, "USA": 2, "VNM": 3, "KOR": 4, "THA": 5}


@pytest.mark.parametrize(
    ("text", "product"),
    [
        (
            "China's exports of rare earths, the 17-element group, rose 60% in June from May.",
            "rare-earths",
        ),
        ("China's exports of rare-earth products fell 6% in June from May.", "rare-earth-products"),
        ("Exports of magnet powders fell 40% in June from May.", "rare-earth-magnet-powders"),
        ("Exports of rare earth magnets fell 40% in June from May.", "rare-earth-magnets"),
        ("China's exports under 85051110 fell 40% in June from May.", "rare-earth-magnets"),
        ("China's exports under HS 850511 fell 40% in June from May.", "permanent-magnets-hs6"),
    ],
)
def test_product_scope_from_the_catalog(text: str, product: str) -> None:
    assert only(text).product == product


def test_a_loose_rare_earth_word_takes_the_product_the_article_is_about() -> None:
    text = (
        "China's rare earth magnet exports to the US rose in June. Chinese exports of rare earth "
        "metals to the United States rose more than sevenfold from the previous month."
    )
    c = only(text)
    assert (c.product, c.partner, c.value) == ("rare-earth-magnets", "USA", 600)


def test_bare_magnets_need_rare_earths_named_somewhere() -> None:
    assert read("Exports of magnets to Germany rose 12% in June from May.") == []


@pytest.mark.parametrize(
    "text",
    [
        "The Shanghai Composite index added 0.7% to 3,559.79, led by rare earth stocks.",
        "Also lifting markets, the rare earth sector advanced 3.2% after a report on quotas.",
        "China, responsible for over 90% of global rare earth magnet supply, imposed export curbs.",
        "The construction index rallied 4.3% after work began on a $170 billion dam.",
        "A petition against the law has garnered more than 1.5 million signatures in 10 days.",
        "The 862-year-old cathedral reopened last December.",
        "Prices of rare earth magnets rose 8% in June, traders said.",
        "Rare earth magnet exports by value rose 30% in June to $250 million.",
        "Analysts expect rare earth magnet exports to climb to 6,000 tons in July.",
        "The rare earth mining quota was set at 270,000 tons, up 5.9% from last year.",
        "The EU's share of China's rare earth magnet exports jumped to 43% in June.",
        "Soybean exports to China jumped 20% in June from May.",
        "The US raised tariffs on Chinese goods to 145% in April, and China restricted exports.",
    ],
)
def test_numbers_that_are_not_flow_figures_yield_nothing(text: str) -> None:
    assert read(text) == []


def test_japans_own_import_data_makes_japan_the_reporter() -> None:
    c = only("Japan's imports of rare earth magnets from China rose 35% in November from October.")
    assert (c.reporter, c.partner, c.flow) == ("JPN", "CHN", "import")


def test_importer_as_subject_with_china_customs_cited_is_chinas_export() -> None:
    c = only(
        "The US imported 353 tonnes of rare earth magnets in June, data released by the General "
        "Administration of Customs showed."
    )
    assert (c.reporter, c.partner, c.flow) == ("CHN", "USA", "export")


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("the 27-country bloc", "EU27"),
        ("the EU", "EU27"),
        ("the U.S.", "USA"),
        ("North America", "REG_NORTH_AMERICA"),
    ],
)
def test_partner_aliases(alias: str, code: str) -> None:
    assert only(f"China shipped 994 tons of rare earth magnets to {alias} in June.").partner == code


def test_sentences_split_at_stops_but_not_after_us_abbreviation() -> None:
    text = "Exports to the U.S. President's allies rose. The figure was 3.5% lower.\nNext line"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "Exports to the U.S. President's allies rose.",
        "The figure was 3.5% lower.",
        "Next line",
    ]


def test_a_span_across_the_year_end_and_an_impossible_span() -> None:
    c = only("China's rare earth magnet exports totalled 9,000 tons in December-January.")
    assert c.period == "2024-12/2025-01"
    c = only("China's rare earth magnet exports totalled 9,000 tons in the first 13 months.")
    assert c.period is None
    assert c.unresolved is not None


_FRAGMENTS = [
    "China's rare earth magnet exports", "rose", "fell", "12.5%", "3,188 tons", "to the US",
    "in June", "from May", "year-on-year", "more than sevenfold", "about half of what they were",
    "the second-largest destination", "after Germany", "globally", ", ", ". ", "\n", "last month",
    "in the first half of 2025", "8.36 million kg", "18,9%", "This represents", "nearly",
    "rare earths", "the top importers were Germany, Japan and Vietnam", "$170 billion", "H20",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map(" ".join),
    st.sampled_from([None, JULY_20]),
)
def test_any_text_reads_without_error_and_spans_hold_the_stated_text(
    text: str, published: dt.date | None
) -> None:
    for c in read(text, published):
        assert text[c.span[0] : c.span[1]] == c.stated
        assert c.sentence[0] <= c.span[0] < c.span[1] <= c.sentence[1]
        assert c.resolved == (c.unresolved is None)
        if c.measure == "rank":
            assert c.value >= 1


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=12), st.from_regex(r"\d{1,6}")),
        max_size=30,
    ).map(" ".join),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)) | st.none(),
)
def test_arbitrary_text_and_dates_never_break_the_reader(
    text: str, published: dt.date | None
) -> None:
    for c in read(text, published):
        assert text[c.span[0] : c.span[1]] == c.stated


def _corpus() -> list[str]:
    import json
    from pathlib import Path

    folder = Path(__file__).parent / "claims_eval"
    texts = []
    for name in ("written.json", "holdout.json"):
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        texts += [item["text"] for item in data["items"]]
    return [*texts, " ".join(_FRAGMENTS), "Ça coûte 5 €; SHIPMENTS TO THE US ROSE 5% IN MAY."]


def test_fast_patterns_match_exactly_what_the_plain_patterns_match() -> None:
    import re

    from mineralflow.claims import lexicon as lx

    fast = [v for v in vars(lx).values() if isinstance(v, re.Pattern)]
    fast.append(lx.product_pattern())
    sped_up = 0
    for pattern in fast:
        m = re.fullmatch(r"\(\?=\[(?:\\.|[^\]\\])*\]\)\(\?:(.*)\)", pattern.pattern, re.S)
        if m is None:
            continue
        sped_up += 1
        plain = re.compile(m.group(1), pattern.flags)
        for text in _corpus():
            got = [(x.span(), x.groupdict()) for x in pattern.finditer(text)]
            assert got == [(x.span(), x.groupdict()) for x in plain.finditer(text)], pattern
    assert sped_up >= 20
