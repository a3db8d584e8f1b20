"""News articles from files: ``.html``/``.htm`` pages and ``.txt`` texts.

An HTML page's main text comes from trafilatura (comments left out; fast mode, without the
fallback extractors; see :mod:`~mineralflow.sources.html_page`), with the page title in
front of it when the main text does not already start with it. A ``.txt`` file is taken as
given; it may open with a header block of ``key: value`` lines (``url:``, ``published:``,
``outlet:``, ``title:``, ``author:``, ``fetched-from:``) that says where the text is from.
Spans of claims index into this text (header included); the header is read as metadata,
never as sentences (see :attr:`Article.readable`), except that a ``title:`` is read as the
headline it is.

What is known about an article, strongest first: the caller's ``meta`` (the CLI's
``--outlet``, ``--title``, ``--url`` for one file), the header block, the page's metadata
(HTML), then what the text shows. The outlet is the URL's host when nothing names it, and
the file name only when there is no URL either. The publication date comes from the header
or the page's metadata, else from a date written near the top of the text ("Posted on
2025-07-21", "JUL 20", "On 20/7"), else from the caller's ``published``; a date written
without a year takes the year that puts it nearest to ``published`` and stays unknown
without it.

Bad files raise :class:`~mineralflow.errors.InputError` with a one-line reason and the fix:
empty, binary, not UTF-8, over 20 MB, or HTML with no article text in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import InputError, UsageError
from .html_page import read_page

__all__ = [
    "HEADER_KEYS",
    "MAX_BYTES",
    "SUFFIXES",
    "Article",
    "ArticleMeta",
    "article_paths",
    "read_article",
    "read_header",
    "source_row",
]

MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = (".html", ".htm", ".txt")
_HEAD = 400  # characters near the top where a dateline or "Posted on" stands


HEADER_KEYS = ("url", "published", "outlet", "title", "author", "fetched-from")
_HEADER_LINE = re.compile(r"(?P<key>[A-Za-z][A-Za-z-]*)[ \t]*:[ \t]*(?P<value>[^\n]*)")


@dataclass(frozen=True)
class ArticleMeta:
    """What the caller says about an article; a field left None is read from the file."""

    outlet: str | None = None
    title: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if self.url is not None and urlsplit(self.url).scheme not in ("http", "https"):
            raise UsageError(
                f"--url {self.url!r} is not an http(s) address; pass the page's address, "
                "e.g. --url https://example.com/story"
            )

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.outlet, self.title, self.url))


@dataclass(frozen=True)
class Article:
    """One article read from a file: its text and what is known about where it is from.

    ``text`` is the file's text (spans index into it); ``readable`` is the same text with
    the header block's keys and values blanked out (same length), except a ``title:``'s
    value, which is read as the headline.
    """

    path: Path
    name: str
    text: str
    readable: str
    title: str
    outlet: str
    url: str | None
    published: dt.date | None
    published_how: str  # metadata, text 'JUL 20', --published, unknown
    authority: str
    original_publisher: str | None
    content_hash: str

    @property
    def source_id(self) -> str:
        """Stable id from the file's bytes: the same article always gets the same id."""
        return "news-" + self.content_hash[:16]


def article_paths(paths: list[Path]) -> tuple[list[Path], list[InputError]]:
    """The article files under ``paths`` (folders are searched recursively, in name order)
    and an error for each path that is missing or not an article file."""
    found: list[Path] = []
    errors: list[InputError] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                found.append(path)
            else:
                errors.append(
                    InputError(
                        f"not an article file ({path.suffix or 'no suffix'})",
                        path=path,
                        fix="pass .html, .htm or .txt files, or a folder of them",
                    )
                )
        else:
            errors.append(InputError("no such file or folder", path=path, fix="check the path"))
    return found, errors


def read_article(
    path: Path, *, published: dt.date | None = None, meta: ArticleMeta | None = None
) -> Article:
    """Read one article file; :class:`InputError` if it cannot be read as an article.

    ``published`` is the date for a page that states none; ``meta`` overrides what the file
    says of its outlet, title and URL.
    """
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty file", path=path, fix="pass a file with the article's text")
    if size > MAX_BYTES:
        raise InputError(
            f"{size / 2**20:.1f} MB, over the {MAX_BYTES // 2**20} MB limit for one article",
            path=path,
            fix="pass the article page alone (not a whole site or archive)",
        )
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise InputError(
            "binary file (NUL bytes), not an article",
            path=path,
            fix="pass the page as .html or the article text as .txt",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start})",
            path=path,
            row=line,
            fix=f"convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8 '{path}'",
        ) from None
    if not text.strip():
        raise InputError("no text in the file", path=path, fix="pass the article's text")
    content_hash = hashlib.sha256(raw).hexdigest()
    if path.suffix.lower() in (".html", ".htm"):
        return _html_article(path, text, content_hash, published, meta or ArticleMeta())
    return _text_article(path, text, content_hash, published, meta or ArticleMeta())


def read_header(text: str) -> tuple[dict[str, str], str]:
    r"""The header block at the top of a text article, and the text with it blanked.

    The block is the run of ``key: value`` lines at the very top whose keys are
    :data:`HEADER_KEYS`; it ends at the first other line. Values are stripped; a ``title:``
    value stays readable in the returned text (at its own offsets), the rest becomes spaces.

        >>> fields, readable = read_header("url: https://a.example/x\npublished: 2025-06-20\nBody")
        >>> fields["published"], readable.strip()
        ('2025-06-20', 'Body')
    """
    fields: dict[str, str] = {}
    chars = list(text)
    pos = 0
    while pos < len(text):
        eol = text.find("\n", pos)
        eol = len(text) if eol < 0 else eol
        m = _HEADER_LINE.fullmatch(text, pos, eol)
        if m is None or m.group("key").casefold() not in HEADER_KEYS:
            break
        key, value = m.group("key").casefold(), m.group("value").strip()
        fields.setdefault(key, value)
        keep = m.start("value") if key == "title" else eol
        chars[pos:keep] = " " * (keep - pos)
        pos = eol + 1
    return fields, "".join(chars) if fields else text


def _html_article(
    path: Path, html: str, content_hash: str, published: dt.date | None, meta: ArticleMeta
) -> Article:
    try:
        page = read_page(
            html,
            # Metadata only: dates written in the text are read below, by our own rules.
            date_params={
                "original_date": True,
                "extensive_search": False,
                "max_date": dt.date.today().isoformat(),
            },
        )
    except Exception as e:  # trafilatura and lxml raise many kinds on broken markup
        raise InputError(
            f"cannot parse the HTML ({type(e).__name__})",
            path=path,
            fix="check the file is a complete web page, or save the article text as .txt",
        ) from None
    body = page.text.strip() if page is not None else ""
    if page is None or not body:
        raise InputError(
            "no article text found in the HTML",
            path=path,
            fix="check it is a news page, or save the article text as .txt",
        )
    title = (page.title or "").strip()
    text = body if not title or body.startswith(title) else f"{title}\n{body}"
    meta_date = _iso_date(page.date)
    when: dt.date | None
    if meta_date is not None:
        when, how = meta_date, "page metadata"
    else:
        when, how = _publication_date(text, published)
    url = meta.url or page.url or None
    site = (page.sitename or page.hostname or "").strip()
    outlet = meta.outlet or site or _host(url) or path.stem
    authority, original = _authority(text, outlet, url)
    return Article(
        path=path,
        name=path.name,
        text=text,
        readable=text,
        title=meta.title or title or _title(text),
        outlet=outlet,
        url=url,
        published=when,
        published_how=how,
        authority=authority,
        original_publisher=original,
        content_hash=content_hash,
    )


def _text_article(
    path: Path, text: str, content_hash: str, published: dt.date | None, meta: ArticleMeta
) -> Article:
    header, readable = read_header(text)
    stated = header.get("published", "")
    header_date = _iso_date(stated)
    when: dt.date | None
    if header_date is not None:
        when, how = header_date, f"header 'published: {stated}'"
    else:
        when, how = _publication_date(readable.lstrip(), published)
    url = meta.url or header.get("url") or None
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        url = None  # "url: see above": not an address
    outlet = meta.outlet or header.get("outlet") or _host(url) or path.stem
    authority, original = _authority(readable, outlet, url)
    return Article(
        path=path,
        name=path.name,
        text=text,
        readable=readable,
        title=meta.title or header.get("title") or _title(readable),
        outlet=outlet,
        url=url,
        published=when,
        published_how=how,
        authority=authority,
        original_publisher=original,
        content_hash=content_hash,
    )


def _iso_date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MON = (
    r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|"
    r"AUG|SEPT|SEP|OCT|NOV|DEC)\.?"
)
_TEXT_DATES = [
    re.compile(
        r"(?:\b(?:Posted|Published|Updated)\s+(?:on\s+)?)?\b(?P<y>20\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b"
    ),
    re.compile(_MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>20\d{2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})\s+" + _MON + r",?\s+(?P<y>20\d{2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>20\d{2})\b"),
    # Datelines without a year: "CHINA, JUL 20 –", "BEIJING, July 20 (Reuters) -".
    re.compile(r"(?:^|[,\n]\s*)" + _MON + r"\s+(?P<d>\d{1,2})\b(?!\s*,?\s*\d{4})"),
    # "On 20/7, ..." (day first, as in the outlets that write it so).
    re.compile(r"\bOn\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})\b(?!/)"),
]


def _publication_date(text: str, published: dt.date | None) -> tuple[dt.date | None, str]:
    head = text[:_HEAD]
    for pattern in _TEXT_DATES:
        m = pattern.search(head)
        if m is None:
            continue
        g = m.groupdict()
        month = int(g["m"]) if g.get("m") else _MONTHS[g["mon"].rstrip(".").casefold()]
        day = int(g["d"])
        words = m.group().strip(" ,\n")
        if g.get("y"):
            try:
                return dt.date(int(g["y"]), month, day), f"text '{words}'"
            except ValueError:
                continue
        if published is None:
            return None, f"text '{words}' has no year; pass --published YYYY-MM-DD"
        best: dt.date | None = None
        for year in (published.year - 1, published.year, published.year + 1):
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                continue
            if best is None or abs(candidate - published) < abs(best - published):
                best = candidate
        if best is not None:
            return best, f"text '{words}', year from --published"
    if published is not None:
        return published, "--published"
    return None, "unknown; pass --published YYYY-MM-DD"


_TITLE_CHARS = 160  # a first line longer than this is a paragraph, not a headline
# A stored copy's "date 2025-06-18" stamp; "Bota Posted on ...", "By Bloomberg News" lines.
_STAMP = re.compile(r"^date\s+\d{4}-\d{2}-\d{2}\s*")
_NOT_A_TITLE = re.compile(r"^(?:\S+\s+Posted\s+on\b|By\s|Published\s)")
_FIRST_SENTENCE = re.compile(r"(.{20,}?[.!?])(?:\s|$)")


def _title(text: str) -> str:
    """A title from the text: its first line of four words or more when that line is
    headline-sized, else the first sentence of that paragraph, cut at a word."""
    lines = [_STAMP.sub("", ln.strip()) for ln in text.splitlines() if ln.strip()]
    first = next(
        (ln for ln in lines if len(ln.split()) >= 4 and not _NOT_A_TITLE.match(ln)),
        lines[0] if lines else "",
    )
    if len(first) <= _TITLE_CHARS:
        return first
    m = _FIRST_SENTENCE.match(first)
    head = m.group(1) if m and len(m.group(1)) <= _TITLE_CHARS else first[:_TITLE_CHARS]
    if len(head) < len(first) and not head.endswith((".", "!", "?")):
        head = head.rsplit(" ", 1)[0] + " …"
    return head


def _host(url: str | None) -> str | None:
    """``econotimes.com`` for ``https://www.econotimes.com/...``."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or None


_WIRES = {
    "reuters": "Reuters",
    "bloomberg": "Bloomberg",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "associated press": "AP",
    "ap": "AP",
}
_WIRE = r"(?P<wire>Reuters|Bloomberg|AFP|Agence France-Presse|Associated Press|AP)"
# A wire story reposted as it is: "... - Reuters" closing a paragraph, "(Reuters) -" dateline.
_VERBATIM = re.compile(
    r"(?:[-–—]\s*" + _WIRE + r"\s*$)|(?:\(" + _WIRE.replace("wire", "wire2") + r"\)\s*[-–—])",
    re.M,
)
_CREDITED = re.compile(
    r"\(" + _WIRE + r"\)|\baccording\s+to\s+" + _WIRE.replace("wire", "wire2")
    + r"\b|\b" + _WIRE.replace("wire", "wire3") + r"\s+reported\b"
)  # fmt: skip
_PHOTO = re.compile(r"\b(?:Photo|Image|Picture|Credit)s?\s*:\s*[^\n|]*", re.I)
_BOILERPLATE = re.compile(
    r"^\s*(?:related(?:\s+(?:articles|stories|news|content|posts))?|read\s+more|comments?|"
    r"latest\s+news|most\s+(?:visited|read|popular)|try\s+our\s+ai\s+features|hashtags|"
    r"live\s+tv|coverage\s+details|recommended(?:\s+for\s+you)?|you\s+may\s+also\s+like|"
    r"\d+\s+articles)\s*$",
    re.I | re.M,
)
_WIRE_HOSTS = {
    "reuters.com": "Reuters",
    "bloomberg.com": "Bloomberg",
    "apnews.com": "AP",
    "afp.com": "AFP",
}


def _authority(text: str, outlet: str, url: str | None) -> tuple[str, str | None]:
    """``(authority, original_publisher)``: a wire's own site or a verbatim repost of a wire
    story is ``wire``; anything else is ``trade_press``, crediting the wire it cites."""
    site = outlet.casefold()
    for host, wire in _WIRE_HOSTS.items():
        if (url and host in url) or site in (host, wire.casefold()):
            return "wire", wire
    end = _BOILERPLATE.search(text)
    main = _PHOTO.sub("", text[: end.start()] if end else text)
    verbatim = _VERBATIM.search(main)
    if verbatim:
        wire = verbatim.group("wire") or verbatim.group("wire2")
        return "wire", _WIRES[wire.casefold()]
    credited = _CREDITED.search(main)
    if credited:
        wire = credited.group("wire") or credited.group("wire2") or credited.group("wire3")
        return "trade_press", _WIRES[wire.casefold()]
    return "trade_press", None


def source_row(article: Article) -> dict[str, Any]:
    """The ledger's ``sources`` row for an article."""
    return {
        "source_id": article.source_id,
        "kind": "news_article",
        "authority": article.authority,
        "outlet": article.outlet,
        "original_publisher": article.original_publisher,
        "title": article.title,
        "url": article.url,
        "published": article.published,
        "content_hash": article.content_hash,
        "note": f"read from {article.name}; published date from {article.published_how}",
    }
