"""Feeds: follow outlets' RSS and Atom feeds, read the new entries about catalog products.

    >>> with Ledger.open("mineralflow.duckdb") as ledger:              # doctest: +SKIP
    ...     report = watch(ledger, ["https://example.test/feed.xml"],
    ...                    cache=Cache("mineralflow.cache"), save=True)
    ...     [(r.entry.title, len(r.claims)) for r in report.read]

A run:

1. fetches each feed (through the cache: an unchanged feed answers ``304``) and parses it with
   feedparser; a body that is not RSS or Atom is one error for that feed (naming the feed the
   page links to, when it links one);
2. keeps the entries the ledger's ``feed_entries`` does not hold yet: the **new** ones;
3. picks the new entries that speak of a catalog product: a product word or tariff code of the
   claims reader's names (``product_terms.csv``, ``claim_terms.csv``, ``product_codes.csv`` through
   ``claims/names.py``) in the entry's title, summary or tags; bare "magnet" counts only
   beside a rare-earth word, as in articles;
4. fetches and reads those entries' pages (:func:`mineralflow.fetch.pages.read_page`), each
   address once however many feeds list it, with the entry's date as the publication date for
   a page that states none;
5. with ``save=True``, in one transaction: books the articles as claims
   (:func:`mineralflow.fetch.pages.save_report`, so an address already in the ledger is not
   booked twice) and remembers every new entry, except those whose page failed: the next run
   tries them again. A run that finds nothing new writes nothing.

Without ``save`` nothing is written: the run shows what ``save`` would book.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..claims import ArticleClaims, Claim, ClaimsReport
from ..claims import names as nm
from ..errors import FetchError, NotReadable, UsageError
from ..ledger import Ledger, LoadReport
from .cache import Cache
from .http import SCHEMES, Client, check_url
from .pages import canonical_url, read_page, save_report

__all__ = ["EntryRead", "FeedEntry", "FeedRead", "WatchReport", "products_named", "watch"]

Progress = Callable[[int, int, str], None]
"""Called before each page is fetched with (done, total, entry title)."""

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed: where it points and which catalog products it names."""

    feed_url: str
    key: str  # the entry's id, else its link, else its title
    link: str | None
    title: str
    published: dt.date | None
    products: tuple[str, ...]


@dataclass
class FeedRead:
    """One feed of a run: its entries and which of them are new (or why it failed)."""

    url: str
    title: str = ""
    entries: list[FeedEntry] = field(default_factory=list)
    new: list[FeedEntry] = field(default_factory=list)
    error: FetchError | None = None


@dataclass
class EntryRead:
    """A new entry about a catalog product, and what reading its page gave."""

    entry: FeedEntry
    article: ArticleClaims | None = None
    error: FetchError | None = None
    source_id: str | None = None  # the source booked for it (now or by an earlier run)
    already_booked: bool = False  # its address was in the ledger before this run

    @property
    def claims(self) -> list[Claim]:
        return self.article.claims if self.article else []


@dataclass
class WatchReport:
    """What a run found: the feeds, the new entries about catalog products as read, and
    (with ``save``) what the ledger gained."""

    feeds: list[FeedRead]
    read: list[EntryRead]
    saved: LoadReport | None = None
    since: dt.datetime | None = None  # when the ledger last remembered a new entry

    @property
    def errors(self) -> list[FetchError]:
        """One per feed and per page that failed (a page listed twice fails once)."""
        found = [f.error for f in self.feeds if f.error] + [r.error for r in self.read if r.error]
        return list({id(e): e for e in found}.values())

    @property
    def new(self) -> list[FeedEntry]:
        return [e for f in self.feeds for e in f.new]

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def claims_report(self) -> ClaimsReport:
        """The articles read (each page once), as :mod:`mineralflow.claims` reports them."""
        articles: dict[int, ArticleClaims] = {}
        for r in self.read:
            if r.article is not None:
                articles.setdefault(id(r.article), r.article)
        return ClaimsReport(articles=list(articles.values()))


def products_named(text: str) -> tuple[str, ...]:
    """The catalog products a text names, by the claims reader's words and codes (claims/names.py).

    >>> products_named("China's rare earth magnet exports rose in June")
    ('rare-earth-magnets',)
    >>> products_named("Magnet schools open in June")
    ()
    """
    found: set[str] = set()
    rare_earth = bool(nm.RARE_EARTH_WORD.search(text))
    for m in nm.product_pattern().finditer(text):
        term = nm.lookup_term(m.group())
        if term is None or (term.needs_rare_earth and not rare_earth):
            continue
        found.add(term.product)
    codes = nm.code_products()
    for m in nm.CODE.finditer(text):
        product = codes.get(m.group(1).replace(".", ""))
        if product is not None:
            found.add(product)
    return tuple(sorted(found))


def _plain(value: Any) -> str:
    return html.unescape(_TAG.sub(" ", str(value or ""))).strip()


def _date(entry: Any) -> dt.date | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday) if parsed else None
    except (AttributeError, ValueError):
        return None


def parse_feed(url: str, body: bytes, *, final_url: str) -> tuple[str, list[FeedEntry]]:
    """A feed's title and entries; :class:`NotReadable` when the body is not RSS or Atom."""
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": final_url})
    if not parsed.get("version") and not parsed.entries:
        raise NotReadable(
            f"not an RSS or Atom feed ({_looks_like(body)})",
            url=url,
            fix=_feed_hint(body, final_url),
        )
    entries: list[FeedEntry] = []
    for e in parsed.entries:
        title = _plain(e.get("title"))
        link = e.get("link") or None
        if link is not None and urlsplit(link).scheme.lower() not in SCHEMES:
            link = None  # only http(s) pages are fetched
        key = str(e.get("id") or link or title)
        if not key:
            continue
        tags = " ".join(_plain(t.get("term")) for t in e.get("tags", []) if t)
        text = f"{title}\n{_plain(e.get('summary'))}\n{tags}"
        entries.append(
            FeedEntry(
                feed_url=canonical_url(url),  # the feed as the ledger remembers it
                key=key,
                link=link,
                title=title,
                published=_date(e),
                products=products_named(text),
            )
        )
    return _plain(parsed.feed.get("title")), entries


def _looks_like(body: bytes) -> str:
    head = body[:2048].lstrip().lower()
    if not head:
        return "the answer is empty"
    if b"<html" in head or head.startswith(b"<!doctype html"):
        return "it is an HTML page"
    if head[:1] in (b"{", b"["):
        return "it is JSON"
    return "it is neither"


def _feed_hint(body: bytes, base: str) -> str:
    """What to do about a page that is not a feed: the feed it links to, when it names one."""
    try:
        import lxml.html

        doc = lxml.html.document_fromstring(body[:1_000_000], base_url=base)
        doc.make_links_absolute(base, handle_failures="discard")
        links = doc.xpath(
            "//link[contains(@rel,'alternate')][contains(@type,'rss') or contains(@type,'atom')]"
            "/@href"
        )
    except Exception:  # lxml raises many kinds on what is not HTML; then there is no hint
        links = []
    if links:
        return f"the page names its feed: watch {links[0]}"
    return (
        "find the site's feed address (often /feed, /rss or /atom.xml), or read the page with "
        "`mineralflow claims URL`"
    )


def _known(ledger: Ledger | None) -> tuple[set[tuple[str, str]], dt.datetime | None]:
    if ledger is None:
        return set(), None
    rows = ledger.con.execute("SELECT feed_url, entry_key FROM feed_entries").fetchall()
    since = ledger.con.execute("SELECT max(first_seen) FROM feed_entries").fetchone()[0]
    return {(r[0], r[1]) for r in rows}, since


def watch(
    ledger: Ledger | None,
    feeds: Sequence[str],
    *,
    cache: Cache,
    save: bool = False,
    published: dt.date | None = None,
    client: Client | None = None,
    progress: Progress | None = None,
) -> WatchReport:
    """Read the feeds, then the pages of their new entries about catalog products; with
    ``save``, book them and remember the entries (see the module docstring).

    ``ledger`` may be None (no ledger yet: every entry is new) unless ``save``.
    ``published`` is the publication date for pages and entries that state none.
    """
    if not feeds:
        raise UsageError("name at least one feed URL, or pass --feeds FILE")
    if save and (ledger is None or ledger.read_only):
        raise UsageError("saving needs a ledger open for writing")
    known, since = _known(ledger)
    own = client is None
    client = client or Client()
    try:
        report = WatchReport(feeds=[], read=[], since=since)
        seen_feeds: set[str] = set()
        for url in feeds:
            if canonical_url(url) in seen_feeds:
                continue
            seen_feeds.add(canonical_url(url))
            report.feeds.append(_read_feed(client, cache, url, known))
        _read_entries(client, cache, report, published=published, progress=progress)
    finally:
        if own:
            client.close()
    if save and report.new:
        assert ledger is not None
        _save(ledger, report)
    return report


def _read_feed(client: Client, cache: Cache, url: str, known: set[tuple[str, str]]) -> FeedRead:
    feed = FeedRead(url=url)
    try:
        stored = cache.fetch(client, check_url(url), kind="feeds", accept="feed")
        feed.title, feed.entries = parse_feed(url, stored.body, final_url=stored.final_url)
    except FetchError as e:
        feed.error = e
        return feed
    keys: set[str] = set()
    for entry in feed.entries:
        if (entry.feed_url, entry.key) not in known and entry.key not in keys:
            keys.add(entry.key)
            feed.new.append(entry)
    return feed


def _read_entries(
    client: Client,
    cache: Cache,
    report: WatchReport,
    *,
    published: dt.date | None,
    progress: Progress | None,
) -> None:
    relevant = [e for e in report.new if e.products and e.link]
    by_address: dict[str, EntryRead] = {}
    for done, entry in enumerate(relevant):
        assert entry.link is not None
        if progress is not None:
            progress(done, len(relevant), entry.title or entry.link)
        address = canonical_url(entry.link)
        first = by_address.get(address)
        if first is not None:  # another feed lists the same page: read once
            report.read.append(EntryRead(entry, first.article, first.error))
            continue
        item = EntryRead(entry)
        try:
            item.article = read_page(
                client, cache, entry.link, published=entry.published or published
            )
        except FetchError as e:
            item.error = e
        by_address[address] = item
        report.read.append(item)
    if progress is not None and relevant:
        progress(len(relevant), len(relevant), "")


def _save(ledger: Ledger, report: WatchReport) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    failed = {id(r.entry) for r in report.read if r.error is not None}
    with ledger.transaction() as con:
        report.saved, booked = save_report(ledger, report.claims_report())
        for r in report.read:
            if r.article is not None:
                url = r.article.article.url
                r.already_booked = url in booked
                r.source_id = booked.get(url or "", r.article.article.source_id)
        sources = {id(r.entry): r.source_id for r in report.read}
        rows = [
            (
                e.feed_url,
                e.key,
                e.link,
                e.title,
                e.published,
                now,
                ",".join(e.products),
                sources.get(id(e)),
            )
            for e in report.new
            if id(e) not in failed
        ]
        if rows:
            con.executemany("INSERT INTO feed_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        else:
            ledger.mark_unchanged()  # its own writes; save_report's block speaks for itself
