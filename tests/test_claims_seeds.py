"""Issue 4's acceptance checks on the five seed articles in ../shared/seeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mineralflow import catalog
from mineralflow.claims import Claim, ClaimsReport, read_claims
from mineralflow.ledger import MEASURES
from support import CliRunner

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def report(shared: Path) -> ClaimsReport:
    return read_claims([shared / "seeds"], published="2025-07-20")


def find(claims: list[Claim], **fields: object) -> list[Claim]:
    return [c for c in claims if all(getattr(c, k) == v for k, v in fields.items())]


def test_the_june_2025_figures(report: ClaimsReport) -> None:
    cs = report.claims
    june = {
        "reporter": "CHN",
        "flow": "export",
        "product": "rare-earth-magnets",
        "period": "2025-06",
    }
    assert len(find(cs, partner="WLD", measure="level", value=3188, **june)) == 5
    mom = find(cs, partner="WLD", measure="change_mom", **june)
    assert sorted((c.value, c.qualifier) for c in mom) == [
        (157.0, "exact"), (157.5, "exact"), (160.0, "about"), (160.0, "around"),
        (160.0, "nearly"),
    ]  # fmt: skip
    assert {c.value for c in find(cs, partner="WLD", measure="change_yoy", **june)} == {-38.1, -38}
    assert find(cs, partner="USA", measure="level", value=353, **june)
    assert find(cs, partner="USA", measure="change_mom", value=660, **june)
    assert find(cs, partner="USA", measure="change_mom", value=600, qualifier="more_than", **june)
    may = find(cs, partner="WLD", measure="level", period="2025-05")
    assert [c.value for c in may] == [1238]
    h1 = {"partner": "WLD", "period": "2025-01/2025-06"}
    assert len(find(cs, measure="cumulative", value=22319, **h1)) == 3
    assert {(c.value, c.qualifier) for c in find(cs, measure="cumulative_change_yoy", **h1)} == {
        (-18.9, "exact"),
        (-19, "nearly"),
    }


def test_the_june_ranking(report: ClaimsReport) -> None:
    for source in ("001_5f09247891da6ce0.txt", "004_f4fecdc28d5ba8d8.txt"):
        ranks = find(report.claims, source=source, measure="rank", period="2025-06")
        order = [c.partner for c in sorted(ranks, key=lambda c: c.value)]
        assert order == ["DEU", "USA", "VNM", "KOR", "THA"]
    second = find(report.claims, source="002_716f4753564c185b.txt", measure="rank")
    assert {(c.partner, c.value) for c in second} == {("USA", 2), ("DEU", 1)}


def test_about_half_in_002_is_the_us_year_on_year_change(report: ClaimsReport) -> None:
    (half,) = find(report.claims, source="002_716f4753564c185b.txt", stated="half")
    assert (half.partner, half.measure, half.value, half.qualifier) == (
        "USA", "change_yoy", -50, "about",
    )  # fmt: skip
    world_yoy = find(report.claims, partner="WLD", measure="change_yoy")
    assert -50 not in {c.value for c in world_yoy}


def test_the_american_firms_headline_is_chinas_export_to_the_us(report: ClaimsReport) -> None:
    text = (Path(report.articles[2].article.path)).read_text(encoding="utf-8")
    first_line_end = text.index("\n", text.index("American firms"))
    headline = [
        c for c in report.claims if c.source.startswith("002") and c.span[0] < first_line_end
    ]
    assert [(c.reporter, c.partner, c.flow, c.measure) for c in headline] == [
        ("CHN", "USA", "export", "change_mom")
    ]


def test_no_figure_from_the_related_article_lists(report: ClaimsReport) -> None:
    for item in report.articles:
        text = item.article.text
        marker = re.search(r"^(?:Related Articles|\d+ Articles)\s*$", text, re.M)
        if marker is None:
            continue
        after = [c for c in item.claims if c.span[0] > marker.start()]
        # 003 reposts the same customs story below its article count: those are figures.
        assert all(c.product == "rare-earth-magnets" and c.period == "2025-06" for c in after)
        if item.article.name.startswith(("000", "001")):
            assert after == []


def test_json_contract(run_cli: CliRunner, shared: Path) -> None:
    code, out, err = run_cli(
        "claims", str(shared / "seeds"), "--published", "2025-07-20", "--format", "json"
    )
    assert code == 0, err
    records = json.loads(out)
    assert len(records) == 53
    partners = set(catalog.countries())
    for r in records:
        assert r["reporter"] in partners
        assert r["partner"] in partners
        assert re.fullmatch(r"[A-Z]{3}|WLD|EU27|REG_[A-Z_]+", r["partner"])
        assert r["product"] in catalog.products()
        assert r["flow"] in ("export", "import")
        assert r["period"] is None or re.fullmatch(r"\d{4}-\d{2}(/\d{4}-\d{2})?", r["period"])
        assert r["measure"] is None or r["measure"] in MEASURES
        assert isinstance(r["value"], float)
        assert r["unit"] in ("t", "%", "rank")
        assert r["source"].endswith(".txt")
        start, end = r["span"]
        text = (shared / "seeds" / r["source"]).read_text(encoding="utf-8")
        assert text[start:end] == r["stated"]
    unresolved = [r for r in records if r["unresolved"]]
    assert len(unresolved) == 1
    assert "base" in unresolved[0]["unresolved"]


def test_outlet_view_of_the_seeds_agrees_within_rounding(report: ClaimsReport) -> None:
    from mineralflow.claims import outlet_view

    cells = {(c.partner, c.period, c.measure): c for c in outlet_view(report)}
    mom = cells[("WLD", "2025-06", "change_mom")]
    assert len({s.stated.source for s in mom.statements}) == 5
    assert all(s.agrees_with_others for s in mom.statements)
    us_yoy = cells[("USA", "2025-06", "change_yoy")]
    assert [s.stated.stated for s in us_yoy.statements] == ["half"]
