"""The fetch cache: every page and feed fetched, as raw bytes, in a folder beside the ledger.

For the ledger ``mineralflow.duckdb`` the cache is ``mineralflow.cache/``::

    mineralflow.cache/
      pages/<sha256>.html            a page's bytes as received, named by their SHA-256
      pages/urls/<sha256 of URL>.json  {url, final_url, sha256, file, content_type, etag,
                                        last_modified, fetched_at, checked_at}
      feeds/...                      the same for feeds
      comtrade/                      UN Comtrade API answers (JSON) and the CSV made of them

The bytes are what the ledger's sources point to: an article's ``content_hash`` is the SHA-256
of its file here, so a claim can always be traced back to the page as it was fetched. A URL's
record keeps the validators (``ETag``, ``Last-Modified``) for the next, conditional, request:
an unchanged page answers ``304`` and is read from here. Files are written to a temporary name
and renamed, so a killed run never leaves half a file. The cache is not the ledger: deleting
it loses only the copies (and makes the next run fetch again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import write_atomic
from .http import Client, Fetched

__all__ = ["Cache", "Stored", "cache_dir"]

_SUFFIXES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "application/json": ".json",
    "application/rss+xml": ".xml",
    "application/atom+xml": ".xml",
    "application/xml": ".xml",
    "text/xml": ".xml",
}


def cache_dir(ledger_path: Path) -> Path:
    """The cache folder beside a ledger file: ``data/mineralflow.duckdb`` ->
    ``data/mineralflow.cache``."""
    return ledger_path.with_name(ledger_path.stem + ".cache")


@dataclass(frozen=True)
class Stored:
    """A fetched document as the cache holds it."""

    url: str
    final_url: str
    path: Path
    sha256: str
    content_type: str
    fetched_at: dt.datetime  # when these bytes were downloaded (UTC)
    not_modified: bool  # the server said 304: the bytes are the cached copy

    @property
    def body(self) -> bytes:
        return self.path.read_bytes()


def suffix_for(content_type: str, body: bytes) -> str:
    """The file suffix for an answer: from its media type, else from its first bytes."""
    media = content_type.split(";")[0].strip().lower()
    if media in _SUFFIXES:
        return _SUFFIXES[media]
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return ".html"
    if head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed")):
        return ".xml"
    return ".bin"


class Cache:
    """The cache folder (see the module docstring); ``root`` is made on first write."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @classmethod
    def beside(cls, ledger_path: Path) -> Cache:
        return cls(cache_dir(ledger_path))

    def folder(self, kind: str) -> Path:
        return self.root / kind

    def _record_path(self, kind: str, url: str) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return self.folder(kind) / "urls" / f"{key}.json"

    def record(self, kind: str, url: str) -> dict[str, Any] | None:
        """What the cache knows of ``url`` (its last fetch), or None."""
        path = self._record_path(kind, url)
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        body = self.folder(kind) / str(data.get("file", ""))
        return data if data.get("url") == url and body.is_file() else None

    def fetch(self, client: Client, url: str, *, kind: str, accept: str) -> Stored:
        """Fetch ``url`` through ``client`` (conditionally when a copy is cached) and keep it."""
        known = self.record(kind, url)
        fetched = client.get(
            url,
            accept=accept,
            etag=known.get("etag") if known else None,
            last_modified=known.get("last_modified") if known else None,
        )
        if fetched.status == 304 and known is not None:
            known["checked_at"] = fetched.fetched_at.isoformat()
            write_atomic(self._record_path(kind, url), _json(known))
            return self._stored(kind, known, not_modified=True)
        return self.keep(kind, fetched)

    def keep(self, kind: str, fetched: Fetched) -> Stored:
        """Store an answer's bytes and the record of its URL."""
        sha = hashlib.sha256(fetched.body).hexdigest()
        name = sha + suffix_for(fetched.content_type, fetched.body)
        body_path = self.folder(kind) / name
        if not body_path.is_file():
            write_atomic(body_path, fetched.body)
        record = {
            "url": fetched.url,
            "final_url": fetched.final_url,
            "sha256": sha,
            "file": name,
            "bytes": len(fetched.body),
            "content_type": fetched.content_type,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "fetched_at": fetched.fetched_at.isoformat(),
            "checked_at": fetched.fetched_at.isoformat(),
            "redirects": list(fetched.redirects),
        }
        write_atomic(self._record_path(kind, fetched.url), _json(record))
        return self._stored(kind, record, not_modified=False)

    def _stored(self, kind: str, record: dict[str, Any], *, not_modified: bool) -> Stored:
        return Stored(
            url=record["url"],
            final_url=record["final_url"],
            path=self.folder(kind) / record["file"],
            sha256=record["sha256"],
            content_type=record["content_type"],
            fetched_at=dt.datetime.fromisoformat(record["fetched_at"]),
            not_modified=not_modified,
        )


def _json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
