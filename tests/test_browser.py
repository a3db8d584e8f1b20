"""Every page, its .json twin and the report, opened in Debian's Chromium (headless) through
Playwright: pages load without errors, links lead on, charts draw marks, nothing runs.

Screenshots are saved under ``test-artifacts/browser/`` for a person to look at."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

import pytest

from mineralflow.ledger import Ledger
from mineralflow.render import write_report
from webtools import ARTIFACTS, add_injection, chromium, chromium_skip_reason, running_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_skip_reason() is not None, reason=str(chromium_skip_reason())),
]

PRODUCT = "rare-earth-magnets"
PAGES = {
    "home": "/",
    "product": f"/products/{PRODUCT}",
    "month": f"/products/{PRODUCT}/2025-06",
    "month-conflicts": f"/products/{PRODUCT}/2025-08",
    "partner": f"/products/{PRODUCT}/partners/USA",
    "sources": "/sources",
    "conflicts": "/conflicts",
    "events": f"/events?product={PRODUCT}",
}
SHOTS = ARTIFACTS / "browser"
MARKS = "g.mark-symbol path, g.mark-rect path"


@pytest.fixture(scope="module")
def server(bundled_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("server") / "server.log"
    with running_server(bundled_db, log) as base:
        yield base
    assert "Traceback" not in log.read_text()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium(tmp_path_factory.mktemp("chromium")) as context:
        yield context


@pytest.fixture
def page(browser):
    """A tab that records console errors, page errors and dialogs (none are expected)."""
    tab = browser.new_page()
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    tab.on("dialog", lambda d: (tab.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield tab
    tab.close()


def chart_marks(page) -> list[int]:
    """How many marks each chart of the page draws: its images must have loaded, and each
    chart's SVG, opened at its address, holds the marks."""
    images = page.locator("figure.chart img")
    sources = images.evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    loaded = images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert all(width > 300 for width in loaded), loaded
    base = page.url
    counts = []
    for src in sources:
        tab = page.context.new_page()
        response = tab.goto(urljoin(base, src))
        assert response.status == 200
        counts.append(tab.locator(MARKS).count())
        tab.close()
    return counts


@pytest.mark.parametrize("name", list(PAGES))
def test_page_and_its_json_twin_load_in_chromium(server, page, name):
    response = page.goto(server + PAGES[name])
    assert response.status == 200
    assert page.locator("h1").first.inner_text().strip()
    assert page.locator("script").count() == 0
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    twin = page.locator('link[rel="alternate"][type="application/json"]').get_attribute("href")
    response = page.goto(server + twin)
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    data = json.loads(page.locator("body").inner_text())
    assert data["html"] == PAGES[name].split("?")[0]
    assert page.problems == []


def test_every_chart_draws_marks(server, page):
    page.goto(server + PAGES["month"])
    counts = chart_marks(page)
    assert len(counts) >= 5
    assert all(n > 0 for n in counts), counts
    for image in page.locator("figure.chart img").all():
        assert image.bounding_box()["width"] > 300
    page.locator("#chart-world").screenshot(path=str(SHOTS / "month-world-chart.png"))
    assert page.problems == []


def test_follow_a_link_from_the_month_to_a_partner(server, page):
    page.goto(server + PAGES["month"])
    page.locator("table.destinations a.partner", has_text="United States").click()
    page.wait_for_url(re.compile(r"/partners/USA$"))
    assert "United States" in page.locator("h1").inner_text()
    assert all(n > 0 for n in chart_marks(page))
    # ... and from the partner back to a month it has figures for.
    page.locator("a.period", has_text="2025-08").click()
    page.wait_for_url(re.compile(r"/2025-08$"))
    assert "August 2025" in page.locator("h1").inner_text()
    assert page.problems == []


def test_an_unknown_month_shows_a_helpful_404(server, page):
    response = page.goto(server + f"/products/{PRODUCT}/2031-01")
    assert response.status == 404
    assert "months with figures" in page.locator(".error-box").inner_text()
    page.locator("a", has_text="All months of").click()
    page.wait_for_url(re.compile(rf"/products/{PRODUCT}$"))


def test_report_file_shows_the_april_controls_and_the_june_rebound(bundled_db, page, tmp_path):
    out = ARTIFACTS / "report-2025-06.html"
    with Ledger.open(bundled_db, read_only=True) as ledger:
        write_report(ledger, product=PRODUCT, period="2025-06", path=out)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.resolve().as_uri())
    world = page.locator("#chart-world svg")
    labels = world.locator("text").all_text_contents()
    assert "Apr 4 CN export control" in labels
    assert {"2,627", "1,238", "3,188"} <= set(labels)  # April, the May trough, June's rebound
    assert world.locator("g.mark-symbol path").count() >= 8
    # The June point sits above May's: a smaller y is higher on screen.
    ys = page.eval_on_selector_all(
        "#chart-world svg g.mark-text.role-mark text",
        "ts => Object.fromEntries(ts.map(t => [t.textContent, t.getBoundingClientRect().y]))",
    )
    assert ys["3,188"] < ys["1,238"]
    world.screenshot(path=str(SHOTS / "report-world-chart.png"))
    page.screenshot(path=str(SHOTS / "report.png"), full_page=True)
    # Self-contained: the only request is the file itself.
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert page.problems == []


def test_hostile_article_stays_text_in_chromium(browser, bundled_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    add_injection(db, bundled=bundled_db)
    log = tmp_path_factory.mktemp("server") / "hostile.log"
    tab = browser.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with running_server(db, log) as base:
        for path in ("/sources", f"/products/{PRODUCT}/2025-06", "/conflicts",
                     f"/events?product={PRODUCT}"):  # fmt: skip
            tab.goto(base + path)
            assert tab.locator("script").count() == 0
            assert tab.locator("iframe").count() == 0
            # The only images are the page's own charts, drawn at its own addresses.
            sources = tab.locator("img").evaluate_all("i => i.map(e => e.getAttribute('src'))")
            assert tab.locator("figure.chart > img").count() == len(sources)
            assert all(re.fullmatch(r"/products/[a-z0-9-]+/[^/]+/charts/[a-zA-Z0-9-]+\.svg", s)
                       for s in sources), sources  # fmt: skip
            handlers = tab.evaluate(
                "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
                ".filter(a => a.name.startsWith('on')).length"
            )
            assert handlers == 0
        tab.goto(base + "/sources")
        assert tab.get_by_text('<script>alert("title")</script>', exact=False).count() >= 1
        tab.screenshot(path=str(SHOTS / "hostile-sources.png"), full_page=True)
    tab.close()
    assert dialogs == []
