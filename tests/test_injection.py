"""Untrusted text stays data: an article whose title, outlet, URL and figures carry script and
attribute-injection payloads is escaped in the report (HTML and Markdown) and every page."""

from __future__ import annotations

import json
import re

import pytest

from mineralflow.ledger import Ledger
from mineralflow.render import build_report, write_report
from mineralflow.web import create_app
from webtools import RAW, TITLE, AsgiClient, add_injection

PRODUCT = "rare-earth-magnets"
PAGES = [
    "/",
    f"/products/{PRODUCT}",
    f"/products/{PRODUCT}/2025-06",
    f"/products/{PRODUCT}/partners/USA",
    f"/products/{PRODUCT}/partners/WLD",
    "/sources",
    "/conflicts",
    f"/conflicts?product={PRODUCT}",
    "/events",
    f"/events?product={PRODUCT}",
]
TAG_WITH_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)


@pytest.fixture(scope="module")
def hostile_db(bundled_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    add_injection(path, bundled=bundled_db)
    return path


@pytest.fixture(scope="module")
def client(hostile_db):
    with Ledger.open(hostile_db, read_only=True) as ledger:
        yield AsgiClient(create_app(ledger))


def assert_inert(html: str) -> None:
    for raw in RAW:
        assert raw not in html, raw
    assert not TAG_WITH_HANDLER.search(html)
    assert len(re.findall(r"<script", html, re.I)) == 0


def test_the_hostile_article_is_in_the_ledger(hostile_db):
    with Ledger.open(hostile_db, read_only=True) as ledger:
        titles = set(ledger.table("sources").title.execute())
    assert TITLE in titles


def test_report_html_escapes_the_hostile_article(hostile_db):
    with Ledger.open(hostile_db, read_only=True) as ledger:
        report = build_report(ledger, product=PRODUCT, period="2025-06")
    html = report.to_html()
    assert_inert(html)
    # The text is there, as text: the title, the outlet, the stated figure, the event.
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;svg onload=alert(2)&gt;Evil Times" in html
    assert "353 &lt;b onclick=alert(6)&gt;t&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(9)&#34;&gt;Decree" in html
    # The chart labels carry the hostile jurisdiction as escaped SVG text.
    world = next(c for c in report.charts if c.key == "world").svg()
    assert "&lt;script&gt;alert(8)&lt;/script&gt;" in world
    # The hostile world figure disagrees with the official one and shows up as a conflict.
    assert any(c.kind == "disagreement" and "Evil Times" in c.detail for c in report.conflicts)


def test_report_markdown_escapes_the_hostile_article(hostile_db, tmp_path):
    with Ledger.open(hostile_db, read_only=True) as ledger:
        written = write_report(
            ledger, product=PRODUCT, period="2025-06", path=tmp_path / "r.md", format="md"
        )
    md = written[0].read_text()
    for raw in ("<script", "<img", "<svg", "<iframe", "<b ", "](javascript:"):
        assert raw not in md, raw
    assert "&lt;script&gt;alert" in md


@pytest.mark.parametrize("path", PAGES)
def test_every_page_escapes_the_hostile_article(client, path):
    page = client.get(path)
    assert page.status_code == 200
    assert_inert(page.text)
    twin = client.get(
        path.replace("?", ".json?") if "?" in path else ("/index.json" if path == "/" else path
                                                         + ".json")
    )  # fmt: skip
    assert twin.headers["content-type"] == "application/json"
    assert twin.headers["x-content-type-options"] == "nosniff"
    json.loads(twin.text)


def test_hostile_text_appears_escaped_where_it_is_shown(client):
    sources = client.get("/sources").text
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in sources
    assert "&lt;iframe src=&#34;javascript:alert(5)&#34;&gt;&lt;/iframe&gt;" in sources
    # The javascript: URL is not a link: the outlet shows as plain text.
    assert "<td>&#34;&gt;&lt;svg onload=alert(2)&gt;Evil Times<br>" in sources
    events = client.get(f"/events?product={PRODUCT}").text
    assert "<td>&lt;script&gt;alert(8)&lt;/script&gt;</td>" in events
    conflicts = client.get("/conflicts").text
    assert "&#34;&gt;&lt;svg onload=alert(2)&gt;Evil Times" in conflicts


def test_json_twins_carry_the_text_unchanged(client):
    data = client.get("/sources.json").json()
    evil = next(s for s in data["sources"] if s["source_id"] == "evil-2025-07")
    assert evil["title"] == TITLE
