"""The read-only web view over HTTP (in-process): every page, its .json twin, and the errors."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from mineralflow.errors import UsageError
from mineralflow.ledger import Ledger
from mineralflow.web import SECURITY_HEADERS, create_app, get
from webtools import AsgiClient

PRODUCT = "rare-earth-magnets"
PAGES = [
    "/",
    f"/products/{PRODUCT}",
    f"/products/{PRODUCT}/2025-06",
    f"/products/{PRODUCT}/2025-08",
    f"/products/{PRODUCT}/partners/USA",
    f"/products/{PRODUCT}/partners/WLD",
    "/products/rare-earth-magnets-and-alloys",
    "/sources",
    "/conflicts",
    f"/conflicts?product={PRODUCT}",
    "/events",
    f"/events?product={PRODUCT}",
]


@pytest.fixture(scope="module")
def client(bundled_db):
    with Ledger.open(bundled_db, read_only=True) as ledger:
        yield AsgiClient(create_app(ledger))


def twin_of(html: str) -> str:
    return re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', html)[1]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_its_json_twin(client, path):
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    assert "<script" not in page.text
    twin_path = twin_of(page.text)
    assert twin_path.replace("&amp;", "&") == (
        path.replace("?", ".json?", 1)
        if "?" in path
        else ("/index" if path == "/" else path) + ("" if "?" in path else ".json")
    )
    twin = client.get(twin_path)
    assert twin.status_code == 200
    assert twin.headers["content-type"] == "application/json"
    data = twin.json()
    assert data["html"] == path.split("?")[0]


def test_home_lists_products_with_their_latest_month(client):
    data = client.get("/index.json").json()
    magnets = next(p for p in data["products"] if p["product"] == PRODUCT)
    assert magnets["latest"] == magnets["periods"][-1] == "2026-03"
    assert magnets["figures"] == data["ledger"]["figures"] - sum(
        p["figures"] for p in data["products"] if p["product"] != PRODUCT
    )
    html = client.get("/").text
    assert f'href="/products/{PRODUCT}/2026-03"' in html


def test_month_page_links_partners_and_carries_the_report(client):
    html = client.get(f"/products/{PRODUCT}/2025-06").text
    assert f'<a class="partner" href="/products/{PRODUCT}/partners/USA">United States</a>' in html
    data = client.get(f"/products/{PRODUCT}/2025-06.json").json()
    assert data["brief"]["world"]["level"]["value"] == 3188
    assert {c["key"] for c in data["charts"]} >= {"world", "destinations", "partner-USA"}
    assert all(f["url"] is None or f["url"].startswith("http") for f in data["figures"])
    # The page names its charts by address (drawn on request), in the order of its data.
    figure = r'<figure class="chart" id="chart-([^"]+)">\n<img src="([^"]+)" alt="'
    images = re.findall(figure, html)
    assert [key for key, _ in images] == [c["key"] for c in data["charts"]]
    assert [src for _, src in images] == [c["url"] for c in data["charts"]]
    assert "<svg " not in html


@pytest.mark.parametrize(
    ("page", "key"),
    [
        (f"/products/{PRODUCT}/2025-06", "world"),
        (f"/products/{PRODUCT}/partners/USA", "partner-USA"),
    ],
)
def test_a_chart_is_drawn_at_its_address(client, page, key):
    response = client.get(f"{page}/charts/{key}.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    svg = response.text
    assert svg.startswith("<svg ")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert f'data-chart="{key}"' in svg
    assert re.search(r'<g class="mark-symbol role-mark', svg)
    assert "<script" not in svg


def test_the_report_file_keeps_its_charts_inline(bundled):
    from mineralflow.render import build_report

    report = build_report(bundled, product=PRODUCT, period="2025-06")
    html = report.to_html()
    assert html.count("<svg ") == len(report.charts) >= 5
    assert "<img" not in html


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (f"/products/{PRODUCT}/2025-06/charts/nothing.svg", "no chart &#39;nothing&#39; on"),
        (f"/products/{PRODUCT}/2031-01/charts/world.svg", "months with figures"),
        (f"/products/{PRODUCT}/charts/world.svg", "there is no page at"),
        (f"/products/{PRODUCT}/2025-06/charts/world.svg.json", "there is no page at"),
        (f"/products/{PRODUCT}/2025-06/charts/../../2025-06/charts/x y.svg", "there is no page"),
    ],
)
def test_an_unknown_chart_is_a_helpful_404(client, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert message in response.text


def test_partner_page_shows_its_series_and_conflicts(client):
    data = client.get(f"/products/{PRODUCT}/partners/USA.json").json()
    periods = [p["period"] for p in data["level_series"]]
    assert periods == sorted(periods)
    assert "2025-06" in periods
    assert "2025-01" not in periods  # no source states the US in January 2025: a gap
    assert any(c["subject"] == "United States m/m change, 2025-08" for c in data["conflicts"])


def test_conflicts_page_lists_the_bundled_disagreements(client):
    data = client.get("/conflicts.json").json()
    subjects = {(c["period"], c["subject"]) for c in data["conflicts"]}
    assert ("2025-08", "Germany level, 2025-08") in subjects
    html = client.get("/conflicts").text
    assert f'href="/products/{PRODUCT}/2025-08"' in html


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/products/magnets", 404, "unknown product &#39;magnets&#39;; products with figures:"),
        (f"/products/{PRODUCT}/2031-01", 404, "months with figures: 2024-02, 2024-05"),
        (f"/products/{PRODUCT}/June", 404, "no figures for rare-earth-magnets in &#39;June&#39;"),
        (f"/products/{PRODUCT}/partners/XYZ", 404, "unknown partner &#39;XYZ&#39;"),
        (f"/products/{PRODUCT}/partners/FRA", 404, "no figures for rare-earth-magnets with"),
        ("/nothing/here", 404, "there is no page at"),
        ("/conflicts?product=magnets", 404, "unknown product &#39;magnets&#39;"),
        ("/events?colour=red", 400, "unknown parameter &#39;colour&#39;; this page takes"),
        (f"/events?product={PRODUCT}&product=gallium", 400, "give the parameter"),
        ("/sources?x=1", 400, "unknown parameter &#39;x&#39;; this page takes none"),
        ("/products/" + "a" * 101, 400, "too long (101 characters; at most 100)"),
        ("/events?product=" + "a" * 101, 400, "too long"),
        ("/events?product=" + "a" * 500, 400, "the address is too long"),
    ],
)
def test_bad_requests_get_a_helpful_page_not_a_traceback(client, path, status, message):
    page = client.get(path)
    assert page.status_code == status
    assert message in page.text
    assert 'href="/"' in page.text
    assert "Traceback" not in page.text
    as_json = client.get(path.replace("?", ".json?") if "?" in path else path + ".json")
    assert as_json.status_code == status
    assert as_json.json()["status"] == status


@pytest.mark.parametrize(
    "path",
    [
        "/products/..%2F..%2Fetc%2Fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/products/%2e%2e",
        "/static/..%2F..%2Fpyproject.toml",
        "/static/style.css/..%2F..%2F__init__.py",
        "/products/rare-earth-magnets%00",
        "/products/%c0%ae%c0%ae%c0%af",
        "/products/%ff%fe",
        "/products/rare-earth-magnets/2025-06%0d%0aSet-Cookie:%20x=1",
        "/products/RARE-EARTH-MAGNETS",
        "/products/rare-earth-magnets/partners/usa",
        "/products/rare-earth-magnets/partners/%2e%2e",
        "/events?product=..%2F..%2Fetc%2Fpasswd",
        "/events?product=%00",
    ],
)
def test_tampered_paths_get_404_or_400_and_nothing_from_disk(client, path):
    page = client.get(path)
    assert page.status_code in (400, 404)
    assert "root:" not in page.text
    assert "[build-system]" not in page.text
    assert "Traceback" not in page.text
    assert "set-cookie" not in page.headers


def test_only_get_and_head(client):
    assert client.head("/sources").status_code == 200
    response = client.post("/sources")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_stylesheet_is_served_from_the_package(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "figure.chart" in css.text


def test_get_renders_a_page_without_a_server(bundled):
    status, media_type, body = get(bundled, f"/products/{PRODUCT}.json")
    assert (status, media_type) == (200, "application/json")
    assert json.loads(body)["product"] == PRODUCT
    status, _, body = get(bundled, "/events?product=nope")
    assert status == 404
    with pytest.raises(UsageError, match="starts with '/'"):
        get(bundled, "events")


def test_cli_serve_get(run_cli, bundled_db):
    code, out, _ = run_cli("serve", "--db", str(bundled_db), "--get", "/index.json")
    assert code == 0
    assert any(p["product"] == PRODUCT for p in json.loads(out)["products"])
    code, out, err = run_cli("serve", "--db", str(bundled_db), "--get", "/products/nope")
    assert code == 1
    assert "unknown product &#39;nope&#39;" in out
    assert "/products/nope: HTTP 404" in err


def test_cli_serve_needs_an_existing_ledger(run_cli, tmp_path):
    code, _, err = run_cli("serve", "--db", str(tmp_path / "none.duckdb"), "--get", "/")
    assert code == 1
    assert "no ledger at" in err
    assert not (tmp_path / "none.duckdb").exists()


def test_cli_serve_help_says_why_it_binds_loopback(run_cli):
    code, out, _ = run_cli("serve", "--help")
    assert code == 0
    assert "127.0.0.1" in out
    assert "no login" in out


def test_the_web_view_refuses_a_writable_ledger(ledger):
    with pytest.raises(UsageError, match="read-only"):
        create_app(ledger)


def test_serving_pages_leaves_the_ledger_file_unchanged(bundled_db):
    before = hashlib.sha256(bundled_db.read_bytes()).hexdigest()
    with Ledger.open(bundled_db, read_only=True) as ledger:
        client = AsgiClient(create_app(ledger))
        for path in ("/", f"/products/{PRODUCT}/2025-06.json", "/sources", "/nope"):
            client.get(path)
    assert hashlib.sha256(bundled_db.read_bytes()).hexdigest() == before
