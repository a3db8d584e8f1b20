"""Helpers for the web, injection and browser tests: a real server on a loopback port, the
hand-written injection fixture, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from mineralflow.ledger import Ledger
from support import copy_ledger

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
MINERALFLOW = Path(sys.executable).with_name("mineralflow")

# Untrusted text as an article could carry it: tags, attribute breakouts, script URLs.
TITLE = '<script>alert("title")</script> Magnets surge"><img src=x onerror=alert(1)>'
OUTLET = '"><svg onload=alert(2)>Evil Times'
PUBLISHER = "' onmouseover='alert(3)' x='"
URL = "javascript:alert(4)"
NOTE = '<iframe src="javascript:alert(5)"></iframe>'
STATED = "353 <b onclick=alert(6)>t</b>"
LOCATOR = "</td><script>alert(7)</script>"
JURISDICTION = "<script>alert(8)</script>"
INSTRUMENT = '<img src=x onerror="alert(9)">Decree'
RAW = [
    "<script>alert",
    "<img src=x",
    "<svg onload",
    "<iframe",
    "<b onclick",
    "onmouseover='alert",
    'href="javascript:',
]


def add_injection(path: Path, *, bundled: Path | None = None) -> None:
    """Load the bundled data into the ledger at ``path`` (or copy ``bundled``, a ledger file
    holding them) plus one hostile article (two figures: one agreeing, one disagreeing, so
    it reaches the conflicts) and one hostile policy event that names the product."""
    source = {
        "source_id": "evil-2025-07",
        "kind": "news_article",
        "authority": "blog",
        "outlet": OUTLET,
        "original_publisher": PUBLISHER,
        "title": TITLE,
        "url": URL,
        "published": dt.date(2025, 7, 21),
        "content_hash": "evil",
        "note": NOTE,
    }
    base = {
        "source_id": "evil-2025-07",
        "reporter": "CHN",
        "product": "rare-earth-magnets",
        "flow": "export",
        "period_start": dt.date(2025, 6, 1),
        "period_end": dt.date(2025, 6, 1),
        "measure": "level",
        "unit": "t",
        "resolution": 1.0,
        "qualifier": "exact",
        "locator": LOCATOR,
        "note": NOTE,
    }
    figures = [
        {**base, "figure_id": "f-evil-usa", "partner": "USA", "value": 353.0, "stated": STATED},
        {
            **base,
            "figure_id": "f-evil-wld",
            "partner": "WLD",
            "value": 9999.0,
            "stated": "9,999 <script>alert(10)</script>",
        },
    ]
    event = {
        "event_id": "ev-evil",
        "date_announced": dt.date(2025, 5, 20),
        "date_effective": dt.date(2025, 5, 20),
        "jurisdiction": JURISDICTION,
        "instrument": INSTRUMENT,
        "kind": "export_control",
        "commodities": "rare earth magnets <script>alert(11)</script>",
        "hs_codes": "",
        "summary": TITLE,
        "source_url": URL,
    }
    if bundled is not None:
        copy_ledger(bundled, path)
    with Ledger.open(path) as ledger:
        if bundled is None:
            ledger.load_bundled()
        ledger.add_documents("articles", [source], figures)
        ledger.sync_dataset("injection-events", [], [], [event])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(db: Path, log: Path, *, timeout: float = 60) -> Iterator[str]:
    """``mineralflow serve`` on a free loopback port in a subprocess, its stderr in ``log``;
    yields its base URL and stops it afterwards."""
    port = free_port()
    with log.open("w") as err:
        proc = subprocess.Popen(
            [str(MINERALFLOW), "serve", "--db", str(db), "--port", str(port), "--no-access-log"],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(base + "/index.json", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mineralflow serve did not start: {log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def raw_get(base: str, target: str, timeout: float = 10) -> tuple[int, bytes]:
    """Send ``GET target`` byte for byte (no client normalises ``../`` or encodings)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(
            b"GET " + target.encode("latin-1") + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Connection: close\r\n\r\n"
        )
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


def chromium_skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return (
            "needs Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`; "
            "`make test` installs it when run as root)"
        )
    return None


@contextlib.contextmanager
def chromium(tmp: Path) -> Iterator[object]:
    """A fresh headless Chromium context (Debian's binary, a new profile folder)."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


class AsgiClient:
    """A synchronous HTTP client for an ASGI app, in-process (httpx's ASGI transport)."""

    def __init__(self, app: object) -> None:
        self.app = app

    def request(self, method: str, path: str) -> httpx.Response:
        import asyncio

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                response = await c.request(method, path)
                await response.aread()
                return response

        return asyncio.run(go())

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def head(self, path: str) -> httpx.Response:
        return self.request("HEAD", path)

    def post(self, path: str) -> httpx.Response:
        return self.request("POST", path)
