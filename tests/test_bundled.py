"""The bundled data set: every figure cited, every code known, nothing lost in conversion."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mineralflow import catalog
from mineralflow.ledger import MEASURES
from mineralflow.periods import Period
from mineralflow.sources import bundled

DATA = Path(__file__).resolve().parent.parent / "src" / "mineralflow" / "data" / "bundled"
AUTHORITIES = {r["authority"] for r in catalog.read_table("authorities.csv")}


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


SOURCES = {r["source_id"]: r for r in rows("sources.csv")}
FIGURES = rows("figures.csv")


@pytest.mark.parametrize(
    "fig", FIGURES, ids=lambda f: f"{f['period']}-{f['partner']}-{f['measure']}"
)
def test_every_bundled_figure_is_cited(fig):
    source = SOURCES.get(fig["source_id"])
    assert source is not None, f"figure cites unknown source {fig['source_id']!r}"
    assert source["title"].strip(), "a source needs a title"
    assert source["outlet"].strip(), "a source needs an outlet"
    # A source without a URL must say why (one SMM analysis was stored without its URL).
    assert source["url"].startswith(("http://", "https://")) or source["note"].strip()
    assert source["authority"] in AUTHORITIES
    assert fig["locator"].strip(), "a figure needs a locator"


def test_sources_have_unique_urls_and_every_source_is_used():
    urls = [s["url"] for s in SOURCES.values() if s["url"]]
    assert len(urls) == len(set(urls))
    used = {f["source_id"] for f in FIGURES}
    assert set(SOURCES) == used, f"unused sources: {set(SOURCES) - used}"


def test_bundled_figures_use_catalog_codes_and_measures():
    products = catalog.products()
    partners = catalog.countries()
    for fig in FIGURES:
        assert fig["product"] in products
        assert fig["partner"] in partners, fig["partner"]
        assert fig["measure"] in MEASURES
        Period.parse(fig["period"])
        assert float(fig["resolution"]) > 0
        assert fig["qualifier"] in {r["qualifier"] for r in catalog.read_table("qualifiers.csv")}


def test_stated_text_matches_value_and_resolution():
    for fig in FIGURES:
        if fig["stated"].replace(".", "", 1).lstrip("-").isdigit():
            assert float(fig["stated"]) == float(fig["value"])
            decimals = len(fig["stated"].partition(".")[2])
            assert float(fig["resolution"]) == pytest.approx(10.0**-decimals)


def test_events_have_sources_and_dates():
    for event in bundled.read().events:
        assert event["source_url"].startswith(("http://", "https://"))
        assert event["date_announced"] is not None
        assert event["summary"].strip()


@pytest.mark.shared
def test_every_reference_figure_is_bundled(shared):
    """Each number in ../shared/data turns into exactly one bundled figure."""
    data = shared / "data"
    expected = 0
    for name, columns in (
        ("reported_magnet_exports_monthly.csv", ("tonnes", "mom_pct", "yoy_pct")),
        ("reported_magnet_exports_cumulative.csv", ("tonnes", "yoy_pct")),
        ("reported_magnet_export_ranks.csv", ("rank",)),
    ):
        with (data / name).open(encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), 2):
                for column in columns:
                    if row[column]:
                        expected += 1
                        locator = f"shared/data/{name} line {line}, column {column}"
                        matches = [g for g in FIGURES if g["locator"] == locator]
                        assert len(matches) == 1, locator
                        if column != "rank":
                            assert float(matches[0]["value"]) == float(row[column])
    assert expected == len(FIGURES)


@pytest.mark.shared
def test_every_reference_event_is_bundled(shared):
    with (shared / "data" / "policy_events.csv").open(encoding="utf-8") as f:
        reference = list(csv.DictReader(f))
    ours = bundled.read().events
    assert len(ours) == len(reference)
    assert {(e["instrument"], e["source_url"]) for e in ours} == {
        (e["instrument"], e["source_url"]) for e in reference
    }
