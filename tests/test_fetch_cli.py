"""`claims URL`, `watch` and `fetch comtrade` against a site served on 127.0.0.1: pages read as
saved pages are, feeds followed run after run, the Comtrade API ingested as its CSV is."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from fetchtools import (
    COMTRADE_CSV,
    COMTRADE_JSON,
    SHARED,
    STORIES,
    Route,
    Site,
    comtrade_api,
    fingerprint,
    loopback_only,
    page,
    serve_news,
)
from mineralflow.fetch import cache_dir
from mineralflow.ledger import Ledger

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's pacing and backoff run as written, without the waiting."""
    slept: list[float] = []
    monkeypatch.setattr("mineralflow.fetch.http.sleep", slept.append)
    loopback_only(monkeypatch)
    return slept


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


@pytest.fixture
def db(bundled_db: Path, tmp_path: Path) -> Path:
    """A ledger with the bundled data, so "unchanged" means something."""
    path = tmp_path / "ledger.duckdb"
    shutil.copy(bundled_db, path)
    with Ledger.open(path):  # migrated to this version before the first fingerprint
        pass
    return path


def news_sources(path: Path) -> dict[str, str]:
    with Ledger.open(path, read_only=True) as ledger:
        rows = ledger.con.execute(
            "SELECT url, source_id FROM sources WHERE kind = 'news_article' AND url IS NOT NULL"
        ).fetchall()
    return dict(rows)


def page_url(site: Site, slug: str) -> str:
    return site.url(f"/news/{slug}.html")


def story(slug: str):
    return next(s for s in STORIES if s.slug == slug)


# -- claims URL ---------------------------------------------------------------------------


def test_a_url_is_read_exactly_as_the_saved_page(run_cli, site, tmp_path, db):
    s = story("magnets-june")
    site.routes["/news/magnets-june.html"] = Route(page(s))
    saved = tmp_path / "magnets-june.html"
    saved.write_bytes(page(s))
    code, out_url, err = run_cli("claims", page_url(site, s.slug), "-f", "json", "--db", str(db))
    assert code == 0, err
    code, out_file, _ = run_cli("claims", str(saved), "-f", "json")
    from_url, from_file = json.loads(out_url), json.loads(out_file)
    assert len(from_url) >= 3  # the world level, the change and the US level
    assert [{**r, "source": None} for r in from_url] == [{**r, "source": None} for r in from_file]
    assert {r["source"] for r in from_url} == {page_url(site, s.slug)}
    assert {r["outlet"] for r in from_url} == {"Example Metals Wire"}
    cached = list((cache_dir(db) / "pages").glob("*.html"))
    assert [p.read_bytes() for p in cached] == [page(s)]


def test_a_page_fetched_twice_is_one_source(run_cli, site, db):
    fetches = []

    def changing(path, query, headers):  # a timestamp in the page: new bytes every fetch
        fetches.append(path)
        stamp = f"<!-- served {len(fetches)} -->".encode()
        return Route(page(story("germany-magnets")).replace(b"</body>", stamp + b"</body>"))

    site.routes["/news/germany-magnets.html"] = changing
    url = page_url(site, "germany-magnets")
    code, _, err = run_cli("claims", url, "--save", "--db", str(db))
    assert code == 0, err
    assert re.search(r": 1 articles and [1-9]\d* figures added", err)
    before = fingerprint(db)
    code, _, err = run_cli("claims", url + "?utm_source=rss#top", "--save", "--db", str(db))
    assert code == 0, err
    assert "0 articles and 0 figures added (all already in the ledger)" in err
    assert "1 pages already in the ledger by address" in err
    assert len(fetches) == 2
    assert fingerprint(db) == before
    assert list(news_sources(db)).count(url) == 1


def test_a_file_of_urls_with_a_bad_line(run_cli, site, tmp_path, db):
    for slug in ("magnets-july", "antimony"):
        site.routes[f"/news/{slug}.html"] = Route(page(story(slug)))
    listing = tmp_path / "urls.txt"
    listing.write_text(
        f"# this month's articles\n{page_url(site, 'magnets-july')}\n\nnot a url\n"
        f"{page_url(site, 'antimony')}\n",
        encoding="utf-8",
    )
    code, _, err = run_cli("claims", "--urls", str(listing), "--save", "--db", str(db))
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: {listing}:4: 'not a url' is not an address; write one http(s) URL a line"
    ]
    assert set(news_sources(db)) >= {page_url(site, "magnets-july"), page_url(site, "antimony")}


# -- watch --------------------------------------------------------------------------------


def test_watch_save_books_the_relevant_new_articles_once_and_then_finds_nothing_new(
    run_cli, site, db
):
    feeds = serve_news(site)
    relevant = {page_url(site, s.slug) for s in STORIES if s.relevant}
    others = {page_url(site, s.slug) for s in STORIES if not s.relevant}
    assert (len(relevant), len(others)) == (11, 9)
    # One relevant article is in the ledger already (read by hand last week).
    code, _, err = run_cli("claims", page_url(site, "magnets-korea"), "--save", "--db", str(db))
    assert code == 0, err
    booked_before = news_sources(db)
    site.requests.clear()

    code, out, err = run_cli("watch", *feeds, "--save", "--db", str(db))
    assert code == 0, err
    assert "2 feeds read, 22 entries: 22 new, 13 about catalog products" in err
    assert "10 articles and" in err
    assert "1 already in the ledger" in err
    booked = news_sources(db)
    assert set(booked) - set(booked_before) == relevant - {page_url(site, "magnets-korea")}
    assert not set(booked) & others
    requested = site.paths()
    assert sorted(p for p in requested if p.startswith("/news/")) == sorted(
        f"/news/{s.slug}.html" for s in STORIES if s.relevant
    )  # each relevant page once (two are in both feeds), no other page
    with Ledger.open(db, read_only=True) as ledger:
        figures = ledger.figures_df(product="rare-earth-magnets", period="2025-06")
        entries = ledger.con.execute(
            "SELECT count(*), count(source_id), count(*) FILTER (WHERE products = '') "
            "FROM feed_entries"
        ).fetchone()
    june = figures[figures.source_url == page_url(site, "magnets-june")]
    assert {(r.partner, r.measure, r.value) for r in june.itertuples()} >= {
        ("WLD", "level", 3100.0),
        ("USA", "level", 350.0),
    }
    assert entries == (22, 13, 9)
    assert "booked" in out
    assert "magnet-schools" not in out

    after_first = fingerprint(db)
    site.requests.clear()
    code, out, err = run_cli("watch", *feeds, "--save", "--db", str(db))
    assert code == 0, err
    assert "2 feeds read, 22 entries: nothing new since the last run" in err
    assert out == ""
    assert site.paths() == ["/metals/rss.xml", "/ports/atom.xml"]
    assert fingerprint(db) == after_first


def test_watch_without_save_shows_what_save_would_book_and_writes_nothing(
    run_cli, site, db, tmp_path
):
    feeds = serve_news(site)
    before = fingerprint(db)
    code, out, err = run_cli("watch", *feeds, "-f", "json", "--db", str(db))
    assert code == 0, err
    rows = json.loads(out)
    in_metals = [s for s in STORIES if s.relevant and (s.outlet == "metals" or s.slug in SHARED)]
    in_ports = [s for s in STORIES if s.relevant and (s.outlet == "ports" or s.slug in SHARED)]
    assert sorted(r["link"] for r in rows) == sorted(
        [page_url(site, s.slug) for s in in_metals]
        + [page_url(site, s.slug) + "?utm_source=atom" for s in in_ports]
    )
    assert {r["status"] for r in rows} == {"read"}
    assert "nothing saved (add --save to book them)" in err
    assert fingerprint(db) == before
    # The feeds list in a file, as the monthly routine keeps it.
    listing = tmp_path / "feeds.txt"
    listing.write_text("\n".join(feeds) + "\n", encoding="utf-8")
    code, _, err = run_cli("watch", "--feeds", str(listing), "--save", "--db", str(db))
    assert code == 0, err
    assert len({u for u in news_sources(db) if u.startswith(site.base)}) == 11


# -- fetch comtrade -----------------------------------------------------------------------


def _official(path: Path) -> dict[str, list[tuple]]:
    with Ledger.open(path, read_only=True) as ledger:
        con = ledger.con
        return {
            "flows": con.execute(
                "SELECT * EXCLUDE (release_id) FROM flows ORDER BY ALL"
            ).fetchall(),
            "figures": con.execute(
                "SELECT * EXCLUDE (figure_id, source_id, locator) FROM figures WHERE source_id "
                "LIKE 'comtrade-%' ORDER BY ALL"
            ).fetchall(),
            "periods": con.execute(
                "SELECT * EXCLUDE (source_id) FROM release_periods ORDER BY ALL"
            ).fetchall(),
        }


def test_fetch_comtrade_ingests_what_the_csv_gives(run_cli, site, tmp_path, monkeypatch):
    calls: list = []
    site.routes["/public/v1/preview/C/M/HS"] = comtrade_api(calls=calls)
    monkeypatch.setenv("MINERALFLOW_COMTRADE_API", site.base)
    monkeypatch.delenv("COMTRADE_KEY", raising=False)
    from_csv, from_api = tmp_path / "csv.duckdb", tmp_path / "api.duckdb"
    code, _, err = run_cli("ingest", str(COMTRADE_CSV), "--db", str(from_csv))
    assert code == 0, err
    args = ["fetch", "comtrade", "--reporter", "CHN", "--cmd", "850511"]
    code, out, err = run_cli(*args, "--period", "2025-05:2025-06", "--db", str(from_api))
    assert code == 0, err
    assert "release comtrade-r1" in out
    expected = _official(from_csv)
    assert len(expected["flows"]) == 12  # 13 rows, one a breakdown by mode of transport
    assert len(expected["figures"]) == 9
    assert _official(from_api) == expected
    assert [{k: v[0] for k, v in c.items()} for c in calls] == [
        {"reportercode": "156", "period": "202505,202506", "cmdCode": "850511",
         "partner2Code": "0", "customsCode": "C00", "motCode": "0", "maxRecords": "500",
         "includeDesc": "True"},
    ]  # fmt: skip
    with Ledger.open(from_api, read_only=True) as ledger:
        url = ledger.con.execute("SELECT url FROM sources WHERE source_id = 'comtrade-r1'")
        assert url.fetchone()[0].startswith(site.url("/public/v1/preview/C/M/HS?"))
    kept = list((cache_dir(from_api) / "comtrade").glob("comtrade-api-CHN-850511-*.csv"))
    assert len(kept) == 1
    # The same answer again: the same file, nothing changes.
    before = fingerprint(from_api)
    code, out, err = run_cli(*args, "--period", "2025-05:2025-06", "--db", str(from_api))
    assert code == 0, err
    assert "already loaded as comtrade-r1" in out
    assert fingerprint(from_api) == before
    # A revised answer: a new vintage beside the old.
    rows = json.loads(COMTRADE_JSON.read_text())["data"]
    rows[1] = {**rows[1], "netWgt": 62000.0, "qty": 62000.0}
    site.routes["/public/v1/preview/C/M/HS"] = comtrade_api(rows)
    code, out, err = run_cli(*args, "--period", "2025-05:2025-06", "--db", str(from_api))
    assert code == 0, err
    assert "release comtrade-r2" in out
    assert "a new vintage of cells in comtrade-r1" in out


def test_fetch_comtrade_with_a_subscription_key_keeps_the_key_out(
    run_cli, site, tmp_path, monkeypatch
):
    calls: list = []
    site.routes["/data/v1/get/C/M/HS"] = comtrade_api(calls=calls)
    monkeypatch.setenv("MINERALFLOW_COMTRADE_API", site.base)
    monkeypatch.setenv("COMTRADE_KEY", "good-key")
    db = tmp_path / "key.duckdb"
    code, out, err = run_cli(
        "fetch", "comtrade", "--reporter", "China", "--cmd", "850511", "--period", "2025-06",
        "--flow", "export", "--db", str(db),
    )  # fmt: skip
    assert code == 0, err
    assert calls[0]["subscription-key"] == ["good-key"]
    assert calls[0]["flowCode"] == ["X"]
    assert calls[0]["maxRecords"] == ["100000"]
    assert "good-key" not in out + err
    with Ledger.open(db, read_only=True) as ledger:
        dump = str(ledger.con.execute("SELECT * FROM sources").fetchall())
    assert "good-key" not in dump
    assert "subscription-key" not in dump


# -- the README's monthly routine -----------------------------------------------------------


def test_the_readme_monthly_routine_runs(run_cli, site, tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## The monthly routine") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the README's monthly routine has no example"
    commands = [
        line.split("#")[0].split()[1:]
        for line in block.group(1).splitlines()
        if line.startswith("mineralflow ")
    ]
    assert [c[0] for c in commands] == ["watch", "fetch", "brief"]
    feeds = serve_news(site)
    site.routes["/public/v1/preview/C/M/HS"] = comtrade_api()
    monkeypatch.setenv("MINERALFLOW_COMTRADE_API", site.base)
    monkeypatch.delenv("COMTRADE_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "feeds.txt").write_text("\n".join(feeds) + "\n", encoding="utf-8")
    assert run_cli("load")[0] == 0
    for args in commands:
        code, out, err = run_cli(*args)
        assert code == 0, (args, err)
        assert out or err
    assert "Sources" in out  # the brief, with its numbered sources
