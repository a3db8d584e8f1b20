"""The real server (uvicorn, loopback): raw requests that no client would normalise."""

from __future__ import annotations

import pytest

from webtools import raw_get, running_server

PRODUCT = "rare-earth-magnets"


@pytest.fixture(scope="module")
def server(bundled_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("server") / "server.log"
    with running_server(bundled_db, log) as base:
        yield base, log
    assert "Traceback" not in log.read_text()


def test_a_page_over_loopback(server):
    base, _ = server
    status, data = raw_get(base, f"/products/{PRODUCT}/2025-06.json")
    assert status == 200
    assert b"content-security-policy: default-src 'none'" in data.lower()
    assert b'"period": "2025-06"' in data


@pytest.mark.parametrize(
    "target",
    [
        "/../../etc/passwd",
        "/products/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../pyproject.toml",
        "/static/%2e%2e/%2e%2e/src/mineralflow/__init__.py",
        "/static/style.css/../../../pyproject.toml",
        "//etc/passwd",
        "/index.json/../../etc/passwd",
        f"/products/{PRODUCT}/partners/..%5c..%5cwindows%5cwin.ini",
        "/products/%ff%fe%00",
        "/products/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        f"/products/{PRODUCT}/2025-06?product=%00%ff",
        f"/events?product={PRODUCT}%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/products/" + "a" * 5000,
        "/events?product=" + "b" * 5000,
    ],
)
def test_tampering_gets_404_or_400(server, target):
    base, _ = server
    status, data = raw_get(base, target)
    assert status in (400, 404), data[:200]
    assert b"root:x:0" not in data
    assert b"[build-system]" not in data
    assert b"Traceback" not in data
    assert b"<script>alert" not in data


def test_an_overlong_request_line_is_refused_and_the_server_lives_on(server):
    base, _ = server
    status, _ = raw_get(base, "/" + "x" * 70_000)
    assert status in (400, 414, 431)
    assert raw_get(base, "/sources.json")[0] == 200
