"""Helpers for the fetch tests: a web site served on 127.0.0.1 (article pages, feeds, a fake UN
Comtrade API), the site's content, and a fingerprint of a ledger.

Everything here is made up for the tests: the outlets are fictional sites under
``example.test`` and the figures are invented (they are not trade statistics). The Comtrade
answers are built from ``tests/data/comtrade/comtrade-api-preview-CHN-850511-2025-05-06.json``,
which holds the same synthetic rows as the CSV beside it, in the shape the API answers.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mineralflow.ledger import Ledger

DATA = Path(__file__).parent / "data"
COMTRADE_JSON = DATA / "comtrade" / "comtrade-api-preview-CHN-850511-2025-05-06.json"
COMTRADE_CSV = DATA / "comtrade" / "comtrade-final-CHN-850511-2025-05-06.csv"


@dataclass
class Route:
    """What the site answers at one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[str, dict[str, list[str]], dict[str, str]], Route]
"""A dynamic route: (path, query, request headers) -> Route."""


class Site:
    """A threaded HTTP server on 127.0.0.1 (a free port) answering from ``routes``; it
    records every request as (path with query, headers)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route | Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                site.requests.append((self.path, headers))
                parts = urlsplit(self.path)
                route = site.routes.get(parts.path)
                if route is None:
                    answer = Route(b"<html><body>not here</body></html>", status=404)
                elif callable(route):
                    answer = route(parts.path, parse_qs(parts.query), headers)
                else:
                    answer = route
                etag = answer.headers.get("ETag")
                if etag and headers.get("if-none-match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [urlsplit(p).path for p, _ in self.requests]

    def __enter__(self) -> Site:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def fingerprint(path: Path) -> str:
    """A hash of every row of every table of the ledger: equal before and after means the
    ledger is unchanged."""
    digest = hashlib.sha256()
    with Ledger.open(path, read_only=True) as ledger:
        tables = [
            r[0]
            for r in ledger.con.execute(
                "SELECT table_name FROM duckdb_tables() ORDER BY table_name"
            ).fetchall()
        ]
        for table in tables:
            rows = ledger.con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()
            digest.update(f"{table}:{rows!r}".encode())
    return digest.hexdigest()


def loopback_only(monkeypatch: Any) -> None:
    """Fail any attempt to look up a host that is not this machine (a guard: nothing in the
    suite may reach outside). Through ``monkeypatch``, so a test can patch over it."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1", b"127.0.0.1"):
            raise AssertionError(f"a test tried to reach {host!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


# -- the fictional outlets' articles --------------------------------------------------------

OUTLETS = {
    "metals": "Example Metals Wire",
    "ports": "Harbour Ledger (example.test)",
}


@dataclass(frozen=True)
class Story:
    slug: str
    outlet: str  # a key of OUTLETS
    title: str
    summary: str
    body: str
    date: str  # YYYY-MM-DD
    relevant: bool  # names a catalog product in the feed's title or summary


# Twenty stories, made up for the tests. The relevant ones name a catalog product in their
# title or summary; the others are about something else (a page about magnet schools, too).
STORIES = [
    Story("magnets-june", "metals", "Rare earth magnet exports jump in June",
          "China's shipments of rare earth permanent magnets rose sharply.",
          "China exported 3,100 tons of rare earth magnets in June 2025, up 150% from May, "
          "customs data showed. Exports to the United States reached 350 tons in June 2025.",
          "2025-07-20", True),
    Story("magnets-july", "metals", "Magnet shipments keep climbing in July",
          "Rare-earth magnet exports from China rose again.",
          "China's exports of rare earth magnets rose to 5,500 tons in July 2025, customs data "
          "showed, as shipments to Germany reached 1,100 tons in July 2025.",
          "2025-08-20", True),
    Story("gallium-controls", "metals", "Gallium exports stay low under licences",
          "Gallium shipments remain well below last year's level.",
          "China's gallium exports stayed low in June as licences were slow to arrive, traders "
          "said. Producers in Yunnan reported steady output.",
          "2025-07-22", True),
    Story("ndfeb-prices", "metals", "NdFeB makers raise prices",
          "Magnet makers in Ningbo pass on higher costs.",
          "Makers of NdFeB magnets in Ningbo raised their prices by 5% in July, citing higher "
          "costs for raw materials. Demand from electric vehicle makers stayed firm.",
          "2025-07-25", True),
    Story("hs-850511", "metals", "What HS 850511 covers",
          "A note on the heading UN Comtrade publishes for permanent magnets (HS 850511).",
          "The six-digit heading 850511 holds permanent magnets of metal, rare earth magnets "
          "among them, and articles intended to become permanent magnets.",
          "2025-07-26", True),
    Story("rare-earths-h1", "metals", "Rare earths shipments in the first half",
          "Exports of the 17 rare earth elements in the first half of 2025.",
          "China exported 32,000 tons of rare earths in the first half of 2025, down 5% from "
          "the same period last year, customs data showed.",
          "2025-07-28", True),
    Story("magnets-us-june", "ports", "US-bound magnet cargo rebounds",
          "Rare earth magnets bound for the United States rebounded in June.",
          "China's exports of rare earth magnets to the United States rose to 350 tons in June "
          "2025 from 46 tons in May 2025, customs data showed.",
          "2025-07-21", True),
    Story("germany-magnets", "ports", "Germany's magnet imports from China",
          "German buyers took more rare earth magnets in June.",
          "Exports of rare earth magnets from China to Germany rose to 820 tons in June 2025, "
          "customs data showed.",
          "2025-07-23", True),
    Story("antimony", "ports", "Antimony cargo stalls at the border",
          "Antimony shipments slowed after new checks.",
          "Shipments of antimony slowed in July after customs added checks at two border "
          "posts, freight agents said.",
          "2025-07-24", True),
    Story("tungsten", "ports", "Tungsten prices reach a record",
          "Tungsten concentrate traded at a record in Jiangxi.",
          "Tungsten concentrate traded at a record price in Jiangxi this week as mines "
          "cut output for safety checks.",
          "2025-07-29", True),
    Story("magnets-korea", "ports", "Korea's magnet buyers wait",
          "South Korean buyers of rare earth magnets waited for licences.",
          "China's exports of rare earth magnets to South Korea rose to 280 tons in June "
          "2025, customs data showed.",
          "2025-07-30", True),
    Story("soybeans", "metals", "Soybean imports slow at northern ports",
          "Crushers cut purchases as margins fell.",
          "Soybean imports into northern China slowed in July as crushers cut purchases.",
          "2025-07-20", False),
    Story("shipping-rates", "metals", "Container rates ease on Asia-Europe lanes",
          "Spot rates fell for a third week.",
          "Spot container rates between Asia and Europe fell for a third week.",
          "2025-07-21", False),
    Story("steel-output", "metals", "Steel output dips in July",
          "Mills trimmed production during the heat wave.",
          "Steel mills trimmed output in July during a heat wave, an industry group said.",
          "2025-07-22", False),
    Story("magnet-schools", "ports", "Magnet schools open enrolment",
          "The city's magnet schools take applications from Monday.",
          "The city's magnet schools take applications from Monday, the district said.",
          "2025-07-23", False),
    Story("port-strike", "ports", "Dock workers end a two-day strike",
          "Cranes are moving again at the southern terminal.",
          "Dock workers ended a two-day strike at the southern terminal on Tuesday.",
          "2025-07-24", False),
    Story("copper-smelter", "ports", "A copper smelter restarts after repairs",
          "The smelter resumes after a month of maintenance.",
          "A copper smelter in the south restarted after a month of maintenance.",
          "2025-07-25", False),
    Story("weather", "ports", "Typhoon warning for the coast",
          "Ports prepare for strong winds this weekend.",
          "Ports along the coast prepared for strong winds expected this weekend.",
          "2025-07-26", False),
    Story("fuel-prices", "metals", "Marine fuel prices steady",
          "Bunker prices held steady in Singapore.",
          "Bunker fuel prices held steady in Singapore this week.",
          "2025-07-27", False),
    Story("football", "ports", "Harbour FC wins the cup",
          "The dockers' team lifted the trophy on Sunday.",
          "The dockers' football team lifted the regional cup on Sunday.",
          "2025-07-28", False),
]  # fmt: skip
assert len(STORIES) == 20
# Two stories appear in both feeds: each page is still one source.
SHARED = ("magnets-june", "magnets-us-june")


def page(story: Story) -> bytes:
    outlet = OUTLETS[story.outlet]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{story.title}</title>
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="{story.date}T08:00:00Z">
</head><body>
<header><nav><a href="/">{outlet}</a> | <a href="/markets">Markets</a></nav></header>
<article>
<h1>{story.title}</h1>
<p class="byline">By a fictional correspondent, {story.date}</p>
<p>{story.body}</p>
<p>This story was written for mineralflow's tests; its outlet and figures are made up.</p>
</article>
<footer>© {outlet}. A fictional site for tests.</footer>
</body></html>
""".encode()


def _rfc822(date: str) -> str:
    import datetime as dt

    day = dt.date.fromisoformat(date)
    return day.strftime("%a, %d %b %Y 08:00:00 +0000")


def rss(site: Site, stories: list[Story]) -> bytes:
    items = "".join(
        f"""<item><title>{s.title}</title><link>{site.url(f"/news/{s.slug}.html")}</link>
<guid>{site.url(f"/news/{s.slug}.html")}</guid><pubDate>{_rfc822(s.date)}</pubDate>
<description>{s.summary}</description></item>
"""
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{OUTLETS["metals"]}</title>
<link>{site.url("/")}</link><description>Fictional metals news for tests</description>
{items}</channel></rss>
""".encode()


def atom(site: Site, stories: list[Story]) -> bytes:
    entries = "".join(
        f"""<entry><title>{s.title}</title>
<link rel="alternate" href="{site.url(f"/news/{s.slug}.html?utm_source=atom")}"/>
<id>tag:example.test,2025:{s.slug}</id><updated>{s.date}T08:00:00Z</updated>
<summary>{s.summary}</summary></entry>
"""
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{OUTLETS["ports"]}</title>
<id>tag:example.test,2025:ports</id><updated>2025-07-30T08:00:00Z</updated>
{entries}</feed>
""".encode()


def serve_news(site: Site) -> tuple[str, str]:
    """Put the twenty pages and the two feeds on the site; the feeds' URLs."""
    for s in STORIES:
        site.routes[f"/news/{s.slug}.html"] = Route(page(s), headers={"ETag": f'"{s.slug}-1"'})
    metals = [s for s in STORIES if s.outlet == "metals" or s.slug in SHARED]
    ports = [s for s in STORIES if s.outlet == "ports" or s.slug in SHARED]
    site.routes["/metals/rss.xml"] = Route(rss(site, metals), content_type="application/rss+xml")
    site.routes["/ports/atom.xml"] = Route(atom(site, ports), content_type="application/atom+xml")
    return site.url("/metals/rss.xml"), site.url("/ports/atom.xml")


# -- a fake UN Comtrade API ---------------------------------------------------------------


def comtrade_api(
    records: list[dict[str, Any]] | None = None, *, calls: list[dict[str, list[str]]] | None = None
) -> Handler:
    """Answers ``/public/v1/preview/C/M/HS`` and ``/data/v1/get/C/M/HS`` as UN Comtrade's
    API does: the records matching the query's periods, reporter, commodity, flow and
    breakdown filters, in ``{"elapsedTime", "count", "data", "error"}``."""
    rows = records if records is not None else json.loads(COMTRADE_JSON.read_text())["data"]

    def answer(path: str, query: dict[str, list[str]], headers: dict[str, str]) -> Route:
        q = {k: v[0] for k, v in query.items()}
        if calls is not None:
            calls.append(query)
        if path.startswith("/data/") and q.get("subscription-key") != "good-key":
            return _json(401, {"statusCode": 401, "message": "Access denied due to invalid "
                               "subscription key. Make sure to provide a valid key for an "
                               "active subscription."})  # fmt: skip
        periods = set(q.get("period", "").split(","))
        cmds = set(q.get("cmdCode", "").split(","))
        found = [
            r
            for r in rows
            if str(r["period"]) in periods
            and str(r["reporterCode"]) == q.get("reportercode")
            and r["cmdCode"] in cmds
            and ("flowCode" not in q or r["flowCode"] == q["flowCode"])
            and ("partner2Code" not in q or str(r["partner2Code"]) == q["partner2Code"])
            and ("motCode" not in q or str(r["motCode"]) == q["motCode"])
            and ("customsCode" not in q or r["customsCode"] == q["customsCode"])
        ]
        return _json(200, {"elapsedTime": "0.01 secs", "count": len(found), "data": found,
                           "error": ""})  # fmt: skip

    return answer


def _json(status: int, doc: dict[str, Any]) -> Route:
    return Route(json.dumps(doc).encode(), status=status, content_type="application/json")


def quota_exceeded(path: str, query: dict[str, list[str]], headers: dict[str, str]) -> Route:
    """What UN Comtrade's gateway answers when the call-volume quota is used up."""
    return _json(
        403,
        {"statusCode": 403,
         "message": "Out of call volume quota. Quota will be replenished in 05:39:01."},
    )  # fmt: skip
