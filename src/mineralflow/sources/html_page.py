"""An HTML page's main text and the metadata an article uses, read with trafilatura.

:func:`read_page` parses the page once and gives trafilatura's main text (comments left out,
fast mode: no readability or jusText fallback) with the page's title, publication date, URL
and site name. Those four fields are read by trafilatura's own metadata steps, in its order
(:func:`trafilatura.extract_metadata`), less the steps whose fields no article uses: author,
categories, tags and license took about a quarter of trafilatura's time on 5 KB pages
(``benchmarks/claims_speed.py``). ``tests/test_articles.py`` checks the fields against
``trafilatura.extract_metadata`` on the test pages; trafilatura is pinned (``pyproject.toml``),
so an upgrade that moves these helpers fails there first.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document, Extractor

__all__ = ["Page", "read_page"]


@dataclass(frozen=True)
class Page:
    """What an HTML page says: its main text and the metadata fields articles use."""

    text: str
    title: str | None
    date: str | None
    url: str | None
    sitename: str | None
    hostname: str | None


@cache
def _extractor() -> Extractor:
    """Main text only (no metadata: :func:`_metadata` reads it), comments out, fast mode."""
    from trafilatura.settings import Extractor

    return Extractor(output_format="python", fast=True, comments=False, with_metadata=False)


def read_page(html: str, date_params: dict[str, Any]) -> Page | None:
    """The page's main text and metadata; None when trafilatura finds no document.

    ``date_params`` go to htmldate's ``find_date`` as trafilatura's ``date_extraction_params``
    would. Trafilatura and lxml raise many kinds of errors on broken markup; they propagate.
    """
    import trafilatura

    options = _extractor()
    try:  # inside bare_extraction, these two errors mean "no document" (it returns None)
        tree = trafilatura.load_html(html, options.max_file_size)
        if tree is None:
            return None
        meta = _metadata(tree, date_params)
    except (TypeError, ValueError):
        return None
    doc = trafilatura.bare_extraction(tree, options=options)  # works on a copy of the tree
    if doc is None:
        return None
    return Page(
        text=getattr(doc, "text", None) or "",
        title=meta.title,
        date=meta.date,
        url=meta.url,
        sitename=meta.sitename,
        hostname=meta.hostname,
    )


def _metadata(tree: HtmlElement, date_params: dict[str, Any]) -> Document:
    """``trafilatura.metadata.extract_metadata`` (2.3.1) without author, categories, tags
    and license: the same steps in the same order for title, URL, host, date and site."""
    from courlan import extract_domain  # trafilatura's own dependency, as it calls it
    from htmldate import find_date
    from trafilatura import metadata as tm

    meta = tm.examine_meta(tree)
    with suppress(Exception):  # as trafilatura does: bugs in its JSON-LD reading are skipped
        meta = tm.extract_meta_json(tree, meta)
    if not meta.title:
        meta.title = tm.extract_title(tree)
    if not meta.url:
        meta.url = tm.extract_url(tree, None)
    if meta.url:
        meta.hostname = extract_domain(meta.url, fast=True)
    meta.date = find_date(tree, **{**date_params, "url": meta.url})
    if not meta.sitename:
        meta.sitename = tm.extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")  # a Twitter handle
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url:
        from_url = tm.META_URL.match(meta.url)
        if from_url:
            meta.sitename = from_url[1]
    meta.clean_and_trim()
    return meta
