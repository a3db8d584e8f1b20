"""The Jinja environments the report and the web pages render with.

HTML templates always autoescape: text from sources is data, never markup. Two filters
guard what autoescape cannot: :func:`safe_url` keeps only http(s) links (a
``javascript:`` URL survives escaping), and :func:`md` escapes text for Markdown (where
raw HTML would otherwise pass through to whoever renders the file).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib import resources
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

__all__ = [
    "css",
    "css_hash",
    "markdown_environment",
    "md",
    "md_url",
    "page_environment",
    "safe_url",
]


def safe_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (the template then shows text
    without a link)."""
    if not isinstance(url, str) or len(url) > 2000:
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(ch) < 0x20 or ch.isspace() for ch in text):
        return None
    return text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(value: object) -> str:
    """Text escaped for Markdown: HTML-significant characters become entities and Markdown
    punctuation is backslash-escaped, so a title cannot become a tag, a link or a table."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_url(url: object) -> str | None:
    """An http(s) URL made safe inside ``(...)`` of a Markdown link; None when not http(s)."""
    safe = safe_url(url)
    if safe is None:
        return None
    return quote(safe, safe="/:?#[]@!$&'*+,;=%~.-_")


@cache
def css() -> Markup:
    """The stylesheet shared by the report and the web pages (a packaged, trusted file)."""
    text = resources.files("mineralflow").joinpath("render/templates/style.css").read_text("utf-8")
    return Markup(text)


@cache
def css_hash() -> str:
    """The CSP source (``sha256-...``) that allows exactly the inline stylesheet."""
    digest = hashlib.sha256(str(css()).encode()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


def _cite(numbers: object, anchors: bool = True) -> Markup:
    items = list(numbers) if isinstance(numbers, (list, tuple)) else []
    if not anchors:
        return Markup("".join(f"[{int(n)}]" for n in items))
    return Markup("".join(f'<a class="cite" href="#source-{int(n)}">[{int(n)}]</a>' for n in items))


def _thousands(value: object, decimals: int = 0) -> str:
    if not isinstance(value, (int, float)):
        return ""
    return f"{value:,.{decimals}f}"


@cache
def page_environment() -> jinja2.Environment:
    """HTML templates of the report and the web pages, autoescaped."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("mineralflow", "web/templates"),
                jinja2.PackageLoader("mineralflow", "render/templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(safe_url=safe_url, cite=_cite, thousands=_thousands)
    env.globals.update(css=css, css_hash=css_hash)
    return env


@cache
def markdown_environment() -> jinja2.Environment:
    """The Markdown report template; every interpolated text goes through ``md``."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mineralflow", "render/templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md, md_url=md_url, cite=lambda n: _cite(n, anchors=False))
    return env
