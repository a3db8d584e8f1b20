"""Web pages as articles: fetch each URL, keep it in the cache, read it as a saved page is read.

    >>> from mineralflow.fetch import Cache, read_inputs, save_report
    >>> report = read_inputs(["https://example.test/magnets-june.html"],
    ...                      cache=Cache("mineralflow.cache"))        # doctest: +SKIP
    >>> with Ledger.open("mineralflow.duckdb") as ledger:             # doctest: +SKIP
    ...     save_report(ledger, report)

A fetched page is read by :func:`mineralflow.sources.articles.read_article` from its cached
copy, exactly as a page saved by hand, and its claims by
:func:`mineralflow.claims.extract_claims`; what differs is only where the article says it
came from: its ``name`` and ``url`` are the page's address (after redirects, without the
fragment and tracking parameters), its ``outlet`` the site's name or host.

**One page, one source.** A page's bytes change from one fetch to the next (advertisements,
timestamps), so a fetched article is known by its address: :func:`save_report` skips an
article whose address the ledger already holds, and two inputs with one address are read once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..claims import ArticleClaims, ClaimsReport, extract_claims, read_claims, save_claims
from ..errors import FetchError, InputError, NotReadable, UsageError
from ..ledger import Ledger, LoadReport
from ..periods import parse_date
from ..sources.articles import ArticleMeta, read_article
from .cache import Cache
from .http import Client, check_url, is_url

__all__ = ["canonical_url", "read_inputs", "read_page", "read_url_list", "save_report"]

Progress = Callable[[str], None]
"""Called with each URL as its page is fetched."""

# Query parameters that say how a reader arrived, not which page it is.
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)
# A consent or subscription wall: a short text that speaks of cookies and subscriptions.
_WALL = re.compile(
    r"\b(?:cookies?|consent|subscribe|subscription|subscribers?|sign[ -]in|log[ -]in|paywall|"
    r"to continue reading|accept all|privacy settings)\b",
    re.I,
)
_WALL_WORDS = 150
_NO_ARTICLE_FIX = (
    "it may be a paywall, cookie or consent page: open it in a browser, save the article "
    "and run `mineralflow claims FILE` (the page as fetched is in {path})"
)


def canonical_url(url: str) -> str:
    """The address a page is known by: scheme and host lower-cased, default port, fragment
    and tracking parameters (``utm_*``, ``fbclid`` ...) dropped.

    >>> canonical_url("HTTPS://Example.TEST:443/a/b.html?utm_source=rss&id=7#top")
    'https://example.test/a/b.html?id=7'
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if parts.port in (None, default) else f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def read_page(
    client: Client, cache: Cache, url: str, *, published: dt.date | None = None
) -> ArticleClaims:
    """Fetch one page (or take the cached copy when the site says it is unchanged), read it
    as an article and its claims; :class:`~mineralflow.errors.FetchError` when it cannot be."""
    stored = cache.fetch(client, check_url(url), kind="pages", accept="page")
    if stored.path.suffix not in (".html", ".txt"):
        media = stored.content_type.split(";")[0].strip() or "unknown type"
        raise NotReadable(
            f"not a web page ({media})",
            url=url,
            fix="pass the article's page; for a PDF or other file, save the article text as "
            ".txt and run `mineralflow claims FILE`",
        )
    try:
        article = read_article(stored.path, published=published)
    except InputError as e:
        # The reader names the cached file; say which page it is and what to do.
        if "text" in e.problem:  # no text, no article text: what a wall gives
            raise NotReadable(
                "no article text in the page",
                url=url,
                fix=_NO_ARTICLE_FIX.format(path=stored.path),
            ) from None
        raise NotReadable(
            e.problem, url=url, fix=f"{e.fix} (the page as fetched is in {stored.path})"
        ) from None
    words = len(article.text.split())
    if words < _WALL_WORDS and len({m.lower() for m in _WALL.findall(article.text)}) >= 2:
        raise NotReadable(
            f"no article in the page, only {words} words about cookies or subscriptions",
            url=url,
            fix=_NO_ARTICLE_FIX.format(path=stored.path),
        )
    address = canonical_url(stored.final_url)
    outlet = article.outlet
    if outlet == stored.path.stem:  # the page names no site: its host does
        outlet = urlsplit(address).hostname or address
    article = replace(article, name=address, url=address, outlet=outlet)
    claims = extract_claims(article.readable, source=article.name, published=article.published)
    return ArticleClaims(article, claims)


def read_url_list(path: Path) -> tuple[list[str], list[InputError]]:
    """The URLs in a file, one a line (blank lines and ``#`` comments skipped), and an error
    for each line that is not an http(s) address."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file; pass a file of URLs, one a line") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read the URL list ({e}); save it as UTF-8") from None
    urls: list[str] = []
    errors: list[InputError] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            urls.append(check_url(text) if is_url(text) else _not_a_url(text))
        except FetchError as e:
            errors.append(InputError(e.problem, path=path, row=number, fix=e.fix))
    return urls, errors


def _not_a_url(text: str) -> str:
    raise FetchError(
        f"{text[:80]!r} is not an address", url=text, fix="write one http(s) URL a line"
    )


def read_inputs(
    inputs: Sequence[str | Path],
    *,
    cache: Cache,
    urls_file: Path | None = None,
    published: dt.date | str | None = None,
    client: Client | None = None,
    progress: Progress | None = None,
    meta: ArticleMeta | None = None,
) -> ClaimsReport:
    """Read files, folders and URLs (and the URLs listed in ``urls_file``) into one report.

    Files and folders are read by :func:`mineralflow.claims.read_claims`; each URL is fetched
    and read by :func:`read_page`. A URL that fails becomes one error in ``report.errors`` (as
    a bad file does), and the others are still read. ``meta`` (outlet, title, URL) describes a
    single article file (see :func:`~mineralflow.claims.read_claims`).
    """
    when = parse_date(published, option="--published")
    texts = [str(i) for i in inputs]
    urls = [t for t in texts if is_url(t)]
    paths = [Path(t) for t in texts if not is_url(t)]
    errors: list[InputError] = []
    if urls_file is not None:
        listed, errors = read_url_list(urls_file)
        urls += listed
    if not paths and not urls and not errors:
        raise UsageError("name at least one file, folder or URL, or pass --urls FILE")
    if meta and urls:
        raise UsageError(
            "--outlet, --title and --url describe one article file, not fetched pages (a "
            "page's own metadata says what it is)"
        )
    report = read_claims(paths, published=when, meta=meta) if paths else ClaimsReport()
    report.errors.extend(errors)
    if urls:
        own = client is None
        client = client or Client()
        try:
            seen: set[str] = set()
            for url in urls:
                key = canonical_url(url)
                if key in seen:
                    continue
                seen.add(key)
                if progress is not None:
                    progress(url)
                try:
                    read = read_page(client, cache, url, published=when)
                except FetchError as e:
                    report.errors.append(e)
                    continue
                address = read.article.name  # after redirects
                if address != key and address in seen:
                    continue  # redirected to a page already read
                seen.add(address)
                report.articles.append(read)
        finally:
            if own:
                client.close()
    return report


def booked_urls(con: Any, urls: Sequence[str]) -> dict[str, str]:
    """The articles the ledger already holds at these addresses: URL -> source id."""
    if not urls:
        return {}
    marks = ", ".join("?" for _ in urls)
    rows = con.execute(
        f"SELECT url, min(source_id) FROM sources WHERE kind = 'news_article' AND url IN ({marks}) "
        "GROUP BY url",
        list(urls),
    ).fetchall()
    return dict(rows)


def save_report(ledger: Ledger, report: ClaimsReport) -> tuple[LoadReport, dict[str, str]]:
    """Save the report's articles and claims through :func:`mineralflow.claims.save_claims`,
    in one transaction, leaving out fetched pages whose address the ledger already holds.

    Returns what was added and the addresses left out (URL -> the source already booked).
    """
    with ledger.transaction() as con:
        fetched = [a.article.url for a in report.articles if is_url(a.article.name)]
        booked = booked_urls(con, [u for u in fetched if u])
        keep = [
            a for a in report.articles if not (is_url(a.article.name) and a.article.url in booked)
        ]
        saved = save_claims(ledger, ClaimsReport(articles=keep))
        ledger.mark_unchanged()  # this block only reads; save_claims's own block says what changed
    return saved, booked
