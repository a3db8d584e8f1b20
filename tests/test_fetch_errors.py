"""Each way a fetch fails says what happened and what to do in one line, exits non-zero and
leaves the ledger exactly as it was (a fingerprint of every table, before and after)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fetchtools import Route, Site, fingerprint, loopback_only, quota_exceeded
from mineralflow.ledger import Ledger

WALL = b"""<!DOCTYPE html><html><head><title>Before you continue</title></head><body>
<div class="consent"><p>We use cookies and similar technologies. Accept all cookies or manage
your privacy settings.</p><button>Accept all</button></div>
<div class="paywall"><p>Subscribe to continue reading. Already a subscriber? Sign in.</p></div>
</body></html>"""
NOT_A_FEED = b"""<!DOCTYPE html><html><head><title>Metals news</title>
<link rel="alternate" type="application/rss+xml" href="/feeds/metals.xml"></head>
<body><p>The latest metals news.</p></body></html>"""


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mineralflow.fetch.http.sleep", lambda seconds: None)
    loopback_only(monkeypatch)


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


@pytest.fixture
def db(bundled_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "ledger.duckdb"
    shutil.copy(bundled_db, path)
    with Ledger.open(path):
        pass
    return path


def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)


def _no_such_host(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_found(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", not_found)


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Site, pytest.MonkeyPatch], None]
    args: Callable[[Site], list[str]]
    message: str  # the one line, with {base} for the site's address
    exit_code: int


def _route(path: str, route: Route | Callable) -> Callable[[Site, pytest.MonkeyPatch], None]:
    def setup(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
        site.routes[path] = route

    return setup


CASES = [
    Case(
        "offline",
        lambda site, mp: _offline(mp),
        lambda site: ["claims", "https://news.example.test/magnets.html", "--save"],
        "Error: https://news.example.test/magnets.html: no network: the name news.example.test "
        "could not be looked up (Temporary failure in name resolution); check that this "
        "machine is online (and its DNS works), then run the command again",
        2,
    ),
    Case(
        "dns failure",
        lambda site, mp: _no_such_host(mp),
        lambda site: ["claims", "https://news.example.test/magnets.html", "--save"],
        "Error: https://news.example.test/magnets.html: the host news.example.test was not "
        "found (DNS: Name or service not known); check the address for a typo; the site may "
        "have moved",
        2,
    ),
    Case(
        "http 404",
        lambda site, mp: None,
        lambda site: ["claims", site.url("/news/gone.html"), "--save"],
        "Error: {base}/news/gone.html: HTTP 404 Not Found; check the address; the page may "
        "have moved or been taken down",
        2,
    ),
    Case(
        "http 500",
        _route("/news/broken.html", Route(b"oops", status=500)),
        lambda site: ["claims", site.url("/news/broken.html"), "--save"],
        "Error: {base}/news/broken.html: HTTP 500 Internal Server Error (tried 4 times); "
        "the site is failing; try again later",
        2,
    ),
    Case(
        "paywall or cookie page",
        _route("/news/walled.html", Route(WALL)),
        lambda site: ["claims", site.url("/news/walled.html"), "--save"],
        "Error: {base}/news/walled.html: no article",
        2,
    ),
    Case(
        "not a feed",
        _route("/metals", Route(NOT_A_FEED)),
        lambda site: ["watch", site.url("/metals"), "--save"],
        "Error: {base}/metals: not an RSS or Atom feed (it is an HTML page); the page names "
        "its feed: watch {base}/feeds/metals.xml",
        2,
    ),
    Case(
        "comtrade quota",
        _route("/public/v1/preview/C/M/HS", quota_exceeded),
        lambda site: [
            "fetch",
            "comtrade",
            "--reporter",
            "CHN",
            "--cmd",
            "850511",
            "--period",
            "2025-01:2025-12",
        ],
        "Error: {base}/public/v1/preview/C/M/HS (reporter CHN, cmd 850511, 2025-01 to "
        "2025-12): UN Comtrade refused the call: Out of call volume quota. Quota will be "
        "replenished in 05:39:01.; wait until the quota is replenished, then run the command "
        "again (a subscription key in COMTRADE_KEY has higher limits)",
        1,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_one_line_non_zero_exit_ledger_unchanged(case, run_cli, site, db, monkeypatch):
    monkeypatch.setenv("MINERALFLOW_COMTRADE_API", site.base)
    monkeypatch.delenv("COMTRADE_KEY", raising=False)
    case.setup(site, monkeypatch)
    before = fingerprint(db)
    code, _, err = run_cli(*case.args(site), "--db", str(db))
    assert code == case.exit_code, err
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, err
    assert errors[0].startswith(case.message.format(base=site.base)), errors[0]
    assert "; " in errors[0]  # what happened; what to do
    assert "Traceback" not in err
    assert fingerprint(db) == before


def test_the_wall_message_says_where_the_page_is_kept(run_cli, site, db):
    site.routes["/news/walled.html"] = Route(WALL)
    _, _, err = run_cli("claims", site.url("/news/walled.html"), "--save", "--db", str(db))
    line = next(line for line in err.splitlines() if line.startswith("Error:"))
    assert "paywall, cookie or consent page" in line
    assert "`mineralflow claims FILE`" in line
    assert str(db.with_name("ledger.cache") / "pages") in line


def test_a_failed_url_does_not_stop_the_others(run_cli, site, db):
    from fetchtools import STORIES, page

    good = next(s for s in STORIES if s.slug == "tungsten")
    site.routes["/news/tungsten.html"] = Route(page(good))
    code, _, err = run_cli(
        "claims", site.url("/news/gone.html"), site.url("/news/tungsten.html"), "--save",
        "--db", str(db),
    )  # fmt: skip
    assert code == 2
    assert sum(line.startswith("Error:") for line in err.splitlines()) == 1
    assert ": 1 articles and" in err
    with Ledger.open(db, read_only=True) as ledger:
        urls = {r[0] for r in ledger.con.execute("SELECT url FROM sources").fetchall()}
    assert site.url("/news/tungsten.html") in urls
    assert site.url("/news/gone.html") not in urls


def test_a_feed_that_fails_is_tried_again_and_its_page_errors_are_not_remembered(run_cli, site, db):
    """An entry whose page failed is not remembered: the next run reads it again."""
    from fetchtools import rss, serve_news

    serve_news(site)
    one = [s for s in __import__("fetchtools").STORIES if s.slug == "gallium-controls"]
    site.routes["/one.xml"] = Route(rss(site, one), content_type="application/rss+xml")
    site.routes["/news/gallium-controls.html"] = Route(b"busy", status=503)
    code, _, err = run_cli("watch", site.url("/one.xml"), "--save", "--db", str(db))
    assert code == 2
    assert "HTTP 503" in err
    with Ledger.open(db, read_only=True) as ledger:
        assert ledger.con.execute("SELECT count(*) FROM feed_entries").fetchone()[0] == 0
    serve_news(site)  # the page is back
    code, _, err = run_cli("watch", site.url("/one.xml"), "--save", "--db", str(db))
    assert code == 0, err
    assert "1 new, 1 about catalog products" in err
    assert "1 articles and" in err
