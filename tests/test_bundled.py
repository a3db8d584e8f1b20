"""The bundled data set: every figure cited, every code known, nothing lost in conversion."""

from __future__ import annotations

import csv
import re
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
            if "rounded to" in fig["note"]:  # trailing zeros of a rounded total, said so
                assert float(fig["resolution"]) > 10.0**-decimals
            else:
                assert float(fig["resolution"]) == pytest.approx(10.0**-decimals)
        elif re.fullmatch(r"[\d,]+ kg", fig["stated"]):  # kilograms as printed, tonnes stored
            kg = float(fig["stated"][:-3].replace(",", ""))
            assert float(fig["value"]) == pytest.approx(kg / 1000)
            assert float(fig["resolution"]) == pytest.approx(0.001)


NEWS = [f for f in FIGURES if f["locator"].startswith("news_figures.csv")]


def test_news_figures_never_cross_scopes():
    """The group, Bloomberg's wider aggregate and the minor metals stay apart from magnets."""
    assert NEWS
    assert {f["product"] for f in NEWS} <= {
        "rare-earths",
        "rare-earth-products",
        "gallium",
        "germanium",
        "antimony",
        "antimony-metal",
        "antimony-oxides",
    }
    for fig in NEWS:
        source = SOURCES[fig["source_id"]]
        if source["original_publisher"] == "Bloomberg":  # 'rare earth products', not the group
            assert fig["product"] == "rare-earth-products", fig
        if fig["product"] == "rare-earths":
            assert "magnet" not in source["title"].lower(), fig
    # No group figure landed under magnets: the world levels differ every month both state.
    levels: dict[tuple[str, str], set[float]] = {}
    for fig in FIGURES:
        if fig["partner"] == "WLD" and fig["measure"] == "level" and "/" not in fig["period"]:
            levels.setdefault((fig["product"], fig["period"]), set()).add(float(fig["value"]))
    for (product, period), values in levels.items():
        if product == "rare-earth-magnets" and ("rare-earths", period) in levels:
            group = levels[("rare-earths", period)]
            assert all(abs(m - g) > 1 for m in values for g in group), period


def test_news_figures_have_twelve_months_or_more_for_the_group_and_minor_metals():
    for product in ("rare-earths", "gallium", "germanium"):
        months = {f["period"] for f in NEWS if f["product"] == product and "/" not in f["period"]}
        assert len(months) >= 12, (product, sorted(months))


def test_news_import_reproduces_the_bundled_files(tmp_path):
    """Running the import again on the bundled files changes nothing (no drift, no loss)."""
    import shutil
    import subprocess
    import sys

    root = DATA.parent.parent.parent.parent
    for name in ("sources.csv", "figures.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    subprocess.run(
        [
            sys.executable,
            str(root / "scripts" / "import_news_figures.py"),
            str(root / "scripts" / "data"),
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    for name in ("sources.csv", "figures.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (DATA / name).read_text(
            encoding="utf-8"
        ), name


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
    assert expected == sum(f["locator"].startswith("shared/data/") for f in FIGURES)


@pytest.mark.shared
def test_every_reference_event_is_bundled(shared):
    with (shared / "data" / "policy_events.csv").open(encoding="utf-8") as f:
        reference = list(csv.DictReader(f))
    ours = bundled.read().events
    assert len(ours) == len(reference)
    assert {(e["instrument"], e["source_url"]) for e in ours} == {
        (e["instrument"], e["source_url"]) for e in reference
    }
