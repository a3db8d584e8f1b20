"""Fetch: articles from the web, the new entries of outlets' feeds, UN Comtrade's API.

Everything fetched goes through one polite client and is kept in a cache folder beside the
ledger; what is read goes into the ledger by the paths files already take:

- :mod:`~mineralflow.fetch.http`: the polite client (User-Agent, per-host rate limit,
  timeouts, retries with backoff, redirects checked, size cap, only http/https) and the
  one-line errors;
- :mod:`~mineralflow.fetch.cache`: ``<ledger>.cache/``, raw bytes with fetch time and hash;
- :mod:`~mineralflow.fetch.pages`: URLs as articles (:func:`read_inputs`,
  :func:`save_report`), read by ``sources/articles.py`` and saved by ``claims.save_claims``;
- :mod:`~mineralflow.fetch.feeds`: RSS/Atom feeds (:func:`watch`), new entries about catalog
  products, remembered in the ledger;
- :mod:`~mineralflow.fetch.comtrade_api`: UN Comtrade through comtradeapicall
  (:func:`fetch_comtrade`), ingested as a Comtrade CSV is.

The modules import httpx, feedparser and comtradeapicall; import this package only where they
are needed (the CLI does so inside its commands). See ``docs/fetch.md``.
"""

from __future__ import annotations

from .cache import Cache, cache_dir
from .comtrade_api import ComtradeFetch, ComtradeQuery, fetch_comtrade
from .feeds import EntryRead, FeedEntry, FeedRead, WatchReport, products_named, watch
from .http import Client, Fetched, Policy
from .pages import canonical_url, read_inputs, read_page, read_url_list, save_report

__all__ = [
    "Cache",
    "Client",
    "ComtradeFetch",
    "ComtradeQuery",
    "EntryRead",
    "FeedEntry",
    "FeedRead",
    "Fetched",
    "Policy",
    "WatchReport",
    "cache_dir",
    "canonical_url",
    "fetch_comtrade",
    "products_named",
    "read_inputs",
    "read_page",
    "read_url_list",
    "save_report",
    "watch",
]
